"""The example site in headless Chromium: accessible, usable on a phone, without JavaScript, offline."""

from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest
from browser_support import (
    REPO,
    SITE_URL,
    answer_site_url_locally,
    axe_script,
    screenshot,
    serve,
)

# The first certificate the example issued (content/certificates.yml).
FIRST_CERTIFICATE = re.search(r"code: (\S+)", (REPO / "content/certificates.yml").read_text()).group(1)
# (name, site fixture, path): the pages a visitor most often lands on, in both languages.
PAGES = [
    ("home-fa", "example_site", ""),
    ("home-en", "example_site", "en/"),
    ("draft-fa", "example_site", "drafts/e-participation/"),
    ("draft-en", "example_site", "en/drafts/e-participation/"),
    ("discussion-fa", "example_site", "drafts/e-participation/comments/art-2/"),
    ("call-fa", "example_site", "calls/seventh-plan-policies/"),
    ("report-fa", "closed_site", "drafts/e-participation/report/"),
    ("report-en", "closed_site", "en/drafts/e-participation/report/"),
    ("hall-of-fame-fa", "example_site", "hall-of-fame/"),
    ("certificate-fa", "example_site", f"certificates/{FIRST_CERTIFICATE}/"),
    ("certificate-en", "example_site", f"en/certificates/{FIRST_CERTIFICATE}/"),
    ("panel-en", "example_site", "en/panels/e-participation-working-group/"),
    ("poll-fa", "example_site", "calls/e-participation/poll/"),
    ("call-en", "example_site", "en/calls/seventh-plan-policies/"),
    ("vote-form-fa", "voting_portal", "calls/sample/vote/"),
    ("vote-form-en", "voting_portal", "en/calls/sample/vote/"),
]
PHONE = {"width": 360, "height": 740}


def url_root(url: str) -> str:
    return url[: url.index("/rayzani/") + len("/rayzani/")]


@pytest.fixture(scope="module")
def urls(example_site, closed_site, voting_portal):
    with (
        serve(example_site) as open_url,
        serve(closed_site) as closed_url,
        serve(voting_portal[1]) as vote_url,
    ):
        yield {"example_site": open_url, "closed_site": closed_url, "voting_portal": vote_url}


def open_page(browser, url: str, *, javascript: bool = True, viewport=PHONE):
    context = browser.new_context(viewport=viewport, java_script_enabled=javascript)
    # Absolute links use the portal's own address (site_url); answer them from the local copy,
    # so the page can do everything it does in production without leaving localhost.
    answer_site_url_locally(context, url_root(url))
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    response = page.goto(url, wait_until="load")
    assert response is not None and response.ok, url
    return context, page, requests


def close(context) -> None:
    context.unroute_all(behavior="ignoreErrors")  # a sitemap fetch may still be in flight
    context.close()


@pytest.mark.parametrize(("name", "site", "path"), PAGES, ids=[p[0] for p in PAGES])
def test_page_is_accessible_fits_a_phone_and_stays_on_localhost(browser, urls, name, site, path):
    context, page, requests = open_page(browser, urls[site] + path)
    try:
        screenshot(page, name)
        width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], f"{name} scrolls sideways at 360 px: {width}"
        page.add_script_tag(content=axe_script())
        result = page.evaluate(
            """async () => await axe.run(document, {
                runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
                resultTypes: ['violations'],
            })"""
        )
        serious = [
            f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
            for v in result["violations"]
            if v["impact"] in {"serious", "critical"}
        ]
        assert not serious, "\n".join(serious)
        page.wait_for_timeout(300)  # let the search worker and anything lazy start
        own = {"127.0.0.1", urlparse(SITE_URL).hostname}  # the portal's own host is answered locally
        foreign = {urlparse(u).hostname for u in requests} - own
        assert not {h for h in foreign if h}, f"{name} reached other hosts: {foreign}"
    finally:
        close(context)


@pytest.mark.parametrize(
    ("start", "label", "expected"),
    [
        ("drafts/e-participation/", "English", "en/drafts/e-participation/"),
        ("en/drafts/e-participation/", "فارسی", "drafts/e-participation/"),
    ],
)
def test_language_switch_lands_on_the_same_page(browser, urls, start, label, expected):
    base = urls["example_site"]
    context, page, _ = open_page(browser, base + start, viewport={"width": 1280, "height": 900})
    try:
        page.get_by_role("link", name=label, exact=True).first.click()
        page.wait_for_load_state("load")
        assert page.url.rstrip("/") == (base + expected).rstrip("/")
        lang = "en" if expected.startswith("en/") else "fa"
        assert page.evaluate("document.documentElement.lang") == lang
    finally:
        close(context)


def test_draft_page_works_without_javascript(browser, urls):
    context, page, _ = open_page(browser, urls["example_site"] + "drafts/e-participation/", javascript=False)
    try:
        screenshot(page, "draft-fa-no-js")
        assert page.locator("h2#art-1").is_visible()
        assert page.locator(".rz-comment").count() > 5
        assert page.locator(".rz-badge").first.is_visible()
        more = page.locator(".rz-article-tools a").first
        more.click()
        page.wait_for_load_state("load")
        assert "/comments/" in page.url
        assert page.locator(".rz-comment").count() >= 1
    finally:
        close(context)
