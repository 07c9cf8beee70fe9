"""`rayzani decide` edits records through the round-trip YAML layer; intake writes new ones through it."""

from __future__ import annotations

import datetime as dt

import yaml
from conftest import REPO, today

from rayzani.cli import main as rayzani
from rayzani.load.yaml_io import dump_edited, dump_record, load_for_edit
from rayzani.project import load_project

ANNOTATED = """\
# Delivered twice by the form; this is the copy we keep.
id: c1
target: sample
section: art-1-c2
received: 2026-11-05T10:00:00+03:30
channel: form
source: 'form:1'
language: fa
body: نظر آزمایشی درباره بند دو.
author: {type: individual}  # no name: the participant did not consent
decision:  # first answer, from the legal unit
  status: rejected  # see the minutes of 20 November
  reason: {fa: دلیل رد, en: Reason for rejection}
  decided_by: واحد حقوقی
  date: 2026-11-20

# Checked against the paper copy on 21 November.
demo: true
"""


def _decide(repo, status: str, reason: str, day: str) -> int:
    return rayzani([
        "--root", str(repo.root), "decide", "sample", "c1", "--status", status,
        "--reason-fa", reason, "--by", "واحد حقوقی", "--date", day,
    ])  # fmt: skip


def test_decide_keeps_an_editors_comments_and_layout_in_the_record(repo):
    record = repo.write("submissions/sample/c1.yml", ANNOTATED)
    assert _decide(repo, "partially-accepted", "بخشی پذیرفته شد.", "2026-11-22") == 0
    assert _decide(repo, "accepted", "پس از جلسه دوم پذیرفته شد.", "2026-11-23") == 0
    after = record.read_text(encoding="utf-8")
    # Every line before the decision, comments, quotes and flow style included, is as it was.
    assert after.startswith(ANNOTATED[: ANNOTATED.index("decision:")])
    # The comment on the decision key stays; the comments on the first answer moved with it.
    assert "decision:  # first answer, from the legal unit\n" in after
    assert "- status: rejected  # see the minutes of 20 November\n" in after
    # The note after the decision block still stands just above the key it precedes.
    assert after.endswith("\n# Checked against the paper copy on 21 November.\ndemo: true\n")
    assert after.count("#") == ANNOTATED.count("#")
    (current,) = load_project(repo.root, today()).portal.comments_on("sample")
    assert current.decision.status == "accepted"
    assert [d.status for d in current.history] == ["rejected", "partially-accepted"]
    assert load_project(repo.root, today()).problems == []


def test_a_batch_file_with_a_key_given_twice_is_refused_and_nothing_changes(repo, capsys):
    before = (repo.root / "submissions/sample/c1.yml").read_text(encoding="utf-8")
    batch = repo.write(
        "decisions.yml",
        "- target: sample\n  id: c1\n  status: accepted\n  reason: {fa: پذیرفته شد.}\n"
        "  decided_by: واحد حقوقی\n  status: rejected\n",
    )
    assert rayzani(["--root", str(repo.root), "decide", "--batch", str(batch)]) == 2
    assert "the key 'status' appears twice" in capsys.readouterr().err
    assert (repo.root / "submissions/sample/c1.yml").read_text(encoding="utf-8") == before


class _EarlierDumper(yaml.SafeDumper):
    """How intake wrote records before the round-trip layer: PyYAML, multi-line text as literal blocks."""


_EarlierDumper.add_representer(
    str,
    lambda dumper, value: dumper.represent_scalar(
        "tag:yaml.org,2002:str", value, style="|" if "\n" in value else None
    ),
)


def _earlier(record: dict) -> str:
    return yaml.dump(record, Dumper=_EarlierDumper, allow_unicode=True, sort_keys=False, width=100)


def test_new_records_are_written_byte_for_byte_as_before_and_read_back_unchanged():
    received = dt.datetime(2026, 11, 5, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=3, minutes=30)))
    tricky = [
        "no", "2:30", "1e3", "null", "- a list?", "a: b", "#not a comment", "'quoted'", '"double"',
        "ends with a space ", "line one\nline two\n", "tab\tinside", "٪۲۰ با نیم‌فاصله", "x" * 150,
        " ".join(["واژه"] * 60), "‏RLM inside", "{flow}", "[1, 2]", "!tag", "&anchor", "*alias", "",
    ]  # fmt: skip
    example = sorted(REPO.glob("submissions/*/*.yml"))
    records = [yaml.safe_load(path.read_text(encoding="utf-8")) for path in example]
    records += [
        {"id": "t", "received": received, "body": text, "author": {"type": "individual", "name": text},
         "decision": {"status": "pending"}, "redactions": [text, "phone"], "late": True}
        for text in tricky
    ]  # fmt: skip
    for record in records:
        written = dump_record(record)
        assert written == _earlier(record)
        assert yaml.safe_load(written) == record
        assert dump_edited(load_for_edit(written)) == written
