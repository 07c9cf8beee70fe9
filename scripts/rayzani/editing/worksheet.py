"""The decision worksheet: one row per comment or idea, for editors who decide in a spreadsheet.

`rayzani decide --export FILE` writes it (xlsx, ods or csv); `rayzani decide --batch FILE`
(`worksheet_batch.py`) applies its filled rows through the one decide path. Its hidden columns
say which record a row is and how that record stood when exported, so that a record changed or
decided by someone else in the meantime is reported, never overwritten.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rayzani.editing.sheet_files import FORMATS, Choice, Sheet, write_sheet
from rayzani.i18n import messages
from rayzani.i18n.text import localise_digits
from rayzani.load.yaml_io import read_yaml
from rayzani.model import (
    ALL_STATUSES,
    DECISION_STATUSES,
    IDEA_STATUSES,
    OPEN_STATUSES,
    Draft,
    Portal,
    Submission,
)
from rayzani.problems import Problem


@dataclass(frozen=True)
class Column:
    key: str
    fill: bool = False  # an editor fills it in; the others say what the row is about
    hidden: bool = False  # what the import needs, out of the editor's way
    wrapped: bool = False
    width: float = 16


COLUMNS = (
    Column("reference", width=12),
    Column("target", width=18),
    Column("article", wrapped=True, width=22),
    Column("text", wrapped=True, width=60),
    Column("respondent", width=14),
    Column("current", width=14),
    Column("status", fill=True, width=18),
    Column("reason_fa", fill=True, wrapped=True, width=40),
    Column("reason_en", fill=True, wrapped=True, width=40),
    Column("legal_basis", fill=True, wrapped=True, width=20),
    Column("panel", fill=True, width=18),
    Column("decided_by", fill=True, width=18),
    Column("duplicate_of", fill=True, width=14),
    Column("scores", fill=True, width=18),
    Column("record", hidden=True),
    Column("record_sha256", hidden=True),
    Column("decision_sha256", hidden=True),
)
KEYS = tuple(c.key for c in COLUMNS)
FILLED = tuple(c.key for c in COLUMNS if c.fill)


def header(key: str) -> str:
    """A column's heading, in both languages: the sheet reads the same for every editor."""
    return f"{messages.text(f'ws_{key}', 'fa')} / {messages.text(f'ws_{key}', 'en')}"


def header_names(key: str) -> set[str]:
    """What the import takes as this column's heading: both languages together, either, or the key."""
    return {header(key), messages.text(f"ws_{key}", "fa"), messages.text(f"ws_{key}", "en"), key}


