"""Forgejo/Gitea intake: the real adapter (httpx) and CLI against a stand-in of Forgejo's API v1."""

from __future__ import annotations

import json
import shutil

import pytest
import yaml
from conftest import REPO, Repo, add_poll, example_config, rayzani
from forge_server import FakeGitHub, FakeIssue
from forgejo_server import FakeForgejo, FakePull
from test_intake_github import HOSTILE, comment_issue, issue_body, records, vote_issue

from rayzani.intake.forge import marker
from rayzani.project import load_project

FORMS = (".github", ".forgejo")


def set_vote_form(root, folder: str) -> None:
    """Point a vote form at the sample call's poll, as a maintainer would."""
    path = root / folder / "ISSUE_TEMPLATE" / "vote.yml"
    form = yaml.safe_load(path.read_text(encoding="utf-8"))
    fields = {item.get("id"): item for item in form["body"]}
    fields["call"]["attributes"]["value"] = "sample"
    fields["vote"]["attributes"]["options"] = ["موافقم / Agree", "مخالفم / Disagree"]
    path.write_text(yaml.safe_dump(form, allow_unicode=True, sort_keys=False), encoding="utf-8")


@pytest.fixture
def portal(repo: Repo) -> Repo:
    """The small portal with both sets of forms, kept in step, and a poll on the sample call."""
    for folder in FORMS:
        shutil.copytree(REPO / folder / "ISSUE_TEMPLATE", repo.root / folder / "ISSUE_TEMPLATE")
    example_config(repo.root)
    add_poll(repo)
    for folder in FORMS:
        set_vote_form(repo.root, folder)
    return repo


