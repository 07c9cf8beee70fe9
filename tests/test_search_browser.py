"""Search in headless Chromium: the real search box, Material's search worker wrapped by
overrides/assets/javascripts/workers/rayzani-search.js, and the example's search index.

Reliable under load: nothing is typed before the worker has said its index is built (Material's
READY message, observed on the page); the query is then sent the way Material reads it (on keyup),
the worker's answer to it is awaited, and results are checked with Playwright's auto-waiting
assertions. Nothing sleeps.
"""

from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest
from browser_support import REPO, answer_site_url_locally, screenshot, serve

WIDE = {"width": 1280, "height": 900}  # the search box is in the header, not behind an icon
# Generous: a loaded CI machine builds the index of both languages' pages in the worker.
READY_MS = 90_000
RESULT_MS = 30_000

# Material's search worker protocol (SearchMessageType, a const enum compiled to numbers):
# SETUP 0, READY 1, QUERY 2, RESULT 3. The page keeps a log of what went to and came from the
# worker; wrapping the Worker constructor is the one place the page can see those messages.
# Test-side only: the site is not changed to be observable.
WATCH_SEARCH_WORKER = """
(() => {
  const log = window.__rayzaniSearch = { workers: [], ready: false, queries: [], results: [] };
  const Native = window.Worker;
  window.Worker = class extends Native {
    constructor(url, options) {
      super(url, options);
      log.workers.push(String(url));
      this.addEventListener("message", ev => {
        const message = ev.data || {};
        if (message.type === 1) log.ready = true;
        if (message.type === 3) log.results.push((message.data.items || []).length);
      });
    }
    postMessage(message, ...rest) {
      if (message && message.type === 2) log.queries.push(message.data);
      return super.postMessage(message, ...rest);
    }
  };
})();
"""

ZWNJ = "\u200c"
ARABIC_KAF, ARABIC_YEH = "\u0643", "\u064a"


def front_matter_title(path: str) -> str:
    return re.search(r"^title: (.+)$", (REPO / path).read_text(encoding="utf-8"), re.M).group(1).strip()


DRAFT = "drafts/e-participation/"
TITLE = {
    "fa": front_matter_title("content/drafts/e-participation/index.fa.md"),
    "en": front_matter_title("content/drafts/e-participation/index.en.md"),
}

# (id, home page, query, page it must find). Each word is on the draft page only (and on its
# earlier versions' pages), so the result is about the draft and not about a common word.
CASES = [
    # کیفیت typed on an Arabic keyboard: Arabic kaf and yeh.
    ("fa-arabic-letters", "", f"{ARABIC_KAF}{ARABIC_YEH}ف{ARABIC_YEH}ت", DRAFT),
    # تصمیم‌سازی is written with a half-space (ZWNJ) on the page: found with it, without it,
    # and with a space, as the worker promises.
    ("fa-zwnj", "", f"تصمیم{ZWNJ}سازی", DRAFT),
    ("fa-no-zwnj", "", "تصمیمسازی", DRAFT),
    ("fa-space-for-zwnj", "", "تصمیم سازی", DRAFT),
    # The page says ۴۵ (Persian digits); a query in ASCII digits finds it.
    ("fa-ascii-digits", "", "45", DRAFT),
    ("en", "en/", "unilateral", "en/" + DRAFT),
]


@pytest.fixture(scope="module")
def base(example_site):
    with serve(example_site) as url:
        yield url


@pytest.fixture
def context(browser, base):
    context = browser.new_context(viewport=WIDE)
    answer_site_url_locally(context, base)
    context.add_init_script(WATCH_SEARCH_WORKER)
    yield context
    context.unroute_all(behavior="ignoreErrors")  # a sitemap fetch may still be in flight
    context.close()


def wait_for(page, condition: str, arg: object, timeout: float, failure: str) -> None:  # type: ignore[no-untyped-def]
    """Wait for a JavaScript condition, polled on a timer (not animation frames, which a busy
    machine may delay); on time-out, fail with what went to and came from the worker."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function(condition, arg=arg, timeout=timeout, polling=100)
    except PlaywrightTimeout as error:
        raise AssertionError(f"{failure}; worker log {page.evaluate('window.__rayzaniSearch')}") from error


def open_with_search_ready(context, url: str):  # type: ignore[no-untyped-def]
    page = context.new_page()
    response = page.goto(url, wait_until="load")
    assert response is not None and response.ok, url
    # The index is fetched and built only once the reader opens search (focuses the box).
    page.locator("input[data-md-component=search-query]").click()
    wait_for(page, "() => window.__rayzaniSearch.ready", None, READY_MS, "the search index was not built")
    workers = page.evaluate("window.__rayzaniSearch.workers")
    assert len(workers) == 1 and "/rayzani-search.js?worker=search." in workers[0], workers
    return page


def search(page, query: str) -> None:  # type: ignore[no-untyped-def]
    box = page.locator("input[data-md-component=search-query]")
    box.fill(query)  # focuses the box, which opens the search dialog
    # Material reads the box on keyup (and on focus, which fill() may beat); fill() sends only
    # an input event. A key that changes nothing makes Material send the query now.
    box.press("End")
    # The worker answers queries in order: once it has answered as many as were sent, the last
    # answer is for this query, and Material has rendered it (in the same task).
    answered = """query => {
        const log = window.__rayzaniSearch;
        return log.queries.at(-1) === query && log.results.length === log.queries.length;
    }"""
    wait_for(page, answered, query, RESULT_MS, f"no answer to {query!r}")


def page_link(page, url: str):  # type: ignore[no-untyped-def]
    """The result for the page itself (not one of its sections), with or without `?h=` (search.highlight)."""
    page_itself = f'a.md-search-result__link:is([href="{url}"], [href^="{url}?"]):not([href*="#"])'
    return page.locator(f".md-search-result__list {page_itself}")


@pytest.mark.parametrize(("name", "home", "query", "expected"), CASES, ids=[c[0] for c in CASES])
def test_search_box_finds_the_draft_in_the_page_language(context, base, name, home, query, expected):
    from playwright.sync_api import expect

    page = open_with_search_ready(context, base + home)
    search(page, query)
    link = page_link(page, base + expected)
    try:
        expect(link).to_be_visible(timeout=RESULT_MS)
    except AssertionError as error:
        log = page.evaluate("window.__rayzaniSearch")
        raise AssertionError(f"{query!r} did not find {expected}; worker log {log}") from error
    screenshot(page, f"search-{name}")

    lang = "en" if expected.startswith("en/") else "fa"
    expect(link.locator("h1")).to_have_text(TITLE[lang])
    hrefs = page.locator(".md-search-result__list a.md-search-result__link").evaluate_all(
        "links => links.map(a => a.href)"
    )
    other = [h for h in hrefs if urlparse(h).path.startswith("/rayzani/en/") != (lang == "en")]
    assert not other, f"results in the other language: {other}"

    link.click()
    page.wait_for_url(lambda url: urlparse(url).path == urlparse(base + expected).path, timeout=RESULT_MS)
    assert page.evaluate("document.documentElement.lang") == lang
    # The page's heading, followed by its permalink sign.
    expect(page.locator("article h1")).to_have_text(re.compile("^" + re.escape(TITLE[lang])))
