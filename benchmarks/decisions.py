"""Benchmark of the decision worksheet: export and re-import 10,000 decisions.

Run from the repository root: `PYTHONPATH=scripts python benchmarks/decisions.py [count] [format]`.
It copies the example repository to a temporary folder, adds `count` pending comments (default
10,000) on the example draft, exports them with `rayzani decide --export` (default `.xlsx`;
`.ods` and `.csv` too), fills every row as an editor would (openpyxl, odfpy or csv), then applies
the sheet with `rayzani decide --batch`, which checks every row, rewrites the decision blocks
and validates the portal. It prints the time of each step and checks that every comment is
answered. Goal: 10,000 decisions go out and come back in well under a few minutes.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import shutil
import sys
import tempfile
import time
from pathlib import Path

import yaml

from rayzani.cli import main as rayzani
from rayzani.project import load_project

ROOT = Path(__file__).resolve().parent.parent
BUILD_DATE = dt.date(2026, 11, 23)
TARGET = "e-participation"
FILLED = {"New status": "rejected", "Reason (Persian)": "پاسخ", "Panel": "e-participation-working-group"}


def _add_records(root: Path, count: int) -> None:
    folder = root / "submissions" / TARGET
    template = yaml.safe_load((folder / "demo-001.yml").read_text(encoding="utf-8"))
    template.pop("history", None)
    template.pop("text_sha256", None)
    for n in range(count):
        name = f"bench-{n:05d}"
        record = {**template, "id": name, "decision": {"status": "pending"}, "source": f"form:{name}"}
        text = yaml.safe_dump(record, allow_unicode=True, sort_keys=False)
        (folder / f"{name}.yml").write_text(text, encoding="utf-8")


def _columns(heading: list[str]) -> dict[str, int]:
    return {name: next(n for n, h in enumerate(heading) if h.endswith(f"/ {name}")) for name in FILLED}


def _fill(sheet: Path) -> None:
    """Every row gets a decision, in the way a spreadsheet would save it."""
    if sheet.suffix == ".xlsx":
        from openpyxl import load_workbook

        book = load_workbook(sheet)
        ws = book["decisions"]
        where = _columns([c.value for c in ws[1]])
        for row in ws.iter_rows(min_row=2):
            for name, value in FILLED.items():
                row[where[name]].value = value
        book.save(sheet)
    elif sheet.suffix == ".ods":
        from odf.opendocument import load
        from odf.table import Table, TableCell, TableRow
        from odf.text import P

        doc = load(str(sheet))
        rows = doc.spreadsheet.getElementsByType(Table)[0].getElementsByType(TableRow)
        where = _columns([str(c) for c in rows[0].getElementsByType(TableCell)])
        for row in rows[1:]:
            cells = row.getElementsByType(TableCell)
            for name, value in FILLED.items():
                cells[where[name]].addElement(P(text=value))
        doc.save(str(sheet))
    else:
        heading, *rows = list(csv.reader(io.StringIO(sheet.read_text(encoding="utf-8-sig"))))
        where = _columns(heading)
        for row in rows:
            for name, value in FILLED.items():
                row[where[name]] = value
        out = io.StringIO()
        csv.writer(out).writerows([heading, *rows])
        sheet.write_text(out.getvalue(), encoding="utf-8-sig")


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    suffix = sys.argv[2] if len(sys.argv) > 2 else ".xlsx"
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "portal"
        shutil.copytree(ROOT, root, ignore=shutil.ignore_patterns(".git", "site", "__pycache__", ".cache"))
        _add_records(root, count)
        sheet = Path(tmp) / f"decisions{suffix}"
        day = ["--date", BUILD_DATE.isoformat()]
        start = time.perf_counter()
        assert rayzani(["--root", str(root), "decide", "--export", str(sheet), "--target", TARGET,
                        "--status", "pending", *day]) == 0  # fmt: skip
        exported = time.perf_counter() - start
        start = time.perf_counter()
        _fill(sheet)
        filled = time.perf_counter() - start
        start = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()):  # one line per record decided
            assert rayzani(["--root", str(root), "decide", "--batch", str(sheet), *day]) == 0
        applied = time.perf_counter() - start
        records = load_project(root, BUILD_DATE).portal.comments_on(TARGET)
        answered = [r for r in records if r.id.startswith("bench-")]
        assert len(answered) == count and all(r.decision.status == "rejected" for r in answered)
        print(
            f"worksheet ({suffix}): {count:,} rows exported in {exported:.1f} s "
            f"({sheet.stat().st_size / 1e6:.1f} MB), filled in {filled:.1f} s (the spreadsheet's part), "
            f"applied and validated in {applied:.1f} s"
        )


if __name__ == "__main__":
    main()
