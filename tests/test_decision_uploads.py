"""Editors decide without a Git command: a filled worksheet uploaded into `decisions/` is applied.

`rayzani decide --apply-uploads` is what the Decide workflow runs on the upload's pull request;
it is tested here on a copy of the example (export, fill with openpyxl, upload, apply), and then
the workflows' own steps are run as a runner runs them, on a Git clone of that copy whose
"forge" is a local bare repository (and, for Forgejo's answer, the local Forgejo API server).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import BUILD_DATE, REPO, today
from forge_server import FakeIssue
from forgejo_server import FakeForgejo
from openpyxl import load_workbook
from test_worksheet import column, export, fill_xlsx, records_text

from rayzani.cli import main as rayzani
from rayzani.editing.sheet_files import column_letter
from rayzani.load.yaml_io import read_yaml
from rayzani.model import OPEN_STATUSES
from rayzani.project import load_project


@pytest.fixture
def example(tmp_path: Path, example_root: Path) -> Path:
    """A copy of the example portal of this test's own: uploads change its records."""
    root = tmp_path / "portal"
    shutil.copytree(example_root, root, symlinks=True)
    return root


REASON = {"Reason (Persian)": "در جمع‌بندی درج شد.", "Reason (English)": "Included in the summary."}


def pending_pair(root: Path) -> tuple[str, str, str]:
    """Two records the example has no answer for yet (its pending ideas), and a panel whose
    remit holds the second."""
    portal = load_project(root, today()).portal
    pending = [
        r for found in portal.submissions.values() for r in found
        if read_yaml(r.path)["decision"]["status"] in OPEN_STATUSES
    ]  # fmt: skip
    first, second = pending[:2]
    panel = next(p.slug for p in portal.panels.values() if second.domain in p.domains)
    return first.id, second.id, panel


def filled_sheet(root: Path, folder: Path, name: str = "pending.xlsx") -> tuple[Path, str, str]:
    """The pending worksheet, exported and filled as an editor fills it: one record accepted,
    one shortlisted by a panel. (The sheet, the two records' ids.)"""
    sheet = folder / name
    export(root, sheet, "--status", "pending")
    comment, idea, panel = pending_pair(root)
    fill_xlsx(sheet, {
        comment: {"New status": "accepted", **REASON, "Decided by": "دبیرخانه"},
        idea: {"New status": "shortlisted", "Reason (Persian)": "برای بررسی نهایی.", "Panel": panel},
    })  # fmt: skip
    return sheet, comment, idea


def upload(root: Path, sheet: Path, name: str | None = None) -> Path:
    """What the forge's "Add file → Upload" does: the file lands in decisions/ on a branch."""
    uploaded = root / "decisions" / (name or sheet.name)
    uploaded.parent.mkdir(exist_ok=True)
    shutil.copyfile(sheet, uploaded)
    return uploaded


def apply(root: Path, reply: Path) -> int:
    command = ["--root", str(root), "decide", "--apply-uploads", str(root / "decisions")]
    return rayzani([*command, "--reply", str(reply), "--date", BUILD_DATE])


def status_of(root: Path, record_id: str) -> str:
    (path,) = (root / "submissions").rglob(f"{record_id}.yml")
    return read_yaml(path)["decision"]["status"]


def test_an_uploaded_sheet_is_applied_removed_and_answered_with_the_counts(example, tmp_path):
    sheet, comment, idea = filled_sheet(example, tmp_path)
    uploaded = upload(example, sheet)
    before = records_text(example)
    reply = tmp_path / "reply.md"
    assert apply(example, reply) == 0
    changed = {p.stem for p, text in records_text(example).items() if before[p] != text}
    assert changed == {comment, idea}
    assert status_of(example, comment) == "accepted" and status_of(example, idea) == "shortlisted"
    assert not uploaded.exists(), "the sheet is removed: the pull request then holds the records"
    assert (example / "decisions" / "README.md").is_file(), "other files of the folder stay"
    assert rayzani(["--root", str(example), "validate", "--date", BUILD_DATE]) == 0
    text = reply.read_text(encoding="utf-8")
    fa, en = text.index("تصمیم"), text.index("decision(s)")
    assert fa < en, "Persian first"
    assert "- Accepted: 1" in text[en:] and "- Shortlisted: 1" in text[en:]
    assert "- پذیرفته شد: ۱" in text[:en] and "برگزیده برای بررسی نهایی: ۱" in text[:en]
    assert "2 decision(s) from decisions/pending.xlsx" in text and "۲ تصمیم" in text