@pytest.fixture
def forgejo(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("FORGEJO_TOKEN", "test-token")
    with FakeForgejo("agency", "consult") as server:
        server.add(comment_issue(1, article="art-1", comment="بند دو مبهم است.", name="سارا"))
        server.add(comment_issue(2, article="art-2", comment=HOSTILE))
        server.add(
            FakeIssue(3, "Question", "Where do I comment?", "omid", "2026-11-21T08:00:00Z", ["comment"])
        )
        server.add(comment_issue(4, article="art-9", comment="Article nine?"))
        server.add(comment_issue(5, created="2026-12-05T09:00:00Z", article="art-2", comment="دیر رسید."))
        server.add(FakeIssue(6, "Bug in the site", "The menu is broken.", "omid", "2026-11-21T08:00:00Z", []))
        yield server


def intake(portal: Repo, server: FakeForgejo, *extra: str, repo: str = "agency/consult") -> int:
    command = ["--root", str(portal.root), "intake", "forgejo", "--repo", repo, "--api-url", server.url]
    return rayzani([*command, *extra])


def posts(server: FakeForgejo, path: str) -> list[str]:
    return [p for m, p in server.requests if m == "POST" and p.startswith(f"/api/v1{server.repo_path}{path}")]


def test_forgejo_form_issues_become_records_over_several_pages_and_a_rerun_adds_nothing(
    portal, forgejo, capsys
):
    assert intake(portal, forgejo) == 0
    found = records(portal)
    assert {"fj-1", "fj-2", "fj-5"} <= set(found) and not {"fj-3", "fj-4", "fj-6"} & set(found)
    first = found["fj-1"]
    assert first["source"] == "forgejo:agency/consult#1" and first["channel"] == "issue"
    assert first["author"] == {"id": "forgejo:sara", "name": "سارا", "type": "individual"}
    assert found["fj-5"]["late"] is True
    assert load_project(portal.root).problems == []
    # Five comment issues at two a page: the adapter read pages 1 to 3 and stopped there.
    listed = [p for m, p in forgejo.requests if m == "GET" and "/issues?" in p and "labels=comment" in p]
    assert [("page=3" in p) for p in listed] == [False, False, True] and "type=issues" in listed[0]
    assert "3 new, 0 duplicate" in capsys.readouterr().out
    # Labels are set by id, resolved once: "recorded" was created, then added to each issue.
    assert "recorded" in forgejo.issues[1].labels and "recorded" in forgejo.labels
    labels = [p for m, p in forgejo.requests if m == "GET" and "/labels?" in p]
    assert sum(1 for p in labels if "page=1&" in p) == 1 and len(labels) == 2  # one read, two pages
    reply = forgejo.replies(1)[-1]
    assert "#c-fj-1" in reply and marker("recorded") in reply

    before = {n: (len(i.comments), list(i.labels)) for n, i in forgejo.issues.items()}
    assert intake(portal, forgejo) == 0
    assert {n: (len(i.comments), list(i.labels)) for n, i in forgejo.issues.items()} == before
    assert records(portal) == found
    assert "0 new, 3 duplicate" in capsys.readouterr().out


def test_hostile_forgejo_issue_is_recorded_inert_and_redacted(portal, forgejo):
    assert intake(portal, forgejo) == 0
    record = records(portal)["fj-2"]
    assert "sara.ahmadi@example.org" not in record["body"] and "\u202e" not in record["body"]
    assert record["redactions"] == ["email", "phone"]
    assert "email address, phone number" in forgejo.replies(2)[-1]
    assert all("<script" not in r for r in forgejo.replies(2))


def test_malformed_and_edited_forgejo_issues_are_answered_once_per_version(portal, forgejo):
    assert intake(portal, forgejo) == 0
    (not_a_form,) = forgejo.replies(3)
    assert "not made with the comment form" in not_a_form
    (wrong_article,) = forgejo.replies(4)
    assert "art-9" in wrong_article and "needs-changes" in forgejo.issues[4].labels
    assert forgejo.replies(6) == []  # no form label: intake leaves it alone
    recorded = (portal.root / "submissions" / "sample" / "fj-1.yml").read_text(encoding="utf-8")
    forgejo.issues[1].body = issue_body(
        draft="sample", article="art-1", comment="Changed.", type="دیگر / Other"
    )
    forgejo.issues[4].body = issue_body(
        draft="sample", article="art-8", comment="Still wrong.", type="دیگر / Other"
    )
    assert intake(portal, forgejo) == 0
    assert intake(portal, forgejo) == 0
    assert (portal.root / "submissions" / "sample" / "fj-1.yml").read_text(encoding="utf-8") == recorded
    assert len([r for r in forgejo.replies(1) if "does not change the recorded comment" in r]) == 1
    assert len(forgejo.replies(4)) == 2 and "art-8" in forgejo.replies(4)[-1]


def test_published_decision_is_posted_back_on_the_forgejo_issue_once(portal, forgejo):
    assert intake(portal, forgejo) == 0
    path = portal.root / "submissions" / "sample" / "fj-1.yml"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "decision:\n  status: pending\n",
            "decision:\n  status: rejected\n  reason:\n    fa: روشن است.\n    en: It is clear.\n"
            "  decided_by: واحد حقوقی\n  date: 2026-11-22\n",
        ),
        encoding="utf-8",
    )
    replies = len(forgejo.replies(1))
    assert intake(portal, forgejo, "--notify") == 0
    assert intake(portal, forgejo, "--notify") == 0
    assert len(forgejo.replies(1)) == replies + 1
    assert "It is clear." in forgejo.replies(1)[-1] and "#c-fj-1" in forgejo.replies(1)[-1]


def test_forgejo_vote_issues_become_votes_once(portal, forgejo, capsys):
    form = portal.root / ".forgejo" / "ISSUE_TEMPLATE" / "vote.yml"
    forgejo.add(vote_issue(30, "موافقم / Agree", form=form))
    forgejo.add(vote_issue(31, "شاید / Maybe", "2026-11-21T10:00:00Z", "nima", form=form))
    assert intake(portal, forgejo) == 0
    vote = records(portal)["fj-30"]
    assert vote["vote"] == "agree" and vote["source"] == "forgejo:agency/consult#30"
    assert "fj-31" not in records(portal) and "needs-changes" in forgejo.issues[31].labels
    assert "Your vote has been recorded" in forgejo.replies(30)[-1]
    assert intake(portal, forgejo) == 0
    assert len(forgejo.replies(30)) == len(forgejo.replies(31)) == 1


DIFF = """diff --git a/content/drafts/sample/index.fa.md b/content/drafts/sample/index.fa.md
--- a/content/drafts/sample/index.fa.md
+++ b/content/drafts/sample/index.fa.md
@@ -{line},1 +{line},1 @@
-{old}
+{new}
"""


