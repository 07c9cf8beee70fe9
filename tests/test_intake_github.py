"""Issue-form intake: the real PyGithub client against a local server speaking GitHub's REST API."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
import yaml
from conftest import BUILD_DATE, REPO, Repo, add_poll, example_config, rayzani
from forge_server import FakeGitHub, FakeIssue
from html_query import element

from rayzani.project import load_project

FORM = yaml.safe_load((REPO / ".github" / "ISSUE_TEMPLATE" / "comment.yml").read_text(encoding="utf-8"))
HOSTILE = (
    "<script>alert('x')</script> <img src=x onerror=alert(1)> [click](javascript:alert(2))\n\n"
    "Write to me at sara.ahmadi@example.org or call 0912 345 6789. \u202egnp.exe\u202c is fine."
)


def issue_body(**values: str) -> str:
    """An issue body exactly as GitHub writes a submitted issue form."""
    parts = []
    for item in FORM["body"]:
        if item["type"] == "markdown":
            continue
        value = values.get(item["id"]) or "_No response_"
        parts.append(f"### {item['attributes']['label']}\n\n{value}")
    return "\n\n".join(parts)


def comment_issue(number: int, created: str = "2026-11-20T10:00:00Z", login: str = "sara", **values: str):
    values.setdefault("draft", "sample")
    values.setdefault("type", "شهروند / Individual")
    return FakeIssue(number, "نظر / Comment", issue_body(**values), login, created, ["comment"])


def add_poll_and_vote_form(repo: Repo) -> None:
    """Put a poll on the sample call and point the vote form at it, as a maintainer would."""
    add_poll(repo)
    path = repo.root / ".github" / "ISSUE_TEMPLATE" / "vote.yml"
    form = yaml.safe_load(path.read_text(encoding="utf-8"))
    fields = {item.get("id"): item for item in form["body"]}
    fields["call"]["attributes"]["value"] = "sample"
    fields["vote"]["attributes"]["options"] = ["موافقم / Agree", "مخالفم / Disagree"]
    path.write_text(yaml.safe_dump(form, allow_unicode=True, sort_keys=False), encoding="utf-8")


@pytest.fixture
def portal(repo: Repo) -> Repo:
    """The small portal with the real forms, theme and key, so it can also be built."""
    shutil.copytree(REPO / ".github" / "ISSUE_TEMPLATE", repo.root / ".github" / "ISSUE_TEMPLATE")
    example_config(repo.root)
    shutil.copytree(REPO / "overrides", repo.root / "overrides", dirs_exist_ok=True)
    shutil.copy(REPO / "keys" / "demo-private.key", repo.root / "keys" / "demo-private.key")
    add_poll_and_vote_form(repo)
    return repo


@pytest.fixture
def github(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("GITHUB_TOKEN", "test-token")
    with FakeGitHub("agency", "consult") as server:
        server.add(comment_issue(1, article="art-1", comment="بند دو مبهم است.", name="سارا"))
        server.add(comment_issue(2, article="art-2", comment=HOSTILE))
        server.add(
            FakeIssue(3, "Question", "Where do I comment?", "omid", "2026-11-21T08:00:00Z", ["comment"])
        )
        server.add(comment_issue(4, article="art-9", comment="Article nine?"))
        server.add(comment_issue(5, created="2026-12-05T09:00:00Z", article="art-2", comment="دیر رسید."))
        server.add(comment_issue(6, comment="نظر کلی درباره کل پیش‌نویس."))
        server.add(FakeIssue(7, "Bug in the site", "The menu is broken.", "omid", "2026-11-21T08:00:00Z", []))
        yield server


def intake(portal: Repo, server: FakeGitHub, *extra: str) -> int:
    return rayzani(
        [
            "--root",
            str(portal.root),
            "intake",
            "github",
            "--repo",
            "agency/consult",
            "--api-url",
            server.url,
            "--write-pause",
            "0",
            *extra,
        ]
    )


def records(portal: Repo) -> dict[str, dict]:
    return {
        p.stem: yaml.safe_load(p.read_text(encoding="utf-8"))
        for p in (portal.root / "submissions" / "sample").glob("*.yml")
    }


def test_new_form_issues_become_records_and_a_rerun_adds_nothing(portal, github, capsys):
    assert intake(portal, github) == 0
    found = records(portal)
    assert {"gh-1", "gh-2", "gh-5", "gh-6"} <= set(found)
    assert not {"gh-3", "gh-4", "gh-7"} & set(found)
    first = found["gh-1"]
    assert first["source"] == "github:agency/consult#1" and first["channel"] == "issue"
    assert first["section"] == "art-1" and first["language"] == "fa"
    assert first["author"] == {"id": "github:sara", "name": "سارا", "type": "individual"}
    assert first["decision"] == {"status": "pending"}
    assert first["text_sha256"] == hashlib.sha256("بند دو مبهم است.".encode()).hexdigest()
    assert "section" not in found["gh-6"]  # a general comment
    assert found["gh-5"]["late"] is True and "late" not in first
    assert load_project(portal.root).problems == []
    # PyGithub really paged through the list (2 issues a page) with the token.
    assert sum(1 for m, p in github.requests if m == "GET" and "/issues?" in p) >= 3
    assert "token test-token" in github.auth or "Bearer test-token" in github.auth
    out = capsys.readouterr().out
    assert "4 new, 0 duplicate" in out and "2 rejected" in out

    # The participant is told where the comment will be published, and the issue is labelled.
    reply = github.replies(1)[-1]
    assert "https://example.github.io/rayzani/drafts/sample/comments/art-1/#c-gh-1" in reply
    assert "recorded" in github.issues[1].labels
    assert "مهلت نظرخواهی" in github.replies(5)[-1] and "late" in github.replies(5)[-1]

    before = {n: len(i.comments) for n, i in github.issues.items()}
    files = sorted(p.name for p in (portal.root / "submissions").rglob("*.yml"))
    assert intake(portal, github) == 0
    assert sorted(p.name for p in (portal.root / "submissions").rglob("*.yml")) == files
    assert {n: len(i.comments) for n, i in github.issues.items()} == before
    assert "0 new, 4 duplicate" in capsys.readouterr().out
    assert records(portal) == found


def test_hostile_issue_gives_an_inert_redacted_record(portal, github):
    assert intake(portal, github) == 0
    record = records(portal)["gh-2"]
    assert "sara.ahmadi@example.org" not in record["body"] and "345 6789" not in record["body"]
    assert "\u202e" not in record["body"] and "\u202c" not in record["body"]
    assert record["redactions"] == ["email", "phone"]
    # The hash is of the text as recorded: the raw one would confirm a guess of the redacted number.
    assert record["text_sha256"] == hashlib.sha256(record["body"].encode()).hexdigest()
    assert record["text_sha256"] != hashlib.sha256(HOSTILE.encode()).hexdigest()
    assert "email address, phone number" in github.replies(2)[-1]  # the participant learns what was removed
    assert "نشانی رایانامه، شماره تلفن" in github.replies(2)[-1]

    site = portal.root / "site"
    assert rayzani(["--root", str(portal.root), "build", "--site-dir", str(site), "--date", BUILD_DATE]) == 0
    html = (site / "drafts" / "sample" / "comments" / "art-2" / "index.html").read_text(encoding="utf-8")
    _, text = element(html, "c-gh-2")
    start = html.index('id="c-gh-2"')
    card = html[start : html.index("</article>", start)]
    assert "<script" not in card and "<img" not in card and 'href="javascript' not in card
    assert "&lt;script&gt;" in card  # shown as text, not run
    assert "[redacted email]" in text
    # The link given in the reply to issue 1 leads to the comment.
    comment_page = site / "drafts" / "sample" / "comments" / "art-1" / "index.html"
    assert 'id="c-gh-1"' in comment_page.read_text(encoding="utf-8")


def test_malformed_and_wrong_issues_get_a_reply_saying_why_once(portal, github):
    assert intake(portal, github) == 0
    (not_a_form,) = github.replies(3)
    assert "not made with the comment form" in not_a_form and "فرم" in not_a_form
    (wrong_article,) = github.replies(4)
    assert "art-9" in wrong_article and "not an article or clause" in wrong_article
    assert "needs-changes" in github.issues[4].labels
    assert github.replies(7) == []  # not a form issue: intake leaves it alone
    assert intake(portal, github) == 0
    assert len(github.replies(3)) == len(github.replies(4)) == 1

    # The participant fixes the article: the issue is recorded on the next run.
    github.issues[4].body = issue_body(
        draft="sample", article="art-2", comment="Article nine?", type="دیگر / Other"
    )
    assert intake(portal, github) == 0
    assert records(portal)["gh-4"]["author"]["type"] == "other"
    assert "recorded" in github.issues[4].labels


def test_edited_issue_keeps_the_recorded_comment_and_says_so_once(portal, github):
    assert intake(portal, github) == 0
    path = portal.root / "submissions" / "sample" / "gh-1.yml"
    recorded = path.read_text(encoding="utf-8")
    github.issues[1].body = issue_body(
        draft="sample", article="art-1", comment="Changed my mind entirely.", type="شهروند / Individual"
    )
    assert intake(portal, github) == 0
    assert intake(portal, github) == 0
    assert path.read_text(encoding="utf-8") == recorded
    edits = [r for r in github.replies(1) if "does not change the recorded comment" in r]
    assert len(edits) == 1 and "#c-gh-1" in edits[0]


def test_published_decision_is_posted_back_on_the_issue_once(portal, github):
    assert intake(portal, github) == 0
    path = portal.root / "submissions" / "sample" / "gh-1.yml"
    text = path.read_text(encoding="utf-8").replace(
        "decision:\n  status: pending\n",
        "decision:\n  status: rejected\n  reason:\n    fa: بند دو روشن است.\n    en: Clause two is clear.\n"
        "  decided_by: واحد حقوقی\n  date: 2026-11-22\n",
    )
    path.write_text(text, encoding="utf-8")
    assert load_project(portal.root).problems == []
    replies = len(github.replies(1))
    assert intake(portal, github, "--notify") == 0
    decision = github.replies(1)[-1]
    assert len(github.replies(1)) == replies + 1
    assert "Clause two is clear." in decision and "بند دو روشن است." in decision
    assert "Rejected" in decision and "پذیرفته نشد" in decision
    assert "#c-gh-1" in decision
    assert intake(portal, github, "--notify") == 0
    assert len(github.replies(1)) == replies + 1


def test_intake_refuses_to_run_on_a_repository_that_does_not_validate(portal, github, capsys):
    portal.edit("submissions/sample/c1.yml", "channel: form", "channel: fax")
    assert intake(portal, github) == 1
    assert "does not validate" in capsys.readouterr().err
    assert github.requests == []
    assert not (portal.root / "submissions" / "sample" / "gh-1.yml").exists()


def test_intake_workflow_has_least_privilege_and_never_interpolates_event_text():
    data = yaml.safe_load((REPO / ".github" / "workflows" / "intake.yml").read_text(encoding="utf-8"))
    triggers = data[True] if True in data else data["on"]  # PyYAML reads a bare `on:` as True
    assert {"issues", "schedule", "push"} <= set(triggers)
    assert data["permissions"] == {}
    assert data["concurrency"]["cancel-in-progress"] is False
    record, notify = data["jobs"]["record"], data["jobs"]["notify"]
    for label in ("comment", "idea", "vote"):  # every form's issues start a run as they arrive
        assert f"labels.*.name, '{label}')" in record["if"]
    assert record["permissions"] == {"contents": "write", "issues": "write", "pull-requests": "write"}
    assert notify["permissions"] == {"contents": "read", "issues": "write"}
    for job in (record, notify):
        for step in job["steps"]:
            assert "github.event" not in step.get("run", ""), step.get("name")
            for value in (step.get("env") or {}).values():
                assert "github.event" not in str(value)
    runs = " ".join(step.get("run", "") for step in record["steps"])
    assert "rayzani intake github" in runs and "gh pr create" in runs
    assert any("RAYZANI_PR_TOKEN" in str(s.get("env")) for s in record["steps"])
    assert "--notify" in " ".join(step.get("run", "") for step in notify["steps"])


def test_the_link_in_the_reply_follows_the_discussion_onto_its_later_pages(portal, github):
    portal.edit("mkdocs.yml", "comments_per_page: 100", "comments_per_page: 1")
    assert intake(portal, github) == 0
    # c1 (received 5 November) is first in article 1's discussion, so gh-1 is on page 2.
    link = "https://example.github.io/rayzani/drafts/sample/comments/art-1/2/#c-gh-1"
    assert link in github.replies(1)[-1]
    site = portal.root / "site"
    assert rayzani(["--root", str(portal.root), "build", "--site-dir", str(site), "--date", BUILD_DATE]) == 0
    second_page = site / "drafts" / "sample" / "comments" / "art-1" / "2" / "index.html"
    html = second_page.read_text(encoding="utf-8")
    assert 'id="c-gh-1"' in html


IDEA_FORM = yaml.safe_load((REPO / ".github" / "ISSUE_TEMPLATE" / "idea.yml").read_text(encoding="utf-8"))
CROWDSOURCING = """\
---
title: {title}
kind: crowdsourcing
asked: {asked}
audience: [public, think-tanks]
opens: 2026-11-01
closes: 2026-12-01
domains:
  - {{id: health, name: {health}}}
  - {{id: legal-judicial, name: {legal}}}
