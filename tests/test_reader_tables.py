"""The reader's journey through tables, charts, panels and certificates, in Chromium at 360 and 1280 px.

Words in table cells are never broken (each word's rectangles lie on one line), tables read on a
phone (labelled stacked rows, or a grid scrolling inside its box), chart text is never drawn under
12 px, panel rows show the idea, its decision and when it was received, and a certificate's
verification works by its code, its own address and its QR code (page and PDF).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import segno
from browser_support import SITE_URL, answer_site_url_locally, serve
from conftest import CLOSED_DATE
from pypdf import PdfReader
from pypdf.generic import ContentStream

from rayzani.project import load_project
from rayzani.site.qr import ERROR_LEVEL

WIDTHS = (360, 1280)
LANGS = ("fa", "en")
CODE_SHAPE = re.compile(r"^[0-9A-F]{4}(-[0-9A-F]{4}){3}$")

# Every page with a generated table: lists of things and grids of numbers.
TABLE_PAGES = (
    "consultations/",
    "drafts/e-participation/report/",
    "drafts/e-participation/versions/",
    "panels/e-participation-working-group/",
    "panels/science-culture-society/",
    "certificates/verify/",
    "statistics/",
    "dashboard/",
    "hall-of-fame/",
    "calls/seventh-plan-policies/",
    "calls/e-participation/poll/",
)
CHART_PAGES = ("statistics/", "drafts/e-participation/report/", "dashboard/")

# For each word in a table cell, the distinct lines its rectangles lie on. Words are split at
# spaces and after hyphens (a line may end after "Boyer-"); a code is one word, hyphens and all.
BROKEN_WORDS = r"""
() => {
  const lines = range => new Set(
    [...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
  const broken = [];
  let words = 0;
  for (const cell of document.querySelectorAll('.md-content td, .md-content th')) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const inCode = node.parentElement.closest('code');
      const re = inCode ? /\S+/g : /[^\s-]+-?/g;
      for (let m = re.exec(node.data); m; m = re.exec(node.data)) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        words += 1;
        if (lines(range).size > 1) broken.push(m[0]);
      }
    }
  }
  const root = document.documentElement;
  return {broken, words, overflow: root.scrollWidth - root.clientWidth};
}
"""

# Each stacked table's cells, as the reader sees them: the label shown before it and its column's header.
STACKED_CELLS = r"""
() => [...document.querySelectorAll('table.rz-table--stack')].flatMap(table => {
  const heads = [...table.querySelectorAll('thead th')].map(th => th.textContent.trim());
  return [...table.querySelectorAll('tbody tr')].flatMap(tr => [...tr.children].map((td, i) => ({
    head: heads[i],
    shown: getComputedStyle(td, '::before').content.replace(/^"|"$/g, ''),
    display: getComputedStyle(td).display,
  })));
})
"""

# Every chart text with its rendered size: computed font size times the SVG's scale on screen.
CHART_TEXT = r"""
() => [...document.querySelectorAll('svg.rz-chart__svg text')].filter(t => t.textContent.trim()).map(t => {
  const svg = t.ownerSVGElement;
  const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
  return {chart: svg.id, text: t.textContent, px: parseFloat(getComputedStyle(t).fontSize) * scale};
})
"""


def localised(lang: str, path: str) -> str:
    return ("en/" if lang == "en" else "") + path


@pytest.fixture(scope="module")
def base(closed_site):
    with serve(closed_site) as url:
        yield url


def open_page(browser, url: str, width: int, javascript: bool = True):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": width, "height": 800}, java_script_enabled=javascript)
    answer_site_url_locally(context, url[: url.index("/rayzani/") + len("/rayzani/")])
    page = context.new_page()
    response = page.goto(url, wait_until="load")
    assert response is not None and response.ok, url
    return context, page


def close(context) -> None:  # type: ignore[no-untyped-def]
    context.unroute_all(behavior="ignoreErrors")
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", LANGS)
def test_no_word_is_broken_inside_a_table_cell_and_no_page_is_wider_than_a_screen(browser, base, lang, width):
    context, page = open_page(browser, base, width)
    try:
        for path in TABLE_PAGES:
            page.goto(base + localised(lang, path), wait_until="load")
            found = page.evaluate(BROKEN_WORDS)
            assert found["words"] > 0, path
            assert found["broken"] == [], (path, found["broken"])
            assert found["overflow"] <= 0, (path, found["overflow"])
            cells = page.evaluate(STACKED_CELLS)
            if width == 360:
                # One card per row, each cell under its column's name.
                assert all(c["display"] == "block" and c["shown"] == c["head"] for c in cells), path
            else:
                assert all(c["display"] == "table-cell" and c["shown"] in ("", "none") for c in cells), path
    finally:
        close(context)


@pytest.mark.parametrize("lang", LANGS)
def test_a_grid_of_numbers_scrolls_inside_its_box_on_a_phone(browser, base, lang):
    context, page = open_page(browser, base + localised(lang, "drafts/e-participation/report/"), 360)
    try:
        wrap = page.locator(".rz-table-wrap:has(#article-counts)")
        assert wrap.evaluate("e => getComputedStyle(e).overflowX") == "auto"
        # The box can be scrolled with the keyboard: it takes focus and is named by its heading.
        assert wrap.get_attribute("tabindex") == "0" and wrap.get_attribute("aria-labelledby") == "analysis"
        # The edge shadow is the cue: the box paints gradients that stay put while the content scrolls.
        background = wrap.evaluate("e => getComputedStyle(e).backgroundImage")
        assert background.count("gradient") == 4
    finally:
        close(context)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", LANGS)
def test_chart_text_is_never_drawn_under_12_px(browser, base, lang, width):
    context, page = open_page(browser, base, width)
    try:
        for path in CHART_PAGES:
            page.goto(base + localised(lang, path), wait_until="load")
            texts = page.evaluate(CHART_TEXT)
            assert texts, path
            small = [t for t in texts if t["px"] < 12]
            assert small == [], (path, small[:5])
        # The province map says what its shades mean, at the same legible size.
        page.goto(base + localised(lang, "drafts/e-participation/report/"), wait_until="load")
        legend = page.evaluate(CHART_TEXT)
        assert any(t["chart"] == "rz-report-province" and t["text"] in ("none", "هیچ") for t in legend)
        # Its data table is beside or below it, not folded away.
        assert page.locator("#rz-report-province-data").is_visible()
    finally:
        close(context)


def _panel_records(root: Path) -> dict[str, object]:
    portal = load_project(root, dt.date.fromisoformat(CLOSED_DATE)).portal
    return {r.id: r for records in portal.submissions.values() for r in records}


ROWS = r"""
() => [...document.querySelectorAll('#panel-decisions tbody tr')].map(tr => ({
  href: tr.querySelector('td a').getAttribute('href'),
  excerpt: tr.querySelector('.rz-panel-excerpt').textContent,
  received: tr.querySelector('time').getAttribute('datetime'),
  badge: tr.querySelector('.rz-badge').className,
  reason: (tr.querySelector('.rz-panel-reason') || {}).textContent || '',
}))
"""


@pytest.mark.parametrize("lang", LANGS)
def test_panel_rows_show_the_idea_its_decision_and_when_it_was_received(browser, base, example_root, lang):
    records = _panel_records(example_root)
    context, page = open_page(browser, base, 360)
    try:
        checked = 0
        for panel in ("science-culture-society", "legal-judicial", "e-participation-working-group"):
            page.goto(base + localised(lang, f"panels/{panel}/"), wait_until="load")
            for row in page.evaluate(ROWS):
                record = records[row["href"].rsplit("#c-", 1)[1]]
                assert row["received"] == record.received.date().isoformat()
                assert f"rz-badge--{record.decision.status}" in row["badge"]
                if record.decision.reason and record.decision.reason.has(lang):
                    assert row["reason"] == record.decision.reason.get(lang)
                first_words = " ".join(record.shown_text.replace("*", "").split()[:3])
                assert row["excerpt"].startswith(first_words)
                checked += 1
        assert checked > 0
    finally:
        close(context)


@pytest.mark.parametrize("lang", LANGS)
def test_a_typed_code_goes_to_its_certificate_and_an_unknown_one_says_so(browser, base, lang):
    verify = base + localised(lang, "certificates/verify/")
    context, page = open_page(browser, verify, 360)
    try:
        code = page.locator("#valid-certificates tbody tr code").first.inner_text()
        assert CODE_SHAPE.match(code)
        # Typed as people type: lower case, no dashes, Persian digits on a Persian keyboard.
        typed = code.replace("-", "").lower().translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
        page.fill("#verify-code", typed)
        page.click("#verify-form button")
        page.wait_for_url(f"**/certificates/{code}/")
        assert page.locator("code", has_text=code).first.is_visible()
        page.goto(verify, wait_until="load")
        page.fill("#verify-code", "0000-0000-0000-0000")
        page.click("#verify-form button")
        assert page.locator("#verify-error").is_visible()
        assert page.url == verify
    finally:
        close(context)
    # Without JavaScript the field (which would do nothing) is not shown; every code links to its page.
    context, page = open_page(browser, verify, 360, javascript=False)
    try:
        assert not page.locator("#verify-form").is_visible()
        links = page.locator("#valid-certificates tbody a")
        assert links.count() > 0
        links.first.click()
        page.wait_for_url("**/certificates/*-*-*-*/")
    finally:
        close(context)


def _modules(segments: list[tuple[float, float, float]]) -> set[tuple[int, int]]:
    """Dark modules of a QR drawn as horizontal runs (y, x from, x to), one module high."""
    return {(int(y), x) for y, x0, x1 in segments for x in range(round(min(x0, x1)), round(max(x0, x1)))}


def _svg_runs(path: str) -> list[tuple[float, float, float]]:
    """The runs of an SVG path made of moves (M, m) and horizontal lines (h), as segno writes it."""
    runs, x, y = [], 0.0, 0.0
    for command, numbers in re.findall(r"([MmHh])([-\d. ]+)", path):
        values = [float(v) for v in numbers.split()]
        if command == "M":
            x, y = values
        elif command == "m":
            x, y = x + values[0], y + values[1]
        else:
            end = values[0] if command == "H" else x + values[0]
            runs.append((y, x, end))
            x = end
    return runs


def _pdf_runs(reader: PdfReader, page_number: int) -> list[tuple[float, float, float]]:
    """The longest stroked path of a PDF page made of moves and horizontal lines: the QR code."""
    paths, current, start = [], [], (0.0, 0.0)
    operations = ContentStream(reader.pages[page_number].get_contents(), reader).operations
    for operands, operator in operations:
        if operator == b"m":
            start = (float(operands[0]), float(operands[1]))
        elif operator == b"l" and float(operands[1]) == start[1]:
            current.append((start[1], start[0], float(operands[0])))
        elif operator in (b"S", b"s", b"B", b"B*", b"b", b"f", b"f*", b"n"):
            paths.append(current)
            current = []
    return max(paths, key=len)


def _expected(url: str) -> set[tuple[int, int]]:
    matrix = segno.make(url, error=ERROR_LEVEL, micro=False).matrix
    border = 4
    return {(r + border, c + border) for r, row in enumerate(matrix) for c, dark in enumerate(row) if dark}


@pytest.mark.parametrize("lang", LANGS)
def test_a_certificate_prints_its_issuer_its_address_and_a_qr_code_of_it(
    browser, base, closed_site, example_root, lang
):
    settings = load_project(example_root, dt.date.fromisoformat(CLOSED_DATE)).settings
    verify = base + localised(lang, "certificates/verify/")
    context, page = open_page(browser, verify, 360)
    try:
        code = page.locator("#valid-certificates tbody tr code").first.inner_text()
        own = SITE_URL + localised(lang, f"certificates/{code}/")
        page.goto(base + localised(lang, f"certificates/{code}/"), wait_until="load")
        issuer = page.locator(".rz-certificate__issuer")
        assert not settings.certificate_issuer, "the example names its agency once, in `agency`"
        assert settings.agency[lang] in issuer.inner_text()
        assert issuer.locator("img").evaluate("img => img.complete && img.naturalWidth > 0")
        assert page.locator(f'.rz-certificate__link a[href="{own}"]').count() == 1
        assert own in page.locator(".rz-certificate__link").inner_text()
        path = page.locator(".rz-certificate__link svg.rz-qr path.qrline").get_attribute("d")
        assert _modules(_svg_runs(path)) == _expected(own)
        assert page.evaluate("(e => e.scrollWidth - e.clientWidth)(document.documentElement)") <= 0
    finally:
        close(context)
    # The PDF: Persian page then English, each with its own address as a link and as a QR code.
    reader = PdfReader(closed_site / "data" / "certificates" / f"{code}.pdf")
    number = 0 if lang == "fa" else 1
    links = [a.get_object()["/A"].get("/URI") for a in reader.pages[number].get("/Annots", [])]
    assert own in links
    assert own.rstrip("/") in reader.pages[number].extract_text()
    assert _modules(_pdf_runs(reader, number)) == _expected(own)


def test_a_certificate_logo_outside_the_theme_or_an_issuer_without_a_language_fails_validation(repo):
    config = repo.root / "mkdocs.yml"
    config.write_text(
        config.read_text(encoding="utf-8")
        + "    certificate_logo: ../mkdocs.yml\n    certificate_issuer: {fa: وزارت, de: Ministerium}\n",
        encoding="utf-8",
    )
    project = load_project(repo.root, dt.date.fromisoformat(CLOSED_DATE))
    found = [p.format(repo.root) for p in project.problems]
    assert any("certificate_logo" in line and "overrides/assets/" in line for line in found), found
    assert any("extra.rayzani.certificate_issuer.de" in line for line in found), found