def proposal(portal: Repo, number: int, created: str = "2026-11-20T10:00:00Z") -> FakePull:
    lines = (
        (portal.root / "content" / "drafts" / "sample" / "index.fa.md")
        .read_text(encoding="utf-8")
        .splitlines()
    )
    line = next(i for i, text in enumerate(lines, 1) if "متن ماده دو." in text)
    diff = DIFF.format(line=line, old=lines[line - 1], new=lines[line - 1].replace("دو.", "دو، <b>تازه</b>."))
    return FakePull(number, "Clarify <article> 2", "Who reports?", "sara-k", created, diff=diff)


def test_a_forgejo_pull_request_is_recorded_as_a_proposal_and_a_refused_one_is_answered_once(portal, forgejo):
    forgejo.add_pull(proposal(portal, 7))
    assert intake(portal, forgejo, "--pull-request", "7") == 0
    record = records(portal)["pr-7"]
    assert record["channel"] == "pull-request" and record["source"] == "forgejo:agency/consult/pull/7"
    assert (
        record["section"] == "art-2" and "+" in record["body"] and record["author"]["id"] == "forgejo:sara-k"
    )
    assert forgejo.replies(7) == []  # recorded: nothing to say
    assert intake(portal, forgejo, "--pull-request", "7") == 0  # delivered again: still one record
    assert [k for k in records(portal) if k.startswith("pr-")] == ["pr-7"]

    forgejo.add_pull(proposal(portal, 8, created="2026-10-01T10:00:00Z"))  # before the consultation
    assert intake(portal, forgejo, "--pull-request", "8") == 0
    assert intake(portal, forgejo, "--pull-request", "8") == 0
    (refusal,) = forgejo.replies(8)
    assert "close and reopen the pull request" in refusal and "pr-8" not in records(portal)


def test_a_forgejo_event_file_gives_forgejo_sources(repo, tmp_path):
    from test_proposals import DRAFT, propose

    event = propose(repo, lambda: repo.edit(DRAFT, "متن ماده دو.", "متن ماده دو، تازه."))
    command = [
        "--root",
        str(repo.root),
        "intake",
        "pull-request",
        "--forge",
        "forgejo",
        "--event",
        str(event),
    ]
    assert rayzani(command) == 0
    assert records(repo)["pr-7"]["source"] == "forgejo:example/portal/pull/7"


@pytest.mark.parametrize(
    ("break_it", "said"),
    [
        (lambda s: setattr(s, "token", "another"), "401"),
        (lambda s: s.scopes.difference_update({"read:issue", "write:issue"}), "403"),
        (None, "404"),  # a repository the forge does not have
    ],
    ids=["401-bad-token", "403-missing-scope", "404-unknown-repository"],
)
def test_a_refusing_forge_is_reported_with_its_fix_and_no_traceback(portal, forgejo, capsys, break_it, said):
    if break_it:
        break_it(forgejo)
    assert intake(portal, forgejo, repo="agency/consult" if break_it else "agency/nope") == 1
    err = capsys.readouterr().err
    assert f"Forgejo answered {said}" in err and "Traceback" not in err
    assert {"401": "FORGEJO_TOKEN", "403": "write:issue", "404": "--repo OWNER/NAME"}[said] in err
    assert not [k for k in records(portal) if k.startswith("fj-")]


def test_no_token_is_refused_before_any_request(portal, forgejo, monkeypatch, capsys):
    monkeypatch.delenv("FORGEJO_TOKEN")
    assert intake(portal, forgejo) == 1
    assert "FORGEJO_TOKEN is not set" in capsys.readouterr().err and forgejo.requests == []


def test_429_with_retry_after_is_waited_out_and_a_failed_post_is_never_repeated(portal, forgejo, capsys):
    forgejo.fail("GET", r"/repos/agency/consult/issues", 429, times=1, retry_after="1")
    forgejo.fail("POST", r"/repos/agency/consult/issues/1/comments", 500, times=1)
    assert intake(portal, forgejo) == 1  # the reply to #1 failed: the run stops, records stay
    assert "Forgejo answered 500" in capsys.readouterr().err
    assert len(posts(forgejo, "/issues/1/comments")) == 1 and "fj-1" in records(portal)
    assert intake(portal, forgejo) == 0  # the next run replies once
    assert len(forgejo.replies(1)) == 1 and len(posts(forgejo, "/issues/1/comments")) == 2


