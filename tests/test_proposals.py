"""Proposals by pull request: a PR's change to a draft becomes a comment record with its diff."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import yaml
from conftest import REPO, Repo
from conftest import rayzani as cli

from rayzani.intake.pull_request import split_diff
from rayzani.model import MAX_COMMENT_CHARS
from rayzani.project import load_project

DRAFT = "content/drafts/sample/index.fa.md"
PR_URL = "https://github.com/example/portal/pull/7"


def git(root: Path, *args: str) -> str:
    command = ["git", "-c", "user.name=Editor", "-c", "user.email=editor@example.org", *args]
    return subprocess.run(command, cwd=root, capture_output=True, text=True, check=True).stdout.strip()


def propose(repo: Repo, change: Callable[[], object], number: int = 7) -> Path:
    """Commit the portal, then a branch with `change`; return the pull request's event file."""
    git(repo.root, "init", "-q", "-b", "main")
    git(repo.root, "add", "-A")
    git(repo.root, "commit", "-q", "-m", "portal")
    base = git(repo.root, "rev-parse", "HEAD")
    git(repo.root, "checkout", "-q", "-b", "proposal")
    change()
    git(repo.root, "add", "-A")
    git(repo.root, "commit", "-q", "-m", "proposal")
    head = git(repo.root, "rev-parse", "HEAD")
    git(repo.root, "checkout", "-q", "main")  # the workflow runs on the base branch
    event = {
        "action": "opened",
        "repository": {"full_name": "example/portal"},
        "pull_request": {
            "number": number,
            "title": "Clarify article 2",
            "body": "The duty should name who reports.",
            "user": {"login": "sara-k"},
            "created_at": "2026-11-20T10:00:00Z",
            "html_url": f"https://github.com/example/portal/pull/{number}",
            "base": {"sha": base},
            "head": {"sha": head},
        },
    }
    path = repo.root.parent / "event.json"
    path.write_text(json.dumps(event), encoding="utf-8")
    return path


def records(repo: Repo) -> dict[str, dict]:
    folder = repo.root / "submissions" / "sample"
    return {p.stem: yaml.safe_load(p.read_text(encoding="utf-8")) for p in folder.glob("*.yml")}


def test_pull_request_is_recorded_as_a_comment_on_the_article_it_changes(repo, capsys):
    event = propose(
        repo, lambda: repo.edit(DRAFT, "متن ماده دو.", "متن ماده دو، با گزارش سالانه واحد حقوقی.")
    )
    assert cli(["--root", str(repo.root), "intake", "pull-request", "--event", str(event)]) == 0
    record = records(repo)["pr-7"]
    assert record["channel"] == "pull-request"
    assert record["source"] == "github:example/portal/pull/7"
    assert record["section"] == "art-2"
    assert record["author"] == {"id": "github:sara-k", "type": "individual"}
    assert record["decision"] == {"status": "pending"}
    assert "```diff" in record["body"] and "+متن ماده دو، با گزارش سالانه واحد حقوقی." in record["body"]
    assert record["body"].startswith("Clarify article 2")
    # The repository still validates, and the proposal is one of the article's comments.
    project = load_project(repo.root)
    assert project.problems == []
    proposal = next(r for r in project.portal.comments_on("sample") if r.id == "pr-7")
    assert project.portal.drafts["sample"].article_of(proposal.section).anchor == "art-2"
    # Recording the same pull request again writes nothing.
    assert cli(["--root", str(repo.root), "intake", "pull-request", "--event", str(event)]) == 0
    assert "0 new, 1 duplicate" in capsys.readouterr().out
    assert len(records(repo)) == 2


def test_pull_request_changing_several_articles_is_a_general_comment(repo):
    def change() -> None:
        repo.edit(DRAFT, "متن ماده یک.", "متن ماده یک، اصلاح‌شده.")
        repo.edit(DRAFT, "متن ماده دو.", "متن ماده دو، تازه.")

    event = propose(repo, change)
    assert cli(["--root", str(repo.root), "intake", "pull-request", "--event", str(event)]) == 0
    record = records(repo)["pr-7"]
    assert "section" not in record
    assert "-متن ماده یک." in record["body"] and "+متن ماده دو، تازه." in record["body"]
    assert [(f.slug, f.lang) for f in split_diff(record["body"].split("```diff\n")[1])] == [("sample", "fa")]


def test_pull_request_that_changes_no_draft_records_nothing(repo, capsys):
    event = propose(repo, lambda: repo.write("README.md", "A portal.\n"))
    assert cli(["--root", str(repo.root), "intake", "pull-request", "--event", str(event)]) == 0
    assert "changes no draft text" in capsys.readouterr().out
    assert set(records(repo)) == {"c1"}


def test_the_repository_has_a_pull_request_template_and_proposals_workflow():
    template = (REPO / ".github" / "pull_request_template.md").read_text(encoding="utf-8")
    assert "content/drafts/" in template and "index.fa.md" in template
    workflow = (REPO / ".github" / "workflows" / "proposals.yml").read_text(encoding="utf-8")
    assert "rayzani intake pull-request" in workflow


def test_a_proposal_longer_than_a_comment_is_recorded_cut_with_a_note(repo):
    long_text = "\n".join(f"سطر {n} از متن تازه ماده دو، با شرح کامل تکلیف واحد حقوقی." for n in range(600))
    event = propose(repo, lambda: repo.edit(DRAFT, "متن ماده دو.", long_text))
    diff = git(repo.root, "diff", "main...proposal", "--", "content/drafts")
    assert len(diff) > MAX_COMMENT_CHARS  # the guard alone would refuse it: no record at all
    assert cli(["--root", str(repo.root), "intake", "pull-request", "--event", str(event)]) == 0
    body = records(repo)["pr-7"]["body"]
    assert len(body) <= MAX_COMMENT_CHARS
    shown = body.split("```diff\n")[1].split("\n```")[0].splitlines()
    assert shown and all(line in diff.splitlines() for line in shown)
    left_out = len(diff.splitlines()) - len(shown)
    assert body.rstrip().endswith(f"({left_out} more lines of the change: {PR_URL})")
    assert load_project(repo.root).problems == []


def test_a_proposal_that_cannot_be_recorded_gets_a_reply_saying_why(repo, tmp_path):
    event = propose(repo, lambda: repo.edit(DRAFT, "متن ماده دو.", "متن ماده دو، تازه."))
    data = json.loads(event.read_text(encoding="utf-8"))
    data["pull_request"]["created_at"] = "2026-10-01T10:00:00Z"  # before the consultation opened
    event.write_text(json.dumps(data), encoding="utf-8")
    reply = tmp_path / "reply.md"
    command = ["--root", str(repo.root), "intake", "pull-request", "--event", str(event)]
    assert cli([*command, "--reply", str(reply)]) == 0
    assert "pr-7" not in records(repo)
    text = reply.read_text(encoding="utf-8")
    assert "2026-11-01" in text and "close and reopen the pull request" in text
    assert "دوباره باز کنید" in text  # and in Persian
