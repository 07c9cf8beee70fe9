"""Nothing received through the issue channel is lost, rewritten or doubled.

The real PyGithub client talks to the local GitHub API server (`forge_server`); the workflow's
records-branch steps run against a local bare repository standing in for the forge's.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import REPO, Repo, rayzani
from forge_server import FakeGitHub, FakeIssue

from rayzani.intake.forge import marker
from rayzani.intake.records_branch import prepare, publish

FORM = yaml.safe_load((REPO / ".github" / "ISSUE_TEMPLATE" / "comment.yml").read_text(encoding="utf-8"))
RECORDED_TAG = marker("recorded")


def issue_body(**values: str) -> str:
    """An issue body exactly as GitHub writes a submitted comment form."""
    values = {"draft": "sample", "type": "شهروند / Individual"} | values
    return "\n\n".join(
        f"### {item['attributes']['label']}\n\n{values.get(item['id']) or '_No response_'}"
        for item in FORM["body"]
        if item["type"] != "markdown"
    )


def comment_issue(number: int, comment: str, login: str = "sara") -> FakeIssue:
    body = issue_body(article="art-1", comment=comment)
    created = f"2026-11-{10 + number:02d}T10:00:00Z"
    return FakeIssue(number, "نظر / Comment", body, login, created, ["comment"])


def make_portal(root: Path) -> Repo:
    """The small portal with the comment form (the only form: no poll to keep in step)."""
    portal = Repo(root)
    (root / ".github" / "ISSUE_TEMPLATE").mkdir(parents=True)
    shutil.copy(REPO / ".github" / "ISSUE_TEMPLATE" / "comment.yml", root / ".github" / "ISSUE_TEMPLATE")
    return portal


@pytest.fixture
def portal(tmp_path: Path) -> Repo:
    return make_portal(tmp_path / "portal")


@pytest.fixture
def github(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("GITHUB_TOKEN", "test-token")
    with FakeGitHub("agency", "consult") as server:
        for number in range(1, 7):
            server.add(comment_issue(number, f"نظر شماره {number} درباره بند دو."))
        yield server


def intake_args(root: Path, server: FakeGitHub, *extra: str) -> list[str]:
    return [
        "--root", str(root), "intake", "github", "--repo", "agency/consult",
        "--api-url", server.url, "--write-pause", "0", *extra,
    ]  # fmt: skip


def intake(root: Path, server: FakeGitHub, *extra: str) -> int:
    return rayzani(intake_args(root, server, *extra))


def record_files(root: Path) -> dict[str, str]:
    """Every gh-* record file under submissions/, by name, with its exact text."""
    return {p.name: p.read_text(encoding="utf-8") for p in sorted((root / "submissions").rglob("gh-*.yml"))}


def recorded_replies(server: FakeGitHub, number: int) -> list[str]:
    return [body for body in server.replies(number) if RECORDED_TAG in body]


def test_two_intake_runs_started_together_record_and_reply_once_per_issue(portal, github):
    github.delay = 0.05  # each run takes long enough for the other to start meanwhile
    command = [
        sys.executable,
        "-c",
        "import sys; from rayzani.cli import main; sys.exit(main(sys.argv[1:]))",
        *intake_args(portal.root, github),
    ]
    env = os.environ | {"PYTHONPATH": str(REPO / "scripts")}
    runs = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in "ab"]
    results = [run.communicate(timeout=300) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], results
    records = [yaml.safe_load(text) for text in record_files(portal.root).values()]
    sources = sorted(r["source"] for r in records)
    assert sources == [f"github:agency/consult#{n}" for n in range(1, 7)]  # one record per issue
    for number in range(1, 7):
        assert len(recorded_replies(github, number)) == 1, github.replies(number)
    outputs = b"".join(out for out, _ in results).decode()
    assert "6 new, 0 duplicate" in outputs and "0 new, 6 duplicate" in outputs  # the second waited
    assert "waiting for it" in b"".join(err for _, err in results).decode()


def test_a_failed_label_after_the_reply_gives_no_second_reply_and_is_retried(portal, github, capsys):
    github.fail("POST", r"/repos/agency/consult/issues/2/labels", 500)
    assert intake(portal.root, github) == 0  # the label is a convenience: the run carries on
    assert "500" in capsys.readouterr().err
    assert len(recorded_replies(github, 2)) == 1 and "recorded" not in github.issues[2].labels
    assert "recorded" in github.issues[3].labels  # the issues after it were answered too
    github.faults.clear()
    assert intake(portal.root, github) == 0
    assert len(recorded_replies(github, 2)) == 1
    assert "recorded" in github.issues[2].labels


def test_a_strangers_marker_does_not_stop_the_recorded_reply_but_the_intake_accounts_does(portal, github):
    github.comment(1, f"Nothing to see here {RECORDED_TAG}", login="mallory")
    github.comment(2, f"Recorded by hand. {RECORDED_TAG}", login=github.account)
    assert intake(portal.root, github) == 0
    assert [r for r in github.replies(1) if "mallory" not in r and RECORDED_TAG in r], github.replies(1)
    assert len(github.replies(1)) == 2  # the stranger's comment and intake's reply
    # Issue 2 already carries intake's own reply: it is never answered or derived again.
    assert github.replies(2) == [f"Recorded by hand. {RECORDED_TAG}"]
    assert "gh-2.yml" not in record_files(portal.root)


def decide(path: Path) -> str:
    """Publish an editors' decision in the record, as a decision pull request would."""
    text = path.read_text(encoding="utf-8").replace(
        "decision:\n  status: pending\n",
        "decision:\n  status: rejected\n  reason:\n    fa: روشن است.\n    en: It is clear.\n"
        "  decided_by: واحد حقوقی\n  date: 2026-11-22\n",
    )
    path.write_text(text, encoding="utf-8")
    return text


