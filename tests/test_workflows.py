"""The GitHub workflows: every file parses, passes actionlint, and pins its actions."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
import yaml
from conftest import REPO

WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.y*ml"))
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")


def _load(path) -> dict:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    # YAML 1.1 reads the key `on` as True.
    data["on"] = data.pop(True, data.get("on"))
    return data


def test_there_is_a_publishing_workflow():
    assert REPO / ".github" / "workflows" / "publish.yml" in WORKFLOWS


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_parses_and_passes_actionlint(path):
    data = _load(path)
    assert data["on"] and data["jobs"], f"{path.name} has no triggers or no jobs"
    actionlint = shutil.which("actionlint")
    assert actionlint, "actionlint is missing: pip install -e '.[test]' installs it"
    result = subprocess.run(
        [actionlint, "-no-color", str(path)], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_pins_every_action_to_a_commit(path):
    for name, job in _load(path)["jobs"].items():
        for step in job.get("steps", []):
            uses = step.get("uses")
            if uses and not uses.startswith("./"):
                assert PINNED.match(uses), f"{path.name}: job {name} uses {uses!r}, not a full commit SHA"


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
