"""Review panels, reasoned decisions with their history, and the crowdsourcing call's tables."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from conftest import REPO, today
from html_query import element

from rayzani.cli import main as rayzani
from rayzani.project import load_project


def page(site: Path, url: str) -> str:
    return (site / url / "index.html").read_text(encoding="utf-8")


def problems(repo, day=None) -> list[str]:
    return [p.format(repo.root) for p in load_project(repo.root, day or today()).problems]


def test_decide_changes_only_the_decision_and_keeps_the_old_answer_in_history(repo, capsys):
    record = repo.root / "submissions/sample/c1.yml"
    before = record.read_text(encoding="utf-8")
    code = rayzani([
        "--root", str(repo.root), "decide", "sample", "c1", "--status", "partially-accepted",
        "--reason-fa", "پس از بررسی دوباره بخشی پذیرفته شد.", "--by", "واحد حقوقی", "--date", "2026-11-22",
    ])  # fmt: skip
    assert code == 0
    assert "kept in its history" in capsys.readouterr().out
    after = record.read_text(encoding="utf-8")
    head = before[: before.index("decision:")]
    assert after.startswith(head), "everything before the decision is untouched"
    (current,) = load_project(repo.root, today()).portal.comments_on("sample")
    assert current.decision.status == "partially-accepted"
    assert [d.status for d in current.history] == ["rejected"]
    assert current.history[0].reason.fa == "دلیل رد"
    assert problems(repo) == []


def test_decide_refuses_a_decision_without_reason_and_changes_nothing(repo, capsys):
    record = repo.root / "submissions/sample/c1.yml"
    before = record.read_text(encoding="utf-8")
    code = rayzani(["--root", str(repo.root), "decide", "sample", "c1", "--status", "rejected", "--by", "x"])
    assert code == 1
    err = capsys.readouterr().err
    assert "c1.yml: decision.reason: is missing for a rejected decision" in err
    assert "Nothing was changed" in err
    assert record.read_text(encoding="utf-8") == before


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("  decided_by: واحد حقوقی\n", "  panel: nobody\n", "decision.panel: 'nobody' is not a panel"),
        ("  status: rejected", "  status: duplicate", "decision.duplicate_of: is missing for a duplicate"),
        (
            "  status: rejected",
            "  status: shortlisted",
            "is 'shortlisted', which is not a status for a comment",
        ),
        (
            "  date: 2026-11-20\n",
            "  date: 2026-11-20\nhistory:\n"
            "- {status: accepted, reason: {fa: x}, decided_by: y, date: 2026-11-21}\n",
            "decision.date: is 2026-11-20, before the earlier decision of 2026-11-21",
        ),
    ],
)
def test_decision_rules_name_the_file_and_field(repo, old, new, expected):
    repo.edit("submissions/sample/c1.yml", old, new)
    found = problems(repo)
    assert any(expected in line for line in found), found


def test_every_comment_is_answered_once_the_report_is_published(repo):
    repo.edit("submissions/sample/c1.yml", "  status: rejected", "  status: pending")
    repo.write("content/drafts/sample/report.fa.md", "---\npublished: 2026-12-05\n---\nگزارش.\n")
    assert problems(repo, today()) == []  # before the report's date nothing is owed yet
    import datetime as dt

    found = problems(repo, dt.date(2026, 12, 6))
    assert any("is still pending but the report on 'sample' is published" in line for line in found)


def test_a_decision_dated_after_the_build_date_is_not_shown_yet(example_site, closed_site):
    _, early = element(page(example_site, "drafts/e-participation/comments/art-7"), "c-demo-013")
    _, late = element(page(closed_site, "drafts/e-participation/comments/art-7"), "c-demo-013")
    assert "در انتظار بررسی" in early and "پذیرفته شد" not in early
    assert "پذیرفته شد" in late


def test_a_changed_decision_appears_in_the_history_on_the_site(example_site, closed_site):
    html = page(closed_site, "en/drafts/e-participation/comments/art-4")
    _, card = element(html, "c-demo-004")
    assert "Partly accepted" in card and "Earlier decisions (1)" in card and "Rejected" in card
    _, before = element(page(example_site, "en/drafts/e-participation/comments/art-4"), "c-demo-004")
    assert "Earlier decisions" not in before and "Rejected" in before


def test_decisions_name_their_panel_and_the_panel_page_lists_them(example_site):
    project = load_project(REPO, today())
    decided = [
        r
        for r in project.portal.comments_on("e-participation")
        if r.decision.panel == "e-participation-working-group"
    ]
    html = page(example_site, "en/drafts/e-participation/comments/art-2")
    record = next(r for r in decided if r.section and r.section.startswith("art-2"))
    _, card = element(html, f"c-{record.id}")
    assert "E-participation working group" in card
    panel = page(example_site, "en/panels/e-participation-working-group")
    assert f"Its decisions ({len(decided)})" in panel
    assert panel.count("rz-badge rz-badge--") == len(decided)
    index = page(example_site, "panels")
    assert index.count('class="rz-card"') == 6 and "دکتر حسین مظفر" in index


def test_the_call_for_ideas_counts_ideas_per_domain_and_group(example_site):
    project = load_project(REPO, today())
    ideas = project.portal.comments_on("seventh-plan-policies")
    call = project.portal.calls["seventh-plan-policies"]
    html = page(example_site, "en/calls/seventh-plan-policies")
    _, table = element(html, "ideas-by-domain")
    per_domain = Counter(r.domain for r in ideas)
    for domain in call.domains:
        assert re.search(rf"{re.escape(domain.name.en)} {per_domain[domain.id]}\b", table), (domain.id, table)
    assert f"Total {len(ideas)}" in table
    _, groups = element(html, "ideas-by-group")
    assert sum(int(n) for n in re.findall(r"\b(\d+)\b", groups)) == len(ideas)
    # The Persian page shows the same table in Persian digits.
    _, fa_table = element(page(example_site, "calls/seventh-plan-policies"), "ideas-by-domain")
    assert "۱" in fa_table or "۲" in fa_table
    statuses = {r.decision.status for r in ideas}
    assert {"received", "under-review", "shortlisted", "accepted", "rejected"} <= statuses


IDEAS_CALL = """\
---
title: {title}
kind: crowdsourcing
asked: {asked}
audience: [public]
opens: 2026-11-01
closes: 2026-12-01
domains:
  - {{id: health, name: {domain}}}
