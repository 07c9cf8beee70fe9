"""Hostile input to validation: every broken file is a problem naming file, field and fix, never a
traceback; characters that are never text are refused by hand and stripped at intake; a
certificate code covers exactly what it attests."""

from __future__ import annotations

import csv
import shutil
import unicodedata
import xml.etree.ElementTree as ET
from pathlib import Path

import jdatetime
import pytest
import yaml
from conftest import BUILD_DATE, REPO, Repo, today

from rayzani.analysis.incentives import REGISTER, register_entry
from rayzani.cli import main as rayzani
from rayzani.project import load_project
from rayzani.site.context import Site
from rayzani.site.pages.incentives import Incentives

RECEIVED = "received: 2026-11-05T10:00:00+03:30"
RECORD = "submissions/sample/c1.yml"
CALL_FA = "content/calls/sample.fa.md"


def run(repo: Repo, capsys: pytest.CaptureFixture[str], command: str) -> tuple[int, str]:
    """`rayzani <command>` on the portal: its exit status and everything it printed."""
    status = rayzani(["--root", str(repo.root), command, "--date", BUILD_DATE])
    printed = capsys.readouterr()
    return status, printed.out + printed.err


def problems_of(repo: Repo) -> list[str]:
    return [p.format(repo.root) for p in load_project(repo.root, today()).problems]


BROKEN_YAML = {
    "a day November does not have": (RECORD, RECEIVED, "received: 2026-11-31T10:00:00+03:30", "received"),
    "hour 25": (RECORD, RECEIVED, "received: 2026-11-05T25:00:00+03:30", "received"),
    "an offset of 25 hours": (RECORD, RECEIVED, "received: 2026-11-05T10:00:00+25:00", "received"),
    "a decision dated on no day": (RECORD, "date: 2026-11-20", "date: 2026-02-30", "decision.date"),
    "a sequence as a key": (RECORD, "channel: form", "channel: form\n? [a, b]\n: c", "line 6"),
    "a mapping as a key in a list": (RECORD, "channel: form", "channel: form\nx: [{[a]: b}]", "line 6"),
    "front matter on no day": (CALL_FA, "opens: 2026-11-01", "opens: 2026-11-31", "opens"),
    "a front-matter sequence key": (CALL_FA, "kind: consultation", "kind: consultation\n[a]: b", "line 4"),
    "settings on no day": (
        "mkdocs.yml",
        "site_name: test",
        "site_name: test\ncopyright: 2026-13-01",
        "line 2",
    ),
    "a settings sequence key": ("mkdocs.yml", "site_name: test", "site_name: test\n[a]: b", "line 2"),
}


@pytest.mark.parametrize("case", list(BROKEN_YAML), ids=list(BROKEN_YAML))
@pytest.mark.parametrize("command", ["validate", "build"])
def test_broken_yaml_values_are_problems_with_file_and_field_not_tracebacks(repo, capsys, case, command):
    relative, old, new, field = BROKEN_YAML[case]
    repo.edit(relative, old, new)
    status, printed = run(repo, capsys, command)
    assert status == 1, printed
    assert f"{relative}: {field}:" in printed, printed
    assert "Fix:" in printed and "Traceback" not in printed


def test_intake_refuses_a_repository_with_an_impossible_date_naming_the_file(repo, capsys, tmp_path):
    repo.edit(RECORD, RECEIVED, "received: 2026-11-31T10:00:00+03:30")
    export = tmp_path / "export.csv"
    export.write_text(
        "row_id,submitted_at,draft,comment\n1,2026-11-12 10:00:00,sample,نظر\n", encoding="utf-8"
    )
    status = rayzani(["--root", str(repo.root), "intake", "form", str(export)])
    printed = capsys.readouterr().err
    assert status == 1
    assert f"{RECORD}: received: is '2026-11-31T10:00:00+03:30', which is not a real date" in printed


def test_a_batch_decision_file_with_a_sequence_key_is_reported_by_name(repo, capsys):
    batch = repo.write("decisions.yml", "- target: sample\n  id: c1\n  [a]: b\n")
    status = rayzani(["--root", str(repo.root), "decide", "--batch", str(batch)])
    printed = capsys.readouterr().err
    assert status == 2 and "decisions.yml" in printed and "field name" in printed


