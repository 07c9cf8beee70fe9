"""Shared fixtures: a small portal repository to break, and the built example site.

The suite runs in parallel (pytest-xdist): every session fixture here is made once per worker,
in that worker's own temporary folder, and no test builds in the checkout itself (a build writes
its generated pages into the portal's build/docs, which two workers would overwrite).
"""

from __future__ import annotations

import datetime as dt
import shutil
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
# Test this checkout's package even when another checkout is the one pip installed.
sys.path.insert(0, str(REPO / "scripts"))

from rayzani.cli import main as rayzani  # noqa: E402
from rayzani.security.secrets import EXAMPLE_SITE_URL  # noqa: E402

# What a build of the example reads is its portal: the checkout less the code, tests and outputs.
NOT_THE_PORTAL = {".git", "build", "site", "scripts", "tests", "benchmarks", "node_modules", "artifacts"}
NOT_THE_PORTAL |= {".venv", ".pytest_cache", ".ruff_cache", ".mypy_cache", "__pycache__"}

BUILD_DATE = "2026-11-23"
CLOSED_DATE = "2026-12-20"  # the example closes 2026-12-15; its report is published 2026-12-18

DRAFT_FA = """\
---
title: آیین‌نامه آزمایشی
kind: bylaw
issuing_unit: واحد حقوقی
domain: آزمون
opens: 2026-11-01
closes: 2026-12-01
version: "1"
summary: خلاصه آیین‌نامه.
---
مقدمه سند.

## ماده ۱ — تعاریف

متن ماده یک.

1. بند یک
2. بند دو

## ماده ۲ — تکالیف

متن ماده دو.
"""

RECORD = """\
id: c1
target: sample
section: art-1-c2
received: 2026-11-05T10:00:00+03:30
channel: form
source: form:1
language: fa
body: نظر آزمایشی درباره بند دو.
author: {type: individual}
decision:
  status: rejected
  reason: {fa: دلیل رد, en: Reason for rejection}
  decided_by: واحد حقوقی
  date: 2026-11-20
"""

CALL = """\
---
title: {title}
kind: consultation
asked: {asked}
audience: [public]
opens: 2026-11-01
closes: 2026-12-01
draft: sample
channels: [form]
organiser: {organiser}
---
{body}
"""


class Repo:
    """A throwaway portal repository with one draft, one call and one comment."""

    def __init__(self, root: Path):
        self.root = root
        (root / "keys").mkdir(parents=True)
        shutil.copy(REPO / "keys" / "portal.pub", root / "keys" / "portal.pub")
        shutil.copy(REPO / "keys" / "demo-id-secret.txt", root / "keys" / "demo-id-secret.txt")
        # A copy of the example, at its address: the demo key and secrets are allowed there only.
        (root / "mkdocs.yml").write_text(
            f"site_name: test\nsite_url: {EXAMPLE_SITE_URL}\nextra:\n  rayzani:\n    min_comment_days: 30\n"
            "    id_secret_file: keys/demo-id-secret.txt\n"
        )
        self.write("content/drafts/sample/index.fa.md", DRAFT_FA)
        self.write("submissions/sample/c1.yml", RECORD)
        self.write(
            "content/calls/sample.fa.md",
            CALL.format(title="فراخوان", asked="نظر دهید", organiser="وزارت", body="متن فراخوان."),
        )
        self.write(
            "content/calls/sample.en.md",
            CALL.format(title="Call", asked="Comment", organiser="Ministry", body="The call."),
        )

    def write(self, relative: str, text: str) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    def edit(self, relative: str, old: str, new: str) -> Path:
        path = self.root / relative
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {relative}"
        path.write_text(text.replace(old, new), encoding="utf-8")
        return path


VOTE_ENDPOINT = "https://forms.example.org/rayzani/vote"
# A poll on the sample call: (question, first option's name, second option's name) per language.
POLL = {"fa": ("موافقید؟", "موافقم", "مخالفم"), "en": ("Agree?", "Agree", "Disagree")}


def add_poll(repo: Repo) -> None:
    """Put a two-option poll (agree, disagree) on the sample call."""
    for lang, (question, yes, no) in POLL.items():
        repo.edit(
            f"content/calls/sample.{lang}.md",
            "channels:",
            f"poll:\n  question: {question}\n  options:\n    - {{id: agree, name: {yes}}}\n"
            f"    - {{id: disagree, name: {no}}}\nchannels:",
        )


