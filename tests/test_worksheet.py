"""The decision worksheet: export the records to decide, fill rows in a spreadsheet, apply them.

The sheet is read as a spreadsheet reads it (openpyxl for xlsx, odfpy for ods, csv), filled in
the same way, and applied with `rayzani decide --batch`; the pages are then rebuilt.
"""

from __future__ import annotations

import csv
import io
import shutil
import zipfile
from pathlib import Path

import pytest
from conftest import BUILD_DATE, Repo, today
from html_query import element
from openpyxl import load_workbook

from rayzani import urls
from rayzani.cli import main as rayzani
from rayzani.load.yaml_io import read_yaml
from rayzani.model import DECISION_STATUSES, IDEA_STATUSES, OPEN_STATUSES
from rayzani.project import load_project

DRAFT = "e-participation"


@pytest.fixture
def example(tmp_path: Path, example_root: Path) -> Path:
    """A copy of the example portal of this test's own: batches change its records."""
    root = tmp_path / "portal"
    shutil.copytree(example_root, root, symlinks=True)
    return root


def export(root: Path, sheet: Path, *options: str) -> None:
    command = ["--root", str(root), "decide", "--export", str(sheet), *options, "--date", BUILD_DATE]
    assert rayzani(command) == 0


def batch(root: Path, sheet: Path) -> int:
    return rayzani(["--root", str(root), "decide", "--batch", str(sheet), "--date", BUILD_DATE])


def column(heading: list[str], english: str) -> int:
    """The index of the column whose heading ends with this English name ("… / New status")."""
    return next(n for n, name in enumerate(heading) if name.endswith(f"/ {english}"))


def decidable(root: Path, target: str) -> list[str]:
    """Records a decision of today may be written into: none of theirs is dated later."""
    return [
        r.id
        for r in load_project(root, today()).portal.comments_on(target)
        if str(read_yaml(r.path)["decision"].get("date") or "") <= BUILD_DATE
    ]


def fill_xlsx(sheet: Path, values: dict[str, dict[str, str]]) -> dict[str, int]:
    """Fill rows by record id ({id: {English heading: value}}) as an editor does; the sheet rows."""
    book = load_workbook(sheet)
    ws = book["decisions"]
    heading = [c.value for c in ws[1]]
    record, found = column(heading, "Record"), {}
    for row in ws.iter_rows(min_row=2):
        record_id = Path(row[record].value).stem
        for name, value in values.get(record_id, {}).items():
            row[column(heading, name)].value = value
            found[record_id] = row[0].row
    book.save(sheet)
    return found


def records_text(root: Path) -> dict[Path, bytes]:
    return {path: path.read_bytes() for path in sorted((root / "submissions").rglob("*.yml"))}


def test_the_exported_sheet_has_dropdowns_reads_right_to_left_and_keeps_the_header_in_view(example, tmp_path):
    sheet = tmp_path / "all.xlsx"
    export(example, sheet)
    portal = load_project(example, today()).portal
    records = [r for found in portal.submissions.values() for r in found]
    book = load_workbook(sheet)
    ws = book["decisions"]
    heading = [c.value for c in ws[1]]
    assert ws.sheet_view.rightToLeft is True
    assert ws.freeze_panes == "A2"
    assert ws.max_row == len(records) + 1
    text, status, panel = column(heading, "Text"), column(heading, "New status"), column(heading, "Panel")
    for n, record in enumerate(records, start=2):
        shown = ws.cell(n, text + 1).value
        assert shown == record.shown_text if not record.withheld else record.body not in shown
        assert ws.cell(n, text + 1).alignment.wrap_text
    for name in ("Record", "Record fingerprint", "Decision fingerprint"):
        letter = ws.cell(1, column(heading, name) + 1).column_letter
        assert ws.column_dimensions[letter].hidden
    assert book["lists"].sheet_state == "hidden"

    def choices(row: int, col: int) -> list[str]:
        """The dropdown of a cell: the list its data validation takes its choices from."""
        cell = ws.cell(row, col + 1).coordinate
        (rule,) = [v for v in ws.data_validations.dataValidation if cell in v.sqref]
        assert rule.type == "list"
        sheet_name, cells = rule.formula1.split("!")
        first, last = cells.replace("$", "").split(":")
        return [c.value for line in book[sheet_name][first:last] for c in line]

    panels = sorted(p.stem for p in (example / "content/panels").glob("*.yml"))
    for n, record in enumerate(records, start=2):
        ideas = portal.takes_ideas(record.target)
        assert choices(n, status) == list(IDEA_STATUSES if ideas else DECISION_STATUSES)
        assert sorted(choices(n, panel)) == panels