channels: [issue]
organiser: {organiser}
---
{body}
"""


def idea_issue(number: int, **values: str) -> FakeIssue:
    parts = [
        f"### {item['attributes']['label']}\n\n{values.get(item['id']) or '_No response_'}"
        for item in IDEA_FORM["body"]
        if item["type"] != "markdown"
    ]
    return FakeIssue(
        number, "ایده / Idea", "\n\n".join(parts), "think-tank", "2026-11-15T07:00:00Z", ["idea"]
    )


def test_ideas_made_with_the_idea_form_are_filed_under_their_call_and_domain(portal, github):
    texts = {
        "fa": ("ایده‌ها", "ایده دهید", "سلامت", "حقوقی", "دبیرخانه", "متن"),
        "en": ("Ideas", "Send ideas", "Health", "Legal", "Secretariat", "Text"),
    }
    for lang, words in texts.items():
        title, asked, health, legal, organiser, body = words
        portal.write(
            f"content/calls/ideas.{lang}.md",
            CROWDSOURCING.format(
                title=title, asked=asked, health=health, legal=legal, organiser=organiser, body=body
            ),
        )
    github.add(
        idea_issue(
            20,
            call="ideas",
            domain="health",
            idea="بیمه همگانی",
            type="پژوهشکده یا اندیشکده / Research institute",
        )
    )
    github.add(idea_issue(21, call="ideas", domain="space", idea="ماهواره", type="دیگر / Other"))
    assert intake(portal, github) == 0
    record = yaml.safe_load((portal.root / "submissions" / "ideas" / "gh-20.yml").read_text(encoding="utf-8"))
    assert record["domain"] == "health" and record["author"]["type"] == "research-institute"
    assert "section" not in record and record["source"] == "github:agency/consult#20"
    assert "space" in github.replies(21)[-1] and "not one of this call's domains" in github.replies(21)[-1]
    assert load_project(portal.root).problems == []
    # The call's page links each domain to the idea form, prefilled with the call and domain.
    site = portal.root / "site"
    assert rayzani(["--root", str(portal.root), "build", "--site-dir", str(site), "--date", BUILD_DATE]) == 0
    html = (site / "en" / "calls" / "ideas" / "index.html").read_text(encoding="utf-8")
    assert "issues/new?template=idea.yml&amp;call=ideas&amp;domain=health" in html
    assert "issues/new?template=idea.yml&amp;call=ideas&amp;domain=legal-judicial" in html
    assert 'id="c-gh-20"' in html


def test_an_unknown_repository_is_reported_plainly(portal, github, capsys):
    code = rayzani(
        [
            "--root",
            str(portal.root),
            "intake",
            "github",
            "--repo",
            "agency/elsewhere",
            "--api-url",
            github.url,
        ]
    )
    assert code == 1
    assert "GitHub answered 404: Not Found" in capsys.readouterr().err


def vote_issue(number: int, vote: str, created: str = "2026-11-20T10:00:00Z", login: str = "sara", **values):
    """A vote issue exactly as GitHub writes the vote form: the dropdown's label under its heading."""
    form = yaml.safe_load(Path(values.pop("form")).read_text(encoding="utf-8"))
    values = {"call": "sample", "type": "شهروند / Individual", "vote": vote} | values
    parts = [
        f"### {item['attributes']['label']}\n\n{values.get(item['id']) or '_No response_'}"
        for item in form["body"]
        if item["type"] != "markdown"
    ]
    return FakeIssue(number, "رأی / Vote", "\n\n".join(parts), login, created, ["vote"])


