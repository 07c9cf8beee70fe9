"""Search in headless Chromium: Persian queries typed with Arabic letters find Persian pages, each
language searches only its own pages."""

from __future__ import annotations

import pytest
from browser_support import CHROMIUM_ARGS, chromium_path, serve

WIDE = {"width": 1280, "height": 900}


@pytest.fixture(scope="module")
def search_page(example_site):
    executable = chromium_path()
    from playwright.sync_api import sync_playwright

    with serve(example_site) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport=WIDE)

        def search(path: str, query: str) -> list[str]:
            page = context.new_page()
            page.goto(base + path, wait_until="load")
            meta = page.locator(".md-search-result__meta")
            placeholder = meta.text_content()
            page.locator("input.md-search__input").fill(query)
            # The worker answers asynchronously: wait until the result line changes.
            page.wait_for_function(
                "text => document.querySelector('.md-search-result__meta').textContent !== text",
                arg=placeholder,
                timeout=60_000,
            )
            results = page.locator(".md-search-result__item a")
            hrefs = [results.nth(i).get_attribute("href") or "" for i in range(results.count())]
            page.close()
            return hrefs

        yield search
        context.close()
        browser.close()


@pytest.mark.parametrize("query", ["مشاركت", "مشارکت", "نهادينه‌سازي", "پیش‌نویس", "پيش‌نويس", "پيشنويس"])
def test_persian_search_finds_persian_pages_whatever_the_keyboard(search_page, query):
    found = search_page("", query)
    assert found, f"no result for {query!r}"
    assert not [h for h in found if "/en/" in h], found


def test_english_search_stays_in_english(search_page):
    found = search_page("en/", "participation")
    assert found and all("/en/" in h for h in found), found
    assert not search_page("en/", "مشارکت")