def test_a_form_mapping_file_with_a_sequence_key_is_reported_by_name(repo, capsys, tmp_path):
    mapping = tmp_path / "mapping.yml"
    mapping.write_text("columns:\n  [a]: b\n", encoding="utf-8")
    export = tmp_path / "export.csv"
    export.write_text("row_id,submitted_at,draft,comment\n", encoding="utf-8")
    status = rayzani(["--root", str(repo.root), "intake", "form", str(export), "--mapping", str(mapping)])
    printed = capsys.readouterr().err
    assert status == 2 and "mapping.yml" in printed and "field name" in printed


@pytest.mark.parametrize(
    ("relative", "old", "new", "expected"),
    [
        (RECORD, RECEIVED, "received: 1405-08-15T10:00:00+03:30", "received: is 1405-08-15T10:00:00+03:30"),
        (CALL_FA, "opens: 2026-11-01", "opens: 1405-08-10", "opens: is 1405-08-10"),
        (CALL_FA, "opens: 2026-11-01", "opens: 1405-02-31", "opens: is 1405-02-31"),
    ],
)
def test_a_jalali_date_in_a_gregorian_field_is_refused_with_the_gregorian_date(
    repo, relative, old, new, expected
):
    repo.edit(relative, old, new)
    found = [line for line in problems_of(repo) if expected in line]
    assert found and "looks like a Jalali" in found[0], problems_of(repo)
    year, month, day = (int(part) for part in new.split(": ")[1][:10].split("-"))
    assert jdatetime.date(year, month, day).togregorian().isoformat() in found[0]


def test_a_quoted_timestamp_is_read_as_the_timestamp_it_spells(repo):
    repo.edit(RECORD, RECEIVED, 'received: "2026-11-05T10:00:00+03:30"')
    repo.edit("content/drafts/sample/index.fa.md", "opens: 2026-11-01", "opens: '2026-11-01'")
    project = load_project(repo.root, today())
    assert project.problems == []
    [record] = project.portal.submissions["sample"]
    assert record.received.isoformat() == "2026-11-05T10:00:00+03:30"
    assert project.portal.drafts["sample"].window.opens.isoformat() == "2026-11-01"


def test_a_decision_dated_before_the_comment_arrived_is_refused(repo):
    repo.edit(RECORD, "date: 2026-11-20", "date: 2026-11-04")
    assert any(
        line.startswith(
            f"{RECORD}: decision.date: is 2026-11-04, before the comment was received on 2026-11-05"
        )
        for line in problems_of(repo)
    ), problems_of(repo)


def test_a_record_directly_in_submissions_is_reported(repo):
    shutil.copy(repo.root / RECORD, repo.root / "submissions" / "c2.yml")
    assert any(
        line.startswith("submissions/c2.yml: is directly in submissions/") for line in problems_of(repo)
    )


@pytest.mark.parametrize("field", ["id", "target", "section"])
def test_a_slug_with_a_trailing_newline_is_refused(repo, field):
    value = yaml.safe_load((repo.root / RECORD).read_text(encoding="utf-8"))[field]
    repo.edit(RECORD, f"{field}: {value}\n", f'{field}: "{value}\\n"\n')
    assert any(line.startswith(f"{RECORD}: {field}: must be lowercase") for line in problems_of(repo))


NEVER_TEXT = {
    "NUL": "\x00",
    "vertical tab": "\x0b",
    "form feed": "\x0c",
    "C1 control": "\x9b",
    "soft hyphen": "\u00ad",
    "tag character": "\U000e0041",
    "invisible times": "\u2062",
}


@pytest.mark.parametrize("name", list(NEVER_TEXT), ids=list(NEVER_TEXT))
def test_a_hand_written_record_with_a_character_that_is_never_text_is_refused(repo, name):
    char = NEVER_TEXT[name]
    record = yaml.safe_load((repo.root / RECORD).read_text(encoding="utf-8"))
    record["author"]["name"] = f"علی{char}رضایی"
    (repo.root / RECORD).write_text(yaml.safe_dump(record, allow_unicode=True), encoding="utf-8")
    assert any(
        line.startswith(f"{RECORD}: author.name: contains the invisible character U+{ord(char):04X}")
        for line in problems_of(repo)
    ), problems_of(repo)


@pytest.mark.parametrize("name", list(NEVER_TEXT), ids=list(NEVER_TEXT))
def test_content_with_a_character_that_is_never_text_is_refused_at_its_line(repo, name):
    char = NEVER_TEXT[name]
    repo.edit(CALL_FA, "متن فراخوان.", f"متن{char} فراخوان.")
    expected = f"{CALL_FA}: body, line 12: contains the invisible character U+{ord(char):04X}"
    assert any(line.startswith(expected) for line in problems_of(repo)), problems_of(repo)