criteria:
  - {{id: feasibility, name: {criterion}, out_of: 5}}
channels: [form]
organiser: {organiser}
---
{body}
"""

IDEA = """\
id: i1
target: ideas
domain: health
received: 2026-11-05T10:00:00+03:30
channel: form
source: form:2
language: fa
body: ایده آزمایشی.
author: {type: individual}
decision:
  status: shortlisted
  reason: {fa: دلیل}
  decided_by: هیئت
  date: 2026-11-20
  scores: {feasibility: 4}
"""


def with_ideas_call(repo) -> None:
    fa = {"title": "فراخوان ایده", "asked": "ایده دهید", "domain": "سلامت", "criterion": "امکان‌پذیری"}
    en = {"title": "Ideas", "asked": "Give ideas", "domain": "Health", "criterion": "Feasibility"}
    repo.write("content/calls/ideas.fa.md", IDEAS_CALL.format(**fa, organiser="وزارت", body="متن."))
    repo.write("content/calls/ideas.en.md", IDEAS_CALL.format(**en, organiser="Ministry", body="Text."))
    repo.write("submissions/ideas/i1.yml", IDEA)


def test_scores_by_the_calls_criteria_are_checked(repo, capsys):
    with_ideas_call(repo)
    assert problems(repo) == []
    repo.edit("submissions/ideas/i1.yml", "feasibility: 4", "feasibility: 6")
    assert any("i1.yml: decision.scores.feasibility: is 6, above the criterion's highest score 5" in p
               for p in problems(repo))  # fmt: skip
    repo.edit("submissions/ideas/i1.yml", "feasibility: 6", "cost: 2")
    assert any("i1.yml: decision.scores.cost: is not a criterion of the call" in p for p in problems(repo))
    # Comments are answered, not scored.
    repo.edit(
        "submissions/sample/c1.yml",
        "  date: 2026-11-20\n",
        "  date: 2026-11-20\n  scores: {feasibility: 1}\n",
    )
    assert any("c1.yml: decision.scores.feasibility: is not a criterion" in p for p in problems(repo))


def test_decide_records_an_ideas_scores(repo, capsys):
    with_ideas_call(repo)
    code = rayzani([
        "--root", str(repo.root), "decide", "ideas", "i1", "--status", "accepted",
        "--reason-fa", "پذیرفته شد.", "--by", "هیئت", "--score", "feasibility=5", "--date", "2026-11-22",
    ])  # fmt: skip
    assert code == 0, capsys.readouterr().err
    (idea,) = load_project(repo.root, today()).portal.comments_on("ideas")
    assert idea.decision.scores == (("feasibility", 5),)
    assert idea.history[0].scores == (("feasibility", 4),)
    code = rayzani([
        "--root", str(repo.root), "decide", "ideas", "i1", "--status", "accepted",
        "--reason-fa", "پذیرفته شد.", "--by", "هیئت", "--score", "feasibility=9", "--date", "2026-11-22",
    ])  # fmt: skip
    assert code == 1 and "above the criterion's highest score 5" in capsys.readouterr().err


def test_the_call_for_ideas_shows_each_ideas_scores(example_site):
    project = load_project(REPO, today())
    call = project.portal.calls["seventh-plan-policies"]
    scored = [r for r in project.portal.comments_on("seventh-plan-policies") if r.decision.scores]
    assert len(scored) >= 3
    html = page(example_site, "en/calls/seventh-plan-policies")
    names = {c.id: c.name.en for c in call.criteria}
    for record in scored:
        _, card = element(html, f"c-{record.id}")
        for criterion, score in record.decision.scores:
            assert f"{names[criterion]} {score} / 10" in card, (record.id, card)


def test_a_second_change_keeps_every_earlier_decision(repo):
    for status, day in (("partially-accepted", "2026-11-21"), ("accepted", "2026-11-22")):
        code = rayzani([
            "--root", str(repo.root), "decide", "sample", "c1", "--status", status,
            "--reason-fa", f"تصمیم {day}", "--by", "واحد حقوقی", "--date", day,
        ])  # fmt: skip
        assert code == 0
    (record,) = load_project(repo.root, today()).portal.comments_on("sample")
    assert [d.status for d in (*record.history, record.decision)] == [
        "rejected",
        "partially-accepted",
        "accepted",
    ]
    assert problems(repo) == []


def test_pending_answers_are_counted_on_the_draft_the_call_and_the_home_cards(example_site, closed_site):
    portal = load_project(REPO, today()).portal
    draft_pending = sum(r.decision.is_pending for r in portal.comments_on("e-participation"))
    ideas_pending = sum(r.decision.is_pending for r in portal.comments_on("seventh-plan-policies"))
    assert draft_pending and ideas_pending
    home = page(example_site, "en")
    cards = re.findall(r'<article class="rz-card.*?</article>', home, flags=re.S)
    draft_card = next(c for c in cards if 'href="drafts/e-participation/"' in c)
    call_card = next(c for c in cards if 'href="calls/seventh-plan-policies/"' in c)
    assert f"{draft_pending} still awaiting an answer" in draft_card
    assert f"{ideas_pending} still awaiting an answer" in call_card
    _, facts = element(page(example_site, "en/drafts/e-participation"), "pending-count")
    assert f"{draft_pending} still awaiting an answer" in facts
    assert f"{ideas_pending} still awaiting an answer" in page(example_site, "en/calls/seventh-plan-policies")
    # Once the report is published every comment is answered, and the site says so.
    _, closed = element(page(closed_site, "en/drafts/e-participation"), "pending-count")
    assert "Every comment has been answered" in closed


def test_an_idea_put_under_review_needs_a_reason_but_a_received_one_does_not(repo):
    with_ideas_call(repo)
    repo.edit(
        "submissions/ideas/i1.yml",
        "  status: shortlisted\n  reason: {fa: دلیل}\n",
        "  status: under-review\n",
    )
    repo.edit("submissions/ideas/i1.yml", "  scores: {feasibility: 4}\n", "")
    assert any("i1.yml: decision.reason: is missing for a under-review decision" in p for p in problems(repo))
    repo.write("submissions/ideas/i1.yml", IDEA.split("decision:")[0] + "decision:\n  status: received\n")
    assert problems(repo) == []


SECOND = """\
id: c2
target: sample
section: art-1-c2
received: 2026-11-06T10:00:00+03:30
channel: form
source: form:2
language: fa
decision:
  status: pending
