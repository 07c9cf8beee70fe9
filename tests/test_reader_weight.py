"""The reader's journey (issue #17): page weight, finding a comment by its reference, renumbered
articles.

- A first visit, as a phone and a desktop make it through a server that compresses (gzip), asks
  nothing of any host but the page's own, no sitemap, no search index until the reader opens
  search (and then only the page's language's), and the Persian draft page weighs under the
  budget before fonts.
- Typing a comment's reference (as on its card, in Persian or ASCII digits) in the search box
  finds the comment and lands on its card, in both languages, at 360 px and 1280 px (the
  reference shards themselves: `test_search_references.py`).
- After a renumbering, a comment names its article as the reader sees it now, and says how it
  was named in the version it was made on; the report's headings name each article once.
"""

from __future__ import annotations

import functools
import gzip
import http.server
import re
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlparse

import pytest
from browser_support import PREFIX, screenshot

BUDGET = 150 * 1024  # bytes on the wire of a first visit, fonts left out
VIEWPORTS = {"phone": {"width": 360, "height": 780}, "desktop": {"width": 1280, "height": 900}}
LANGS = ("fa", "en")
DRAFT = "drafts/e-participation/"
PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
ASCII_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789")
LOAD_MS = 90_000


def prefix(lang: str) -> str:
    return "en/" if lang == "en" else ""


# ------------------------------------------------------------------ reading built pages --


