"""Web-form exports become records: once each, personal data sealed, bad rows reported."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
import yaml
from conftest import REPO, Repo, add_poll, rayzani

from rayzani.analysis.polls import tally
from rayzani.project import load_project
from rayzani.security.sealing import read_private_key, unseal

COLUMNS = ["row_id", "submitted_at", "draft", "article", "comment", "display_name", "publish_name",
           "respondent_type", "age_band", "gender", "province", "contact", "participant_id"]  # fmt: skip
PROVINCES = ["tehran", "isfahan", "fars", "gilan", "sistan-baluchestan"]


@pytest.fixture
def portal(repo: Repo) -> Repo:
    shutil.copy(REPO / "keys" / "demo-private.key", repo.root / "keys" / "demo-private.key")
    repo.edit(
        "mkdocs.yml",
        "min_comment_days: 30",
        "min_comment_days: 30\n    private_key_file: keys/demo-private.key",
    )
    return repo


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path


def row(n: int, **values: str) -> dict[str, str]:
    base = {
        "row_id": str(n),
        "submitted_at": f"2026-11-{10 + n % 10:02d} 09:{n % 60:02d}:00",
        "draft": "sample",
        "article": ["art-1", "art-1-c2", "art-2", ""][n % 4],
        "comment": f"نظر شماره {n} درباره این ماده.",
        "display_name": f"شرکت‌کننده {n}",
        "publish_name": "yes" if n % 2 else "",
        "respondent_type": "individual",
        "age_band": "30-44",
        "gender": ["female", "male"][n % 2],
        "province": PROVINCES[n % len(PROVINCES)],
        "contact": f"person{n}@example.org",
        "participant_id": "",
    }
    return base | values


def intake_form(portal: Repo, export: Path, *extra: str) -> int:
    return rayzani(["--root", str(portal.root), "intake", "form", str(export), *extra])


def form_records(portal: Repo) -> dict[str, dict]:
    return {
        p.stem: yaml.safe_load(p.read_text(encoding="utf-8"))
        for p in (portal.root / "submissions" / "sample").glob("form-*.yml")
    }


def test_a_thousand_row_export_imports_in_one_run_and_twice_adds_nothing(portal, capsys):
    export = write_csv(portal.root / "export.csv", [row(n) for n in range(1, 1001)])
    assert intake_form(portal, export) == 0
    captured = capsys.readouterr()
    assert "1000 new, 0 duplicate" in captured.out
    assert "500/1000 rows" in captured.err and "1000/1000 rows" in captured.err  # progress
    found = form_records(portal)
    assert len(found) == 1000
    project = load_project(portal.root)
    assert project.problems == []
    assert len(project.portal.comments_on("sample")) == 1001

    assert intake_form(portal, export) == 0
    assert "0 new, 1000 duplicate (0 edited since recorded)" in capsys.readouterr().out
    assert len(list((portal.root / "submissions" / "sample").glob("*.yml"))) == 1001
    # A later export where a row was edited in the form tool: the record keeps what was received.
    recorded = (portal.root / "submissions" / "sample" / "form-7.yml").read_text(encoding="utf-8")
    write_csv(export, [row(n, comment="Edited later.") if n == 7 else row(n) for n in range(1, 1001)])
    assert intake_form(portal, export) == 0
    assert "0 new, 1000 duplicate (1 edited since recorded)" in capsys.readouterr().out
    assert (portal.root / "submissions" / "sample" / "form-7.yml").read_text(encoding="utf-8") == recorded


def test_personal_data_is_sealed_and_the_name_published_only_with_consent(portal):
    export = write_csv(portal.root / "export.csv", [row(1), row(2)])
    assert intake_form(portal, export) == 0
    text = (portal.root / "submissions" / "sample" / "form-1.yml").read_text(encoding="utf-8")
    assert "person1@example.org" not in text and "isfahan" not in text and "30-44" not in text
    found = form_records(portal)
    assert found["form-1"]["author"]["name"] == "شرکت‌کننده 1"  # consented
    assert "name" not in found["form-2"]["author"]  # no consent: dropped
    assert "شرکت‌کننده 2" not in (portal.root / "submissions" / "sample" / "form-2.yml").read_text("utf-8")
    project = load_project(portal.root)
    key = read_private_key(portal.root, project.settings)
    opened = unseal(found["form-1"]["sealed"], key)
    assert opened.province == "isfahan" and opened.contact == "person1@example.org"
    assert opened.age_band == "30-44" and opened.gender == "male"
    assert found["form-1"]["received"].isoformat() == "2026-11-11T09:01:00+03:30"


def test_bad_rows_are_reported_to_the_editor_and_the_rest_recorded(portal, capsys):
    rows = [
        row(1, comment="   "),
        row(2, comment="x" * 1_000_000),
        row(3, draft="no-such-draft"),
        row(4, province="atlantis"),
        row(5, comment="کد ملی من ۰۰۱۲۳۴۵۶۷۹ است و شماره‌ام +98 21 8888 1234."),
        row(6, submitted_at="2026-12-15 10:00:00"),
        row(7, submitted_at="2026-10-01 10:00:00"),
        row(8, submitted_at="yesterday"),
        row(9, submitted_at="2026-12-01T22:00:00+00:00"),  # 2 December in Tehran: late
        row(10, submitted_at="2026-12-01T20:00:00+00:00", participant_id="someone@example.org"),
        row(11, comment="يك نظر​ با حروف عربي‮ و نویسه‌های پنهان"),
    ]
    assert intake_form(portal, write_csv(portal.root / "export.csv", rows)) == 0
    out = capsys.readouterr().out
    assert "5 new, 0 duplicate" in out and "6 rejected" in out
    assert "row 1: The comment is empty." in out
    assert "row 2: “comment” is too long (1000000 characters)" in out
    assert "row 3: There is no draft or call with the address “no-such-draft”." in out
    assert "row 4: “atlantis” is not an accepted value for “province”." in out
    assert "row 7: The comment period of this draft has not started yet" in out
    assert "row 8: “yesterday” is not an accepted value for “submitted_at”." in out
    found = form_records(portal)
    assert set(found) == {"form-5", "form-6", "form-9", "form-10", "form-11"}
    # Arabic yeh and kaf become Persian; zero-width and bidi controls go; the half-space stays.
    assert found["form-11"]["body"] == "یک نظر با حروف عربی و نویسه‌های پنهان"
    assert found["form-9"]["late"] is True and "late" not in found["form-10"]
    # An email used as the participant's id still links their comments, but only as a hash.
    assert found["form-10"]["author"]["id"].startswith("pid:")
    assert "someone@example.org" not in (portal.root / "submissions/sample/form-10.yml").read_text("utf-8")
    assert "۰۰۱۲۳۴۵۶۷۹" not in found["form-5"]["body"] and "8888" not in found["form-5"]["body"]
    assert found["form-5"]["redactions"] == ["national-id", "phone"]
    assert found["form-6"]["late"] is True


def test_a_json_export_without_row_ids_is_read_through_a_mapping_file(portal, capsys):
    mapping = portal.write(
        "mapping.yml",
        """\
        form: survey-tool
        timezone: "+00:00"
        columns:
          submitted_at: Submitted
          draft: Draft
          article: Article
          comment: Your comment
          respondent_type: You are
          province: Province
        values:
          respondent_type: {"A citizen": individual, "An NGO": ngo}
        """,
    )
    rows = [
        {"Submitted": "2026-11-12T08:00:00", "Draft": "sample", "Article": "2", "Your comment": "Too vague.",
         "You are": "An NGO", "Province": "gilan"},
        {"Submitted": "2026-11-13T08:00:00", "Draft": "sample", "Article": "", "Your comment": "Fine.",
         "You are": "A citizen", "Province": None},
    ]  # fmt: skip
    export = portal.root / "export.json"
    export.write_text(json.dumps({"submissions": rows}), encoding="utf-8")
    assert intake_form(portal, export, "--mapping", str(mapping)) == 0
    assert intake_form(portal, export, "--mapping", str(mapping)) == 0
    assert "0 new, 2 duplicate" in capsys.readouterr().out
    found = form_records(portal)
    assert len(found) == 2
    ngo = next(r for r in found.values() if r["body"] == "Too vague.")
    assert ngo["author"]["type"] == "ngo" and ngo["section"] == "art-2" and ngo["language"] == "en"
    assert ngo["source"].startswith("form:survey-tool:sha-")
    assert ngo["received"].isoformat() == "2026-11-12T08:00:00+00:00"
    assert load_project(portal.root).problems == []


@pytest.mark.parametrize(
    ("added", "expected"),
    [
        (
            "publication: {state: withheld}",
            "publication.reason: must be given exactly when the state is withheld",
        ),
        ("publication: {state: published, reason: spam}", "publication.reason: must be given exactly when"),
        (
            "publication: {state: withheld, reason: rude}",
            "publication.reason: is 'rude', which is not one of",
        ),
        ("publication: {state: hidden}", "publication.state: is 'hidden'"),
        ("redactions: [ssn]", "redactions: entry 1 is 'ssn'"),
        ("late: maybe", "late: must be true or false"),
        ("text_sha256: abc", "text_sha256: must be 64 hex digits"),
    ],
)
def test_editors_moderation_and_intake_fields_are_validated(portal, added, expected):
    portal.edit("submissions/sample/c1.yml", "channel: form", f"channel: form\n{added}")
    problems = [p.format(portal.root) for p in load_project(portal.root).problems]
    assert any(expected in p for p in problems), problems


def test_a_withheld_comment_with_its_reason_is_valid(portal):
    portal.edit(
        "submissions/sample/c1.yml",
        "channel: form",
        "channel: form\npublication: {state: withheld, reason: abuse}",
    )
    assert load_project(portal.root).problems == []
    (record,) = load_project(portal.root).portal.comments_on("sample")
    assert record.publication.withheld and record.publication.reason == "abuse"


BALLOT = ["row_id", "submitted_at", "draft", "vote", "participant_id", "comment", "respondent_type",
          "age_band", "gender", "province", "contact"]  # fmt: skip


def ballot(n: int, vote: str, voter: str, day: str = "2026-11-12", **values: str) -> dict[str, str]:
    return {"row_id": f"b{n}", "submitted_at": f"{day} 10:00:00", "draft": "sample", "vote": vote,
            "participant_id": voter, "respondent_type": "individual"} | values  # fmt: skip


def write_ballots(path: Path, rows: list[dict[str, str]], columns: list[str] = BALLOT) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows({k: v for k, v in r.items() if k in columns} for r in rows)
    return path


def vote_records(portal: Repo) -> dict[str, dict]:
    return {k: v for k, v in form_records(portal).items() if "vote" in v}


def test_a_ballot_export_writes_vote_records_once_sealed_and_marked_late(portal, capsys):
    add_poll(portal)
    mapping = portal.write("ballot.yml", "form: poll-2026\nballot: true\n")
    rows = [
        ballot(1, "agree", "p1", age_band="30-44", province="isfahan", contact="p1@example.org"),
        ballot(2, "Disagree", "p2"),  # the option's English name, as the form tool called it
        ballot(3, "مخالفم", "p1", "2026-11-14"),  # p1 votes again: kept, counted once
        ballot(4, "agree", "p3", "2026-12-02", comment="Write to me: p3@example.org"),  # after the close
        ballot(5, "maybe", "p4"),
        ballot(6, "agree", ""),
        ballot(7, "", "p5"),
        ballot(8, "disagree", "p6@example.org"),
        ballot(9, "agree", "p7", "2026-10-20"),  # before the call opened
    ]
    export = write_ballots(portal.root / "ballots.csv", rows)
    assert intake_form(portal, export, "--mapping", str(mapping)) == 0
    out = capsys.readouterr().out
    assert "5 new, 0 duplicate" in out and "4 rejected; 1 late" in out
    assert "row 9: This call's poll has not opened yet (it opens 2026-11-01)." in out
    assert (
        "row 5: “maybe” is not one of this poll's options. The options are: موافقم / Agree, مخالفم / Disagree"
        in out
    )
    assert "row 6: The part “participant_id” is empty, and it is required." in out
    assert "row 7: The part “vote” is empty, and it is required." in out
    found = vote_records(portal)
    assert set(found) == {"form-b1", "form-b2", "form-b3", "form-b4", "form-b8"}
    assert [found[f"form-b{n}"]["vote"] for n in (1, 2, 3, 4)] == ["agree", "disagree", "disagree", "agree"]
    first = found["form-b1"]
    assert first["source"] == "form:poll-2026:b1" and first["author"] == {"id": "p1", "type": "individual"}
    text = (portal.root / "submissions" / "sample" / "form-b1.yml").read_text(encoding="utf-8")
    assert "p1@example.org" not in text and "isfahan" not in text and "30-44" not in text
    opened = unseal(first["sealed"], read_private_key(portal.root, load_project(portal.root).settings))
    assert opened.province == "isfahan" and opened.contact == "p1@example.org"
    assert found["form-b4"]["late"] is True and "late" not in first
    assert "p3@example.org" not in found["form-b4"]["body"] and found["form-b4"]["redactions"] == ["email"]
    assert found["form-b8"]["author"]["id"].startswith("pid:")  # an email as the id is hashed
    project = load_project(portal.root)
    assert project.problems == []
    assert [r.id for r in project.portal.comments_on("sample")] == ["c1"]  # votes are not comments

    before = {p.name: p.read_bytes() for p in (portal.root / "submissions" / "sample").glob("*.yml")}
    assert intake_form(portal, export, "--mapping", str(mapping)) == 0
    assert "0 new, 5 duplicate" in capsys.readouterr().out
    after = {p.name: p.read_bytes() for p in (portal.root / "submissions" / "sample").glob("*.yml")}
    assert after == before


def test_a_comment_export_may_carry_votes_in_its_vote_column(portal):
    add_poll(portal)
    rows = [row(1), row(2, participant_id="p2") | {"vote": "agree"}]
    with (portal.root / "export.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=[*COLUMNS, "vote"])
        writer.writeheader()
        writer.writerows(rows)
    assert intake_form(portal, portal.root / "export.csv") == 0
    found = form_records(portal)
    assert "vote" not in found["form-1"] and found["form-1"]["decision"] == {"status": "pending"}
    assert found["form-2"]["vote"] == "agree" and "decision" not in found["form-2"]
    assert load_project(portal.root).problems == []


def test_a_ballot_export_without_its_vote_column_writes_nothing(portal, capsys):
    add_poll(portal)
    mapping = portal.write("ballot.yml", "ballot: true\ncolumns:\n  vote: Your choice\n")
    columns = [c for c in BALLOT if c != "vote"]
    export = write_ballots(portal.root / "ballots.csv", [ballot(1, "agree", "p1")], columns)
    before = sorted((portal.root / "submissions").rglob("*"))
    assert intake_form(portal, export, "--mapping", str(mapping)) == 2
    assert "a ballot export needs the column 'Your choice' (vote)" in capsys.readouterr().err
    assert sorted((portal.root / "submissions").rglob("*")) == before


def test_a_vote_in_a_call_without_a_poll_is_refused(portal, capsys):
    export = write_ballots(portal.root / "ballots.csv", [ballot(1, "agree", "p1")])
    assert intake_form(portal, export) == 0
    assert "row 1: The call “sample” holds no poll." in capsys.readouterr().out
    assert form_records(portal) == {}


def test_a_mobile_number_as_the_voter_id_is_one_hashed_voter_however_it_is_typed(portal):
    add_poll(portal)
    typed = ["0912 345 6789", "+98 912 345 6789", "۰۹۱۲۳۴۵۶۷۸۹", "9123456789", "00989123456789"]
    rows = [ballot(n, "agree", voter) for n, voter in enumerate(typed, start=1)]
    export = write_ballots(portal.root / "ballots.csv", rows)
    assert intake_form(portal, export) == 0
    found = vote_records(portal)
    assert {v["author"]["id"] for v in found.values()} == {found["form-b1"]["author"]["id"]}
    assert found["form-b1"]["author"]["id"].startswith("pid:")
    for path in (portal.root / "submissions" / "sample").glob("form-*.yml"):
        text = path.read_text(encoding="utf-8")
        assert "123456789" not in text and "۱۲۳۴۵۶۷۸۹" not in text and "345 6789" not in text
    # So the results count the person once: the other four are duplicates.
    project = load_project(portal.root).portal
    result = tally(project.calls["sample"], project.votes["sample"])
    assert result.counted == 1 and result.rejected["duplicate"] == 4
