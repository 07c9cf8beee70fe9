"""The GitHub and Forgejo workflows: every file parses, passes actionlint and zizmor, and pins its actions.

actionlint and zizmor know GitHub's syntax. Forgejo's differs in one thing these files use: an
action is named by its full URL (`https://data.forgejo.org/actions/checkout@<sha>`), which
actionlint refuses. So a Forgejo file is checked here in Python for that (a full https URL on a
Forgejo host, pinned to a commit) and then linted as a copy with the host removed; everything
else (expressions, contexts, `needs`, shell scripts through shellcheck where installed, event
text in scripts) is linted as it is.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml
from conftest import REPO

WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.y*ml"))
FORGEJO_WORKFLOWS = sorted((REPO / ".forgejo" / "workflows").glob("*.y*ml"))
ALL_WORKFLOWS = WORKFLOWS + FORGEJO_WORKFLOWS
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")
# A bare `owner/repo@sha` on Forgejo is fetched from the instance's DEFAULT_ACTIONS_URL, which
# its administrator may change: the Forgejo files name the host.
FORGEJO_USES = re.compile(r"^https://(?:data|code)\.forgejo\.org/(?P<action>[\w.-]+/[\w./-]+@[0-9a-f]{40})$")
# zizmor's audits for what the issue asks CI to refuse: event text spliced into a script, and actions
# not pinned to a commit. Its other findings (e.g. proposals.yml's deliberate pull_request_target) are
# design choices reviewed in their own workflow's tests, not lint failures.
ZIZMOR_REFUSED = {"template-injection", "unpinned-uses"}
# A workflow an attacker would love: an issue title in a shell script, an action on a movable tag.
BAD_WORKFLOW = """\
name: Greet
on:
  issues:
    types: [opened]
permissions: {}
jobs:
  greet:
    runs-on: ubuntu-24.04
    steps:
      - uses: actions/checkout@v4
        with:
          persist-credentials: false
      - run: echo "Thanks for ${{ github.event.issue.title }}"
"""


def _forgejo(path: Path) -> bool:
    return path.parent.name == "workflows" and path.parent.parent.name == ".forgejo"


def _id(path: Path) -> str:
    return f"{path.parent.parent.name}/{path.name}"


def lintable(path: Path, folder: Path) -> Path:
    """The workflow as actionlint reads it: a Forgejo file's action URLs checked, then as `owner/repo@sha`."""
    if not _forgejo(path):
        return path

    def bare(match: re.Match[str]) -> str:
        uses = FORGEJO_USES.match(match.group(2))
        where = f"{_id(path)}: {match.group(2)!r}"
        assert uses, f"{where} is not a full https URL of a Forgejo action at a commit"
        return match.group(1) + uses.group("action")

    text = re.sub(r"^(\s*-?\s*uses:\s*)(\S+)", bare, path.read_text(encoding="utf-8"), flags=re.M)
    copy = folder / "linted" / ".forgejo" / "workflows" / path.name
    copy.parent.mkdir(parents=True, exist_ok=True)
    copy.write_text(text, encoding="utf-8")
    return copy


def _load(path) -> dict:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    # YAML 1.1 reads the key `on` as True.
    data["on"] = data.pop(True, data.get("on"))
    return data


def test_there_is_a_publishing_workflow():
    assert REPO / ".github" / "workflows" / "publish.yml" in WORKFLOWS


