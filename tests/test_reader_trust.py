"""The footer and the trust pages in headless Chromium: they read on a 360 px phone and a desktop."""

from __future__ import annotations

import pytest
from browser_support import serve

WIDTHS = {"phone": {"width": 360, "height": 740}, "desktop": {"width": 1280, "height": 900}}
PAGES = ["", "drafts/e-participation/", "privacy/", "accessibility/", "open-data/"]


@pytest.fixture(scope="module")
def base(example_site):
    with serve(example_site) as url:
        yield url


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("lang", ["fa", "en"])
@pytest.mark.parametrize("key", PAGES)
def test_footer_reads_without_overflow(browser, base, width, lang, key):
    context = browser.new_context(viewport=WIDTHS[width])
    page = context.new_page()
    page.goto(base + ("en/" if lang == "en" else "") + key)
    footer = page.locator("#rz-footer")
    footer.scroll_into_view_if_needed()
    found = page.evaluate(
        """() => {
          const footer = document.getElementById("rz-footer"), width = document.documentElement.clientWidth;
          const out = [];
          for (const el of footer.querySelectorAll("a, p, dt, dd, h2")) {
            const box = el.getBoundingClientRect();
            if (box.left < -0.5 || box.right > width + 0.5) out.push("outside: " + el.textContent.trim());
            if (parseFloat(getComputedStyle(el).fontSize) < 12) out.push("small: " + el.textContent.trim());
          }
          return {out, page: document.documentElement.scrollWidth, width,
                  dir: getComputedStyle(footer).direction,
                  links: [...footer.querySelectorAll(".rz-footer__links a")].map(a => a.offsetWidth > 0)};
        }"""
    )
    context.close()
    assert found["out"] == []
    assert found["page"] <= found["width"]  # nothing makes the page scroll sideways
    assert found["dir"] == ("rtl" if lang == "fa" else "ltr")
    assert found["links"] == [True, True, True]