def test_a_bad_sheet_is_answered_by_row_and_column_and_nothing_changes(example, tmp_path):
    sheet = tmp_path / "pending.xlsx"
    export(example, sheet, "--status", "pending")
    comment, idea, _ = pending_pair(example)
    rows = fill_xlsx(sheet, {
        comment: {"New status": "<img src=x onerror=alert(1)>"},
        idea: {"New status": "rejected"},  # with no reason
    })  # fmt: skip
    heading = [c.value for c in load_workbook(sheet)["decisions"][1]]
    status, reason = (column_letter(column(heading, name)) for name in ("New status", "Reason (Persian)"))
    uploaded = upload(example, sheet, "<b>pending</b>.xlsx")
    before = records_text(example)
    reply = tmp_path / "reply.md"
    assert apply(example, reply) == 1
    assert records_text(example) == before, "nothing is written"
    assert uploaded.exists(), "the sheet stays, to be corrected"
    text = reply.read_text(encoding="utf-8")
    assert f"row {rows[comment]}, column {status} (" in text
    assert f"row {rows[idea]}, column {reason} (" in text
    assert "no record was changed" in text and "هیچ پرونده‌ای تغییر نکرد" in text
    # What the editor typed, and the file's name, are text in the forge's Markdown.
    assert "<img" not in text and "<b>" not in text
    assert "&lt;img src=x onerror=alert(1)&gt;" in text and "&lt;b&gt;pending&lt;/b&gt;.xlsx" in text


def test_two_sheets_deciding_one_record_are_both_refused(example, tmp_path):
    sheet, comment, _ = filled_sheet(example, tmp_path)
    upload(example, sheet, "monday.xlsx")
    upload(example, sheet, "tuesday.xlsx")
    before = records_text(example)
    reply = tmp_path / "reply.md"
    assert apply(example, reply) == 1
    assert records_text(example) == before
    assert "of monday.xlsx too" in reply.read_text(encoding="utf-8")


def test_an_unreadable_upload_is_a_problem_not_a_traceback(example, tmp_path, capsys):
    (example / "decisions" / "notes.xlsx").write_text("not a spreadsheet", encoding="utf-8")
    reply = tmp_path / "reply.md"
    assert apply(example, reply) == 1
    assert "decisions/notes.xlsx: cannot be read as a .xlsx worksheet" in reply.read_text(encoding="utf-8")
    assert "Traceback" not in capsys.readouterr().err


def test_no_sheet_in_the_folder_is_nothing_to_do_and_no_answer(example, tmp_path):
    before = records_text(example)
    reply = tmp_path / "reply.md"
    assert apply(example, reply) == 0
    assert records_text(example) == before and not reply.exists()


# --- the workflows' steps, run as a runner runs them ------------------------------------------

WORKFLOWS = {
    "github": REPO / ".github" / "workflows" / "decide.yml",
    "forgejo": REPO / ".forgejo" / "workflows" / "decide.yml",
}
TOKEN = "bot-token"


def push_url(name: str, server: str) -> str:
    """Where each workflow pushes, for the repository agency/consult on `server`."""
    user = "x-access-token" if name == "github" else "rayzani-intake"
    scheme, host = server.split("://")
    return f"{scheme}://{user}:{TOKEN}@{host}/agency/consult.git"