def example_config(root: Path) -> None:
    """The example's settings and the theme files they name (styles, scripts, the issuer's logo)."""
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(REPO / "overrides", root / "overrides", dirs_exist_ok=True)


def vote_form_issue(repo: Repo, name: str, forge_folder: str = ".github") -> None:
    """The real vote form of a forge folder (`.github`, `.forgejo`), copied for the sample call's poll
    under its own name."""
    folder = repo.root / forge_folder / "ISSUE_TEMPLATE"
    shutil.copytree(REPO / forge_folder / "ISSUE_TEMPLATE", folder)
    form = yaml.safe_load((folder / "vote.yml").read_text(encoding="utf-8"))
    (folder / "vote.yml").unlink()
    fields = {item.get("id"): item for item in form["body"]}
    fields["call"]["attributes"]["value"] = "sample"
    fields["vote"]["attributes"]["options"] = ["موافقم / Agree", "مخالفم / Disagree"]
    (folder / name).write_text(yaml.safe_dump(form, allow_unicode=True, sort_keys=False), encoding="utf-8")


@pytest.fixture(scope="session")
def voting_portal(tmp_path_factory: pytest.TempPathFactory) -> tuple[Repo, Path]:
    """A small portal whose sample call holds a poll, taking votes by issue and by web form."""
    repo = Repo(tmp_path_factory.mktemp("voting") / "portal")
    example_config(repo.root)
    shutil.copytree(REPO / "overrides", repo.root / "overrides", dirs_exist_ok=True)
    shutil.copy(REPO / "keys" / "demo-private.key", repo.root / "keys" / "demo-private.key")
    repo.edit("mkdocs.yml", 'form_endpoint: ""', f'form_endpoint: "{VOTE_ENDPOINT}"')
    for lang in ("fa", "en"):
        repo.edit(f"content/calls/sample.{lang}.md", "channels: [form]", "channels: [issue, form]")
    add_poll(repo)
    vote_form_issue(repo, "vote-sample.yml")  # a second poll's form: its own file name
    site = tmp_path_factory.mktemp("voting-site")
    assert rayzani(["--root", str(repo.root), "build", "--site-dir", str(site), "--date", BUILD_DATE]) == 0
    return repo, site


@pytest.fixture(scope="session", autouse=True)
def build_caches(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Builds keep their caches in a folder of this test session, not in the user's."""
    folder = tmp_path_factory.mktemp("caches")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RAYZANI_CACHE_DIR", str(folder))
        yield folder


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    """Debian's Chromium, headless, driven by Playwright (tests/test_*browser*.py)."""
    from browser_support import CHROMIUM_ARGS, chromium_path
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return Repo(tmp_path / "portal")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that drives Chromium is a browser test: `pytest -m browser` selects them all."""
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def example_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This worker's copy of the example portal, the root that tests build the example from."""
    root = tmp_path_factory.mktemp("example") / "portal"

    def not_copied(folder: str, names: list[str]) -> set[str]:
        return (NOT_THE_PORTAL if Path(folder) == REPO else {"__pycache__"}) & set(names)

    shutil.copytree(REPO, root, ignore=not_copied, symlinks=True)
    return root


def build_example(root: Path, site: Path, date: str) -> Path:
    """Build the example portal at `root` into `site` as of `date` (YYYY-MM-DD)."""
    assert rayzani(["--root", str(root), "build", "--site-dir", str(site), "--date", date]) == 0
    return site


@pytest.fixture(scope="session")
def example_site(tmp_path_factory: pytest.TempPathFactory, example_root: Path) -> Path:
    """The bundled example consultation, built as it would be on 2026-11-23."""
    return build_example(example_root, tmp_path_factory.mktemp("site"), BUILD_DATE)


@pytest.fixture(scope="session")
def closed_site(tmp_path_factory: pytest.TempPathFactory, example_root: Path) -> Path:
    """The example after its comment period closed and its report was published (2026-12-18)."""
    return build_example(example_root, tmp_path_factory.mktemp("site-closed"), CLOSED_DATE)


def today() -> dt.date:
    return dt.date.fromisoformat(BUILD_DATE)