def votes(portal: Repo) -> dict[str, dict]:
    return {k: v for k, v in records(portal).items() if "vote" in v}


@pytest.fixture
def ballots(portal: Repo, github: FakeGitHub) -> FakeGitHub:
    """Vote issues: two voters, one who votes twice, one late, one for no option, one for no call."""
    form = portal.root / ".github" / "ISSUE_TEMPLATE" / "vote.yml"
    for issue in (
        vote_issue(30, "موافقم / Agree", form=form),
        vote_issue(31, "مخالفم / Disagree", "2026-11-21T09:00:00Z", "omid", form=form),
        vote_issue(32, "مخالفم / Disagree", "2026-11-22T09:00:00Z", form=form),  # sara again
        # 21:00 UTC on 1 December is 00:30 on 2 December in Tehran: the poll had closed.
        vote_issue(33, "موافقم / Agree", "2026-12-01T21:00:00Z", "reza", form=form),
        vote_issue(34, "شاید / Maybe", "2026-11-21T10:00:00Z", "nima", form=form),
        vote_issue(35, "موافقم / Agree", "2026-11-21T11:00:00Z", "leila", form=form, call="no-such-call"),
    ):
        github.add(issue)
    return github


def test_vote_issues_become_vote_records_once_and_the_voter_is_told(portal, ballots, capsys):
    assert intake(portal, ballots) == 0
    found = votes(portal)
    assert set(found) == {"gh-30", "gh-31", "gh-32", "gh-33"}
    first = found["gh-30"]
    assert first["vote"] == "agree" and first["target"] == "sample" and first["channel"] == "issue"
    assert first["source"] == "github:agency/consult#30"
    assert first["author"] == {"id": "github:sara", "type": "individual"}
    assert "decision" not in first and "late" not in first
    assert first["text_sha256"] == hashlib.sha256("موافقم / Agree\n".encode()).hexdigest()
    assert found["gh-32"]["vote"] == "disagree" and found["gh-32"]["author"]["id"] == "github:sara"
    late = found["gh-33"]
    assert late["late"] is True and late["received"].isoformat() == "2026-12-02T00:30:00+03:30"
    assert load_project(portal.root).problems == []
    out = capsys.readouterr().out
    assert "rejected issue #34: “شاید / Maybe” is not one of this poll's options" in out
    assert "rejected issue #35: There is no draft or call with the address “no-such-call”." in out

    # The voter learns where the vote is counted; a late voter that it will not be.
    reply = ballots.replies(30)[-1]
    assert "Your vote has been recorded" in reply and "رأی شما ثبت شد" in reply
    assert "https://example.github.io/rayzani/calls/sample/poll/" in reply
    assert "recorded" in ballots.issues[30].labels
    assert "listed among the votes not counted, as late" in ballots.replies(33)[-1]
    # A vote for no option, or in no call, is refused with what to choose, and nothing is written.
    (unknown,) = ballots.replies(34)
    assert "is not one of this poll's options" in unknown
    assert "موافقم / Agree, مخالفم / Disagree" in unknown and "needs-changes" in ballots.issues[34].labels
    assert "no-such-call" in ballots.replies(35)[-1] and "needs-changes" in ballots.issues[35].labels

    # The same issues delivered again: no record, no reply, no label is added.
    before = {n: (len(i.comments), list(i.labels)) for n, i in ballots.issues.items()}
    files = sorted(p.name for p in (portal.root / "submissions").rglob("*.yml"))
    assert intake(portal, ballots) == 0
    assert sorted(p.name for p in (portal.root / "submissions").rglob("*.yml")) == files
    assert {n: (len(i.comments), list(i.labels)) for n, i in ballots.issues.items()} == before
    assert "0 new, 8 duplicate" in capsys.readouterr().out
    assert votes(portal) == found


