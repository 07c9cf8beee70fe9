"""Finding a comment by its reference without weighing the search index (issue: at 100,000
comments one index entry per comment made opening search cost about 28 MB per language).

- Each language's index holds the pages only: no entry for a comment, none for a discussion
  page (which search does not index).
- Every comment's entry is in the shard its reference's first two digits name
  (`search/references/<lang>/<NN>.json`), pointing to its card, titled with the reference as
  the card prints it; a shard holds only references that start with its name.
- In Chromium, typing a reference key by key finds the comment once four digits are typed, and
  the whole search fetches exactly one shard: the one of that reference, in the page's language.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from browser_support import PREFIX, screenshot
from test_reader_weight import (
    ASCII_DIGITS,
    DRAFT,
    LANGS,
    LOAD_MS,
    VIEWPORTS,
    Visit,
    card_references,
    open_search,
    prefix,
    serve_gzip,
)


def shard_files(site: Path, lang: str) -> dict[str, dict]:  # type: ignore[type-arg]
    folder = site / "search" / "references" / lang
    return {path.stem: json.loads(path.read_text(encoding="utf-8")) for path in sorted(folder.glob("*.json"))}


def digits_of(printed: str) -> str:
    return printed.translate(ASCII_DIGITS).replace("-", "")


@pytest.mark.parametrize("lang", LANGS)
def test_language_index_holds_pages_only(example_site, lang):
    index = json.loads((example_site / "search" / f"index-{lang}.json").read_text(encoding="utf-8"))
    locations = [str(doc["location"]) for doc in index["docs"]]
    assert locations, "the index holds the pages"
    assert not [loc for loc in locations if "#c-" in loc], "a comment's entry in the index"
    discussion = f"{prefix(lang)}{DRAFT}comments/"
    assert not [loc for loc in locations if loc.startswith(discussion)], "a discussion page in the index"
    # The pages are there: the draft's own page is found in its language's index.
    assert f"{prefix(lang)}{DRAFT}" in locations


@pytest.mark.parametrize("lang", LANGS)
def test_every_comment_is_in_the_shard_its_reference_names(example_site, lang):
    shards = shard_files(example_site, lang)
    assert 0 < len(shards) <= 100
    for name, shard in shards.items():
        assert re.fullmatch(r"[0-9]{2}", name), name
        assert shard["comments"]
        for digits in shard["comments"]:
            assert re.fullmatch(r"[0-9]{8}", digits) and digits.startswith(name), (name, digits)
    references = card_references(example_site, lang)
    assert references
    for card_id, printed, folder in references:
        digits = digits_of(printed)
        shard = shards[digits[:2]]
        page = f"{prefix(lang)}{DRAFT}{folder}/"
        entries = [e for e in shard["comments"][digits] if e["location"] == f"{page}#{card_id}"]
        assert len(entries) == 1, (card_id, shard["comments"][digits])
        assert printed in entries[0]["title"], "titled with the reference as the card prints it"
        assert shard["pages"][page], "the page that holds the card has its title"


@pytest.fixture(scope="module")
def base(example_site):
    with serve_gzip(example_site) as url:
        yield url


@pytest.mark.parametrize("lang", LANGS)
def test_reference_search_fetches_one_shard_and_finds_the_comment_from_four_digits(
    browser, base, example_site, lang
):
    from playwright.sync_api import expect

    card_id, printed, _ = card_references(example_site, lang)[-1]
    shard = f"/{PREFIX}/search/references/{lang}/{digits_of(printed)[:2]}.json"
    v = Visit(browser, base, VIEWPORTS["desktop"])
    try:
        v.open(prefix(lang))
        open_search(v.page)
        v.page.wait_for_load_state("networkidle", timeout=LOAD_MS)
        assert not [p for p in v.paths() if "/search/references/" in p], "a shard fetched before a query"
        box = v.page.locator("input[data-md-component=search-query]")
        result = v.page.locator(f'.md-search-result__list a.md-search-result__link[href*="#{card_id}"]')
        # The first four digits, in the page's language, then the rest (Material reads the box
        # on keyup).
        box.fill(printed[:4])
        box.press("End")
        expect(result.first).to_be_visible(timeout=LOAD_MS)
        box.press_sequentially(printed[4:])
        expect(result.first).to_be_visible(timeout=LOAD_MS)
        # The comment comes first, under its page (Material's result of a page and its section).
        first = v.page.locator(".md-search-result__list > .md-search-result__item").first
        expect(first.locator(f'a[href*="#{card_id}"]')).to_have_count(1)
        expect(first.locator("h1")).not_to_be_empty()
        screenshot(v.page, f"search-references-{lang}")
        v.page.wait_for_load_state("networkidle", timeout=LOAD_MS)
        fetched = [p for p in v.paths() if "/search/references/" in p]
        assert fetched == [shard], fetched
    finally:
        v.close()


def test_search_still_answers_when_the_first_fetch_of_the_index_is_lost(browser, base, example_site):
    # A phone's network drops requests: the worker tries the index again instead of staying silent.
    from playwright.sync_api import expect

    card_id, printed, _ = card_references(example_site, "en")[-1]
    v = Visit(browser, base, VIEWPORTS["desktop"])
    lost: list[str] = []

    def drop_first(route):  # type: ignore[no-untyped-def]
        if not lost:
            lost.append(route.request.url)
            route.abort("connectionreset")
        else:
            route.continue_()

    try:
        v.context.route("**/search/index-en.json", drop_first)
        v.open(prefix("en"))
        open_search(v.page)
        v.page.locator("input[data-md-component=search-query]").press_sequentially(printed)
        result = v.page.locator(f'.md-search-result__list a.md-search-result__link[href*="#{card_id}"]')
        expect(result.first).to_be_visible(timeout=LOAD_MS)
        assert lost, "the first index request was not dropped"
    finally:
        v.close()
