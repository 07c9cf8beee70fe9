"""`rayzani decide --batch FILE.xlsx|.ods|.csv`: apply a filled decision worksheet.

Every filled row becomes one entry of the one decide path (history kept, only the decision
block changes, the portal validated after). Every problem is reported by the sheet's row and
column, and nothing is written until the whole sheet is good. A row whose record changed, or
was decided by someone else, since the export is reported and never overwritten.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rayzani.editing.decide import Decided, decide
from rayzani.editing.sheet_files import column_letter, read_sheet
from rayzani.editing.worksheet import FILLED, KEYS, header, header_names, record_state, statuses_for
from rayzani.i18n import messages
from rayzani.i18n.text import to_ascii_digits
from rayzani.model import Portal, Submission
from rayzani.problems import Problem
from rayzani.project import load_project

REQUIRED = ("status", "record", "record_sha256", "decision_sha256")
# A problem the decide path finds in a record's field, shown on the column that filled it.
FIELD_COLUMN = {
    "status": "status",
    "reason": "reason_fa",
    "legal_basis": "legal_basis",
    "decided_by": "decided_by",
    "panel": "panel",
    "duplicate_of": "duplicate_of",
    "scores": "scores",
    "date": "status",
}
_SCORE_SEPARATORS = re.compile(r"[;,،؛\n]")
_SCORE = re.compile(r"(.+?)\s*[=:]\s*(\S+)")


@dataclass(frozen=True)
class Row:
    number: int  # as the spreadsheet numbers it: the header is row 1
    cells: dict[str, str]


class _Where:
    """Names a cell of the sheet in a problem: 'row 5, column G (New status)'."""

    def __init__(self, path: Path, columns: dict[str, int]):
        self.path = path
        self.columns = columns

    def problem(self, row: int, key: str, message: str, fix: str) -> Problem:
        index = self.columns.get(key)
        column = f", column {column_letter(index)} ({header(key)})" if index is not None else ""
        return Problem(self.path, f"row {row}{column}", message, fix)


def _columns(path: Path, heading: list[str]) -> tuple[dict[str, int], list[Problem]]:
    found: dict[str, int] = {}
    for index, name in enumerate(heading):
        for key in KEYS:
            if name.strip() in header_names(key):
                found.setdefault(key, index)
    missing = [key for key in REQUIRED if key not in found]
    if missing:
        names = ", ".join(header(k) for k in missing)
        fix = "export the worksheet again (rayzani decide --export) and keep its hidden columns"
        return found, [Problem(path, "row 1", f"has no column {names}", fix)]
    return found, []


def _status(value: str, allowed: tuple[str, ...]) -> str | None:
    """The status code an editor meant: the dropdown's code, or its label in either language."""
    for code in allowed:
        labels = {code, *(messages.text(f"status_{code}", lang) for lang in ("fa", "en"))}
        if value in labels or value.casefold() in {label.casefold() for label in labels}:
            return code
    return None


def _scores(value: str) -> dict[str, int | float] | None:
    """'relevance=8; feasibility=6.5' (or ':', Persian digits); None when it cannot be read."""
    found: dict[str, int | float] = {}
    for part in filter(None, (p.strip() for p in _SCORE_SEPARATORS.split(value))):
        pair = _SCORE.fullmatch(part)
        try:
            score = float(to_ascii_digits(pair.group(2))) if pair else None
        except ValueError:
            score = None
        if pair is None or score is None:
            return None
        found[pair.group(1)] = int(score) if score.is_integer() else score
    return found