def lint_workflows(paths: list[Path]) -> list[str]:
    """What actionlint and zizmor (offline, ignore comments not honoured) refuse in these workflows."""
    actionlint, zizmor = shutil.which("actionlint"), shutil.which("zizmor")
    assert actionlint and zizmor, "actionlint or zizmor is missing: pip install -e '.[test]' installs them"
    files = [str(p) for p in paths]
    problems: list[str] = []
    result = subprocess.run([actionlint, "-no-color", *files], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        problems.append(f"actionlint: {result.stdout}{result.stderr}")
    command = [
        zizmor,
        "--offline",
        "--no-config",
        "--no-ignores",
        "--no-progress",
        "--format",
        "json",
        *files,
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    assert result.stdout.strip(), f"zizmor failed to run: {result.stderr}"
    for finding in json.loads(result.stdout):
        if finding["ident"] in ZIZMOR_REFUSED:
            where = finding["locations"][0]["concrete"]
            problems.append(f"zizmor {finding['ident']}: {where['feature'].splitlines()[0]}")
    return problems


def test_workflows_have_no_script_injection_or_unpinned_action(tmp_path):
    assert WORKFLOWS and FORGEJO_WORKFLOWS
    assert lint_workflows([lintable(path, tmp_path) for path in ALL_WORKFLOWS]) == []


def test_workflow_lint_refuses_script_injection_and_unpinned_actions(tmp_path):
    bad = tmp_path / "greet.yml"
    bad.write_text(BAD_WORKFLOW, encoding="utf-8")
    problems = "\n".join(lint_workflows([bad]))
    assert "github.event.issue.title" in problems and "potentially untrusted" in problems  # actionlint
    assert "zizmor template-injection" in problems
    assert "zizmor unpinned-uses: uses: actions/checkout@v4" in problems


@pytest.mark.parametrize("path", ALL_WORKFLOWS, ids=_id)
def test_workflow_parses_and_passes_actionlint(path, tmp_path):
    data = _load(path)
    assert data["on"] and data["jobs"], f"{path.name} has no triggers or no jobs"
    actionlint = shutil.which("actionlint")
    assert actionlint, "actionlint is missing: pip install -e '.[test]' installs it"
    result = subprocess.run(
        [actionlint, "-no-color", str(lintable(path, tmp_path))],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("path", ALL_WORKFLOWS, ids=_id)
def test_workflow_pins_every_action_to_a_commit(path):
    pattern = FORGEJO_USES if _forgejo(path) else PINNED
    for name, job in _load(path)["jobs"].items():
        for step in job.get("steps", []):
            uses = step.get("uses")
            if uses and not uses.startswith("./"):
                assert pattern.match(uses), f"{_id(path)}: job {name} uses {uses!r}, not pinned as it must be"


def test_publish_workflow_deploys_main_only_with_least_privilege():
    data = _load(REPO / ".github" / "workflows" / "publish.yml")
    triggers = data["on"]
    assert triggers["push"]["branches"] == ["main"]
    assert "pull_request" in triggers and triggers["schedule"], "PR checks and a daily rebuild"
    assert data["permissions"] == {"contents": "read"}
    build, deploy = data["jobs"]["build"], data["jobs"]["deploy"]
    assert "permissions" not in build
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert "github.event_name != 'pull_request'" in deploy["if"]
    assert "refs/heads/main" in deploy["if"]
    runs = " ".join(step.get("run", "") for step in build["steps"])
    assert "rayzani validate" in runs and "rayzani build" in runs and "--date" in runs
    assert "concurrency" in data


def test_publish_workflow_validates_and_builds_as_of_the_same_day_in_tehran():
    steps = _load(REPO / ".github" / "workflows" / "publish.yml")["jobs"]["build"]["steps"]
    runs = [step.get("run", "") for step in steps]
    dated = {
        command: re.search(r'--date "\$(\w+)"', run)
        for run in runs
        for command in ("rayzani validate", "rayzani build")
        if command in run
    }
    assert dated.keys() == {"rayzani validate", "rayzani build"}
    names = {command: match.group(1) if match else None for command, match in dated.items()}
    assert None not in names.values(), f"each command gets --date from one variable: {runs}"
    assert len(set(names.values())) == 1, f"validate and build judge different days: {names}"
    (name,) = set(names.values())
    setting = [run for run in runs if f'echo "{name}=$(TZ=Asia/Tehran date +%F)" >> "$GITHUB_ENV"' in run]
    assert setting, f"{name} is not set once from Tehran's date"


def _steps(path: Path):
    """(job name, job, step) of every step of a workflow."""
    for name, job in _load(path)["jobs"].items():
        for step in job.get("steps", []):
            yield name, job, step


def _secret_env(step: dict, name: str) -> bool:
    return f"secrets.{name}" in str((step.get("env") or {}).get(name, ""))


@pytest.mark.parametrize("path", ALL_WORKFLOWS, ids=_id)
def test_every_rayzani_step_gets_the_portals_secrets(path):
    """A portal that removed the demo secrets (as the README says) still validates in CI."""
    for job, _, step in _steps(path):
        run = step.get("run", "")
        if re.search(r"\brayzani (validate|build|intake|decide --apply-uploads)\b", run):
            assert _secret_env(step, "RAYZANI_CERTIFICATE_SECRET"), f"{path.name} {job}: {step.get('name')}"
        if "rayzani intake" in run:  # participant ids are made with it
            assert _secret_env(step, "RAYZANI_ID_SECRET"), f"{path.name} {job}: {step.get('name')}"


def test_proposals_have_their_own_concurrency_group_per_pull_request():
    intake = _load(REPO / ".github" / "workflows" / "intake.yml")["concurrency"]
    proposals = _load(REPO / ".github" / "workflows" / "proposals.yml")["concurrency"]
    # One group shared with issue intake let the next issue event drop a waiting proposal run.
    assert proposals["group"] != intake["group"]
    assert "github.event.pull_request.number" in proposals["group"]
    assert proposals["cancel-in-progress"] is False


@pytest.mark.parametrize("path", ALL_WORKFLOWS, ids=_id)
def test_jobs_holding_secrets_install_only_packages_pinned_by_hash(path):
    for name, job in _load(path)["jobs"].items():
        text = yaml.safe_dump(job)
        if "secrets." not in text and "github.token" not in text:
            continue
        for step in job.get("steps", []):
            for line in step.get("run", "").splitlines():
                if "pip install" in line:
                    pinned = "--require-hashes -r .github/requirements.txt" in line
                    assert pinned or "--no-deps" in line, f"{path.name} {name}: {line.strip()}"
                    assert "--no-deps" not in line or "--no-build-isolation" in line, line


def test_the_pinned_requirements_have_hashes_and_say_how_to_regenerate_them():
    text = (REPO / ".github" / "requirements.txt").read_text(encoding="utf-8")
    assert "piptools compile --generate-hashes" in text.split("\n\n")[0]  # the header
    assert "with Python 3.12" in text  # the version the workflows set up
    pins = re.findall(r"^([a-z0-9._-]+)==\S+ \\\n((?:    --hash=sha256:[0-9a-f]{64}.*\n)+)", text, re.M)
    names = {name for name, _ in pins}
    listed = set(re.findall(r"^([a-z0-9._-]+)==", text, re.M))
    assert listed == names, f"pinned without a hash: {sorted(listed - names)}"
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    wanted = {
        re.sub(r"[-_.]+", "-", re.split(r"[<>=!~\[; ]", spec, maxsplit=1)[0].lower())
        for spec in project["project"]["dependencies"] + project["build-system"]["requires"]
    }
    assert wanted <= names, f"not pinned: {sorted(wanted - names)}"  # setuptools builds Rayzani


def test_the_intake_workflow_keeps_unmerged_records_and_pushes_with_a_lease():
    record = _load(REPO / ".github" / "workflows" / "intake.yml")["jobs"]["record"]
    runs = [step.get("run", "") for step in record["steps"]]
    order = [
        next(i for i, run in enumerate(runs) if needle in run)
        for needle in ("records_branch prepare", "rayzani intake github", "records_branch publish")
    ]
    assert order == sorted(order), "prepare, then intake, then publish"
    assert not any("git push" in run for run in runs), "the branch is pushed only with the lease"
    checkout = next(s for s in record["steps"] if str(s.get("uses", "")).startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0  # telling unmerged from removed needs main's history


def _filled(template: str, ref: str) -> str:
    """A cache key as a run of `ref` makes it; an expression this test does not know fails it."""
    values = {"github.ref": ref, "github.run_id": "1234", "github.run_attempt": "1"}

    def value(match: re.Match[str]) -> str:
        assert match.group(1) in values, f"cache key uses {match.group(0)}: say here what it is"
        return values[match.group(1)]

    return re.sub(r"\$\{\{\s*([\w.]+)\s*\}\}", value, template)


def test_publish_keeps_the_build_cache_for_main_and_no_pull_request_can_write_what_main_reads():
    steps = _load(REPO / ".github" / "workflows" / "publish.yml")["jobs"]["build"]["steps"]
    uses = [str(step.get("uses", "")).split("@")[0] for step in steps]
    assert "actions/cache" not in uses, "the combined action saves in pull requests too"
    restore = steps[uses.index("actions/cache/restore")]
    save = steps[uses.index("actions/cache/save")]
    rayzani = re.compile(r"\brayzani (validate|build)\b")
    runs = [i for i, step in enumerate(steps) if rayzani.search(step.get("run", ""))]
    assert uses.index("actions/cache/restore") < min(runs) and max(runs) < uses.index("actions/cache/save")
    # Saved only by runs of main, never by a pull request (whose code is not yet reviewed).
    condition = save["if"].replace(" ", "")
    assert condition == "github.event_name!='pull_request'&&github.ref=='refs/heads/main'"
    # The folder is the one the builds use, outside the checkout.
    folder = restore["with"]["path"]
    assert folder == save["with"]["path"] and folder.startswith("${{ runner.temp }}/")
    for i in runs:
        assert steps[i]["env"]["RAYZANI_CACHE_DIR"] == folder, steps[i].get("name")
    # What main restores: its key, or the newest key starting with one of its restore keys.
    main_reads = [_filled(restore["with"]["key"], "refs/heads/main")]
    main_reads += [_filled(k, "refs/heads/main") for k in restore["with"]["restore-keys"].split()]
    # Even if a pull request's run saved (or its restore key were saved), its key names its ref.
    for ref in ("refs/pull/7/merge", "refs/heads/feature", "refs/heads/main-not"):
        for template in (save["with"]["key"], restore["with"]["key"]):
            written = _filled(template, ref)
            assert not any(written.startswith(prefix) for prefix in main_reads), (ref, written)
    main_writes = _filled(save["with"]["key"], "refs/heads/main")
    assert any(main_writes.startswith(prefix) for prefix in main_reads[1:]), "main restores what it saved"


# The Forgejo workflows (.forgejo/workflows/): the same rules as GitHub's, and the self-hosted path's own.
FORGEJO = REPO / ".forgejo" / "workflows"
RUNS_ON = "${{ vars.RAYZANI_RUNNER || 'docker' }}"
EXPRESSION = re.compile(r"\$\{\{")
BAD_FORGEJO_WORKFLOW = BAD_WORKFLOW.replace(
    "uses: actions/checkout@v4", "uses: https://data.forgejo.org/actions/checkout@v4"
)


def test_forgejo_lint_refuses_unpinned_actions_and_event_text_in_scripts(tmp_path):
    bad = tmp_path / ".forgejo" / "workflows" / "greet.yml"
    bad.parent.mkdir(parents=True)
    bad.write_text(BAD_FORGEJO_WORKFLOW, encoding="utf-8")
    with pytest.raises(AssertionError, match="not a full https URL of a Forgejo action at a commit"):
        lintable(bad, tmp_path)
    bad.write_text(BAD_FORGEJO_WORKFLOW.replace("@v4", "@" + "0" * 40), encoding="utf-8")
    problems = "\n".join(lint_workflows([lintable(bad, tmp_path)]))
    assert "zizmor template-injection" in problems and "github.event.issue.title" in problems
    bare = BAD_WORKFLOW.replace("@v4", "@" + "0" * 40)  # owner/repo@sha: the instance picks the host
    bad.write_text(bare, encoding="utf-8")
    with pytest.raises(AssertionError):
        lintable(bad, tmp_path)


def test_there_is_a_forgejo_workflow_for_each_github_one_with_the_same_triggers():
    assert [p.name for p in FORGEJO_WORKFLOWS] == [p.name for p in WORKFLOWS]
    for github, forgejo in zip(WORKFLOWS, FORGEJO_WORKFLOWS, strict=True):
        ours, theirs = _load(forgejo), _load(github)
        assert ours["on"] == theirs["on"], forgejo.name
        assert ours["permissions"] == theirs["permissions"], forgejo.name
        assert ours["concurrency"]["group"].split("-")[0] == theirs["concurrency"]["group"].split("-")[0]


@pytest.mark.parametrize("path", FORGEJO_WORKFLOWS, ids=_id)
def test_forgejo_jobs_run_on_the_one_label_the_agency_sets(path):
    for name, job in _load(path)["jobs"].items():
        assert job["runs-on"] == RUNS_ON, f"{path.name} {name}: set the label once, in vars.RAYZANI_RUNNER"


@pytest.mark.parametrize("path", FORGEJO_WORKFLOWS, ids=_id)
def test_forgejo_scripts_hold_no_expression_and_no_download_from_github(path):
    """Values reach a script through env: only, so no event text can become shell code; and a
    self-hosted portal depends on nothing GitHub serves (no setup-python, whose builds it hosts)."""
    for job, _, step in _steps(path):
        assert not EXPRESSION.search(step.get("run", "")), f"{path.name} {job}: {step.get('name')}"
        assert "setup-python" not in str(step.get("uses", "")), f"{path.name} {job}"
    assert "github.com" not in path.read_text(encoding="utf-8")


@pytest.mark.parametrize("path", FORGEJO_WORKFLOWS, ids=_id)
def test_forgejo_writes_to_the_forge_use_the_bots_token(path):
    """A pull request the automatic token opens starts no workflow: pushes, replies and pull
    requests go through RAYZANI_FORGE_TOKEN, handed to the steps that write and to no other."""
    for job, _, step in _steps(path):
        run, env = step.get("run", ""), step.get("env") or {}
        writes = ("rayzani intake forgejo", "forge_pulls", "records_branch", "git push", "git fetch")
        if any(needle in run for needle in writes):
            assert env.get("FORGEJO_TOKEN") == "${{ secrets.RAYZANI_FORGE_TOKEN }}", f"{path.name} {job}"
        elif "FORGEJO_TOKEN" in env:
            pytest.fail(f"{path.name} {job}: {step.get('name')} holds the bot's token without writing")


def test_forgejo_publish_deploys_main_only_over_ssh_with_the_host_key_pinned():
    data = _load(FORGEJO / "publish.yml")
    steps = data["jobs"]["build"]["steps"]
    deploy = next(step for step in steps if "rsync --" in step.get("run", ""))
    condition = deploy["if"].replace(" ", "")
    assert condition == "github.event_name!='pull_request'&&github.ref=='refs/heads/main'"
    assert steps.index(deploy) == len(steps) - 1, "published only after the build succeeded"
    run = deploy["run"]
    assert "StrictHostKeyChecking=yes" in run and "UserKnownHostsFile=$hosts" in run
    assert "BatchMode=yes" in run and "IdentitiesOnly=yes" in run
    text = (FORGEJO / "publish.yml").read_text(encoding="utf-8")
    assert "StrictHostKeyChecking=no" not in text and "ssh-keyscan" not in text
    assert deploy["env"]["KNOWN_HOSTS"] == "${{ secrets.RAYZANI_DEPLOY_KNOWN_HOSTS }}"
    assert deploy["env"]["DEPLOY_KEY"] == "${{ secrets.RAYZANI_DEPLOY_KEY }}"
    # The deploy key is in that step alone; the private key is never given to a pull request build.
    for step in steps:
        if step is not deploy:
            assert "RAYZANI_DEPLOY_KEY" not in str(step), step.get("name")
    build = next(step for step in steps if "rayzani build" in step.get("run", ""))
    given = build["env"]["RAYZANI_PRIVATE_KEY"]
    assert "github.event_name != 'pull_request' && secrets.RAYZANI_PRIVATE_KEY" in given


def test_forgejo_intake_records_issue_forms_and_the_receiver_then_pushes_with_a_lease():
    jobs = _load(FORGEJO / "intake.yml")["jobs"]
    runs = [step.get("run", "") for step in jobs["record"]["steps"]]
    needles = (
        "records_branch prepare",
        "rayzani intake forgejo --repo",
        "rayzani intake receiver --db",
        "records_branch publish",
        "forge_pulls open",
    )
    order = [next(i for i, run in enumerate(runs) if needle in run) for needle in needles]
    assert order == sorted(order), "prepare, intake, receiver drain, publish, then the pull request"
    assert not any("git push" in run for run in runs), "the branch is pushed only with the lease"
    assert "--notify" not in " ".join(runs)
    notify = " ".join(step.get("run", "") for step in jobs["notify"]["steps"])
    assert "rayzani intake forgejo" in notify and "--notify" in notify
    assert jobs["notify"]["permissions"] == {"contents": "read", "issues": "write"}
    checkout = next(s for s in jobs["record"]["steps"] if "actions/checkout@" in str(s.get("uses", "")))
    assert checkout["with"]["fetch-depth"] == 0


def test_forgejo_proposals_run_the_same_intake_as_github():
    def command(path: Path) -> str:
        return next(run for _, _, step in _steps(path) if "rayzani intake" in (run := step.get("run", "")))

    assert command(FORGEJO / "proposals.yml") == command(REPO / ".github" / "workflows" / "proposals.yml")
    intake = _load(FORGEJO / "intake.yml")["concurrency"]
    proposals = _load(FORGEJO / "proposals.yml")["concurrency"]
    assert proposals["group"] != intake["group"] and proposals["cancel-in-progress"] is False
    assert "github.event.pull_request.number" in proposals["group"]


# The Decide workflows: editors' uploaded worksheets applied on their pull request, the sheet exported.
DECIDE = {"github": REPO / ".github" / "workflows" / "decide.yml", "forgejo": FORGEJO / "decide.yml"}


def _run_index(steps: list[dict], needle: str) -> int:
    return next(i for i, step in enumerate(steps) if needle in step.get("run", ""))


@pytest.mark.parametrize("forge", DECIDE)
def test_decide_applies_uploads_only_for_branches_of_this_repository_with_least_privilege(forge):
    data = _load(DECIDE[forge])
    assert data["on"]["pull_request"]["paths"] == ["decisions/**"]
    assert "pull_request_target" not in data["on"], "never the base's token on a fork's files"
    assert data["permissions"] == {}
    apply, export = data["jobs"]["apply"], data["jobs"]["export"]
    condition = " ".join(apply["if"].split())
    assert "github.event_name == 'pull_request'" in condition
    assert "github.event.pull_request.head.repo.full_name == github.repository" in condition
    assert apply["permissions"] == {"contents": "write", "pull-requests": "write"}
    assert export["permissions"] == {"contents": "read"}
    assert "secrets." not in yaml.safe_dump(export), "exporting needs no secret"
    checkout = next(s for s in apply["steps"] if "checkout@" in str(s.get("uses", "")))
    assert checkout["with"] == {
        "ref": "${{ github.event.pull_request.head.sha }}",
        "persist-credentials": False,
    }
    assert data["concurrency"]["cancel-in-progress"] is False


@pytest.mark.parametrize("forge", DECIDE)
def test_decide_validates_before_it_commits_and_answers_only_what_happened(forge):
    steps = _load(DECIDE[forge])["jobs"]["apply"]["steps"]
    order = [
        _run_index(steps, needle)
        for needle in ("rayzani decide --apply-uploads", "rayzani validate", "git push", "--body-file")
    ]
    assert order == sorted(order) and len(set(order)) == 4, "apply, validate, commit, then answer"
    apply, commit, answer = steps[order[0]], steps[order[2]], steps[order[3]]
    assert '--reply "$RUNNER_TEMP/reply.md"' in apply["run"] and '"$RUNNER_TEMP/reply.md"' in answer["run"]
    assert "--force" not in commit["run"] and 'HEAD:refs/heads/${HEAD_REF}"' in commit["run"]
    assert "if" not in commit, "nothing is committed after a refused sheet"
    # The answer: the problems when the sheet was refused, the counts once the records are pushed.
    condition = answer["if"].replace(" ", "")
    assert f"steps.{apply['id']}.outcome=='failure'" in condition
    assert f"steps.{commit['id']}.outcome=='success'" in condition


def test_decide_runs_the_same_commands_on_both_forges():
    def commands(path: Path) -> list[str]:
        return [run for _, _, step in _steps(path) if "rayzani " in (run := step.get("run", ""))]

    assert commands(DECIDE["github"]) == commands(DECIDE["forgejo"])


@pytest.mark.parametrize("forge", DECIDE)
def test_decide_exports_the_sheet_as_the_runs_artifact(forge):
    steps = _load(DECIDE[forge])["jobs"]["export"]["steps"]
    export = _run_index(steps, "rayzani decide --export")
    assert '--export "$RUNNER_TEMP/worksheet/worksheet.$FORMAT"' in steps[export]["run"]
    keep = steps[export + 1]
    assert "/upload-artifact@" in keep["uses"]
    assert (
        keep["with"]["path"] == "${{ runner.temp }}/worksheet/"
        and keep["with"]["if-no-files-found"] == "error"
    )
    # The dispatcher's choices reach the script through env: only.
    for name in ("status", "target", "panel"):
        assert f"github.event.inputs.{name}" in steps[export]["env"][name.upper()]


_TOKEN = re.compile(
    r"\s*(?:(?P<op>\|\||&&|==|!=|!|\(|\)|,)|'(?P<str>(?:[^']|'')*)'|(?P<name>[A-Za-z_][\w.-]*))"
)


LITERALS = {"true": True, "false": False, "null": None}


def evaluate(expression: str, context: dict) -> object:
    """A workflow `if:` as the runner reads it, for the operators these files use: `||`, `&&`,
    `!`, `==`, `!=` (strings compared ignoring case, as GitHub and Forgejo do), `startsWith`,
    string literals and context paths (a missing one is null)."""
    tokens: list[tuple[str, str]] = []
    rest = expression.strip()
    while rest:
        match = _TOKEN.match(rest)
        assert match, f"cannot read {rest!r}"
        kind = next(k for k in ("op", "str", "name") if match.group(k) is not None)
        tokens.append((kind, match.group(kind)))
        rest = rest[match.end() :].strip()
    position = 0

    def peek() -> str | None:
        return tokens[position][1] if position < len(tokens) and tokens[position][0] == "op" else None

    def take() -> tuple[str, str]:
        nonlocal position
        position += 1
        return tokens[position - 1]

    def fold(value: object) -> object:
        return value.casefold() if isinstance(value, str) else value

    def primary() -> object:
        kind, value = take()
        if kind == "str":
            return value.replace("''", "'")
        if kind == "op" and value == "(":
            inner = either()
            assert take() == ("op", ")")
            return inner
        if kind == "name" and peek() == "(":
            take()
            args = [either()]
            while peek() == ",":
                take()
                args.append(either())
            assert take() == ("op", ")") and value == "startsWith", value
            return str(fold(args[0] or "")).startswith(str(fold(args[1])))
        if value in LITERALS:
            return LITERALS[value]
        found: object = context
        for part in value.split("."):
            found = found.get(part) if isinstance(found, dict) else None
        return found

    def compare() -> object:
        left = primary()
        if peek() in ("==", "!="):
            op = take()[1]
            same = fold(left) == fold(primary())
            return same if op == "==" else not same
        return left

    def negation() -> object:
        if peek() == "!":
            take()
            return not negation()
        return compare()

    def both() -> object:
        value = negation()
        while peek() == "&&":
            take()
            right = negation()
            value = value and right
        return value

    def either() -> object:
        value = both()
        while peek() == "||":
            take()
            right = both()
            value = value or right
        return value

    result = either()
    assert position == len(tokens), f"unread: {tokens[position:]}"
    return result


def _pull_request_event(head_repo: str | None, branch: str) -> dict:
    head = {"ref": branch, "repo": {"full_name": head_repo} if head_repo else None}
    return {"repository": "ministry/portal", "event": {"pull_request": {"number": 7, "head": head}}}


def test_workflow_condition_reader_reads_what_the_runner_reads():
    event = {"github": _pull_request_event("ministry/portal", "CMS/x")}
    assert evaluate("github.event.pull_request.head.repo.full_name == 'Ministry/Portal'", event) is True
    assert evaluate("!startsWith(github.event.pull_request.head.ref, 'cms/')", event) is False
    assert evaluate("github.missing == 'x' || (github.event.pull_request.number && 'a' != 'b')", event)
    assert evaluate("true && !false", event) is True and evaluate("github.missing", event) is None


@pytest.mark.parametrize("folder", [REPO / ".github" / "workflows", FORGEJO], ids=lambda p: p.parent.name)
@pytest.mark.parametrize(
    ("head_repo", "branch", "recorded"),
    [
        # Decap's editorial workflow saves an entry to cms/<collection>/<entry> in the repository
        # itself (Gitea's backend to cms/edits): an editor's change, reviewed by its own pull request.
        ("ministry/portal", "cms/drafts/e-participation", False),
        ("ministry/portal", "cms/edits", False),
        # A participant's pull request, from a fork, is a proposal whatever its branch is called.
        ("someone/portal", "cms/drafts/e-participation", True),
        ("someone/portal", "main", True),
        (None, "cms/drafts/e-participation", True),  # the fork was deleted since
        # A branch in the repository that is not the editor's is still recorded.
        ("ministry/portal", "article-3-wording", True),
        ("ministry/portal", "drafts/cms/notes", True),
    ],
)
def test_proposals_skip_the_content_editors_pull_requests(folder, head_repo, branch, recorded):
    jobs = _load(folder / "proposals.yml")["jobs"]
    assert list(jobs) == ["record"]
    condition = jobs["record"].get("if", "true")
    assert evaluate(condition, {"github": _pull_request_event(head_repo, branch)}) is recorded