def test_a_strangers_decision_marker_does_not_stop_the_decision_notice(portal, github):
    assert intake(portal.root, github) == 0
    decide(portal.root / "submissions" / "sample" / "gh-1.yml")
    tag = marker("decision", "gh-1 rejected 2026-11-22")
    github.comment(1, f"👍 {tag}", login="mallory")
    assert intake(portal.root, github, "--notify") == 0
    notices = [r for r in github.replies(1) if "It is clear." in r]
    assert len(notices) == 1 and notices[0].endswith(tag)
    assert intake(portal.root, github, "--notify") == 0  # intake's own marker is what says "posted"
    assert len([r for r in github.replies(1) if "It is clear." in r]) == 1


def git(root: Path, *args: str) -> str:
    command = ["git", "-c", "user.name=Editor", "-c", "user.email=editor@example.org", *args]
    return subprocess.run(command, cwd=root, capture_output=True, text=True, check=True).stdout


def workflow_run(origin: Path, workdir: Path, server: FakeGitHub) -> dict[str, str]:
    """The intake workflow's record job: a fresh clone of main, prepare, intake, publish."""
    subprocess.run(["git", "clone", "-q", str(origin), str(workdir)], check=True)
    prepare(workdir, str(origin))
    assert intake(workdir, server) == 0
    publish(workdir, str(origin))
    return branch_records(origin)


def branch_records(origin: Path) -> dict[str, str]:
    """The record files on the forge's intake/records branch, by name, with their exact text."""
    names = git(origin, "ls-tree", "-r", "--name-only", "intake/records", "--", "submissions").split()
    return {Path(n).name: git(origin, "show", f"intake/records:{n}") for n in names if "/gh-" in n}


def test_issues_edited_or_closed_after_recording_keep_their_records_on_the_records_branch(tmp_path, github):
    origin = tmp_path / "origin.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(origin)], check=True)
    seed = make_portal(tmp_path / "seed").root
    git(seed, "init", "-q", "-b", "main")
    git(seed, "add", "-A")
    git(seed, "commit", "-q", "-m", "portal")
    git(seed, "push", "-q", str(origin), "main")

    first = workflow_run(origin, tmp_path / "run1", github)
    assert set(first) == {f"gh-{n}.yml" for n in range(1, 7)}
    # Before editors merge: issue 1 is edited, issue 2 closed, and a new comment arrives.
    github.issues[1].body = issue_body(article="art-1", comment="Changed my mind entirely.")
    github.issues[2].state = "closed"
    github.add(comment_issue(7, "نظر تازه."))
    second = workflow_run(origin, tmp_path / "run2", github)
    assert {k: v for k, v in second.items() if k != "gh-7.yml"} == first  # byte for byte
    assert "gh-7.yml" in second
    assert len(recorded_replies(github, 1)) == 1

    # Editors merge the records (a squash: main gets the files, not the branch's commits) and
    # decide on gh-3, then remove gh-4 (its sender asked): the next run keeps both choices.
    editor = tmp_path / "editor"
    subprocess.run(["git", "clone", "-q", str(origin), str(editor)], check=True)
    git(editor, "checkout", "-q", "origin/intake/records", "--", "submissions")
    git(editor, "commit", "-q", "-m", "Merge the records")
    decided = decide(editor / "submissions" / "sample" / "gh-3.yml")
    git(editor, "rm", "-q", "submissions/sample/gh-4.yml")
    git(editor, "commit", "-q", "-am", "Decide on gh-3, remove gh-4")
    git(editor, "push", "-q", "origin", "main")
    github.add(comment_issue(8, "نظر هشتم."))
    third = workflow_run(origin, tmp_path / "run3", github)
    assert third["gh-3.yml"] == decided and "It is clear." in decided
    assert "gh-4.yml" not in third and third["gh-1.yml"] == first["gh-1.yml"]
    assert "gh-8.yml" in third


def test_a_push_over_a_records_branch_that_moved_meanwhile_is_refused(tmp_path, github):
    origin = tmp_path / "origin.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(origin)], check=True)
    seed = make_portal(tmp_path / "seed").root
    git(seed, "init", "-q", "-b", "main")
    git(seed, "add", "-A")
    git(seed, "commit", "-q", "-m", "portal")
    git(seed, "push", "-q", str(origin), "main")
    slow = tmp_path / "slow"
    subprocess.run(["git", "clone", "-q", str(origin), str(slow)], check=True)
    prepare(slow, str(origin))  # finds no branch yet
    workflow_run(origin, tmp_path / "fast", github)  # another run pushes the branch meanwhile
    kept = branch_records(origin)
    (slow / "submissions" / "sample" / "gh-9.yml").write_text("id: gh-9\n", encoding="utf-8")
    with pytest.raises(subprocess.CalledProcessError):
        publish(slow, str(origin))
    assert branch_records(origin) == kept
