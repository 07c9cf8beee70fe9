"""Form exports are read whole or refused whole: a cut or malformed export records nothing.

A row half-read and recorded once could never be repaired: its row id makes the row of the full
export a duplicate. So every cut of an export must either be refused, or read as rows that are
exactly the first rows of the full export.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from pathlib import Path

import pytest
import yaml
from conftest import Repo, rayzani

from rayzani.intake.form_export import ExportError, read_rows

# The comment is the last column: a value cut at the end of the file is then a cut comment.
COLUMNS = ["row_id", "submitted_at", "draft", "article", "respondent_type", "comment"]
COMMENTS = {
    "1": "این ماده مبهم است و باید روشن شود.",
    "2": 'He wrote "no", twice, and signed it.',
    "3": "خط نخست نظر\nخط دوم نظر، با ویرگول\nخط سوم",
    "4": "Keep article two as it is",
}


def export_rows() -> list[dict[str, str]]:
    return [
        {"row_id": n, "submitted_at": f"2026-11-1{n} 09:00:00", "draft": "sample", "article": "art-2",
         "respondent_type": "individual", "comment": text}
        for n, text in COMMENTS.items()
    ]  # fmt: skip


def csv_text(quoting: int = csv.QUOTE_MINIMAL, line_break: str = "\r\n", delimiter: str = ",") -> str:
    out = io.StringIO(newline="")
    writer = csv.DictWriter(
        out, fieldnames=COLUMNS, quoting=quoting, delimiter=delimiter, lineterminator=line_break
    )
    writer.writeheader()
    writer.writerows(export_rows())
    return out.getvalue()


def encoded(text: str, encoding: str) -> bytes:
    boms = {"utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE}
    return boms.get(encoding, b"") + text.encode(encoding)


VARIANTS = {
    "csv utf-8": ("csv", csv_text().encode("utf-8")),
    "csv utf-8 with BOM": ("csv", csv_text().encode("utf-8-sig")),
    "csv utf-16 LE with BOM, tab-separated (Excel Unicode text)": (
        "csv",
        encoded(csv_text(delimiter="\t"), "utf-16-le"),
    ),
    "csv utf-16 BE with BOM": ("csv", encoded(csv_text(), "utf-16-be")),
    "csv all quoted, Unix line breaks": ("csv", csv_text(csv.QUOTE_ALL, "\n").encode()),
    "json": ("json", (json.dumps(export_rows(), ensure_ascii=False, indent=1) + "\n").encode("utf-8-sig")),
}


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_cut_of_an_export_is_refused_or_reads_only_whole_rows(tmp_path, variant):
    suffix, data = VARIANTS[variant]
    path = tmp_path / f"export.{suffix}"
    path.write_bytes(data)
    full = read_rows(path)
    assert [r["comment"] for r in full] == list(COMMENTS.values())
    read_whole = set()
    for end in range(len(data) + 1):
        path.write_bytes(data[:end])
        try:
            rows = read_rows(path)
        except ExportError as error:
            assert error.problems["en"] and error.problems["fa"]  # said in both languages, with a fix
            continue
        assert rows == full[: len(rows)], f"cut at byte {end} of {len(data)} read a row that is not whole"
        read_whole.add(len(rows))
    # Not refused wholesale either: a CSV cut between rows reads the rows before the cut (a JSON
    # cut reads nothing, but the final line break).
    assert read_whole == ({len(full)} if suffix == "json" else set(range(len(full) + 1)))


def cut_after(data: bytes, marker: str, extra: int = 0) -> bytes:
    return data[: data.index(marker.encode()) + extra]


FULL = csv_text().encode("utf-8")
CUTS = {
    "inside a quoted multi-line comment": cut_after(FULL, "خط دوم"),
    "inside a Persian letter": cut_after(FULL, "مبهم", 1),
    "after a comma, the row short of fields": cut_after(FULL, "2026-11-14 09:00:00,"),
    "in the last value, without a line break": cut_after(FULL, "as it is"),
    "just after the second half of a doubled quote": cut_after(FULL, '""no""', 4),
    "just before the final line break": FULL.removesuffix(b"\r\n"),
    "between two rows": cut_after(FULL, "3,2026-11-13"),
}


def form_records(portal: Repo) -> list[dict]:
    paths = sorted((portal.root / "submissions" / "sample").glob("form-*.yml"))
    return [yaml.safe_load(p.read_text(encoding="utf-8")) for p in paths]


def intake(portal: Repo, export: Path) -> int:
    return rayzani(["--root", str(portal.root), "intake", "form", str(export)])


@pytest.mark.parametrize("cut", CUTS)
def test_import_the_cut_export_then_the_full_one_every_comment_is_there_once_and_whole(repo, cut, capsys):
    export = repo.root / "export.csv"
    export.write_bytes(CUTS[cut])
    code = intake(repo, export)
    err = capsys.readouterr().err
    recorded = form_records(repo)
    if cut == "between two rows":
        assert code == 0 and [r["source"] for r in recorded] == ["form:web:1", "form:web:2"]
    else:
        assert code == 2 and recorded == [], f"a cut export recorded {recorded}"
        assert "no row of this file was recorded" in err and "هیچ ردیفی از این پرونده ثبت نشد" in err
    export.write_bytes(FULL)
    assert intake(repo, export) == 0
    recorded = form_records(repo)
    assert sorted(r["source"] for r in recorded) == [f"form:web:{n}" for n in COMMENTS]
    assert {r["source"].rsplit(":", 1)[1]: r["body"].rstrip("\n") for r in recorded} == COMMENTS


def test_a_repeated_row_id_is_refused_naming_both_rows(repo, capsys):
    rows = export_rows()
    rows[2]["row_id"] = "1"  # row 3 claims row 1's id, with another comment
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    export = repo.root / "export.csv"
    export.write_text(out.getvalue(), encoding="utf-8", newline="")
    assert intake(repo, export) == 2
    err = capsys.readouterr().err
    assert "row 3: the row id “1” is also the id of row 1" in err
    assert "ردیف ۳: شناسه ردیف «1» در ردیف ۱ هم آمده است" in err
    assert form_records(repo) == []


@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [("utf-8-sig", ","), ("utf-16-le", "\t"), ("utf-16-be", ",")],
)
def test_utf8_with_bom_and_utf16_exports_are_read_as_written(repo, encoding, delimiter):
    export = repo.root / "export.csv"
    export.write_bytes(encoded(csv_text(delimiter=delimiter), encoding))
    assert intake(repo, export) == 0
    recorded = form_records(repo)
    assert {r["source"].rsplit(":", 1)[1]: r["body"].rstrip("\n") for r in recorded} == COMMENTS


def test_a_windows_1256_export_is_refused_saying_how_to_save_it(repo, capsys):
    export = repo.root / "export.csv"
    # Windows-1256 has the Arabic forms of yeh and kaf, which Persian keyboards on Windows type.
    text = csv_text().replace('He wrote "no"', "نه").translate(str.maketrans("یک", "يك"))
    export.write_bytes(text.encode("cp1256"))
    assert intake(repo, export) == 2
    err = capsys.readouterr().err
    assert "Windows-1256" in err and "CSV UTF-8 (Comma delimited)" in err
    assert "LibreOffice" in err and "Unicode (UTF-8)" in err
    assert form_records(repo) == []


@pytest.mark.parametrize(
    ("name", "text", "said"),
    [
        ("export.csv", csv_text() + "5,2026-11-15 09:00:00,sample,art-2,individual,one,two\r\n",
         "row 5 (line 8): this row has 7 fields and the header 6"),
        ("export.csv", csv_text().replace('"He wrote ""no""', '"He wrote "no"'),
         "line 3: the CSV is malformed"),
        ("export.csv", csv_text().replace("article,", "comment,", 1), "the column “comment” appears twice"),
        ("export.json", '[{"row_id": "1", "comment": "a", "comment": "b"}]',
         "the key “comment” appears twice in one JSON row"),
    ],
    ids=["a row wider than the header", "a stray quote", "a column twice", "a JSON key twice"],
)  # fmt: skip
def test_a_malformed_export_is_refused_whole(repo, capsys, name, text, said):
    export = repo.root / name
    export.write_text(text, encoding="utf-8", newline="")
    assert intake(repo, export) == 2
    assert said in capsys.readouterr().err
    assert form_records(repo) == []