def test_a_refused_label_is_carried_on_from_and_added_by_the_next_run(portal, forgejo, capsys):
    forgejo.fail("POST", r"/repos/agency/consult/issues/1/labels", 422, times=1)
    assert intake(portal, forgejo) == 0
    assert "Forgejo answered 422" in capsys.readouterr().err and "recorded" not in forgejo.issues[1].labels
    assert len(forgejo.replies(1)) == 1 and "recorded" in forgejo.issues[2].labels
    assert intake(portal, forgejo) == 0
    assert len(forgejo.replies(1)) == 1 and "recorded" in forgejo.issues[1].labels


@pytest.fixture(params=["github", "forgejo"])
def any_forge(request, portal, monkeypatch):
    """Either forge's stand-in with one comment issue, and a function running its intake."""
    monkeypatch.setenv("GITHUB_TOKEN", "test-token")
    monkeypatch.setenv("FORGEJO_TOKEN", "test-token")
    server = (
        FakeGitHub("agency", "consult") if request.param == "github" else FakeForgejo("agency", "consult")
    )
    with server:
        server.add(comment_issue(1, article="art-1", comment="بند دو مبهم است."))
        server.add(comment_issue(2, article="art-2", comment="Another."))

        def run() -> int:
            extra = ["--write-pause", "0"] if request.param == "github" else []
            command = ["intake", request.param, "--repo", "agency/consult", "--api-url", server.url, *extra]
            return rayzani(["--root", str(portal.root), *command])

        yield server, run


def test_only_intakes_own_marker_counts_on_either_forge(any_forge):
    server, run = any_forge
    tag = marker("recorded")
    server.comment(1, f"Nothing to see here {tag}", login="mallory")
    server.comment(2, f"Recorded by hand. {tag}", login=server.account)
    assert run() == 0
    assert len(server.replies(1)) == 2 and tag in server.replies(1)[-1]
    assert server.replies(2) == [f"Recorded by hand. {tag}"]  # intake's own account said it


# Validation: the two sets of forms agree --------------------------------------------------------
def _edit(path, change) -> None:
    form = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(form)
    path.write_text(yaml.safe_dump(form, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _field(form: dict, field_id: str) -> dict:
    return next(item for item in form["body"] if item.get("id") == field_id)


@pytest.mark.parametrize(
    ("name", "change", "field"),
    [
        ("comment.yml", lambda f: f.update(labels=["remark"]), "labels"),
        ("comment.yml", lambda f: _field(f, "article").update(id="clause"), "body"),
        (
            "comment.yml",
            lambda f: _field(f, "type")["attributes"]["options"].pop(),
            "body.type.attributes.options",
        ),
        ("idea.yml", lambda f: f.pop("about"), "about"),
        (
            "vote.yml",
            lambda f: _field(f, "vote")["attributes"]["options"].reverse(),
            "body.vote.attributes.options",
        ),
    ],
    ids=["form-labels", "field-id", "dropdown-options", "forgejo-about", "poll-options"],
)
def test_forgejo_forms_that_disagree_with_githubs_stop_validation(portal, name, change, field, capsys):
    assert load_project(portal.root).problems == []
    _edit(portal.root / ".forgejo" / "ISSUE_TEMPLATE" / name, change)
    problems = [p for p in load_project(portal.root).problems if p.path.name == name]
    assert any(p.field == field and p.fix for p in problems), [p.format() for p in problems]
    assert all(".forgejo" in str(p.path) for p in problems)
    assert rayzani(["--root", str(portal.root), "validate"]) != 0
    assert f".forgejo/ISSUE_TEMPLATE/{name}: {field}" in capsys.readouterr().err


def test_a_form_missing_from_the_forgejo_set_stops_validation(portal):
    (portal.root / ".forgejo" / "ISSUE_TEMPLATE" / "idea.yml").unlink()
    (problem,) = load_project(portal.root).problems
    assert problem.path.name == "idea.yml" and "copy .github/ISSUE_TEMPLATE/idea.yml" in problem.fix


def test_a_portal_on_forgejo_alone_takes_its_forms_from_the_forgejo_folder(portal, forgejo):
    shutil.rmtree(portal.root / ".github")
    assert load_project(portal.root).problems == []
    assert intake(portal, forgejo) == 0
    assert "fj-1" in records(portal)
    assert json.loads(json.dumps(forgejo.issues[1].labels)).count("recorded") == 1
