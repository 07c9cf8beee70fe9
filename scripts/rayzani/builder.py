"""Write the generated pages into the build folder and hand them to the static-site builder.

This is the only module that knows about MkDocs: swapping the builder (Zensical, ProperDocs)
means changing this file.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

from rayzani.generate import generate, generate_files
from rayzani.loader import load_portal, read_yaml
from rayzani.model import Portal
from rayzani.problems import Problem, ValidationFailed
from rayzani.settings import Settings, load_settings, read_mkdocs_config

DOCS_DIR = Path("build") / "docs"


@dataclass
class Project:
    """A Rayzani repository: its root folder, settings and validated content."""

    root: Path
    settings: Settings
    portal: Portal
    problems: list[Problem]

    @property
    def config(self) -> Path:
        return self.root / "mkdocs.yml"


def _certificate_problems(root: Path, settings: Settings) -> list[Problem]:
    from rayzani.incentives import REGISTER, certificate_secret, check_register

    path = root / REGISTER
    if not path.is_file():
        return []
    try:
        entries = read_yaml(path)
    except yaml.YAMLError as error:
        return [Problem(path, "", f"is not valid YAML: {str(error).splitlines()[0]}", "fix it")]
    return check_register(entries, path, certificate_secret(root, settings))


def load_project(root: Path, today: dt.date | None = None) -> Project:
    """The repository as it stands on `today` (default: the real today)."""
    settings, problems = load_settings(root / "mkdocs.yml")
    portal, content_problems = load_portal(root, settings, today)
    content_problems += _certificate_problems(root, settings)
    return Project(root, settings, portal, problems + content_problems)


def write_pages(project: Project, today: dt.date) -> tuple[int, int]:
    """Generate every page into build/docs; touch only files whose text changed.

    Returns (pages written, pages unchanged). Files no longer generated are removed, so a
    deleted draft disappears from the site.
    """
    if project.problems:
        raise ValidationFailed(project.problems)
    docs = project.root / DOCS_DIR
    docs.mkdir(parents=True, exist_ok=True)
    wanted: set[Path] = set()
    written = unchanged = 0
    site_url = str(read_mkdocs_config(project.config).get("site_url") or "")
    for key, lang, markdown in generate(project.portal, project.settings, today, site_url):
        path = docs / key / f"index.{lang}.md"
        wanted.add(path)
        if path.is_file() and path.read_text(encoding="utf-8") == markdown:
            unchanged += 1
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(markdown, encoding="utf-8")
        written += 1
    for relative, content in generate_files(project.portal, project.settings, today, site_url):
        path = docs / relative
        wanted.add(path)
        if path.is_file() and path.read_bytes() == content:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    for stale in docs.rglob("*"):
        if stale.is_file() and stale not in wanted:
            stale.unlink()
    return written, unchanged


def mkdocs_command(project: Project, *args: str) -> list[str]:
    return [sys.executable, "-m", "mkdocs", *args, "--config-file", str(project.config)]


def run_builder(project: Project, site_dir: Path | None = None) -> None:
    args = ["build", "--clean"]
    if site_dir is not None:
        args += ["--site-dir", str(site_dir.resolve())]
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    result = subprocess.run(
        mkdocs_command(project, *args, "--quiet"),
        cwd=project.root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"mkdocs build failed:\n{result.stdout}\n{result.stderr}")