def test_an_edited_vote_issue_keeps_the_recorded_vote_and_says_so_once(portal, ballots):
    assert intake(portal, ballots) == 0
    path = portal.root / "submissions" / "sample" / "gh-30.yml"
    recorded = path.read_text(encoding="utf-8")
    form = portal.root / ".github" / "ISSUE_TEMPLATE" / "vote.yml"
    ballots.issues[30].body = vote_issue(30, "مخالفم / Disagree", form=form).body
    assert intake(portal, ballots) == 0
    assert intake(portal, ballots) == 0
    assert path.read_text(encoding="utf-8") == recorded
    edits = [r for r in ballots.replies(30) if "editing the issue does not change it" in r]
    assert len(edits) == 1 and "calls/sample/poll/" in edits[0]


def test_a_vote_form_that_drifts_from_its_poll_stops_validation_and_intake(portal, ballots, capsys):
    portal.edit("content/calls/sample.en.md", "name: Disagree}", "name: Against}")
    problems = [p.format(portal.root) for p in load_project(portal.root).problems]
    assert problems == [
        ".github/ISSUE_TEMPLATE/vote.yml: body.vote.attributes.options: do not match the poll of 'sample'. "
        'Fix: list exactly these options, in this order: "موافقم / Agree"; "مخالفم / Against"'
    ]
    assert intake(portal, ballots) == 1
    assert "does not validate" in capsys.readouterr().err and votes(portal) == {}
    # A form voting in a call that holds no poll (deleted, renamed) is named too.
    portal.edit("content/calls/sample.en.md", "name: Against}", "name: Disagree}")
    portal.edit(".github/ISSUE_TEMPLATE/vote.yml", "value: sample", "value: old-call")
    (problem,) = [p.format(portal.root) for p in load_project(portal.root).problems]
    assert "vote.yml: body.call.attributes.value: is 'old-call', which is not a call with a poll" in problem
    assert "(calls with a poll: sample)" in problem


