"""Draft versions: the list of versions, the redline, and comments that led to changes."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import Repo, today
from html_query import element
from test_site import GREGORIAN_DATE, JALALI_DATE, page

from rayzani.analysis.redline import compare, word_diff
from rayzani.model import Article, DraftText
from rayzani.project import load_project

DRAFT = "drafts/e-participation"


def _plain(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_example_draft_lists_its_two_versions_with_dates(example_site):
    fa = page(example_site, f"{DRAFT}/versions")
    en = page(example_site, f"en/{DRAFT}/versions")
    _, row_fa = element(fa, "v-1")
    _, row_en = element(en, "v-2")
    assert JALALI_DATE.search(row_fa) and "نسخه ۱" in row_fa and "متن نظرخواهی" in row_fa
    assert GREGORIAN_DATE.search(row_en) and "current text" in row_en and "revised text" in row_en
    # The draft page says which version it shows and links to the others.
    _, version = element(page(example_site, f"en/{DRAFT}"), "draft-version")
    assert version.startswith("2") and "all versions" in version


def test_redline_marks_words_inserted_and_deleted_in_persian():
    old = "پیش‌نویس به مدت پیشنهادی حداقل ۳۰ روز منتشر مي‌شود؛ كه كافی است."
    new = "پیش‌نویس به مدت حداقل ۴۵ روز منتشر می‌شود؛ که کافی است."
    segments = word_diff(old, new)
    deleted = [s.text for s in segments if s.op == "delete"]
    inserted = [s.text for s in segments if s.op == "insert"]
    # Half-space words are single tokens; Arabic yeh and kaf equal their Persian letters.
    assert deleted == ["پیشنهادی", "۳۰"]
    assert inserted == ["۴۵"]
    assert "".join(s.text for s in segments if s.op != "delete").split() == new.split()


def test_redline_matches_articles_by_anchor_through_renumbering():
    def text(*articles: Article) -> DraftText:
        return DraftText("fa", "t", "s", "u", "d", "", articles)

    old = text(
        Article("art-1", "ماده ۱ — الف", "متن یک"),
        Article("art-2", "ماده ۲ — ب", "متن دو"),
        Article("art-3", "ماده ۳ — پ", "متن سه"),
    )
    new = text(Article("art-1", "ماده ۱ — الف", "متن یک"), Article("art-3", "ماده ۲ — پ", "متن سه تازه"))
    diffs = {d.anchor: d for d in compare(old, new)}
    assert [d.anchor for d in compare(old, new)] == ["art-1", "art-2", "art-3"]
    assert diffs["art-1"].status == "unchanged"
    assert diffs["art-2"].status == "removed"
    assert diffs["art-3"].status == "changed" and diffs["art-3"].renumbered
    assert [s.text for s in diffs["art-3"].blocks[0] if s.op == "insert"] == ["تازه"]


def test_changes_page_shows_redline_in_rtl_and_the_comments_beside_each_change(example_site):
    html = page(example_site, f"{DRAFT}/changes/2")
    _, change = element(html, "change-art-2")
    assert "ماده ۲" in change
    redline = html[html.index('id="change-art-2"') : html.index('id="change-art-3"')]
    assert 'dir="rtl"' in redline and 'lang="fa"' in redline
    deleted = re.findall(r"<del[^>]*>(.*?)</del>", redline)
    inserted = re.findall(r"<ins[^>]*>(.*?)</ins>", redline)
    assert any("پیشنهادی" in d for d in deleted)
    assert any("۴۵ روز تقویمی" in i for i in inserted)
    # Each mark says what it is to a screen reader.
    assert all("حذف‌شده" in d for d in deleted) and all("افزوده" in i for i in inserted)
    # The comment that asked for 45 days sits beside the change it led to.
    assert 'id="c-demo-001"' in redline
    # No script is needed to read it.
    assert "<script" not in redline


def test_changes_page_shows_a_removed_and_a_renumbered_article(example_site):
    html = page(example_site, f"en/{DRAFT}/changes/2")
    _, removed = element(html, "change-art-5")
    assert "Article 5 of version 1" in removed
    _, renumbered = element(html, "change-art-6")
    assert "Article 5 (formerly Article 6)" in renumbered
    section = html[html.index('id="change-art-6"') : html.index('id="change-art-7"')]
    assert re.search(r"<del[^>]*>.*?6.*?</del>\s*<ins[^>]*>.*?5.*?</ins>", section)


def test_comment_says_which_change_it_led_to(example_site):
    for lang, prefix, words in (
        ("fa", "", "به تغییر در نسخه ۲، ماده ۲"),
        ("en", "en/", "version 2, Article 2"),
    ):
        html = page(example_site, f"{prefix}{DRAFT}/comments/art-2")
        start = html.index('id="c-demo-001"')
        card = html[start : html.index("</article>", start)]
        assert words in _plain(card), lang
        assert "../../changes/2/#change-art-2" in card


def test_comment_on_a_removed_article_still_resolves_to_its_text(example_site):
    project = load_project(Path(__file__).resolve().parent.parent, today())
    draft = project.portal.drafts["e-participation"]
    record = next(r for r in project.portal.comments_on("e-participation") if r.section == "art-5-c1")
    assert "art-5" not in {a.anchor for a in draft.articles}, "the example's version 2 removed Article 5"
    assert draft.version_of(record).label == "1"
    html = page(example_site, f"en/{DRAFT}/comments/art-5")
    start = html.index(f'id="c-{record.id}"')
    card = _plain(html[start : html.index("</article>", start)])
    assert "On Article 5, clause 1" in card and "on version 1" in card
    # "on version 1" leads to the article in the text it was made on.
    assert 'href="../../versions/1/#art-5"' in html[start : html.index("</article>", start)]
    assert 'href="../../versions/1/#art-5"' in html
    _, old_text = element(page(example_site, f"en/{DRAFT}/versions/1"), "art-5")
    assert "Results and feedback" in old_text
    # The draft page still leads to those comments.
    _, removed = element(page(example_site, f"en/{DRAFT}"), "removed-articles")
    assert "Article 5" in removed


def test_comment_on_a_renumbered_article_is_named_as_now_and_as_in_its_version(example_site):
    html = page(example_site, f"en/{DRAFT}/comments/art-6")
    start = html.index('id="c-demo-014"')
    card = _plain(html[start : html.index("</article>", start)])
    assert "On Article 5, clause 1" in card, "named as the reader sees it now, under Article 5"
    assert "on version 1, where it was Article 6, clause 1" in card, "and as in version 1"


VERSION_1 = """\
---
published: 2026-11-01
---
## ماده ۱ — تعاریف

