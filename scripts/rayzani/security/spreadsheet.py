"""Spreadsheet cells no spreadsheet evaluates, and the one CSV writer that uses them.

A participant's text that starts like a formula ("=HYPERLINK(...)") must reach an editor's or a
reader's spreadsheet as text (OWASP, "CSV Injection"): the open data and the editors' decision
worksheet write every CSV cell through `csv_line`.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable

_LINE = io.StringIO(newline="")
_LINE_WRITER = csv.writer(_LINE, lineterminator="\r\n")
# A spreadsheet reads a cell starting with one of these as a formula (OWASP, "CSV Injection");
# the full-width forms too, in some locales.
_FORMULA_START = frozenset("=+-@\uff1d\uff0b\uff0d\uff20")


def _first_seen(value: str) -> str:
    """The first character a spreadsheet may look at: spaces, line breaks and invisible format
    characters (bidi marks, zero-width characters, a BOM) can be skipped before a formula."""
    for char in value:
        if not (char.isspace() or unicodedata.category(char) == "Cf"):
            return char
    return ""


def neutral_cell(value: str) -> str:
    """A cell no spreadsheet evaluates: one starting with a formula character, even after spaces
    or invisible characters, or with a tab or CR, gets an apostrophe in front. So does one that
    starts with an apostrophe already, so that removing one leading apostrophe always gives the
    exact text back (the JSON files hold it unchanged)."""
    first = value[:1]
    if not first or first.isalnum():  # most cells: ids, dates, counts, words
        return value
    if first in "'\t\r" or _first_seen(value) in _FORMULA_START:
        return "'" + value
    return value


def csv_line(values: Iterable[str]) -> str:
    """One CSV record, quoted as the csv module quotes (a field may hold line breaks).

    The one CSV writer (open data, decision worksheets): every cell goes through `neutral_cell`
    here, so that no file and no column (the comments as much as the categories) holds a formula.
    """
    _LINE.seek(0)
    _LINE.truncate()
    _LINE_WRITER.writerow(neutral_cell(value) for value in values)
    return _LINE.getvalue()