def decision_fingerprint(decision: Any) -> str:
    """SHA-256 of a record's decision block as YAML reads it: any later change to it shows."""
    canonical = json.dumps(decision, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class RecordState:
    """A record file as it stands: what the import compares with what was exported."""

    digest: str  # SHA-256 of the file
    fingerprint: str  # of its decision block
    decision: dict[str, Any]  # as written, a decision dated later than today included


def record_state(path: Path) -> RecordState:
    data = path.read_bytes()
    raw = read_yaml(path)
    decision = raw.get("decision") if isinstance(raw, dict) else None
    written = decision if isinstance(decision, dict) else {}
    return RecordState(hashlib.sha256(data).hexdigest(), decision_fingerprint(decision), written)


def statuses_for(portal: Portal, target: str) -> tuple[str, ...]:
    return IDEA_STATUSES if portal.takes_ideas(target) else DECISION_STATUSES


def _article(portal: Portal, record: Submission, lang: str) -> str:
    """Where the comment is, as its reader sees it: the article's heading (and clause) in the
    text it was made on, or the idea's domain."""
    subject = portal.target(record.target)
    if isinstance(subject, Draft):
        version = subject.version_of(record)
        shown = version.text(lang).articles
        for fa_article, article in zip(version.articles, shown, strict=False):
            if record.section == fa_article.anchor:
                return article.heading
            for clause in fa_article.clauses:
                if clause.anchor == record.section:
                    word = messages.text("ws_clause", lang, n=localise_digits(clause.position, lang))
                    return f"{article.heading}{messages.text('ws_separator', lang)}{word}"
        return record.section or messages.text("general", lang)
    domain = subject.domain(record.domain) if subject and record.domain else None
    return domain.name.get(lang) if domain else messages.text("general", lang)


def _selected(
    portal: Portal, target: str | None, status: str | None, panel: str | None
) -> list[tuple[Submission, RecordState]]:
    """The records asked for, judged by the decision their file holds: one already taken but
    dated later (to be published then) is taken, not pending."""
    records = [
        (r, record_state(r.path))
        for t, found in portal.submissions.items()
        if target in (None, t)
        for r in found
    ]
    if status == "pending":  # no answer yet: pending, received or under review
        records = [(r, s) for r, s in records if s.decision.get("status") in OPEN_STATUSES]
    elif status:
        records = [(r, s) for r, s in records if s.decision.get("status") == status]
    if panel:
        remit = portal.panels[panel]
        records = [
            (r, s)
            for r, s in records
            if r.target in remit.drafts
            or (r.domain and r.domain in remit.domains)
            or s.decision.get("panel") == panel
        ]
    return records


def _row(portal: Portal, record: Submission, state: RecordState, lang: str) -> list[str]:
    text = record.shown_text
    if record.withheld:  # kept and decided like any other, but its text is not shown here either
        text = messages.text("ws_withheld", lang, reason=record.withheld_reason or "")
    current = str(state.decision.get("status") or portal.initial_status(record.target))
    values = {
        # The id names the record (and a duplicate's original); the receipt number is what the
        # participant was given.
        "reference": f"{record.id} · {record.reference}" if record.reference else record.id,
        "target": record.target,
        "article": _article(portal, record, lang),
        "text": text,
        "respondent": messages.text(f"type_{record.shown_author.type}", lang),
        "current": messages.text(f"status_{current}", lang) if current in ALL_STATUSES else current,
        "record": record.path.relative_to(portal.root).as_posix(),
        "record_sha256": state.digest,
        "decision_sha256": state.fingerprint,
    }
    return [values.get(key, "") for key in KEYS]


def _filter_problems(
    portal: Portal, path: Path, target: str | None, status: str | None, panel: str | None
) -> list[Problem]:
    found = []
    if path.suffix.lower() not in FORMATS:
        found.append(Problem(path, "--export", "is not a worksheet file", f"name it {' or '.join(FORMATS)}"))
    if target and portal.target(target) is None:
        found.append(
            Problem(path, "--target", f"{target!r} is no draft or call", "use a slug under content/")
        )
    if status and status not in ALL_STATUSES:
        found.append(
            Problem(path, "--status", f"{status!r} is no status", f"use one of {', '.join(ALL_STATUSES)}")
        )
    if panel and panel not in portal.panels:
        found.append(Problem(path, "--panel", f"{panel!r} is no panel", "use a slug under content/panels/"))
    return found


def export_sheet(
    portal: Portal,
    path: Path,
    *,
    target: str | None = None,
    status: str | None = None,
    panel: str | None = None,
    lang: str = "fa",
) -> tuple[int, list[Problem]]:
    """Write the worksheet of the selected records; (rows written, problems with the request)."""
    problems = _filter_problems(portal, path, target, status, panel)
    if problems:
        return 0, problems
    selected = _selected(portal, target, status, panel)
    rows = [_row(portal, record, state, lang) for record, state in selected]
    records = [record for record, _ in selected]
    status_col, panel_col = KEYS.index("status"), KEYS.index("panel")
    ideas = tuple(n for n, r in enumerate(records) if portal.takes_ideas(r.target))
    comments = tuple(n for n, r in enumerate(records) if not portal.takes_ideas(r.target))
    choices = [
        Choice(status_col, DECISION_STATUSES, comments),
        Choice(status_col, IDEA_STATUSES, ideas),
        Choice(panel_col, tuple(portal.panels), tuple(range(len(records)))),
    ]
    sheet = Sheet(
        header=[header(key) for key in KEYS],
        rows=rows,
        rtl=lang == "fa",
        hidden=frozenset(n for n, c in enumerate(COLUMNS) if c.hidden),
        wrapped=frozenset(n for n, c in enumerate(COLUMNS) if c.wrapped),
        choices=tuple(c for c in choices if c.rows and c.values),
        widths={n: c.width for n, c in enumerate(COLUMNS)},
    )
    write_sheet(sheet, path)
    return len(rows), []