متن ماده یک.

1. بند یک
2. بند دو

## ماده ۲ — تکالیف

متن ماده دو.

## ماده ۳ — حذف‌شونده

متن ماده سه.
"""


def _with_two_versions(repo: Repo) -> None:
    repo.write("content/drafts/sample/versions/1.fa.md", VERSION_1)
    repo.edit("content/drafts/sample/index.fa.md", 'version: "1"', 'version: "2"\npublished: 2026-11-10')


def problems_of(repo: Repo) -> list[str]:
    return [f"{p.path.name}: {p.field}: {p.message}" for p in load_project(repo.root).problems]


def test_comment_defaults_to_the_version_open_when_it_arrived(repo):
    _with_two_versions(repo)
    repo.write(
        "submissions/sample/c2.yml",
        (repo.root / "submissions/sample/c1.yml")
        .read_text()
        .replace("id: c1", "id: c2")
        .replace("section: art-1-c2", "section: art-3")
        .replace("form:1", "form:2"),
    )
    assert problems_of(repo) == []
    portal = load_project(repo.root).portal
    draft = portal.drafts["sample"]
    assert [draft.version_of(r).label for r in portal.comments_on("sample")] == ["1", "1"]
    # Received after version 2 was published, the same comment points nowhere.
    repo.edit("submissions/sample/c2.yml", "2026-11-05", "2026-11-12")
    assert problems_of(repo) == ["c2.yml: section: 'art-3' is not an anchor of draft 'sample' in version 2"]
    # Saying which version it was made on resolves it again.
    repo.edit("submissions/sample/c2.yml", "id: c2", 'id: c2\nversion: "1"')
    assert problems_of(repo) == []


def test_validation_checks_what_a_version_cites(repo):
    _with_two_versions(repo)
    repo.edit(
        "content/drafts/sample/index.fa.md",
        "published: 2026-11-10",
        "published: 2026-11-10\nchanges:\n  - article: art-1\n    comments: [c1, nobody]\n"
        "  - article: art-9\n    comments: [c1]",
    )
    found = problems_of(repo)
    assert any("cites 'nobody', which is not a record" in p for p in found)
    assert any("'art-9', which is not an article of version 2" in p for p in found)
    assert len(found) == 2
    # A change can only answer comments made on an earlier version.
    repo.edit("content/drafts/sample/index.fa.md", "comments: [c1, nobody]", "comments: [c1, c3]")
    repo.edit("content/drafts/sample/index.fa.md", "  - article: art-9\n    comments: [c1]\n", "")
    repo.write(
        "submissions/sample/c3.yml",
        (repo.root / "submissions/sample/c1.yml")
        .read_text()
        .replace("id: c1", "id: c3")
        .replace("form:1", "form:3")
        .replace("2026-11-05", "2026-11-12"),
    )
    assert problems_of(repo) == [
        "index.fa.md: changes: cites 'c3', which was made on version 2, not on an earlier one"
    ]


def test_versions_must_be_published_in_order(repo):
    _with_two_versions(repo)
    repo.edit("content/drafts/sample/versions/1.fa.md", "2026-11-01", "2026-11-15")
    assert any("published" in p and "must be later" in p for p in problems_of(repo))
    repo.edit("content/drafts/sample/versions/1.fa.md", "2026-11-15", "2026-11-01")
    repo.write("content/drafts/sample/versions/2.fa.md", VERSION_1)
    assert any("2.fa.md: file name" in p for p in problems_of(repo))


def test_renumbering_without_a_pin_is_caught(repo):
    _with_two_versions(repo)
    # Version 2 drops article 2 and numbers the old article 3 as 2, forgetting the pin.
    repo.edit(
        "content/drafts/sample/index.fa.md",
        "## ماده ۲ — تکالیف\n\nمتن ماده دو.",
        "## ماده ۲ — حذف‌شونده\n\nگزارش سالانه به هیئت امنا.",
    )
    found = problems_of(repo)
    assert found == [
        "index.fa.md: anchor art-2: names «ماده ۲ — حذف‌شونده» here but «ماده ۲ — تکالیف» in version 1"
    ]
    repo.edit("content/drafts/sample/index.fa.md", "## ماده ۲ — حذف‌شونده", "## ماده ۲ — حذف‌شونده {#art-3}")
    assert problems_of(repo) == []