class Cards(HTMLParser):
    """Every comment card of a page: its id and the text of each of its classed parts."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.cards: list[dict[str, str]] = []
        self.headings: list[tuple[str, str, str]] = []  # (tag, id, text)
        self._open: list[tuple[str, list[str]]] = []  # (tag, classes) of elements inside a card
        self._card: dict[str, str] | None = None
        self._heading: tuple[str, str, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        classes = (attributes.get("class") or "").split()
        if tag in ("h2", "h3", "h4") and self._card is None:
            self._heading = (tag, attributes.get("id") or "", [])
        if "rz-comment" in classes:
            self._card = {"id": attributes.get("id") or ""}
            self._open = []
        if self._card is not None and tag not in ("br", "img", "input", "meta", "link", "hr"):
            self._open.append((tag, classes))

    def handle_endtag(self, tag: str) -> None:
        if self._heading and tag == self._heading[0]:
            text = "".join(self._heading[2]).strip().removesuffix("¶").strip()  # the permalink sign
            self.headings.append((tag, self._heading[1], text))
            self._heading = None
        if self._card is not None and self._open:
            self._open.pop()
            if not self._open:
                self.cards.append(self._card)
                self._card = None

    def handle_data(self, data: str) -> None:
        if self._heading:
            self._heading[2].append(data)
        if self._card is None:
            return
        for _, classes in self._open:
            for name in classes:
                if name.startswith("rz-"):
                    self._card[name] = self._card.get(name, "") + data


def read(path: Path) -> Cards:
    parser = Cards()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def heading_text(page: Cards, anchor: str) -> str:
    found = [text for _, hid, text in page.headings if hid == anchor]
    assert found, f"no heading #{anchor}"
    return found[0]


def article_name(heading: str) -> str:
    """'ماده ۵' from 'ماده ۵ — فراخوان دوزبانه' (the heading without its title and permalink)."""
    return re.split(r"\s+[—–:-]\s", heading, maxsplit=1)[0].strip()


def renumbered_anchors(site: Path, lang: str) -> dict[str, tuple[str, str]]:
    """Anchor -> (article now, article in version 1) for every article whose number changed."""
    now = read(site / prefix(lang) / DRAFT / "index.html")
    then = read(site / prefix(lang) / DRAFT / "versions" / "1" / "index.html")
    current = {hid: article_name(t) for tag, hid, t in now.headings if tag == "h2" and hid.startswith("art-")}
    old = {hid: article_name(t) for tag, hid, t in then.headings if tag == "h2" and hid.startswith("art-")}
    return {a: (current[a], old[a]) for a in current if a in old and current[a] != old[a]}


# --------------------------------------------------------------------- renumbered articles --


@pytest.mark.parametrize("lang", LANGS)
def test_comment_on_a_renumbered_article_names_it_as_it_is_now_and_as_it_was(example_site, lang):
    renumbered = renumbered_anchors(example_site, lang)
    assert renumbered, "the example renumbers articles between versions 1 and 2"
    on, was = ("درباره", "که در آن") if lang == "fa" else ("On", "where it was")
    seen = 0
    for anchor, (now, then) in renumbered.items():
        page = read(example_site / prefix(lang) / DRAFT / "comments" / anchor / "index.html")
        for card in page.cards:
            section = card.get("rz-section", "").strip()
            assert section.startswith(f"{on} {now}"), (anchor, section)
            assert then not in section, (anchor, section)
            note = card.get("rz-on-version", "")
            if note:  # made on version 1, where the article had its old number
                assert was in note and then in note, (anchor, note)
                seen += 1
    assert seen, "no comment made on version 1 of a renumbered article"


@pytest.mark.parametrize("lang", LANGS)
def test_report_names_each_article_once_and_by_its_number_now(closed_site, lang):
    report = read(closed_site / prefix(lang) / DRAFT / "report" / "index.html")
    answers = [(hid, text) for tag, hid, text in report.headings if hid.startswith("answers-art-")]
    assert answers
    names = [text for _, text in answers]
    assert len(set(names)) == len(names), names
    current = read(closed_site / prefix(lang) / DRAFT / "index.html")
    for hid, text in answers:
        anchor = hid.removeprefix("answers-")
        if any(h == anchor for _, h, _ in current.headings):
            assert text == article_name(heading_text(current, anchor)), (anchor, text)
    for anchor, (now, _) in renumbered_anchors(closed_site, lang).items():
        assert dict(answers).get(f"answers-{anchor}") == now
    # An article a later version removed is named with the version that had it and the one
    # that removed it, so that it does not read as the article that has its number now.
    shown = {h for _, h, _ in current.headings}
    removed = [text for hid, text in answers if hid.removeprefix("answers-") not in shown]
    assert removed, "the example's version 2 removes an article"
    said = "حذف‌شده در نسخه ۲" if lang == "fa" else "removed in version 2"
    assert all(said in text for text in removed), removed


# ---------------------------------------------------------------- serving as a web server --


class GzipHandler(http.server.SimpleHTTPRequestHandler):
    """Files as a web server sends them: compressed (gzip) when the browser asks."""

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        path = Path(self.translate_path(self.path))
        if path.is_dir() and self.path.split("?")[0].endswith("/"):
            path = path / "index.html"
        if not path.is_file() or "gzip" not in self.headers.get("Accept-Encoding", ""):
            return super().do_GET()
        body = gzip.compress(path.read_bytes(), compresslevel=6)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@contextmanager
def serve_gzip(site: Path) -> Iterator[str]:
    with tempfile.TemporaryDirectory() as parent:
        (Path(parent) / PREFIX).symlink_to(site, target_is_directory=True)
        handler = functools.partial(GzipHandler, directory=parent)
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}/{PREFIX}/"
        finally:
            server.shutdown()
            server.server_close()


@pytest.fixture(scope="module")
def base(example_site):
    with serve_gzip(example_site) as url:
        yield url


class Visit:
    """A fresh browser (nothing cached) on one page: every request it makes, and its bytes."""

    def __init__(self, browser, base: str, viewport: dict[str, int]) -> None:  # type: ignore[no-untyped-def]
        self.base = base
        self.context = browser.new_context(viewport=viewport)
        self.requests: list = []  # type: ignore[type-arg]
        own = urlparse(base).netloc

        def refuse_foreign(route) -> None:  # type: ignore[no-untyped-def]
            route.abort()

        # Every request is logged (below); one to any other host is refused, so a test never
        # waits on the network, and fails on it.
        self.context.route(lambda url: urlparse(url).netloc != own, refuse_foreign)
        self.page = self.context.new_page()
        self.context.on("request", lambda request: self.requests.append(request))

    def open(self, path: str) -> None:
        response = self.page.goto(self.base + path, wait_until="load", timeout=LOAD_MS)
        assert response is not None and response.ok, path
        self.page.wait_for_load_state("networkidle", timeout=LOAD_MS)

    def paths(self) -> list[str]:
        return [urlparse(r.url).path for r in self.requests]

    def transferred(self, fonts: bool = False) -> int:
        """Bytes of every response as they came over the wire: headers and (compressed) body."""
        total = 0
        for request in self.requests:
            if request.resource_type == "font" and not fonts:
                continue
            if request.failure or request.url.startswith("data:"):
                continue
            sizes = request.sizes()
            total += sizes["responseBodySize"] + sizes["responseHeadersSize"]
        return total

    def close(self) -> None:
        self.context.unroute_all(behavior="ignoreErrors")
        self.context.close()


@pytest.fixture
def visit(browser, base, request):  # type: ignore[no-untyped-def]
    made: list[Visit] = []

    def open_visit(viewport: str) -> Visit:
        made.append(Visit(browser, base, VIEWPORTS[viewport]))
        return made[-1]

    yield open_visit
    for v in made:
        v.close()


def open_search(page) -> None:  # type: ignore[no-untyped-def]
    """Open search as a reader does: the magnifier on a phone, the box in a desktop's header."""
    box = page.locator("input[data-md-component=search-query]")
    magnifier = page.locator("label.md-header__button[for=__search]")
    if magnifier.is_visible():
        magnifier.click()
    else:
        box.click()
    page.locator("#__search:checked").wait_for(state="attached")


