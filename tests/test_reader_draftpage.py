"""The draft page as a reader meets it, on a 360 px phone and a 1280 px desktop, in both languages.

The page leads with the state of its consultation (open with the closing day and minute; closed
with a notice; the report once published), a whole-draft comment action and a table of articles;
"how do I comment?" is read at body size before the share links; and the language switch is
named after the other language and keeps the reader's place.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from contextlib import contextmanager
from urllib.parse import parse_qs, urlparse

import pytest
import yaml
from browser_support import answer_site_url_locally, serve
from conftest import REPO, Repo, build_example, today
from html_query import element
from test_reports import resolve
from test_site import page as built_page

from rayzani.i18n.dates import format_date
from rayzani.i18n.messages import text
from rayzani.model import IRAN_TIME
from rayzani.project import load_project

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
VIEWPORTS = {"phone": PHONE, "desktop": DESKTOP}
DRAFT = "drafts/e-participation/"
PREFIX = {"fa": "", "en": "en/"}
OTHER = {"fa": "en", "en": "fa"}
# The languages' names as the site configures them (mkdocs-static-i18n's `name`).
NAMES = {
    language["locale"]: language["name"]
    for plugin in yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))["plugins"]
    if isinstance(plugin, dict) and "i18n" in plugin
    for language in plugin["i18n"]["languages"]
}


@pytest.fixture(scope="module")
def example():
    project = load_project(REPO, today())
    assert project.problems == []
    return project.portal.drafts["e-participation"]


@pytest.fixture(scope="module")
def served(example_site, closed_site):
    with serve(example_site) as open_url, serve(closed_site) as closed_url:
        yield {"open": open_url, "closed": closed_url}


@contextmanager
def opened(browser, url: str, viewport: dict[str, int], now: dt.datetime | None = None):
    context = browser.new_context(viewport=viewport)
    answer_site_url_locally(context, url[: url.index("/rayzani/") + len("/rayzani/")])
    page = context.new_page()
    if now is not None:
        page.clock.set_fixed_time(now)
    response = page.goto(url, wait_until="load")
    assert response is not None and response.ok, url
    try:
        yield page
    finally:
        context.unroute_all(behavior="ignoreErrors")
        context.close()


def bottom(locator) -> float:
    box = locator.bounding_box()
    assert box is not None, locator
    return box["y"] + box["height"]


def top(locator) -> float:
    box = locator.bounding_box()
    assert box is not None, locator
    return box["y"]


def article_ids(html: str) -> list[str]:
    return re.findall(r'<h2 id="(art-[^"]+)"', html)


@pytest.mark.parametrize("lang", ["fa", "en"])
def test_article_table_opens_the_phone_page_above_the_first_article(browser, served, example_site, lang):
    articles = article_ids(built_page(example_site, PREFIX[lang] + DRAFT))
    assert len(articles) > 2
    with opened(browser, served["open"] + PREFIX[lang] + DRAFT, PHONE) as page:
        table = page.locator("#articles-toc")
        summary = table.locator("summary")
        assert bottom(summary) <= PHONE["height"], "the table of articles is below the first screen"
        assert bottom(table) < top(page.locator(f"#{articles[0]}"))
        # Every article is listed, in order, each a link to its heading.
        hrefs = table.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
        assert [h for h in hrefs if h.startswith("#art-")] == [f"#{a}" for a in articles]
        third = table.locator(f'a[href="#{articles[2]}"]')
        assert not third.is_visible(), "on a phone the table is a closed disclosure"
        summary.click()
        assert third.is_visible()
        third.click()
        page.wait_for_function(f"location.hash === '#{articles[2]}'")
        assert 0 <= top(page.locator(f"#{articles[2]}")) < PHONE["height"] / 2


@pytest.mark.parametrize("lang", ["fa", "en"])
def test_article_table_is_an_open_list_on_a_wide_screen(browser, served, example_site, lang):
    articles = article_ids(built_page(example_site, PREFIX[lang] + DRAFT))
    with opened(browser, served["open"] + PREFIX[lang] + DRAFT, DESKTOP) as page:
        table = page.locator("#articles-toc")
        for anchor in articles:
            assert table.locator(f'a[href="#{anchor}"]').is_visible(), anchor
        assert bottom(table) < top(page.locator(f"#{articles[0]}"))
        assert top(table) < DESKTOP["height"]


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
@pytest.mark.parametrize("lang", ["fa", "en"])
def test_whole_draft_action_is_on_the_first_screen(browser, served, lang, viewport):
    size = VIEWPORTS[viewport]
    with opened(browser, served["open"] + PREFIX[lang] + DRAFT, size) as page:
        action = page.locator("#comment-whole-draft a").first
        assert action.is_visible() and bottom(action) <= size["height"]
        # It is the general comment of the page's last section, not a comment on an article.
        href = action.get_attribute("href")
        assert href == page.locator("#general + .rz-article-tools a").first.get_attribute("href")
        query = parse_qs(urlparse(href).query)
        assert query["draft"] == ["e-participation"] and "article" not in query


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
@pytest.mark.parametrize("lang", ["fa", "en"])
def test_how_to_comment_is_read_at_body_size_before_the_share_links(browser, served, lang, viewport):
    with opened(browser, served["open"] + PREFIX[lang] + DRAFT, VIEWPORTS[viewport]) as page:
        how = page.locator("#how-to-comment")
        size = how.locator("p").evaluate("p => parseFloat(getComputedStyle(p).fontSize)")
        body = page.locator(".md-typeset > p:not([class])").first.evaluate(
            "p => parseFloat(getComputedStyle(p).fontSize)"
        )
        assert size >= 16 and size >= body, (size, body)
        assert bottom(how) <= top(page.locator(".rz-share"))


@pytest.mark.parametrize("lang", ["fa", "en"])
def test_open_draft_gives_days_left_and_the_closing_day_and_minute_in_tehran_time(
    example_site, example, lang
):
    html = built_page(example_site, PREFIX[lang] + DRAFT)
    _, state = element(html, "consultation-state")
    assert text("days_left", lang, n=example.window.days_left(today())) in state
    _, closing = element(html, "closing-time")
    day = format_date(example.window.closes, lang)
    # Comments are taken through the whole closing day, Tehran time: its last minute.
    minute = "۲۳:۵۹" if lang == "fa" else "11:59 pm"
    assert day in closing and minute in closing and ("تهران" if lang == "fa" else "Tehran time") in closing
    _, period = element(html, "comment-period")
    assert day in period and minute in period


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
@pytest.mark.parametrize("lang", ["fa", "en"])
def test_after_the_report_the_draft_page_leads_with_the_notice_and_the_report(
    browser, served, closed_site, example, lang, viewport
):
    size = VIEWPORTS[viewport]
    url = PREFIX[lang] + DRAFT
    html = built_page(closed_site, url)
    attrs, _ = element(html, "report-link")
    target = resolve(closed_site, url, attrs["href"])
    assert target.is_file() and target.parent.name == "report", target
    assert 'id="how-to-comment"' not in html and 'id="comment-whole-draft"' not in html
    # The share links no longer ask to take part.
    title = example.text(lang).title
    shared = [
        parse_qs(urlparse(a.replace("&amp;", "&")).query).get("text", [""])[0]
        for a in re.findall(r'href="(https://t\.me/[^"]+)"', html)
    ]
    assert shared and all(text("share_text_call", lang, title=title) not in s for s in shared)
    with opened(browser, served["closed"] + url, size) as page:
        notice = page.locator("#closed-notice")
        assert notice.is_visible() and bottom(page.locator("#report-link")) <= size["height"]
        assert format_date(example.window.closes, lang) in notice.inner_text()
        assert top(notice) < top(page.locator("#articles-toc"))


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
@pytest.mark.parametrize("lang", ["fa", "en"])
def test_after_the_report_the_home_card_leads_to_the_report(
    browser, served, closed_site, example, lang, viewport
):
    with opened(browser, served["closed"] + PREFIX[lang], VIEWPORTS[viewport]) as page:
        card = page.locator("#reported ~ .rz-cards .rz-card--reported").first
        assert example.text(lang).title in card.locator("h3").inner_text()
        title_link = card.locator("h3 a").get_attribute("href")
        target = resolve(closed_site, PREFIX[lang], title_link)
        assert target.is_file() and target.parent.name == "report", target
        assert card.locator(".rz-card__notice").is_visible()
        # The state is the first thing the card says.
        assert top(card.locator(".rz-state")) < top(card.locator("h3"))


@pytest.fixture(scope="module")
def awaiting_report(tmp_path_factory):
    """The small portal built after its draft closed (2026-12-01), with no report yet."""
    repo = Repo(tmp_path_factory.mktemp("awaiting") / "portal")
    shutil.copy(REPO / "mkdocs.yml", repo.root / "mkdocs.yml")
    shutil.copytree(REPO / "overrides", repo.root / "overrides")
    shutil.copy(REPO / "keys" / "demo-private.key", repo.root / "keys" / "demo-private.key")
    project = load_project(repo.root)
    assert project.problems == []
    site = build_example(repo.root, tmp_path_factory.mktemp("awaiting-site"), "2026-12-05")
    return project.portal.drafts["sample"], site


@pytest.mark.parametrize("lang", ["fa", "en"])
def test_a_closed_draft_awaiting_its_report_says_the_report_is_being_prepared(awaiting_report, lang):
    draft, site = awaiting_report
    html = built_page(site, PREFIX[lang] + "drafts/sample")
    _, notice = element(html, "closed-notice")
    assert notice == text("lead_closed", lang, date=format_date(draft.window.closes, lang))
    for gone in ("report-link", "how-to-comment", "comment-whole-draft", "closing-time"):
        assert f'id="{gone}"' not in html, gone
    home = built_page(site, PREFIX[lang])
    _, closed = element(home, "closed")
    card = home[home.index('<article class="rz-card rz-card--closed">') :]
    card = card[: card.index("</article>")]
    assert closed and 'href="drafts/sample/"' in card and "rz-card__report" not in card
    assert "rz-card__notice" in card


def test_article_anchors_are_the_same_in_both_languages(example_site):
    fa, en = (built_page(example_site, PREFIX[lang] + DRAFT) for lang in ("fa", "en"))
    assert article_ids(fa) and article_ids(fa) == article_ids(en)


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
@pytest.mark.parametrize("lang", ["fa", "en"])
def test_language_switch_is_named_and_keeps_the_article(browser, served, example_site, lang, viewport):
    size = VIEWPORTS[viewport]
    anchor = article_ids(built_page(example_site, PREFIX[lang] + DRAFT))[2]
    other = OTHER[lang]
    with opened(browser, served["open"] + PREFIX[lang] + DRAFT + f"#{anchor}", size) as page:
        switch = page.get_by_role("link", name=NAMES[other], exact=True)
        assert switch.count() == 1 and switch.is_visible(), "the switch shows the other language's name"
        assert switch.get_attribute("hreflang") == other
        switch.click()
        page.wait_for_load_state("load")
        assert page.url == served["open"] + PREFIX[other] + DRAFT + f"#{anchor}"
        assert page.evaluate("document.documentElement.lang") == other
        assert page.evaluate("window.scrollY") > 0
        assert 0 <= top(page.locator(f"#{anchor}")) < size["height"] / 2


@pytest.mark.parametrize("lang", ["fa", "en"])
def test_language_switch_follows_the_article_the_reader_jumped_to(browser, served, example_site, lang):
    anchor = article_ids(built_page(example_site, PREFIX[lang] + DRAFT))[-1]
    with opened(browser, served["open"] + PREFIX[lang] + DRAFT, DESKTOP) as page:
        switch = page.get_by_role("link", name=NAMES[OTHER[lang]], exact=True)
        assert "#" not in switch.get_attribute("href")
        page.locator(f'#articles-toc a[href="#{anchor}"]').click()
        page.wait_for_function(f"location.hash === '#{anchor}'")
        assert switch.get_attribute("href").endswith(f"#{anchor}")


@pytest.mark.parametrize("lang", ["fa", "en"])
def test_days_and_hours_left_by_the_readers_clock_on_the_build_day(browser, served, example, lang):
    # Mid-morning in Tehran on the build's day; the page counts to 23:59 on the closing day.
    now = dt.datetime.combine(today(), dt.time(10, 15), tzinfo=IRAN_TIME)
    closes = dt.datetime.combine(example.window.closes, dt.time(23, 59), tzinfo=IRAN_TIME)
    days, rest = divmod(closes - now, dt.timedelta(days=1))
    expected = text("days_hours_left", lang, d=days, h=rest // dt.timedelta(hours=1))
    url = served["open"] + PREFIX[lang] + DRAFT
    with opened(browser, url, PHONE, now=now) as page:
        assert page.locator("#consultation-state .rz-state__detail").inner_text() == expected
    # A reader whose clock is on another day than the build's (a preview built for another
    # date) keeps the build's own count of days.
    with opened(browser, url, PHONE, now=now + dt.timedelta(days=3)) as page:
        shown = page.locator("#consultation-state .rz-state__detail").inner_text()
        assert shown == text("days_left", lang, n=example.window.days_left(today()))