def test_a_call_holding_vertical_tab_or_form_feed_is_refused_before_any_feed_is_written(
    repo, capsys, tmp_path
):
    repo.edit(CALL_FA, "متن فراخوان.", "متن\x0bفراخوان.\x0c")
    site = tmp_path / "site"
    assert rayzani(["--root", str(repo.root), "build", "--site-dir", str(site), "--date", BUILD_DATE]) == 1
    printed = capsys.readouterr()
    assert "U+000B (vertical tab)" in printed.out + printed.err
    assert not (site / "feeds").exists()


def test_every_feed_of_the_example_parses_as_xml(example_site):
    feeds = sorted((example_site / "feeds").rglob("*.xml"))
    assert feeds
    for path in feeds:
        ET.parse(path)  # raises on a control character or any other invalid XML


def test_form_intake_strips_characters_that_are_never_text(repo, capsys, tmp_path):
    shutil.copy(REPO / "keys" / "demo-private.key", repo.root / "keys" / "demo-private.key")
    repo.edit(
        "mkdocs.yml",
        "min_comment_days: 30",
        "min_comment_days: 30\n    private_key_file: keys/demo-private.key",
    )
    # NUL is left out: an export holding one is refused whole as not text (see test_form_exports).
    hostile = "".join(c for c in NEVER_TEXT.values() if c != "\x00")
    export = tmp_path / "export.csv"
    with export.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(
            handle, ["row_id", "submitted_at", "draft", "comment", "display_name", "publish_name"]
        )
        writer.writeheader()
        writer.writerow(
            {"row_id": "1", "submitted_at": "2026-11-12 10:00:00", "draft": "sample", "publish_name": "yes",
             "comment": f"نظر{hostile} اول\n\tبا تورفتگی", "display_name": f"علی{hostile}"}
        )  # fmt: skip
    assert rayzani(["--root", str(repo.root), "intake", "form", str(export)]) == 0
    [path] = (repo.root / "submissions" / "sample").glob("form-*.yml")
    record = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert record["body"].strip() == "نظر اول\n\tبا تورفتگی"  # newline and tab are kept in a body
    assert record["author"]["name"] == "علی"
    assert load_project(repo.root, today()).problems == []


def test_moving_text_across_a_field_boundary_invalidates_a_certificate_code(repo):
    repo.edit(RECORD, "author: {type: individual}", "author: {type: individual, id: 'github:ali', name: علی}")
    second = (
        (repo.root / RECORD)
        .read_text(encoding="utf-8")
        .replace("id: c1", "id: c2")
        .replace("form:1", "form:2")
    )
    repo.write("submissions/sample/c2.yml", second)
    (repo.root / "keys" / "secret.txt").write_text("test-secret")
    config = repo.root / "mkdocs.yml"
    config.write_text(config.read_text() + "    certificate_secret_file: keys/secret.txt\n")
    project = load_project(repo.root, today())
    [issued] = Incentives(Site(project.portal, project.settings, today())).certificates
    entry = register_entry(issued)
    assert entry["records"] == ["c1", "c2"]
    repo.write(REGISTER.as_posix(), yaml.safe_dump([entry], allow_unicode=True))
    assert problems_of(repo) == []
    # The first record id moved into the participant field: the same text, other fields.
    moved = entry | {"participant": f"{entry['participant']}\nc1", "records": ["c2"]}
    (repo.root / REGISTER).write_text(yaml.safe_dump([moved], allow_unicode=True), encoding="utf-8")
    assert any(line.startswith(f"{REGISTER.as_posix()}: [1].code:") for line in problems_of(repo))


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def hidden(char: str) -> bool:
    """A control, format or tag character a reader cannot see; the Persian half-space (ZWNJ) is text."""
    category = unicodedata.category(char)
    return (category == "Cc" and char not in "\n\t") or (category == "Cf" and char != "\u200c")


def test_no_open_data_file_of_the_example_holds_a_control_character(example_site):
    files = [*example_site.rglob("comments.csv"), *example_site.rglob("comments.json")]
    assert files
    for path in files:
        text = path.read_text(encoding="utf-8-sig")  # a CSV starts with a byte-order mark, for Excel
        assert not [ch for ch in text if hidden(ch)], path
    rows = [row for path in example_site.rglob("comments.csv") for row in read_csv(path)]
    assert any("fdp.exe" in row["body"] for row in rows)  # demo-040's bidi attack, stripped