EXPRESSION = re.compile(r"\$\{\{\s*(.+?)\s*\}\}")


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def _jobs(forge: str) -> dict:
    data = yaml.safe_load(WORKFLOWS[forge].read_text(encoding="utf-8"))
    return data["jobs"]


def _value(expression: str, values: dict[str, str]) -> str:
    assert expression in values, f"the test does not know ${{{{ {expression} }}}}: say here what it is"
    return values[expression]


def _condition(text: str, outcomes: dict[str, str]) -> bool:
    """A step's `if:` as the runner reads it (the few operators these files use)."""
    body = EXPRESSION.sub(r"\1", text)
    body = body.replace("!cancelled()", "True").replace("&&", " and ").replace("||", " or ")
    body = re.sub(r"steps\.(\w+)\.outcome", lambda m: repr(outcomes.get(m[1], "skipped")), body)
    return bool(eval(body, {"__builtins__": {}}))  # noqa: S307 (the workflow file's own text)


def run_apply_job(
    forge: str, checkout: Path, values: dict[str, str], runner: dict[str, str]
) -> dict[str, str]:
    """Run the apply job's steps after the checkout and installs; each step's outcome by id or name."""
    job = _jobs(forge)["apply"]
    outcomes: dict[str, str] = {}
    failed = False
    for step in job["steps"]:
        name = step.get("name", "")
        if "run" not in step or name.startswith("Install") or name == "Today in Tehran":
            continue  # Rayzani is installed in this test's Python; the day is the example's
        if forge == "github" and "gh pr comment" in step["run"]:
            continue  # GitHub's command-line tool is not part of the test setup
        key = step.get("id", name)
        if ("if" in step and not _condition(step["if"], outcomes)) or ("if" not in step and failed):
            outcomes[key] = "skipped"
            continue
        env = {**runner}
        for var, template in {**job.get("env", {}), **step.get("env", {})}.items():
            env[var] = EXPRESSION.sub(lambda m: _value(m[1], values), str(template))
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
            cwd=checkout, env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
        outcomes[key] = "success" if done.returncode == 0 else "failure"
        failed = failed or done.returncode != 0
    return outcomes


@pytest.fixture
def forge(example: Path, tmp_path: Path) -> tuple[Path, Path]:
    """The example as a repository on a "forge" (a bare repository), and an editor's upload branch."""
    git(example, "init", "-q", "-b", "main")
    git(example, "add", "-A")
    git(example, "-c", "user.name=maintainer", "-c", "user.email=m@example.org", "commit", "-qm", "portal")
    remote = tmp_path / "forge.git"
    git(tmp_path, "clone", "-q", "--bare", str(example), str(remote))
    return example, remote


def upload_branch(portal: Path, remote: Path, sheet: Path) -> str:
    """The editor's upload: a commit adding decisions/<sheet> on a new branch; its commit."""
    upload(portal, sheet)
    git(portal, "switch", "-q", "-c", "upload-1")
    git(portal, "add", "decisions")
    git(portal, "-c", "user.name=editor", "-c", "user.email=e@example.org", "commit", "-q", "-m", "Upload")
    git(portal, "push", "-q", str(remote), "upload-1")
    return git(portal, "rev-parse", "HEAD")


