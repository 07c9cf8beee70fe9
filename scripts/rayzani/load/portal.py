"""load_portal: the whole repository read and validated, every problem collected."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rayzani.cache.store import Cache, long_lived_objects
from rayzani.load import schema as s
from rayzani.load.checks import check_anchor_reuse, check_changes, check_decisions, check_references
from rayzani.load.content import load_call, load_draft, load_panels
from rayzani.load.form_sets import check_form_sets
from rayzani.load.markdown import check_characters
from rayzani.load.poll_checks import check_vote_forms, check_votes, read_issue_forms, shown_forms_folder
from rayzani.load.records import load_records
from rayzani.load.yaml_io import read_yaml
from rayzani.model import Portal
from rayzani.problems import Problem
from rayzani.settings import Settings


def _checked_reader(problems: list[Problem]) -> Callable[[Path], Any]:
    """read_yaml for hand-written content files, reporting characters that are never text."""

    def read(path: Path) -> Any:
        data = read_yaml(path)
        problems.extend(check_characters(data, path))
        return data

    return read


def load_portal(
    root: Path, settings: Settings, today: dt.date | None = None, cache: Cache | None = None
) -> tuple[Portal, list[Problem]]:
    """Load and validate the whole repository as it stands on `today` (default: the real today).

    Every problem is returned, none raised. A decision dated after `today` is not yet
    published: the record shows the answer it had on that day (the build date sets "today").
    Records read before are taken from `cache` (default: this checkout's cache folder).
    """
    with long_lived_objects():
        return _load_portal(root, settings, today, cache or Cache.for_checkout(root))


def _load_portal(
    root: Path, settings: Settings, today: dt.date | None, cache: Cache
) -> tuple[Portal, list[Problem]]:
    today = today or dt.date.today()
    problems: list[Problem] = []
    portal = Portal(root=root, today=today)
    drafts_dir, calls_dir = root / "content" / "drafts", root / "content" / "calls"
    for folder in sorted(p for p in drafts_dir.glob("*") if p.is_dir()):
        draft = load_draft(folder, settings, problems)
        if draft:
            portal.drafts[draft.slug] = draft
    slugs = sorted({p.name.split(".")[0] for p in calls_dir.glob("*.md")})
    for slug in slugs:
        if s.slug(slug):
            problems.append(Problem(calls_dir / slug, "file name", s.slug(slug) or "", "rename the file"))
            continue
        call = load_call(slug, calls_dir, settings, problems)
        if call:
            portal.calls[slug] = call
    load_records(root, portal, problems, cache)
    for listed in portal.submissions.values():
        listed.sort(key=lambda r: (r.received, r.id))
    portal.panels = load_panels(root / "content" / "panels", problems, _checked_reader(problems))
    check_references(portal, problems)
    check_decisions(portal, problems)
    check_votes(portal, problems)
    github_forms = read_issue_forms(root, problems)
    forgejo_forms = read_issue_forms(root, problems, ".forgejo")
    portal.vote_forms = check_vote_forms(github_forms, portal, problems)
    forgejo_votes = check_vote_forms(forgejo_forms, portal, problems)
    portal.vote_forms = portal.vote_forms or forgejo_votes  # a portal on Forgejo alone
    check_form_sets(github_forms, forgejo_forms, problems)
    portal.issue_form_folder = shown_forms_folder(root, settings.forge)
    check_changes(portal, problems)
    check_anchor_reuse(portal, problems)
    return portal, problems