# --------------------------------------------------------------------------- page weight --


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("lang", LANGS)
def test_first_visit_asks_only_its_own_host_no_sitemap_and_no_index_until_search(visit, lang, viewport):
    v = visit(viewport)
    v.open(prefix(lang) + DRAFT)
    own = urlparse(v.base).netloc
    foreign = [r.url for r in v.requests if urlparse(r.url).netloc != own and not r.url.startswith("data:")]
    assert not foreign, f"requests to other hosts: {foreign}"
    paths = v.paths()
    assert not [p for p in paths if p.endswith("sitemap.xml")], paths
    indexes = [p for p in paths if "/search/index-" in p]
    assert not indexes, f"a search index loaded before search was opened: {indexes}"
    weight = v.transferred()
    print(f"\nfirst visit, {lang} draft page at {VIEWPORTS[viewport]['width']} px: {weight:,} bytes "
          f"({len(v.requests)} requests), fonts left out; with fonts {v.transferred(fonts=True):,}")
    assert weight < BUDGET, f"{weight:,} bytes over the {BUDGET:,} budget"

    own_index = f"/{PREFIX}/search/index-{lang}.json"
    with v.context.expect_event(
        "requestfinished", lambda r: urlparse(r.url).path == own_index, timeout=LOAD_MS
    ):
        open_search(v.page)
    v.page.wait_for_load_state("networkidle", timeout=LOAD_MS)
    indexes = [p for p in v.paths() if "/search/index-" in p]
    assert indexes == [own_index], indexes
    assert not [p for p in v.paths() if p.endswith("sitemap.xml")]
    # A reference shard is fetched for a query that looks like a reference, not on opening search.
    assert not [p for p in v.paths() if "/search/references/" in p]


# ----------------------------------------------------------------- finding a comment --


def card_references(site: Path, lang: str) -> list[tuple[str, str, str]]:
    """(card id, reference as printed on the card, discussion page) of the draft's comments."""
    found = []
    for page in sorted((site / prefix(lang) / DRAFT / "comments").glob("*/index.html")):
        for card in read(page).cards:
            printed = card.get("rz-reference", "")
            match = re.search(r"[0-9۰-۹]{4}-[0-9۰-۹]{4}", printed)
            assert match, f"card {card['id']} prints no reference: {printed!r}"
            folder = page.parent.relative_to(site / prefix(lang) / DRAFT)
            found.append((card["id"], match.group(0), str(folder)))
    return found


def test_every_card_prints_a_reference_of_its_own(example_site):
    for lang in LANGS:
        found = card_references(example_site, lang)
        assert found
        by_card = {card: ref.translate(ASCII_DIGITS) for card, ref, _ in found}
        assert len(set(by_card.values())) == len(by_card), "two comments share a reference"
        if lang == "fa":
            assert all(re.fullmatch("[۰-۹]{4}-[۰-۹]{4}", ref) for _, ref, _ in found)
    fa = {c: r.translate(ASCII_DIGITS) for c, r, _ in card_references(example_site, "fa")}
    en = {c: r for c, r, _ in card_references(example_site, "en")}
    assert fa == en, "a comment's reference is the same in both languages"


def test_comment_text_stays_out_of_the_search_index_and_the_reference_shards(example_site):
    import json

    for lang in LANGS:
        index = json.loads((example_site / "search" / f"index-{lang}.json").read_text(encoding="utf-8"))
        shards = sorted((example_site / "search" / "references" / lang).glob("*.json"))
        assert index["docs"] and shards
        bodies = [
            card.get("rz-comment__body", "").strip()
            for page in (example_site / prefix(lang) / DRAFT / "comments").glob("*/index.html")
            for card in read(page).cards
        ]
        indexed = json.dumps(index["docs"], ensure_ascii=False) + "".join(
            shard.read_text(encoding="utf-8") for shard in shards
        )
        long_bodies = [b for b in bodies if len(b) > 40]
        assert long_bodies
        assert not [b for b in long_bodies if b[:40] in indexed]


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize(("lang", "digits"), [(lang, d) for lang in LANGS for d in ("persian", "ascii")])
def test_search_box_finds_a_comment_by_its_reference(visit, example_site, lang, digits, viewport):
    from playwright.sync_api import expect

    references = card_references(example_site, lang)
    # The first card of a discussion page (Material files an entry under its page's entry,
    # which the build adds for pages search does not index), or one in the middle.
    card_id, printed, folder = references[0 if digits == "persian" else len(references) // 2]
    typed = printed.translate(PERSIAN_DIGITS if digits == "persian" else ASCII_DIGITS)
    v = visit(viewport)
    v.open(prefix(lang))
    open_search(v.page)
    box = v.page.locator("input[data-md-component=search-query]")
    box.fill(typed)
    box.press("End")  # Material reads the box on keyup
    result = v.page.locator(f'.md-search-result__list a.md-search-result__link[href*="#{card_id}"]')
    expect(result.first).to_be_visible(timeout=LOAD_MS)
    screenshot(v.page, f"reader-weight-search-{lang}-{digits}-{viewport}")
    result.first.click()
    v.page.wait_for_url(re.compile(f"{re.escape(folder)}/.*#{card_id}$"), timeout=LOAD_MS)
    target = v.page.locator(f"#{card_id}")
    expect(target).to_be_in_viewport()
    expect(target.locator(".rz-reference")).to_contain_text(printed)
    screenshot(v.page, f"reader-weight-landed-{lang}-{viewport}")
