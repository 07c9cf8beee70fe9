"""An attacker solves the published statistics as a system of equations and recovers nothing.

The review recovered a participant from Yazd (the extra hidden cell was always the first zero),
a late comment's author as female, 60-plus, from Isfahan (the tables changed between two builds)
and a named participant's gender (the portal's table minus the consultations'). Each attack is
run here, as an integer program over the CSV files a reader downloads.
"""

from __future__ import annotations

import re

from disclosure_attack import disclosed, intervals
from html_query import element
from test_statistics import CLOSED, build, comment, configure, read_csv


def personal(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    return [r for r in rows if r["unit"] == "participants"]


def test_the_example_statistics_of_every_build_give_no_small_count_away(example_site, closed_site):
    # 2026-11-23: the call for ideas has closed; 2026-12-20: the draft too. Someone kept both.
    builds = {
        "2026-11-23": read_csv(example_site / "data" / "statistics.csv"),
        "2026-12-20": read_csv(closed_site / "data" / "statistics.csv"),
    }
    assert any(r["suppression"] == "small" for rows in builds.values() for r in rows)
    assert not disclosed(builds, 5)
    # A table published once is published the same way in every later build.
    first = {(r["scope"], r["dimension"], r["category"]): r for r in personal(builds["2026-11-23"])}
    later = {(r["scope"], r["dimension"], r["category"]): r for r in personal(builds["2026-12-20"])}
    for key, row in first.items():
        if key[0] != "portal":
            assert later[key] == row, key


def test_a_cell_hidden_with_a_zero_would_have_been_solved(repo):
    """One person from Yazd among people who gave no province: hiding a zero beside it gives it back."""
    configure(repo)
    for n in range(12):
        comment(repo, n, f"نظر شماره {n} درباره ماده دو، متن {n * 31}.", {"province": "tehran"})
    comment(repo, 40, "نظری از یزد درباره تکالیف.", {"province": "yazd", "gender": "female"})
    for n in range(50, 56):
        comment(repo, n, f"نظری بی داده شخصی، شماره {n * 17}.", None)
    rows = read_csv(build(repo, CLOSED) / "data" / "statistics.csv")
    yazd = next(r for r in rows if r["scope"] == "sample" and r["category"] == "yazd")
    assert yazd["suppression"] == "small"
    assert not disclosed({"build": rows}, 5)
    # The attack itself works: had the old rule hidden a zero beside Yazd, it would be exact.
    old = [dict(r) for r in rows]
    for r in old:
        if r["scope"] == "sample" and r["dimension"] == "province" and r["suppression"] == "hidden":
            r.update(count="", suppressed="false", suppression="")
            r["count"] = {"tehran": "12", "not-stated": "7"}.get(r["category"], "0")
        if r["scope"] == "sample" and r["category"] == "alborz":
            r.update(count="", suppressed="true", suppression="hidden")
    found = intervals({"old": old}, 5)
    assert found[("old", "sample", "province", "yazd")] == (1, 1)


def test_a_late_comment_changes_no_table_between_two_builds(repo):
    configure(repo)
    for n in range(14):
        province = ["isfahan", "tehran", "fars"][n % 3]
        comment(repo, n, f"نظر {n} درباره ماده دو با متنی متفاوت {n * 13}.", {"province": province})
    before = read_csv(build(repo, CLOSED) / "data" / "statistics.csv")
    comment(repo, 90, "نظری دیر رسیده.", {"province": "isfahan", "gender": "female", "age_band": "60-plus"})
    path = repo.root / "submissions" / "sample" / "r90.yml"
    text = path.read_text(encoding="utf-8").replace("received: 2026-11-17", "received: 2026-12-03")
    path.write_text(text + "late: true\n", encoding="utf-8")
    after = read_csv(build(repo, CLOSED) / "data" / "statistics.csv")
    comments = {
        r["category"]: r["count"] for r in after if r["dimension"] == "channel" and r["scope"] == "sample"
    }
    assert comments["form"] == "16"  # the late comment is counted as a comment, and published
    assert personal(after) == personal(before)
    assert not disclosed({"before": before, "after": after}, 5)


def test_the_portal_table_and_the_consultation_tables_together_give_no_small_count_away(repo):
    configure(repo)
    repo.write(
        "content/drafts/other/index.fa.md", (repo.root / "content/drafts/sample/index.fa.md").read_text()
    )
    plan = [("sample", "female")] * 7 + [("sample", "male")] * 6 + [("other", "female")] * 3
    plan += [("other", "male")] * 9 + [("other", "other")] * 1
    for n, (target, gender) in enumerate(plan):
        comment(repo, n, f"نظر {n} درباره ماده دو با متنی متفاوت {n * 13}.", {"gender": gender})
        if target == "other":
            path = repo.root / "submissions" / "sample" / f"r{n}.yml"
            text = path.read_text(encoding="utf-8").replace("target: sample", "target: other")
            path.unlink()
            repo.write(f"submissions/other/r{n}.yml", text)
    rows = read_csv(build(repo, CLOSED) / "data" / "statistics.csv")
    genders = {(r["scope"], r["category"]): r for r in rows if r["dimension"] == "gender"}
    assert genders[("other", "female")]["suppression"] == "small"
    assert not disclosed({"build": rows}, 5)


def test_a_cell_hidden_to_protect_another_is_labelled_hidden_not_small(closed_site):
    rows = read_csv(closed_site / "data" / "statistics.csv")
    report = (closed_site / "en" / "drafts" / "e-participation" / "report" / "index.html").read_text("utf-8")
    element(report, "rz-report-gender-data")  # the chart's data table is there
    table = report[report.index('id="rz-report-gender-data"') :]
    table = table[: table.index("</table>")]
    cells = {
        " ".join(label.split()): " ".join(shown.split())
        for label, shown in re.findall(r"<t[hd][^>]*>([^<]*)</t[hd]>\s*<td[^>]*>([^<]*)</td>", table)
    }
    labels = {"female": "Female", "male": "Male", "undisclosed": "Undisclosed", "not-stated": "Not stated"}
    states = set()
    for r in rows:
        if r["scope"] == "e-participation" and r["dimension"] == "gender" and r["category"] in labels:
            expected = {"small": "fewer than 5", "hidden": "hidden", "": r["count"]}[r["suppression"]]
            assert cells[labels[r["category"]]] == expected, (r, cells)
            states.add(r["suppression"])
    assert {"small", "hidden"} <= states
    assert "hidden to protect small counts" in report
