"""Every validation rule names the file, the field and the fix; all problems come at once."""

from __future__ import annotations

import pytest

from rayzani.cli import main as rayzani
from rayzani.project import load_project


def problems_of(repo) -> list[str]:
    return [p.format(repo.root) for p in load_project(repo.root).problems]


def test_the_sample_portal_is_valid(repo, capsys):
    assert problems_of(repo) == []
    assert rayzani(["--root", str(repo.root), "validate"]) == 0
    assert "1 draft(s), 1 call(s), 1 record(s)" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("relative", "old", "new", "expected"),
    [
        (
            "submissions/sample/c1.yml",
            "channel: form",
            "channel: form\ncolour: red",
            "submissions/sample/c1.yml: colour: is not a known field",
        ),
        (
            "submissions/sample/c1.yml",
            "received: 2026-11-05T10:00:00+03:30",
            "received: yesterday",
            "submissions/sample/c1.yml: received: must be a timestamp",
        ),
        (
            "submissions/sample/c1.yml",
            "received: 2026-11-05T10:00:00+03:30",
            "received: 2026-11-05T10:00:00",
            "received: must include a time zone",
        ),
        (
            "content/drafts/sample/index.fa.md",
            "opens: 2026-11-01",
            "opens: 1 Aban",
            "content/drafts/sample/index.fa.md: opens: must be a date",
        ),
        (
            "content/drafts/sample/index.fa.md",
            "closes: 2026-12-01",
            "closes: 2026-11-20",
            "content/drafts/sample/index.fa.md: closes: leaves 19 days after opens",
        ),
        (
            "content/drafts/sample/index.fa.md",
            "kind: bylaw",
            "kind: decree",
            "content/drafts/sample/index.fa.md: kind: is 'decree', which is not one of",
        ),
        (
            "submissions/sample/c1.yml",
            "section: art-1-c2",
            "section: art-9",
            "submissions/sample/c1.yml: section: 'art-9' is not an anchor of draft 'sample'",
        ),
        (
            "submissions/sample/c1.yml",
            "target: sample",
            "target: other",
            "submissions/sample/c1.yml: target: is 'other' but the record is in submissions/sample/",
        ),
        (
            "submissions/sample/c1.yml",
            "id: c1",
            "id: c2",
            "submissions/sample/c1.yml: id: is 'c2' but the file is c1.yml",
        ),
        (
            "submissions/sample/c1.yml",
            "  reason: {fa: دلیل رد, en: Reason for rejection}\n",
            "",
            "submissions/sample/c1.yml: decision.reason: is missing for a rejected decision",
        ),
        (
            "submissions/sample/c1.yml",
            "reason: {fa: دلیل رد, en: Reason for rejection}",
            "reason: {en: Reason for rejection}",
            "submissions/sample/c1.yml: decision.reason: needs a Persian text",
        ),
        (
            "content/calls/sample.en.md",
            "draft: sample",
            "draft: missing",
            "content/calls/sample.en.md: draft: says 'missing' but sample.fa.md says 'sample'",
        ),
        (
            "submissions/sample/c1.yml",
            "body: نظر",
            "body: [نظر",
            "submissions/sample/c1.yml: line 9: is not valid YAML",
        ),
    ],
)
def test_each_rule_names_file_and_field(repo, relative, old, new, expected):
    repo.edit(relative, old, new)
    found = problems_of(repo)
    assert any(expected in line for line in found), found
    assert all("Fix: " in line for line in found)


def test_a_call_without_its_english_version_fails(repo):
    (repo.root / "content/calls/sample.en.md").unlink()
    found = problems_of(repo)
    assert any(
        line.startswith("content/calls/sample.en.md: is missing; every call must be published in English")
        for line in found
    ), found


def test_a_section_of_the_draft_must_exist_and_duplicate_sources_are_caught(repo):
    repo.write(
        "submissions/sample/c2.yml",
        (repo.root / "submissions/sample/c1.yml").read_text().replace("id: c1", "id: c2"),
    )
    found = problems_of(repo)
    assert any("c2.yml: source: 'form:1' is already recorded in c1.yml" in line for line in found)


def test_duplicate_anchors_in_a_draft_are_reported(repo):
    repo.edit("content/drafts/sample/index.fa.md", "## ماده ۲ — تکالیف", "## ماده ۲ — تکالیف {#art-1}")
    assert any("anchor art-1: is used twice" in line for line in problems_of(repo))


def test_all_problems_are_reported_in_one_run_and_build_refuses(repo, capsys):
    repo.edit("submissions/sample/c1.yml", "channel: form", "channel: pigeon")
    repo.edit("content/drafts/sample/index.fa.md", "kind: bylaw", "kind: decree")
    (repo.root / "content/calls/sample.en.md").unlink()
    assert rayzani(["--root", str(repo.root), "validate"]) == 1
    err = capsys.readouterr().err
    assert "c1.yml: channel:" in err
    assert "index.fa.md: kind:" in err
    assert "sample.en.md: is missing" in err
    assert rayzani(["--root", str(repo.root), "build", "--site-dir", str(repo.root / "out")]) == 1
    assert not (repo.root / "out").exists()