def test_filled_rows_are_decided_and_the_decisions_appear_on_the_rebuilt_pages(example, tmp_path, capsys):
    sheet = tmp_path / "pending.xlsx"
    export(example, sheet, "--status", "pending")
    portal = load_project(example, today()).portal
    # Pending as the files hold it: a decision already taken but dated later is not to decide again.
    pending = [
        r for found in portal.submissions.values() for r in found
        if read_yaml(r.path)["decision"]["status"] in OPEN_STATUSES
    ]  # fmt: skip
    assert pending and len(load_workbook(sheet)["decisions"]["A"]) == len(pending) + 1
    first, second = pending[0], pending[1]
    panel = next(p.slug for p in portal.panels.values() if second.domain in p.domains)
    fill_xlsx(sheet, {
        first.id: {"New status": "accepted", "Reason (Persian)": "در جمع‌بندی درج شد.",
                   "Reason (English)": "Included in the summary.", "Decided by": "دبیرخانه"},
        second.id: {"New status": "shortlisted", "Reason (Persian)": "برای بررسی نهایی برگزیده شد.",
                    "Panel": panel},
    })  # fmt: skip
    before = records_text(example)
    assert batch(example, sheet) == 0
    assert capsys.readouterr().out.count(": decided") == 2
    changed = {p for p, text in records_text(example).items() if before[p] != text}
    assert changed == {first.path, second.path}
    decided = {r.id: r for found in load_project(example, today()).portal.submissions.values() for r in found}
    assert decided[first.id].decision.status == "accepted"
    assert (decided[second.id].decision.status, decided[second.id].decision.panel) == ("shortlisted", panel)
    assert load_project(example, today()).problems == []
    site = tmp_path / "site"
    assert rayzani(["--root", str(example), "build", "--site-dir", str(site), "--date", BUILD_DATE]) == 0
    shown = {  # the reason a reader sees, per language: Persian where no English was given
        first.id: {"fa": "در جمع‌بندی درج شد.", "en": "Included in the summary."},
        second.id: {"fa": "برای بررسی نهایی برگزیده شد.", "en": "برای بررسی نهایی برگزیده شد."},
    }
    for record_id, reasons in shown.items():
        anchor = urls.comment_anchor(record_id)
        pages = [p for p in site.rglob("index.html") if f'id="{anchor}"' in p.read_text(encoding="utf-8")]
        assert {p.relative_to(site).parts[0] == "en" for p in pages} == {True, False}
        for page in pages:
            lang = "en" if page.relative_to(site).parts[0] == "en" else "fa"
            assert reasons[lang] in element(page.read_text(encoding="utf-8"), anchor)[1]


