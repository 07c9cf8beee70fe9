"""A Rayzani project: a repository's settings, its validated portal and every problem found.

Loading a project is what every command does first (validate, build, serve, intake, decide,
the receiver): the settings from mkdocs.yml, the portal from the content and records, and the
checks that span both (demo secrets left in a published portal, the certificate register).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from rayzani.cache.store import Cache
from rayzani.load.config import load_settings, read_mkdocs_config
from rayzani.load.portal import load_portal
from rayzani.load.yaml_io import read_yaml_or_problem
from rayzani.model import Portal
from rayzani.problems import Problem
from rayzani.security.secrets import demo_secret_problems
from rayzani.settings import Settings


@dataclass
class Project:
    """A Rayzani repository: its root folder, settings and validated content."""

    root: Path
    settings: Settings
    portal: Portal
    problems: list[Problem]
    # The store it was loaded with, which generating its pages uses too: one per process, so
    # that `rayzani serve` reuses between builds what the last one read, opened and rendered.
    cache: Cache = field(default_factory=Cache.in_memory)

    @property
    def config(self) -> Path:
        return self.root / "mkdocs.yml"


def _certificate_problems(root: Path, settings: Settings) -> list[Problem]:
    from rayzani.analysis.incentives import REGISTER, certificate_secret, check_register

    path = root / REGISTER
    if not path.is_file():
        return []
    problems: list[Problem] = []
    entries = read_yaml_or_problem(path, problems, "fix it")
    if problems:
        return problems
    return check_register(entries, path, certificate_secret(root, settings))


def load_project(root: Path, today: dt.date | None = None, cache: Cache | None = None) -> Project:
    """The repository as it stands on `today` (default: the real today).

    `cache` is the store builds of this process share (default: a new one on this checkout's
    cache folder, as a new `rayzani build` has).
    """
    cache = cache or Cache.for_checkout(root)
    config = root / "mkdocs.yml"
    settings, problems = load_settings(config)
    if config.is_file() and not problems:  # a broken mkdocs.yml is reported once, by load_settings
        site_url = str(read_mkdocs_config(config).get("site_url") or "")
        problems += demo_secret_problems(root, config, settings, site_url)
    portal, content_problems = load_portal(root, settings, today, cache)
    content_problems += _certificate_problems(root, settings)
    return Project(root, settings, portal, problems + content_problems, cache)
