"""Reaching people where they are: calls.json, feeds, Open Graph, share links and the sitemap."""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from urllib.parse import parse_qs, quote, urlparse

import pytest
from conftest import REPO
from html_query import element
from test_site import page

from rayzani.load.config import read_mkdocs_config
from rayzani.project import load_project
from rayzani.site.generate import generate_files

SITE_URL = str(read_mkdocs_config(REPO / "mkdocs.yml")["site_url"]).rstrip("/") + "/"
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"


def test_calls_json_lists_the_open_calls_in_both_languages(example_site):
    data = json.loads((example_site / "calls.json").read_text(encoding="utf-8"))
    assert data["generated"] == "2026-11-23"
    calls = {c["id"]: c for c in data["calls"]}
    assert "seventh-plan-policies" not in calls, "closed on 2026-11-15"
    call = calls["e-participation"]
    assert call["state"] == "open" and call["days_left"] == 23 and call["closes"] == "2026-12-15"
    assert call["title"]["fa"].startswith("نظرخواهی") and call["title"]["en"].startswith(
        "Public consultation"
    )
    assert call["url"] == {
        "fa": f"{SITE_URL}calls/e-participation/",
        "en": f"{SITE_URL}en/calls/e-participation/",
    }
    assert call["draft"]["url"]["en"] == f"{SITE_URL}en/drafts/e-participation/"
    assert call["draft"]["version"] == "2"


def test_feeds_in_each_language_are_rss_and_atom_with_the_open_calls(example_site):
    rss = ET.parse(example_site / "feeds/fa/open-calls.rss.xml").getroot()
    items = rss.findall("channel/item")
    assert [i.findtext("link") for i in items] == [f"{SITE_URL}calls/e-participation/"]
    assert items[0].findtext("title").startswith("نظرخواهی عمومی")
    assert "۲۴ آذر ۱۴۰۵" in items[0].findtext("description"), "Persian feeds give Jalali dates"
    assert rss.findtext("channel/language") == "fa"
    atom = ET.parse(example_site / "feeds/en/open-calls.atom.xml").getroot()
    entries = atom.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}link").get("href") for e in entries] == [f"{SITE_URL}en/calls/e-participation/"]
    assert "Open until 15 December 2026" in entries[0].findtext(f"{ATOM}summary")
    # New consultations: every call that has opened, the newest first.
    opened = ET.parse(example_site / "feeds/en/consultations.rss.xml").getroot()
    links = [i.findtext("link") for i in opened.findall("channel/item")]
    assert links == [f"{SITE_URL}en/calls/e-participation/", f"{SITE_URL}en/calls/seventh-plan-policies/"]


def test_reports_feed_announces_a_report_from_its_published_date(repo):
    repo.write("content/drafts/sample/report.fa.md", "---\npublished: 2026-12-20\n---\nدغدغه‌های کلیدی.\n")
    project = load_project(repo.root)
    assert project.problems == []

    def reports(day: str) -> list[str]:
        files = dict(generate_files(project.portal, project.settings, dt.date.fromisoformat(day), SITE_URL))
        root = ET.fromstring(files["feeds/en/reports.atom.xml"])
        return [e.findtext(f"{ATOM}title") for e in root.findall(f"{ATOM}entry")]

    assert reports("2026-12-19") == []
    assert reports("2026-12-20") == ["Report: آیین‌نامه آزمایشی"]


def test_every_page_links_the_feeds_and_calls_json(example_site):
    for url in ("", "en", "en/drafts/e-participation", "calls/e-participation"):
        html = page(example_site, url)
        head = html[: html.index("</head>")]
        lang = "en" if url.startswith("en") else "fa"
        for kind, path in (
            ("application/rss+xml", f"feeds/{lang}/open-calls.rss.xml"),
            ("application/atom+xml", f"feeds/{lang}/open-calls.atom.xml"),
            ("application/json", "calls.json"),
        ):
            assert f'type="{kind}"' in head and f'href="{SITE_URL}{path}"' in head, (url, path)
            assert (example_site / path).is_file()


