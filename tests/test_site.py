"""The built example site, read as a visitor's browser would get it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from conftest import REPO, today
from html_query import element, html_tag

from rayzani.model.provinces import PROVINCES
from rayzani.project import load_project
from rayzani.security.sealing import read_private_key, unseal

PERSIAN_DIGIT = re.compile("[۰-۹]")
JALALI_DATE = re.compile(
    "[۰-۹]+ (فروردین|اردیبهشت|خرداد|تیر|مرداد|شهریور|مهر|آبان|آذر|دی|بهمن|اسفند) [۰-۹]{4}"
)
GREGORIAN_DATE = re.compile(
    r"\d{1,2} (January|February|March|April|May|June|July|August|September|October|"
    r"November|December) 20\d\d"
)


def page(site: Path, url: str) -> str:
    return (site / url / "index.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def example():
    project = load_project(REPO, today())
    assert project.problems == []
    return project


def decided_comment(example, status: str):
    records = example.portal.comments_on("e-participation")
    return next(r for r in records if r.decision.status == status and r.section)


def test_persian_pages_are_rtl_with_persian_digits_and_jalali_dates(example_site):
    html = page(example_site, "drafts/e-participation")
    assert 'lang="fa"' in html_tag(html) and 'dir="rtl"' in html_tag(html)
    _, facts = element(html, "comment-period")
    assert JALALI_DATE.search(html), "no Jalali date on the Persian draft page"
    assert PERSIAN_DIGIT.search(facts)
    assert not GREGORIAN_DATE.search(html)


def test_english_pages_are_ltr_with_gregorian_dates(example_site):
    html = page(example_site, "en/drafts/e-participation")
    assert 'lang="en"' in html_tag(html) and 'dir="ltr"' in html_tag(html)
    assert GREGORIAN_DATE.search(html)
    assert not JALALI_DATE.search(html)


def test_a_decided_comment_appears_under_its_article_with_reason(example, example_site):
    record = decided_comment(example, "rejected")
    article = example.portal.drafts["e-participation"].article_of(record.section)
    for lang, prefix in (("fa", ""), ("en", "en/")):
        html = page(example_site, f"{prefix}drafts/e-participation/comments/{article.anchor}")
        _, text = element(html, f"c-{record.id}")
        assert record.decision.reason.get(lang).split()[0] in text
        assert ("پذیرفته نشد" if lang == "fa" else "Rejected") in text
    # On the draft page itself the comment sits after its article's heading and before the next.
    html = page(example_site, "drafts/e-participation")
    position = html.find(f'id="c-{record.id}"')
    assert position >= 0, f"comment {record.id} is not under its article on the draft page"
    headings = [m.start() for m in re.finditer(r'<h2 id="(art-[^"]+|general)"', html)]
    owner = max(h for h in headings if h < position)
    assert html[owner:].startswith(f'<h2 id="{article.anchor}"')


def test_hostile_comment_is_inert(example, example_site):
    hostile = next(r for r in example.portal.comments_on("e-participation") if "<script>" in r.body)
    assert "fdp.exe" in hostile.body and "\u202e" not in hostile.body  # bidi override stripped
    shown_on: list[str] = []
    for path in example_site.rglob("*.html"):
        html = path.read_text(encoding="utf-8")
        if f'id="c-{hostile.id}"' not in html:
            continue
        shown_on.append(path.relative_to(example_site).parent.as_posix())
        start = html.index(f'id="c-{hostile.id}"')
        card = html[start : html.index("</article>", start)]
        assert (
            "<script" not in card
            and "<img" not in card
            and "javascript:" not in card.replace("(javascript:", "")
        )
        assert "\u202e" not in card
        assert "&lt;script&gt;" in card
    # The card was read where a visitor meets it, in both languages: under its article on the
    # draft page and on the article's discussion page.
    article = example.portal.drafts["e-participation"].article_of(hostile.section)
    expected = {"drafts/e-participation", f"drafts/e-participation/comments/{article.anchor}"}
    assert expected | {f"en/{key}" for key in expected} <= set(shown_on), shown_on


def test_no_personal_data_reaches_the_site(example, example_site):
    key = read_private_key(REPO, example.settings)
    assert key is not None, "the example ships a demo key"
    secrets: set[str] = set()
    provinces: dict[str, str] = {}  # record id -> its sealed province
    for records in example.portal.submissions.values():
        for record in records:
            if record.sealed:
                data = unseal(record.sealed, key)
                assert data is not None
                if data.contact:
                    secrets.add(data.contact)
                if data.province:
                    provinces[record.id] = data.province
                secrets.add(record.sealed[:40])
    assert len(secrets) > 20 and len(provinces) > 20
    for path in example_site.rglob("*"):
        if path.is_file() and path.suffix in {".html", ".json", ".xml", ".csv", ".txt", ".js"}:
            text = path.read_text(encoding="utf-8", errors="ignore")
            leaked = [s for s in secrets if s in text]
            assert not leaked, f"{path} contains {leaked[:2]}"
    # A comment card never says where its author lives (unless the comment itself does).
    records = {r.id: r for rs in example.portal.submissions.values() for r in rs}
    checked = 0
    for path in example_site.rglob("*.html"):
        html = path.read_text(encoding="utf-8")
        for record_id, province in provinces.items():
            if f'id="c-{record_id}"' in html:
                _, card = element(html, f"c-{record_id}")
                for name in PROVINCES[province]:
                    assert name not in card or name in records[record_id].body, (path, record_id)
                checked += 1
    assert checked > 20


def test_records_in_the_repository_hold_no_clear_personal_fields():
    for path in (REPO / "submissions").rglob("*.yml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert not {"age_band", "gender", "province", "contact"} & set(data), path