# The body follows the decision here, as a hand-edited record may have it.
body: نظر دوم، پس از تصمیم در پرونده.
author: {type: individual}
"""


def _batch(repo, entries: list[dict]) -> Path:
    import yaml

    return repo.write("decisions.yml", yaml.safe_dump(entries, allow_unicode=True, sort_keys=False))


def test_a_batch_decides_every_named_record_and_keeps_what_follows_the_decision(repo, capsys):
    repo.write("submissions/sample/c2.yml", SECOND)
    batch = _batch(repo, [
        {"target": "sample", "id": "c1", "status": "accepted", "reason": {"fa": "پذیرفته شد."},
         "decided_by": "واحد حقوقی"},
        {"target": "sample", "id": "c2", "status": "noted", "reason": {"fa": "ثبت شد.", "en": "Noted."},
         "decided_by": "واحد حقوقی", "legal_basis": "ماده ۲"},
    ])  # fmt: skip
    assert rayzani(["--root", str(repo.root), "decide", "--batch", str(batch), "--date", "2026-11-22"]) == 0
    after = (repo.root / "submissions/sample/c2.yml").read_text(encoding="utf-8")
    tail = SECOND[SECOND.index("# The body") :]
    assert after.endswith(tail) and after.startswith(SECOND[: SECOND.index("decision:")])
    by_id = {r.id: r for r in load_project(repo.root, today()).portal.comments_on("sample")}
    assert (by_id["c1"].decision.status, [d.status for d in by_id["c1"].history]) == (
        "accepted",
        ["rejected"],
    )
    assert (by_id["c2"].decision.status, by_id["c2"].history) == ("noted", ())
    assert by_id["c2"].decision.legal_basis == "ماده ۲"
    assert problems(repo) == []


@pytest.mark.parametrize(
    ("second", "expected"),
    [
        ({"target": "sample", "id": "c2", "status": "noted", "reason": {"fa": "x"}, "legal-basis": "ماده ۲"},
         "decisions.yml: sample/c2: unknown key(s) legal-basis"),
        ({"target": "sample", "id": "nobody", "status": "noted", "reason": {"fa": "x"}},
         "submissions/sample/nobody.yml: is not a record"),
        ({"target": "sample", "id": "v1", "status": "noted", "reason": {"fa": "x"}},
         "submissions/sample/v1.yml: decision: this record takes no decision"),
        ({"target": "sample", "id": "c2", "status": "rejected", "decided_by": "واحد حقوقی"},
         "c2.yml: decision.reason: is missing for a rejected decision"),
    ],
)  # fmt: skip
def test_a_batch_with_one_wrong_entry_changes_no_file(repo, capsys, second, expected):
    repo.write("submissions/sample/c2.yml", SECOND)
    repo.write("submissions/sample/v1.yml", "id: v1\ntarget: sample\nvote: yes\n")
    before = {p: p.read_text(encoding="utf-8") for p in (repo.root / "submissions/sample").glob("*.yml")}
    first = {
        "target": "sample",
        "id": "c1",
        "status": "accepted",
        "reason": {"fa": "پذیرفته شد."},
        "decided_by": "و",
    }
    batch = _batch(repo, [first, second])
    assert rayzani(["--root", str(repo.root), "decide", "--batch", str(batch), "--date", "2026-11-22"]) == 1
    err = capsys.readouterr().err
    assert expected in err and "Nothing was changed" in err
    assert {p: p.read_text(encoding="utf-8") for p in before} == before


def test_a_batch_file_that_is_not_a_list_is_refused_without_a_traceback(repo, capsys):
    batch = repo.write("decisions.yml", "target: sample\nid: c1\n")
    assert rayzani(["--root", str(repo.root), "decide", "--batch", str(batch)]) == 2
    assert "decisions.yml: must be a list of decisions" in capsys.readouterr().err