class _Rows:
    """Reads the rows into decide entries, collecting every problem on the way."""

    def __init__(self, portal: Portal, root: Path, where: _Where):
        self.portal = portal
        self.root = root
        self.where = where
        self.problems: list[Problem] = []
        self.records = {r.path.resolve(): r for found in portal.submissions.values() for r in found}
        self.rows_of: dict[Path, int] = {}
        self.ids: dict[str, set[str]] = {}  # record ids per target, for duplicate_of

    def _ids(self, target: str) -> set[str]:
        if target not in self.ids:
            self.ids[target] = {r.id for r in self.portal.comments_on(target)}
        return self.ids[target]

    def add(self, row: int, key: str, message: str, fix: str) -> None:
        self.problems.append(self.where.problem(row, key, message, fix))

    def entry(self, row: Row) -> dict[str, Any] | None:
        cells = row.cells
        record = self._record(row)
        if record is None or not self._unchanged(row, record):
            return None
        allowed = statuses_for(self.portal, record.target)
        status = _status(cells["status"], allowed)
        n = row.number
        if not cells["status"]:
            self.add(n, "status", "is empty, but other decision cells of the row are filled", "pick a status")
        elif status is None:
            kind = "an idea" if self.portal.takes_ideas(record.target) else "a comment"
            self.add(
                n,
                "status",
                f"{cells['status']!r} is not a status for {kind}",
                f"pick one of {', '.join(allowed)}",
            )
        answered = status not in (None, "pending", "received")
        if answered and not cells["reason_fa"]:
            self.add(n, "reason_fa", f"is missing for a {status} decision", "write the reason in Persian")
        if answered and not cells["decided_by"] and not cells["panel"]:
            self.add(
                n, "decided_by", f"is missing for a {status} decision", "name the unit, or pick the panel"
            )
        if cells["panel"] and cells["panel"] not in self.portal.panels:
            self.add(
                n,
                "panel",
                f"{cells['panel']!r} is not a panel",
                f"pick one of {', '.join(self.portal.panels)}",
            )
        if status == "duplicate" and not cells["duplicate_of"]:
            self.add(n, "duplicate_of", "is missing for a duplicate", "give the id of the record it repeats")
        repeated = cells["duplicate_of"]
        if repeated and (repeated == record.id or repeated not in self._ids(record.target)):
            self.add(n, "duplicate_of", f"{repeated!r} is not another record on {record.target!r}",
                     "give the id of the earlier record (the Reference column)")  # fmt: skip
        scores = _scores(cells["scores"]) if cells["scores"] else {}
        if scores is None:
            self.add(
                n,
                "scores",
                f"{cells['scores']!r} cannot be read",
                "write criterion=score; ..., e.g. relevance=8",
            )
        self.rows_of[record.path.resolve()] = n
        return {
            "target": record.target,
            "id": record.id,
            "status": status,
            "reason": {"fa": cells["reason_fa"], "en": cells["reason_en"]},
            "legal_basis": cells["legal_basis"],
            "decided_by": cells["decided_by"],
            "panel": cells["panel"],
            "duplicate_of": cells["duplicate_of"],
            "scores": scores or {},
        }

    def _record(self, row: Row) -> Submission | None:
        named = row.cells["record"]
        path = (self.root / named).resolve() if named else None
        record = self.records.get(path) if path else None
        if record is None or path is None:
            self.add(row.number, "record", f"{named!r} names no comment or idea of the portal",
                     "export the worksheet again: the record was removed, or the cell changed")  # fmt: skip
            return None
        if path in self.rows_of:
            self.add(row.number, "record", f"is the record of row {self.rows_of[path]} too",
                     "decide each record on one row only")  # fmt: skip
            return None
        return record

    def _unchanged(self, row: Row, record: Submission) -> bool:
        """The record stands as exported; otherwise say what changed, and leave it alone."""
        state = record_state(record.path)
        if state.digest == row.cells["record_sha256"]:
            return True
        self.rows_of[record.path.resolve()] = row.number
        if state.fingerprint != row.cells["decision_sha256"]:
            now = state.decision
            by = now.get("decided_by") or now.get("panel") or "?"
            self.add(row.number, "current", f"was decided since the export ({now.get('status')}, by {by}, "
                     f"on {now.get('date') or '?'}): that decision is kept",
                     "export again and decide on the record as it now stands")  # fmt: skip
        else:
            self.add(row.number, "text", "the record changed since the export (its text or publication)",
                     "export again and decide on the record as it now stands")  # fmt: skip
        return False


def read_rows(path: Path) -> tuple[list[Row], dict[str, int], list[Problem]]:
    """The sheet's rows with any decision cell filled, by column key."""
    grid = read_sheet(path)
    if not grid:
        return (
            [],
            {},
            [Problem(path, "row 1", "the sheet is empty", "export it with rayzani decide --export")],
        )
    columns, problems = _columns(path, grid[0])
    if problems:
        return [], columns, problems
    rows = []
    for number, values in enumerate(grid[1:], start=2):
        cells = {k: (values[i].strip() if i < len(values) else "") for k, i in columns.items()}
        cells = {**dict.fromkeys(KEYS, ""), **cells}
        if any(cells[key] for key in FILLED):
            rows.append(Row(number, cells))
    return rows, columns, []


@dataclass(frozen=True)
class CheckedSheet:
    """A sheet whose filled rows are all good: its decide entries, and where each came from."""

    path: Path
    entries: list[dict[str, Any]]
    rows_of: dict[Path, int]  # record file -> sheet row
    where: _Where

    def on_sheet(self, problem: Problem) -> Problem | None:
        """A problem the decide path found, on this sheet's row and column; None if not its record."""
        row = self.rows_of.get(problem.path.resolve())
        return None if row is None else _on_sheet(problem, row, self.where)


def check_sheet(portal: Portal, root: Path, path: Path) -> tuple[CheckedSheet | None, list[Problem]]:
    """Read a filled sheet against the portal as loaded: its entries, or every problem it has."""
    rows, columns, problems = read_rows(path)
    if problems:
        return None, problems
    where = _Where(path, columns)
    reader = _Rows(portal, root, where)
    entries = [e for e in (reader.entry(row) for row in rows) if e is not None]
    if reader.problems:
        return None, reader.problems
    if not entries:
        return None, [Problem(path, "", "no row has a decision filled in", "fill in the New status column")]
    return CheckedSheet(path, entries, reader.rows_of, where), []


def apply_sheet(root: Path, path: Path, today: dt.date) -> tuple[list[Decided], list[Problem]]:
    """Apply every filled row, or nothing: (what was decided, every problem by row and column)."""
    sheet, problems = check_sheet(load_project(root, today).portal, root, path)
    if sheet is None:
        return [], problems
    done, problems = decide(root, sheet.entries, today, path)
    return done, [sheet.on_sheet(p) or p for p in problems]


def _on_sheet(problem: Problem, row: int, where: _Where) -> Problem:
    """A problem the decide path found in a record, put on the row and column it came from."""
    name, _, part = problem.field.removeprefix("decision.").partition(".")
    message = f"{part} {problem.message}" if part else problem.message  # e.g. which score
    return where.problem(row, FIELD_COLUMN.get(name.split("[")[0], "status"), message, problem.fix)