def test_call_and_draft_pages_have_open_graph_and_share_links_in_both_languages(example_site):
    for url, title in (
        ("calls/e-participation", "نظرخواهی عمومی درباره پیش‌نویس"),
        ("en/calls/e-participation", "Public consultation on the draft"),
        ("en/drafts/e-participation", "Document on the Institutionalisation"),
    ):
        html = page(example_site, url)
        head = html[: html.index("</head>")]
        assert f'<meta property="og:title" content="{title}' in head
        assert f'<meta property="og:url" content="{SITE_URL}{url}/">' in head
        assert '<meta property="og:type" content="article">' in head
        assert f'<meta property="og:locale" content="{"en_US" if url.startswith("en") else "fa_IR"}">' in head
        start = html.index('class="rz-share"')
        nav = html[start : html.index("</nav>", start)]
        assert "<script" not in nav
        links = [a.split('"')[0].replace("&amp;", "&") for a in nav.split('href="')[1:]]
        telegram = next(link for link in links if link.startswith("https://t.me/share/url?"))
        assert parse_qs(urlparse(telegram).query)["url"] == [f"{SITE_URL}{url}/"]
        assert {urlparse(link).netloc for link in links} >= {"t.me", "wa.me", "x.com", "www.linkedin.com"}
        assert any(link.startswith("mailto:?subject=") for link in links)


def test_home_page_offers_the_feeds(example_site):
    _, follow = element(page(example_site, "en"), "subscribe")
    assert "RSS feed of open calls" in follow and "JSON list of calls" in follow


def test_sitemap_lists_every_page_with_both_languages(example_site):
    root = ET.parse(example_site / "sitemap.xml").getroot()
    urls = {u.findtext(f"{SITEMAP}loc"): u for u in root.findall(f"{SITEMAP}url")}
    folders = {p.parent.relative_to(example_site).as_posix() for p in example_site.rglob("index.html")}
    pages = {SITE_URL + ("" if f == "." else f + "/") for f in folders}
    assert pages <= set(urls), sorted(pages - set(urls))[:5]
    for loc, url in urls.items():
        alternates = {a.get("hreflang"): a.get("href") for a in url.findall(f"{XHTML}link")}
        assert set(alternates) == {"fa", "en"}, loc
        assert loc in alternates.values()
    changes = urls[f"{SITE_URL}drafts/e-participation/changes/2/"]
    assert {a.get("href") for a in changes.findall(f"{XHTML}link")} == {
        f"{SITE_URL}drafts/e-participation/changes/2/",
        f"{SITE_URL}en/drafts/e-participation/changes/2/",
    }


@pytest.fixture(scope="module")
def reported_site(closed_site):
    """The example after its report was published (2026-12-18): the session's closed site."""
    return closed_site


def test_report_page_is_shared_and_announced_in_both_languages(reported_site):
    for url, feed in (
        ("drafts/e-participation/report", "feeds/fa/reports.rss.xml"),
        ("en/drafts/e-participation/report", "feeds/en/reports.rss.xml"),
    ):
        html = page(reported_site, url)
        head = html[: html.index("</head>")]
        assert '<meta property="og:type" content="article">' in head
        assert f'<meta property="og:url" content="{SITE_URL}{url}/">' in head
        start = html.index('class="rz-share"')
        nav = html[start : html.index("</nav>", start)]
        assert "t.me/share/url?url=" + quote(f"{SITE_URL}{url}/", safe="") in nav.replace("&amp;", "&")
        items = ET.parse(reported_site / feed).getroot().findall("channel/item")
        assert [i.findtext("link") for i in items] == [f"{SITE_URL}{url}/"]
    # Closed calls leave calls.json; the open-calls feed is empty.
    data = json.loads((reported_site / "calls.json").read_text(encoding="utf-8"))
    assert data["calls"] == []
    assert ET.parse(reported_site / "feeds/en/open-calls.rss.xml").getroot().findall("channel/item") == []