def test_every_problem_is_reported_by_row_and_column_and_nothing_is_written(example, tmp_path, capsys):
    sheet = tmp_path / "all.xlsx"
    export(example, sheet)
    ids, ideas = decidable(example, DRAFT), decidable(example, "seventh-plan-policies")
    good, unknown, no_reason, bad_panel, changed, decided, bad_duplicate, bad_scores = (
        ids[:6] + ideas[:2]
    )  # fmt: skip
    reason = {"Reason (Persian)": "دلیل", "Decided by": "واحد حقوقی"}
    rows = fill_xlsx(sheet, {
        good: {"New status": "accepted", **reason},
        unknown: {"New status": "approved", **reason},
        no_reason: {"New status": "rejected", "Decided by": "واحد حقوقی"},
        bad_panel: {"New status": "noted", "Reason (Persian)": "دلیل", "Panel": "no-such-panel"},
        changed: {"New status": "noted", **reason},
        decided: {"New status": "rejected", **reason},
        bad_duplicate: {"New status": "shortlisted", **reason, "Duplicate of": "nothing-like-it"},
        bad_scores: {"New status": "shortlisted", **reason, "Scores": "relevance is high"},
    })  # fmt: skip
    # After the export: a record is edited, and another is decided by someone else.
    path = example / "submissions" / DRAFT / f"{changed}.yml"
    path.write_text(path.read_text(encoding="utf-8") + "# checked against the paper copy\n", encoding="utf-8")
    assert rayzani([
        "--root", str(example), "decide", DRAFT, decided, "--status", "noted", "--reason-fa", "ثبت شد.",
        "--by", "دبیرخانه", "--date", BUILD_DATE,
    ]) == 0  # fmt: skip
    before = records_text(example)
    capsys.readouterr()
    assert batch(example, sheet) == 1
    err = capsys.readouterr().err
    heading = [c.value for c in load_workbook(sheet)["decisions"][1]]

    def at(record_id: str, english: str) -> str:
        letter = chr(65 + column(heading, english))
        return f"row {rows[record_id]}, column {letter} ({heading[column(heading, english)]})"

    expected = [
        (unknown, "New status", "'approved' is not a status for a comment"),
        (no_reason, "Reason (Persian)", "is missing for a rejected decision"),
        (bad_panel, "Panel", "'no-such-panel' is not a panel"),
        (changed, "Text", "the record changed since the export"),
        (decided, "Current status", "was decided since the export (noted, by دبیرخانه"),
        (bad_duplicate, "Duplicate of", "'nothing-like-it' is not another record"),
        (bad_scores, "Scores", "'relevance is high' cannot be read"),
    ]
    for record_id, english, message in expected:
        assert f"{at(record_id, english)}: {message}" in err
    assert good not in err
    assert "Nothing was changed." in err
    assert records_text(example) == before


def test_a_problem_validation_finds_after_applying_is_put_on_its_row_and_column(example, tmp_path, capsys):
    sheet = tmp_path / "ideas.xlsx"
    export(example, sheet, "--target", "seventh-plan-policies")
    idea = load_project(example, today()).portal.comments_on("seventh-plan-policies")[0].id
    rows = fill_xlsx(sheet, {idea: {"New status": "accepted", "Reason (Persian)": "دلیل",
                                    "Decided by": "هیئت", "Scores": "relevance=99"}})  # fmt: skip
    before = records_text(example)
    assert batch(example, sheet) == 1
    err = capsys.readouterr().err
    heading = [c.value for c in load_workbook(sheet)["decisions"][1]]
    scores = column(heading, "Scores")
    assert f"row {rows[idea]}, column {chr(65 + scores)} ({heading[scores]}): " in err
    assert "relevance" in err
    assert records_text(example) == before


FORMULAS = ['=HYPERLINK("https://attacker.example/x","click")', "@SUM(1+1)", "+1+1", "-2+3", "#REF!"]


def _formula_portal(repo: Repo) -> None:
    for n, body in enumerate(FORMULAS):
        repo.write(
            f"submissions/sample/f{n}.yml",
            f"id: f{n}\ntarget: sample\nsection: art-1\nreceived: 2026-11-05T10:00:00+03:30\nchannel: form\n"
            f"source: 'form:f{n}'\nlanguage: fa\nbody: {body!r}\nauthor: {{type: individual}}\n"
            "decision:\n  status: pending\n",
        )
    assert load_project(repo.root, today()).problems == []


def test_participant_text_that_looks_like_a_formula_stays_text_in_every_format(repo, tmp_path):
    _formula_portal(repo)
    for suffix in ("xlsx", "ods", "csv"):
        export(repo.root, tmp_path / f"s.{suffix}", "--status", "pending")
    ws = load_workbook(tmp_path / "s.xlsx")["decisions"]
    heading = [c.value for c in ws[1]]
    texts = [row[column(heading, "Text")] for row in ws.iter_rows(min_row=2)]
    assert [c.value for c in texts] == FORMULAS and {c.data_type for c in texts} == {"s"}
    with zipfile.ZipFile(tmp_path / "s.xlsx") as archive:
        assert "<f>" not in archive.read("xl/worksheets/sheet1.xml").decode("utf-8")
    with zipfile.ZipFile(tmp_path / "s.ods") as archive:
        content = archive.read("content.xml").decode("utf-8")
    assert "table:formula" not in content and "HYPERLINK" in content
    reader = csv.reader(io.StringIO((tmp_path / "s.csv").read_text(encoding="utf-8-sig")))
    heading, *rows = list(reader)
    # A cell that starts like a formula gets the apostrophe that makes it text ("#REF!" is no formula).
    expected = [("'" if f[0] in "=@+-" else "") + f for f in FORMULAS]
    assert [row[column(heading, "Text")] for row in rows] == expected