def run_on_runner(
    name: str, remote: Path, head: str, tmp_path: Path
) -> tuple[dict[str, str], str, list[str]]:
    """The apply job on a checkout of `head`, the forge being the bare repository (and, for
    Forgejo's answer, the local Forgejo API): (step outcomes, the reply file, replies posted)."""
    checkout = tmp_path / "runner"
    git(tmp_path, "clone", "-q", str(remote), str(checkout))
    git(checkout, "checkout", "-q", "--detach", head)
    temp = tmp_path / "runner-temp"
    temp.mkdir()
    with FakeForgejo("agency", "consult", token=TOKEN) as api:
        api.add(FakeIssue(7, "Upload", "", "editor", "2026-11-23T08:00:00Z", pull_request=True))
        server = api.root if name == "forgejo" else "https://forge.test"
        git(checkout, "config", f"url.{remote}.insteadOf", push_url(name, server))
        runner = {
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}", "HOME": str(tmp_path),
            "PYTHONPATH": str(REPO / "scripts"), "RUNNER_TEMP": str(temp), "GITHUB_SERVER_URL": server,
            "RAYZANI_TODAY": BUILD_DATE,
        }  # fmt: skip
        values = {
            "github.event.pull_request.number": "7", "github.head_ref": "upload-1",
            "github.repository": "agency/consult", "github.server_url": server,
            "secrets.RAYZANI_CERTIFICATE_SECRET": "", "secrets.RAYZANI_PR_TOKEN || github.token": TOKEN,
            "github.token": TOKEN, "secrets.RAYZANI_FORGE_TOKEN": TOKEN,
        }  # fmt: skip
        outcomes = run_apply_job(name, checkout, values, runner)
        replies = api.replies(7)
    reply = temp / "reply.md"
    return outcomes, reply.read_text(encoding="utf-8") if reply.exists() else "", replies


def _answers_with_the_reply_file(name: str, reply: str, replies: list[str]) -> None:
    if name == "forgejo":
        assert replies == [reply], "answered once on the pull request, with the reply file"
    else:  # not run here: GitHub's command-line tool posts the same file
        answer = next(s for s in _jobs(name)["apply"]["steps"] if "gh pr comment" in s.get("run", ""))
        assert '--body-file "$RUNNER_TEMP/reply.md"' in answer["run"]


@pytest.mark.parametrize("name", ["github", "forgejo"])
def test_the_decide_workflow_applies_an_upload_pushes_the_records_and_answers(name, forge, tmp_path):
    portal, remote = forge
    sheet, comment, idea = filled_sheet(portal, tmp_path)
    head = upload_branch(portal, remote, sheet)
    outcomes, reply, replies = run_on_runner(name, remote, head, tmp_path)
    assert outcomes["apply"] == outcomes["commit"] == "success", outcomes
    pushed = git(remote, "rev-parse", "upload-1")
    assert git(remote, "rev-parse", f"{pushed}~1") == head, "one commit on top of the upload, not forced"
    assert git(remote, "log", "-1", "--format=%an", pushed) == "rayzani-decisions"
    files = git(remote, "diff", "--name-status", head, pushed).splitlines()
    assert "D\tdecisions/pending.xlsx" in files
    assert {Path(line.split("\t")[1]).stem for line in files if line.startswith("M\t")} == {comment, idea}
    assert git(remote, "rev-parse", "main") == git(portal, "rev-parse", "main"), "main is untouched"
    assert "- Accepted: 1" in reply and "- Shortlisted: 1" in reply and "decisions/pending.xlsx" in reply
    _answers_with_the_reply_file(name, reply, replies)


@pytest.mark.parametrize("name", ["github", "forgejo"])
def test_the_decide_workflow_answers_a_refused_sheet_and_pushes_nothing(name, forge, tmp_path):
    portal, remote = forge
    sheet, comment, _ = filled_sheet(portal, tmp_path)
    rows = fill_xlsx(sheet, {comment: {"New status": "maybe"}})
    head = upload_branch(portal, remote, sheet)
    outcomes, reply, replies = run_on_runner(name, remote, head, tmp_path)
    assert outcomes["apply"] == "failure" and outcomes["commit"] == "skipped", outcomes
    assert git(remote, "rev-parse", "upload-1") == head, "nothing pushed"
    assert "decisions/pending.xlsx was not applied" in reply
    assert f"decisions/pending.xlsx: row {rows[comment]}, column " in reply
    assert "&#39;maybe&#39; is not a status" in reply  # the cell's text, escaped
    _answers_with_the_reply_file(name, reply, replies)