def test_the_poll_results_page_counts_the_votes_intake_recorded(portal, ballots):
    """Votes by issue (the `ballots` fixture) and by form export, built after the close."""
    assert intake(portal, ballots) == 0
    export = portal.write(
        "ballots.csv",
        """\
        row_id,submitted_at,draft,vote,participant_id
        1,2026-11-12 10:00:00,sample,Agree,p1
        2,2026-11-13 10:00:00,sample,مخالفم,p2
        3,2026-11-14 10:00:00,sample,disagree,p1
        4,2026-11-15 10:00:00,sample,agree,p4
        5,2026-12-03 10:00:00,sample,disagree,p3
        """,
    )
    assert rayzani(["--root", str(portal.root), "intake", "form", str(export)]) == 0
    site = portal.root / "site"
    assert (
        rayzani(["--root", str(portal.root), "build", "--site-dir", str(site), "--date", "2026-12-05"]) == 0
    )
    html = (site / "en" / "calls" / "sample" / "poll" / "index.html").read_text(encoding="utf-8")
    # Counted: by issue sara (agree) and omid (disagree); by form p1 (agree), p2 (disagree), p4 (agree).
    # Not counted: sara's and p1's second votes (duplicate), reza's and p3's (late).
    assert " ".join(element(html, "option-agree")[1].split()) == "Agree 3 60%"
    assert " ".join(element(html, "option-disagree")[1].split()) == "Disagree 2 40%"
    _, table = element(html, "poll-results")
    assert "Total 5" in " ".join(table.split())
    _, rejected = element(html, "poll-rejected")
    assert "Votes not counted (4)" in rejected and "2 late" in rejected and "2 duplicate" in rejected
    persian = (site / "calls" / "sample" / "poll" / "index.html").read_text(encoding="utf-8")
    assert " ".join(element(persian, "option-agree")[1].split()) == "موافقم ۳ ۶۰٪"
