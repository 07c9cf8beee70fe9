"""`rayzani decide --apply-uploads decisions/ --reply FILE`: apply the worksheets editors uploaded.

What the Decide workflow runs on a pull request that adds a filled sheet under `decisions/` (an
editor's "Add file → Upload" in the forge's web page). Every sheet there is checked against the
portal as it stands; only when all of them are good are their rows applied, in one pass through
the decide path (validated after), and the sheets removed, so that the pull request then holds
the decided records instead of the sheet. Otherwise nothing is written and the sheets stay.
Either way the reply for the pull request (Markdown, both languages) says what happened: the
count by status, or every problem by sheet row and column.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from markupsafe import escape

from rayzani.editing.decide import Decided, decide
from rayzani.editing.sheet_files import FORMATS
from rayzani.editing.worksheet_batch import CheckedSheet, check_sheet
from rayzani.i18n import messages
from rayzani.model import LANGS, Portal
from rayzani.problems import Problem
from rayzani.project import load_project

# A forge comment holds 65,536 characters: the reply lists this many problems, the log all of them.
LISTED = 100
_AGAIN = "export the sheet again (rayzani decide --export, or the Decide workflow) and fill that one"


@dataclass(frozen=True)
class Uploads:
    sheets: list[Path]  # the worksheets found; none means there was nothing to do
    decided: list[Decided]  # what was written, when every sheet was good
    statuses: Counter[str]  # the new status of each record that changed
    problems: list[Problem]  # every problem, by sheet row and column; then nothing was written


def uploaded_sheets(folder: Path) -> list[Path]:
    """The worksheet files under the folder (its README and other files aside), in name order."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if p.suffix.lower() in FORMATS and not p.name.startswith("."))


def _check(portal: Portal, root: Path, path: Path) -> tuple[CheckedSheet | None, list[Problem]]:
    if path.is_symlink() or not path.is_file():  # an upload is a file; a link could name a record
        return None, [Problem(path, "", "is not an uploaded file", "upload the sheet itself")]
    try:
        return check_sheet(portal, root, path)
    except ValueError as error:  # not a spreadsheet of that format at all
        message = str(error).removeprefix(f"{path}: ")
        return None, [Problem(path, "", message, f"save it as {', '.join(FORMATS)}; or {_AGAIN}")]


def _shared(sheets: list[CheckedSheet]) -> list[Problem]:
    """A record decided in two sheets: which decision was meant cannot be told."""
    found: list[Problem] = []
    seen: dict[Path, tuple[Path, int]] = {}
    for sheet in sheets:
        for path, row in sheet.rows_of.items():
            if path in seen:
                first, first_row = seen[path]
                message = f"is decided on row {first_row} of {first.name} too"
                fix = "decide each record in one sheet only"
                found.append(sheet.where.problem(row, "record", message, fix))
            else:
                seen[path] = (sheet.path, row)
    return found


def apply_uploads(root: Path, folder: Path, today: dt.date) -> Uploads:
    """Apply every sheet under the folder and remove them, or nothing if any problem is found."""
    sheets = uploaded_sheets(folder)
    if not sheets:
        return Uploads([], [], Counter(), [])
    portal = load_project(root, today).portal
    checked: list[CheckedSheet] = []
    problems: list[Problem] = []
    for path in sheets:
        sheet, found = _check(portal, root, path)
        problems += found
        if sheet is not None:
            checked.append(sheet)
    problems += _shared(checked)
    if problems:
        return Uploads(sheets, [], Counter(), problems)
    entries = [entry for sheet in checked for entry in sheet.entries]
    done, found = decide(root, entries, today, sheets[0])
    if found:  # the portal would not validate: put each problem on the row it came from
        placed = [next(filter(None, (s.on_sheet(p) for s in checked)), p) for p in found]
        return Uploads(sheets, [], Counter(), placed)
    for path in sheets:
        path.unlink()
    status = {(e["target"], e["id"]): e["status"] for e in entries}
    statuses = Counter(status[(item.path.parent.name, item.path.stem)] for item in done if item.changed)
    return Uploads(sheets, done, statuses, [])


def _names(uploads: Uploads, root: Path, lang: str) -> str:
    base = root.resolve()
    shown = [
        p.resolve().relative_to(base).as_posix() if p.resolve().is_relative_to(base) else p.name
        for p in uploads.sheets
    ]
    return messages.text("ws_separator", lang).join(shown)


def reply_text(uploads: Uploads, root: Path) -> str:
    """The answer on the pull request: Markdown, where the forge renders HTML, so every value is
    escaped (a sheet's name, a cell quoted in a problem)."""
    parts: list[str] = []
    if uploads.problems:
        for lang in LANGS:
            parts.append(messages.html("uploads_refused", lang, sheets=_names(uploads, root, lang)))
        shown = uploads.problems[:LISTED]
        parts.append("\n".join(f"- {escape(p.format(root))}" for p in shown))
        if len(uploads.problems) > LISTED:
            parts += [messages.html("uploads_more", lang, n=len(uploads.problems) - LISTED) for lang in LANGS]
        return "\n\n".join(parts) + "\n"
    unchanged = sum(1 for item in uploads.decided if not item.changed)
    for lang in LANGS:
        count = sum(uploads.statuses.values())
        parts.append(messages.html("uploads_applied", lang, n=count, sheets=_names(uploads, root, lang)))
        lines = [
            "- " + messages.html("uploads_status_count", lang, status=messages.text(f"status_{s}", lang), n=n)
            for s, n in sorted(uploads.statuses.items())
        ]
        if unchanged:
            lines.append("- " + messages.html("uploads_unchanged", lang, n=unchanged))
        parts.append("\n".join(lines))
        parts.append(messages.html("uploads_next", lang))
    return "\n\n".join(p for p in parts if p) + "\n"