def _fill_ods(sheet: Path, values: dict[str, dict[str, str]]) -> None:
    from odf.opendocument import load
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    doc = load(str(sheet))
    (table,) = doc.spreadsheet.getElementsByType(Table)
    rows = table.getElementsByType(TableRow)
    heading = [str(c) for c in rows[0].getElementsByType(TableCell)]
    for row in rows[1:]:
        cells = row.getElementsByType(TableCell)
        wanted = values.get(Path(str(cells[column(heading, "Record")])).stem, {})
        for name, value in wanted.items():
            cell = cells[column(heading, name)]
            for child in list(cell.childNodes):
                cell.removeChild(child)
            cell.addElement(P(text=value))
    doc.save(str(sheet))


def _fill_csv(sheet: Path, values: dict[str, dict[str, str]]) -> None:
    heading, *rows = list(csv.reader(io.StringIO(sheet.read_text(encoding="utf-8-sig"))))
    for row in rows:
        for name, value in values.get(Path(row[column(heading, "Record")]).stem, {}).items():
            row[column(heading, name)] = value
    out = io.StringIO()
    csv.writer(out).writerows([heading, *rows])
    sheet.write_text(out.getvalue(), encoding="utf-8-sig")


@pytest.mark.parametrize(("suffix", "fill"), [("ods", _fill_ods), ("csv", _fill_csv)])
def test_ods_and_csv_worksheets_round_trip(repo, tmp_path, suffix, fill):
    _formula_portal(repo)
    sheet = tmp_path / f"s.{suffix}"
    export(repo.root, sheet, "--status", "pending")
    fill(sheet, {"f0": {"New status": "rejected", "Reason (Persian)": "=نه، این پیوند است",
                        "Decided by": "واحد حقوقی"}})  # fmt: skip
    assert batch(repo.root, sheet) == 0
    decided = {r.id: r for r in load_project(repo.root, today()).portal.comments_on("sample")}
    assert decided["f0"].decision.status == "rejected"
    assert decided["f0"].decision.reason.fa == "=نه، این پیوند است"
    assert all(decided[f"f{n}"].decision.status == "pending" for n in range(1, len(FORMULAS)))


def test_an_ods_sheet_reads_right_to_left_with_its_dropdowns_and_hidden_columns(repo, tmp_path):
    from odf.namespaces import STYLENS, TABLENS
    from odf.opendocument import load
    from odf.style import TableProperties
    from odf.table import ContentValidation, TableColumn

    _formula_portal(repo)
    export(repo.root, tmp_path / "s.ods")
    doc = load(str(tmp_path / "s.ods"))
    (table_style,) = doc.automaticstyles.getElementsByType(TableProperties)
    assert table_style.attributes[(STYLENS, "writing-mode")] == "rl-tb"
    (rule,) = doc.spreadsheet.getElementsByType(ContentValidation)
    condition = rule.attributes[(TABLENS, "condition")]
    assert all(f'"{status}"' in condition for status in DECISION_STATUSES)
    assert not any(f'"{status}"' in condition for status in set(IDEA_STATUSES) - set(DECISION_STATUSES))
    columns = doc.spreadsheet.getElementsByType(TableColumn)
    hidden = [c.attributes.get((TABLENS, "visibility")) for c in columns]
    assert hidden[-3:] == ["collapse"] * 3 and "collapse" not in hidden[:-3]
    with zipfile.ZipFile(tmp_path / "s.ods") as archive:
        assert "VerticalSplitMode" in archive.read("settings.xml").decode("utf-8")
