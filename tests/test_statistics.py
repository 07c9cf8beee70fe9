"""Statistics, suppression, open data and campaign grouping, on a small portal built for real."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from conftest import REPO, Repo
from conftest import rayzani as run_rayzani
from disclosure_attack import disclosed

from rayzani.security.sealing import read_public_key, seal
from rayzani.security.secrets import EXAMPLE_SITE_URL
from rayzani.settings import Settings

CLOSED = "2026-12-05"  # the sample draft's period is 2026-11-01 to 2026-12-01
OPEN = "2026-11-20"
PERSONAL = {"age_band", "gender", "province", "contact", "sealed"}

CAMPAIGN = (
    "ما امضاکنندگان این نامه خواستار افزایش مهلت نظرخواهی به ۶۰ روز هستیم، زیرا سی روز برای "
    "بررسی دقیق متن و گفت‌وگو با اعضای انجمن‌ها کافی نیست و شهروندان شهرهای کوچک فرصت مشارکت ندارند."
)


def comment(
    repo: Repo, n: int, body: str, sealed: dict[str, str] | None, author_id: str | None = None
) -> None:
    lines = [
        f"id: r{n}",
        "target: sample",
        "section: art-2",
        f"received: 2026-11-{(n % 25) + 2:02d}T10:00:00+03:30",
        "channel: form",
        f"source: form:r{n}",
        "language: fa",
        f"body: {json.dumps(body, ensure_ascii=False)}",
        "author: {type: individual" + (f", id: {author_id}" if author_id else "") + "}",
        "decision: {status: pending}",
    ]
    if sealed:
        key = read_public_key(repo.root, Settings())
        lines.append(f"sealed: {seal(sealed, key)}")
    repo.write(f"submissions/sample/r{n}.yml", "\n".join(lines) + "\n")


def configure(repo: Repo, private_key: bool = True) -> None:
    """A buildable mkdocs.yml; with the demo private key, so that the build can count."""
    config = f"site_name: test\nsite_url: {EXAMPLE_SITE_URL}\ndocs_dir: build/docs\n"
    if private_key:
        shutil.copy(REPO / "keys" / "demo-private.key", repo.root / "keys" / "demo-private.key")
        config += "extra:\n  rayzani:\n    private_key_file: keys/demo-private.key\n"
    repo.write("mkdocs.yml", config)


def build(repo: Repo, date: str) -> Path:
    site = repo.root / f"site-{date}"
    assert run_rayzani(["--root", str(repo.root), "build", "--site-dir", str(site), "--date", date]) == 0
    return site


def read_csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def province_rows(site: Path, scope: str) -> dict[str, dict[str, str]]:
    rows = read_csv(site / "data" / "statistics.csv")
    return {r["category"]: r for r in rows if r["scope"] == scope and r["dimension"] == "province"}


def small_province_portal(repo: Repo) -> None:
    """Tehran 7 participants, Fars 5, Isfahan 2, and 5 who gave no personal data (the fixture's c1 too)."""
    configure(repo)
    plan = ["tehran"] * 6 + ["fars"] * 5 + ["isfahan"] * 2
    for n, province in enumerate(plan):
        comment(repo, n, f"نظر شماره {n} درباره ماده دو و پیشنهادی متفاوت {n * 7}.", {"province": province})
    for n in range(90, 94):
        comment(repo, n, f"نظری بی اطلاعات شخصی درباره تکالیف، شماره {n}.", None)
    # The same participant (chosen id) twice: counted once, from their first sealed box.
    comment(repo, 95, "نخستین نظر یک مشارکت‌کننده.", {"province": "tehran", "age_band": "30-44"}, "p-77")
    comment(repo, 96, "دومین نظر همان مشارکت‌کننده.", {"province": "tehran", "age_band": "30-44"}, "p-77")


def test_statistics_count_the_records_and_the_sealed_data(repo):
    small_province_portal(repo)
    site = build(repo, CLOSED)
    rows = province_rows(site, "sample")
    assert rows["tehran"]["count"] == "7" and rows["fars"]["count"] == "5"
    stats = read_csv(site / "data" / "statistics.csv")
    channel = {
        r["category"]: r["count"] for r in stats if r["scope"] == "sample" and r["dimension"] == "channel"
    }
    assert channel["form"] == "20"  # every comment, the same person's second one too
    ages = {r["category"]: r for r in stats if r["scope"] == "sample" and r["dimension"] == "age"}
    # 19 people: 13 + 4 without data + p-77 + the fixture's c1; only p-77 gave an age. The 18 who
    # did not say are hidden with it: hiding a zero instead would leave the one 30-44 exact.
    assert ages["total"]["count"] == "19" and ages["30-44"]["suppression"] == "small"
    assert ages["not-stated"]["suppression"] == "hidden"
    assert not disclosed({"build": stats}, 5)


def test_a_province_with_two_participants_is_suppressed_with_a_complementary_cell(repo):
    small_province_portal(repo)
    site = build(repo, CLOSED)
    rows = province_rows(site, "sample")
    assert rows["isfahan"] == {**rows["isfahan"], "count": "", "suppressed": "true", "suppression": "small"}
    # Isfahan alone hidden would be 19 minus the visible cells; hidden with a zero it would still
    # be 2: the cell hidden with it holds enough people that Isfahan could be anything from 1 to 4.
    hidden = [k for k, r in rows.items() if r["suppression"] == "hidden"]
    assert hidden and all(rows[k]["count"] == "" for k in hidden)
    visible = sum(int(r["count"]) for k, r in rows.items() if k != "total" and r["suppressed"] == "false")
    assert int(rows["total"]["count"]) - visible >= 2 + 3
    portal_rows = province_rows(site, "portal")
    assert portal_rows["isfahan"]["suppressed"] == "true"
    assert not disclosed({"build": read_csv(site / "data" / "statistics.csv")}, 5)


def test_personal_statistics_wait_for_the_close_of_the_period(repo):
    small_province_portal(repo)
    site = build(repo, OPEN)
    stats = read_csv(site / "data" / "statistics.csv")
    assert not [r for r in stats if r["dimension"] in {"province", "age", "gender"}]
    assert [r for r in stats if r["dimension"] == "channel"]


def test_without_the_private_key_personal_statistics_stay_sealed(repo):
    small_province_portal(repo)
    configure(repo, private_key=False)
    site = build(repo, CLOSED)
    assert not province_rows(site, "sample")
    # This small portal builds without the i18n plugin: the English page is index.en/.
    html = (site / "statistics" / "index.en" / "index.html").read_text(encoding="utf-8")
    assert "Statistics by age, gender and province are sealed" in html and "rz-portal-province" not in html
    assert "rz-portal-channel" in html


def test_open_data_holds_no_personal_field(repo):
    small_province_portal(repo)
    comment(repo, 97, "نظر با راه تماس.", {"province": "qom", "contact": "secret-person@example.org"})
    site = build(repo, CLOSED)
    sealed_texts = [
        line.split(": ", 1)[1]
        for p in (repo.root / "submissions").rglob("*.yml")
        for line in p.read_text(encoding="utf-8").splitlines()
        if line.startswith("sealed: ")
    ]
    rows = read_csv(site / "data" / "sample" / "comments.csv")
    assert len(rows) == 21 and not PERSONAL & set(rows[0])
    records = json.loads((site / "data" / "sample" / "comments.json").read_text(encoding="utf-8"))
    assert [r["id"] for r in records] == [r["id"] for r in rows] and not PERSONAL & set(records[0])
    for path in (site / "data").rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            assert "secret-person@example.org" not in text and "p-77" not in text
            assert not [s for s in sealed_texts if s[:40] in text]
    package = json.loads((site / "data" / "datapackage.json").read_text(encoding="utf-8"))
    for resource in package["resources"]:
        assert (site / "data" / resource["path"]).is_file()
        names = [f["name"] for f in resource["schema"]["fields"]]
        if resource["format"] == "csv":
            header = (site / "data" / resource["path"]).read_text(encoding="utf-8-sig").splitlines()[0]
            assert header.split(",") == names
        assert not PERSONAL & set(names)


def test_a_campaign_of_fifty_near_identical_comments_is_one_group_of_fifty(repo):
    configure(repo)
    # Small edits a campaign's signatories make: Arabic letters, a name, punctuation, digits, half-spaces.
    for n in range(50):
        body = CAMPAIGN
        if n % 3 == 0:
            body = body.replace("ی", "ي").replace("ک", "ك")
        if n % 4 == 1:
            body = body.replace("۶۰", "60").replace("،", ",").replace("\u200c", " ")
        if n % 5 == 2:
            body = body + f" با احترام، امضاکننده شماره {n}"
        comment(repo, 100 + n, body, None)
    comment(
        repo,
        200,
        "به نظر من ماده دو باید دستگاه‌های استانی را هم شامل شود و مهلت را همان سی روز نگه دارد.",
        None,
    )
    site = build(repo, CLOSED)
    rows = read_csv(site / "data" / "sample" / "comments.csv")
    first = [r for r in rows if r["id"] == "r100" or r["near_duplicate_of"]]
    groups = {r["near_duplicate_of"] or r["id"] for r in first}
    assert len(first) == 50 and len(groups) == 1
    lone = {r["id"]: r for r in rows}
    assert lone["r200"]["near_duplicate_of"] == "" and lone["c1"]["near_duplicate_of"] == ""


IDEAS_CALL = """\
---
title: {title}
kind: crowdsourcing
asked: {asked}
audience: [public]
opens: 2026-10-01
closes: 2026-11-01
domains:
  - {{id: health, name: {health}}}
  - {{id: roads, name: {roads}}}
channels: [form]
organiser: {organiser}
---
{body}
"""


def test_a_call_for_ideas_has_a_report_grouped_by_domain(repo):
    configure(repo)
    for lang, words in (
        ("fa", dict(title="فراخوان ایده", asked="ایده بدهید", health="سلامت", roads="راه", organiser="شورا")),
        ("en", dict(title="Ideas", asked="Send ideas", health="Health", roads="Roads", organiser="Council")),
    ):
        repo.write(f"content/calls/ideas.{lang}.md", IDEAS_CALL.format(body="متن.", **words))
    for n, domain in enumerate(["health", "health", "roads"]):
        repo.write(
            f"submissions/ideas/i{n}.yml",
            f"id: i{n}\ntarget: ideas\ndomain: {domain}\nreceived: 2026-10-0{n + 2}T10:00:00+03:30\n"
            f"channel: form\nsource: form:i{n}\nlanguage: fa\nbody: ایده شماره {n} درباره {domain}\n"
            "author: {type: individual}\n"
            "decision: {status: accepted, reason: {fa: دلیل}, decided_by: شورا, date: 2026-11-05}\n",
        )
    repo.write("content/calls/ideas.report.fa.md", "---\npublished: 2026-11-10\n---\nجمع‌بندی ایده‌ها.\n")
    site = build(repo, "2026-11-12")
    # This small portal builds without the i18n plugin: the Persian page is index.fa/.
    html = (site / "calls" / "ideas" / "report" / "index.fa" / "index.html").read_text(encoding="utf-8")
    assert "جمع‌بندی ایده‌ها" in html
    health = html[html.index('id="answers-health"') : html.index('id="answers-roads"')]
    assert 'id="c-i0"' in health and 'id="c-i1"' in health and 'id="c-i2"' not in health
    assert (site / "data" / "ideas" / "report-fa.pdf").is_file()
    assert (site / "data" / "ideas" / "comments.csv").is_file()


def test_the_portal_table_hides_what_a_consultation_table_hides(repo):
    """Portal minus one consultation must not give another consultation's hidden cell back."""
    configure(repo)
    repo.write(
        "content/drafts/other/index.fa.md", (repo.root / "content/drafts/sample/index.fa.md").read_text()
    )
    plan = [("sample", "isfahan")] * 6 + [("sample", "tehran")] * 5 + [("other", "isfahan")] * 2
    plan += [("other", "tehran")] * 5 + [("other", "fars")] * 5
    for n, (target, province) in enumerate(plan):
        comment(repo, n, f"نظر {n} درباره ماده دو با متنی متفاوت {n * 13}.", {"province": province})
        if target == "other":
            path = repo.root / "submissions" / "sample" / f"r{n}.yml"
            text = path.read_text(encoding="utf-8").replace("target: sample", "target: other")
            path.unlink()
            repo.write(f"submissions/other/r{n}.yml", text)
    site = build(repo, CLOSED)
    assert province_rows(site, "sample")["total"]["count"] == "12"  # the fixture's c1 too
    assert province_rows(site, "other")["isfahan"]["suppression"] == "small"
    portal = province_rows(site, "portal")
    assert portal["isfahan"]["suppressed"] == "true", "8 - 6 would reveal the other draft's 2"
    assert not disclosed({"build": read_csv(site / "data" / "statistics.csv")}, 5)


def test_a_new_build_reads_opened_boxes_from_the_encrypted_cache_and_forgets_erased_ones(repo, monkeypatch):
    """What one build opened, the next reads back without opening a box; the file is unreadable
    without the portal's key and holds only the boxes of current records."""
    from rayzani.analysis import stats
    from rayzani.cache.opened_cache import cache_file, read_opened
    from rayzani.cache.store import Cache
    from rayzani.security.sealing import read_private_key

    small_province_portal(repo)
    comment(repo, 97, "نظری با راه تماس.", {"province": "qom", "contact": "secret-person@example.org"})
    first = province_rows(build(repo, CLOSED), "sample")
    kept = cache_file(Cache.for_checkout(repo.root))
    raw = kept.read_bytes()
    assert b"tehran" not in raw and b"province" not in raw and b"30-44" not in raw
    key = read_private_key(repo.root, Settings(private_key_file="keys/demo-private.key"))
    assert len(read_opened(kept, key)) == 16 and read_opened(kept, type(key).generate()) == {}
    assert {d.province for d in read_opened(kept, key).values()} == {"tehran", "fars", "isfahan", "qom"}
    assert all(d.contact is None for d in read_opened(kept, key).values())  # only what is counted

    # A new `rayzani build` (a new store, nothing in memory): opening a box would fail the test.
    monkeypatch.setattr(stats, "unseal", lambda *_: pytest.fail("a box was opened again"))
    assert province_rows(build(repo, CLOSED), "sample") == first

    (repo.root / "submissions" / "sample" / "r0.yml").unlink()
    rows = province_rows(build(repo, CLOSED), "sample")
    assert rows["tehran"]["count"] == "6"
    assert len(read_opened(kept, key)) == 15


def test_an_altered_opened_box_cache_is_ignored(repo):
    from rayzani.cache.opened_cache import cache_file
    from rayzani.cache.store import Cache

    small_province_portal(repo)
    first = province_rows(build(repo, CLOSED), "sample")
    kept = cache_file(Cache.for_checkout(repo.root))
    damaged = bytearray(kept.read_bytes())
    damaged[-1] ^= 1
    kept.write_bytes(bytes(damaged))
    assert province_rows(build(repo, CLOSED), "sample") == first


def test_the_timeline_counts_the_comments_of_each_day_and_month(repo):
    import datetime as dt

    from rayzani.analysis.stats import consultation_statistics, portal_statistics
    from rayzani.project import load_project

    small_province_portal(repo)
    today = dt.date.fromisoformat(CLOSED)
    project = load_project(repo.root, today)
    stats = consultation_statistics(project.portal, project.settings, today, "sample")
    days = dict(stats.timeline)
    assert days[dt.date(2026, 11, 5)] == 2  # r3 and the fixture's c1
    assert days[dt.date(2026, 11, 16)] == 0 and sum(days.values()) == stats.comments == 20
    assert min(days) == dt.date(2026, 11, 1) and max(days) == dt.date(2026, 12, 1)  # the window
    months = dict(portal_statistics(project.portal, project.settings, today).timeline)
    assert months == {dt.date(2026, 11, 1): 20, dt.date(2026, 12, 1): 0}
