"""Participant text is text everywhere: pages, titles, meta tags, search index, feeds, PDFs.

A small portal whose every participant-controlled field (display name, organisation, declared
interest, comment body) holds markup, Markdown, attribute lists, Jinja and entities, with an
`author.id` on every record so that profiles, the hall of fame and certificates are made, is
built like any portal. Every page is then read with an HTML parser, and nothing in it (no
element, attribute, event handler or URL) may come from those values; the pages that show
them are opened in Chromium, where no dialog may open and no request leave the site.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml
from conftest import BUILD_DATE, REPO, Repo, example_config, rayzani, today
from pypdf import PdfReader

from rayzani.analysis.incentives import participant_slug
from rayzani.project import load_project

# Every hostile value carries one of these markers, so that anything made from it can be found.
MARKERS = ("alert(", "evil.example", "rzevil")
HOSTILE = [
    "<img src=x onerror=alert(document.domain)>",
    "<script>alert(1)</script>",
    "[x](javascript:alert(1))",
    "Rzevil {: onclick=alert(1) .rzevil #rzevil }",
    "![](http://evil.example/x.png)",
    '"><svg onload=alert(1)>',
    "'><img src=x onerror=alert(2)>",
    "{{ 7*7 }} {% if true %}rzevil-jinja{% endif %}",
    "&lt;script&gt;alert(3)&lt;/script&gt; &amp; rzevil",
    "rzevil \u202egnp.exe\u202c <b>bold</b>",
    '<a href="http://evil.example/">rzevil</a> **rzevil** `rzevil`',
    "# rzevil heading\n\n<iframe src=http://evil.example></iframe>",
    # Beyond the BMP and a YAML line break: a title must keep them as text (no broken characters).
    # (NEL, U+0085, is a C1 control: hand-written records refuse it, and intake strips it.)
    "rzevil \U0001f600 \u2028 end",
]
# A comment whose lines would make a page scroll sideways at 360 px if its code blocks did not wrap.
WIDE = (
    "    an indented line that Markdown reads as code: " + "rzevil-wide-" * 12 + "\n\n"
    "```\nhttps://example.org/" + "a-very-long-path-segment/" * 10 + "\n```\n"
)
URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "srcset",
    "poster",
    "data",
    "background",
    "cite",
    "ping",
}
# Attributes that hold text a reader sees (or a machine reads as text): the only place a value may be.
TEXT_ATTRIBUTES = {"content", "title", "aria-label", "alt", "value", "placeholder"}
SITE_URL = "https://example.github.io/rayzani/"
# Material's language menu opens with a link that goes nowhere: the theme's own, never a value's.
THEME_VOID_LINK = "javascript:void(0)"
IRAN = dt.timezone(dt.timedelta(hours=3, minutes=30))


def hostile_record(index: int) -> dict:
    value = HOSTILE[index]
    return {
        "id": f"h{index}",
        "target": "sample",
        "section": "art-1",
        "received": dt.datetime(2026, 11, 2 + index % 7, 10, index, tzinfo=IRAN),
        "channel": "form",
        "source": f"form:h{index}",
        "language": "en",
        "body": "\n\n".join([*HOSTILE, WIDE]),
        "author": {
            "type": "individual",
            "id": f"github:rzevil-{index}",
            "name": value,
            "organisation": HOSTILE[(index + 1) % len(HOSTILE)],
            "interest": HOSTILE[(index + 2) % len(HOSTILE)],
        },
        "decision": {"status": "pending"},
    }


def hostile_portal(root: Path) -> Repo:
    """The small test portal with the example's theme and keys, and one hostile record per value."""
    repo = Repo(root)
    example_config(root)
    shutil.copytree(REPO / "overrides", root / "overrides", dirs_exist_ok=True)
    for key in ("demo-private.key", "demo-certificate-secret.txt"):
        shutil.copy(REPO / "keys" / key, root / "keys" / key)
    for index in range(len(HOSTILE)):
        repo.write(
            f"submissions/sample/h{index}.yml", yaml.safe_dump(hostile_record(index), allow_unicode=True)
        )
    return repo


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Repo, Path]:
    repo = hostile_portal(tmp_path_factory.mktemp("hostile") / "portal")
    site = tmp_path_factory.mktemp("hostile-site")
    assert rayzani(["--root", str(repo.root), "build", "--site-dir", str(site), "--date", BUILD_DATE]) == 0
    return repo, site


@pytest.fixture(scope="module")
def names(hostile_site) -> dict[str, str]:
    """Participant page slug -> the display name as the portal shows it (controls removed)."""
    project = load_project(hostile_site[0].root, today())
    records = project.portal.submissions["sample"]
    return {participant_slug(r.author.id): r.author.name for r in records if r.author.id}


class Page(HTMLParser):
    """Every element with its attributes, the text of <title>, and meta tags by property or name."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.in_comment: list[bool] = []  # per element: inside a comment's sanitised body
        self.open: list[tuple[str, dict[str, str]]] = []
        self.texts: list[tuple[tuple[str, ...], str]] = []  # (classes and ids of open elements, text)
        self.scripts: list[str] = []
        self.meta: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        self.elements.append((tag, attributes))
        self.in_comment.append(any("rz-comment__body" in a.get("class", "").split() for _, a in self.open))
        if tag == "meta":
            self.meta[attributes.get("property") or attributes.get("name") or ""] = attributes.get(
                "content", ""
            )
        elif tag not in {"br", "hr", "img", "input", "link", "meta", "source", "wbr", "col", "area"}:
            self.open.append((tag, attributes))

    def handle_endtag(self, tag: str) -> None:
        for at in range(len(self.open) - 1, -1, -1):
            if self.open[at][0] == tag:
                del self.open[at:]
                break

    def handle_data(self, data: str) -> None:
        if self.open and self.open[-1][0] == "script":
            self.scripts.append(data)
        where = tuple(
            mark for tag, a in self.open for mark in [tag, *a.get("class", "").split(), "#" + a.get("id", "")]
        )
        self.texts.append((where, data))

    def text_of(self, mark: str) -> list[str]:
        """The text inside each outermost element with this tag, class or #id."""
        found: list[list[str]] = []
        inside = False
        for where, data in self.texts:
            if mark in where:
                if not inside:
                    found.append([])
                found[-1].append(data)
            inside = mark in where
        return [" ".join("".join(parts).split()) for parts in found]


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    page.close()
    return page


def inert_problems(html: str, where: str) -> list[str]:
    """What in this HTML came from a hostile value (an element, attribute, handler or URL)."""
    page = parse(html)
    problems = []
    for (tag, attributes), in_comment in zip(page.elements, page.in_comment, strict=True):
        for name, value in attributes.items():
            lowered = value.strip().lower()
            # A comment may link the web, as a marked link (nofollow ugc) the reader chooses to follow.
            participant_link = (
                in_comment and tag == "a" and name == "href" and "ugc" in attributes.get("rel", "")
            )
            if participant_link and lowered.startswith(("http://", "https://")):
                continue
            if name.startswith("on"):
                problems.append(f"{where}: <{tag} {name}={value!r}>")
            if (
                name in URL_ATTRIBUTES
                and lowered != THEME_VOID_LINK
                and (lowered.startswith(("javascript:", "data:", "vbscript:")) or "evil.example" in lowered)
            ):
                problems.append(f"{where}: <{tag} {name}={value!r}>")
            if any(m in value.lower() for m in MARKERS) and name not in TEXT_ATTRIBUTES:
                problems.append(f"{where}: a hostile value in <{tag} {name}={value!r}>")
        if tag in {"img", "iframe", "object", "embed", "frame"} and not theme_image(tag, attributes):
            problems.append(f"{where}: <{tag} {attributes}>")
    problems += [f"{where}: <script> with {s[:80]!r}" for s in page.scripts if any(m in s for m in MARKERS)]
    return problems


def theme_image(tag: str, attributes: dict) -> bool:
    """The theme's own image (the certificate issuer's logo): a relative path into its assets."""
    src = str(attributes.get("src") or "")
    return tag == "img" and bool(re.fullmatch(r"(\.\./)*assets/images/[\w.-]+\.(svg|png)", src))


def html_pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def test_no_page_has_markup_from_participant_text(hostile_site):
    _, site = hostile_site
    pages = html_pages(site)
    problems = [
        p for path in pages for p in inert_problems(path.read_text("utf-8"), str(path.relative_to(site)))
    ]
    assert not problems, "\n".join(problems[:40])
    # The values did reach the pages, as text: the check above looked at them.
    shown = "".join(data for path in pages for _, data in parse(path.read_text("utf-8")).texts)
    for value in (
        "<img src=x onerror=alert(document.domain)>",
        "{{ 7*7 }}",
        "&lt;script&gt;alert(3)",
        "{: onclick",
    ):
        assert value in shown, value


def page_of(site: Path, key: str) -> Page:
    return parse((site / key / "index.html").read_text(encoding="utf-8"))


@pytest.mark.parametrize("lang", ["fa", "en"])
def test_profile_title_heading_and_meta_tags_show_the_name_as_text(hostile_site, names, lang):
    _, site = hostile_site
    prefix = "" if lang == "fa" else "en/"
    for slug, name in names.items():
        page = page_of(site, f"{prefix}participants/{slug}")
        assert page.text_of("#profile-name") == [" ".join(name.split())]
        (title,) = page.text_of("title")
        assert title.startswith(" ".join(name.split()) + " - "), title
        for meta in ("og:title", "twitter:title"):
            assert page.meta[meta] == " ".join(name.split()), meta
        assert " ".join(name.split()) in page.text_of("md-header__topic")[-1]


@pytest.mark.parametrize("lang", ["fa", "en"])
def test_certificate_title_and_meta_tags_end_with_the_name_as_text(hostile_site, names, lang):
    _, site = hostile_site
    prefix = "" if lang == "fa" else "en/"
    verify = page_of(site, f"{prefix}certificates/verify")
    listed = verify.text_of("#valid-certificates")[0]
    codes = [
        a["id"].removeprefix("code-") for tag, a in verify.elements if a.get("id", "").startswith("code-")
    ]
    assert len(codes) == len(names)
    shown = set()
    for code in codes:
        page = page_of(site, f"{prefix}certificates/{code}")
        name = page.text_of("rz-certificate__name")[0]
        assert name in {" ".join(n.split()) for n in names.values()} and name in listed
        assert page.meta["og:title"].endswith(" | " + name)
        assert page.meta["twitter:title"] == page.meta["og:title"]
        assert page.text_of("title")[0].startswith(page.meta["og:title"] + " - ")
        shown.add(name)
    assert len(shown) == len(names)


def check_text_tree(value: object, where: str) -> list[str]:
    """Every string in a JSON value, read as HTML: none may hold markup from a hostile value."""
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in check_text_tree(v, f"{where}.{k}")]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in check_text_tree(v, f"{where}[{i}]")]
    return inert_problems(value, where) if isinstance(value, str) else []


def test_search_index_holds_participant_text_escaped_once(hostile_site, names):
    _, site = hostile_site
    # One index per language (the build splits Material's); every document of both, and every
    # entry of the comment-reference shards (the worker shows them as documents too).
    index = {"docs": [
        doc
        for part in sorted((site / "search").glob("index-*.json"))
        for doc in json.loads(part.read_text(encoding="utf-8"))["docs"]
    ]}
    assert index["docs"]
    shard_files = sorted((site / "search" / "references").rglob("*.json"))
    shards = [json.loads(path.read_text(encoding="utf-8")) for path in shard_files]
    assert shards
    for shard in shards:
        pages = shard["pages"].items()
        index["docs"] += [{"location": loc, "title": title, "text": ""} for loc, title in pages]
        index["docs"] += [entry for entries in shard["comments"].values() for entry in entries]
    problems = check_text_tree(index["docs"], "search_index")
    assert not problems, "\n".join(problems[:20])
    # Material shows titles and texts as HTML: each name is there as escaped text, never as a tag.
    hall = " ".join(
        "".join(data for _, data in parse(doc["text"]).texts)
        for doc in index["docs"]
        if doc["location"].startswith("hall-of-fame/")
    )
    for name in names.values():
        assert " ".join(name.split()) in " ".join(hall.split())
    tags = {
        tag for doc in index["docs"] for field in ("title", "text") for tag, _ in parse(doc[field]).elements
    }
    attributes = [a for doc in index["docs"] for tag, a in parse(doc["text"]).elements if a]
    assert not tags & {"img", "script", "svg", "a", "iframe", "b"} and not attributes, (tags, attributes[:5])


def test_feeds_sitemap_and_calls_json_parse_and_hold_no_markup(hostile_site):
    _, site = hostile_site
    problems = check_text_tree(json.loads((site / "calls.json").read_text(encoding="utf-8")), "calls.json")
    xml_files = [site / "sitemap.xml", *sorted((site / "feeds").rglob("*.xml"))]
    assert len(xml_files) > 1
    for path in xml_files:
        tree = ET.parse(path)  # well-formed XML, or this raises
        for node in tree.iter():
            texts = [node.text or "", *node.attrib.values()]
            problems += [p for text in texts for p in inert_problems(text, str(path.relative_to(site)))]
            for name, value in node.attrib.items():
                if name.endswith("href"):
                    assert value.startswith(SITE_URL) or urlparse(value).hostname != "evil.example", value
    locations = [n.text for n in ET.parse(site / "sitemap.xml").iter() if n.tag.endswith("loc")]
    assert locations and all(loc.startswith(SITE_URL) for loc in locations)
    assert not problems, "\n".join(problems[:20])


def pdf_problems(path: Path) -> list[str]:
    """Actions a PDF viewer would run or open: scripts, launches, links to hostile addresses."""
    reader = PdfReader(path)
    problems = []
    names = reader.trailer["/Root"].get("/Names")
    if names is not None and "/JavaScript" in names.get_object():
        problems.append(f"{path.name}: document JavaScript")
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A")
            if action is None:
                continue
            action = action.get_object()
            uri = str(action.get("/URI", ""))
            if action.get("/S") in ("/JavaScript", "/Launch") or uri.lower().startswith(
                ("javascript:", "data:")
            ):
                problems.append(f"{path.name}: {dict(action)}")
            if "evil.example" in uri:
                problems.append(f"{path.name}: link to {uri}")
    return problems


def test_certificate_pdfs_print_the_names_as_text_and_link_nowhere_hostile(hostile_site, names):
    _, site = hostile_site
    pdfs = sorted((site / "data" / "certificates").glob("*.pdf"))
    assert len(pdfs) == len(names)
    problems = [p for path in pdfs for p in pdf_problems(path)]
    assert not problems, problems
    printed = " ".join(" ".join(page.extract_text() for page in PdfReader(path).pages) for path in pdfs)
    # Text extraction mirrors brackets set in a right-to-left run: look for what lies between them.
    for fragment in ("img src=x onerror=alert(document.domain)", "script", "7*7", "onclick=alert(1)"):
        assert fragment in printed, fragment


# ----------------------------------------------------------------------------- in Chromium --


def visited_pages(site: Path, names: dict[str, str]) -> list[str]:
    """The pages that show the hostile values, in both languages."""
    keys = ["hall-of-fame/", "hall-of-fame/sample/", "certificates/verify/", "drafts/sample/"]
    keys += ["drafts/sample/comments/art-1/", "calls/sample/"] + [f"participants/{s}/" for s in names]
    keys += [
        str(p.parent.relative_to(site)) + "/" for p in sorted((site / "certificates").glob("*-*/index.html"))
    ]
    return [prefix + key for prefix in ("", "en/") for key in keys]


def test_pages_in_chromium_open_no_dialog_fetch_nothing_foreign_and_fit_a_phone(browser, hostile_site, names):
    from browser_support import answer_site_url_locally, serve

    _, site = hostile_site
    dialogs: list[str] = []
    with serve(site) as base:
        context = browser.new_context(viewport={"width": 360, "height": 740})
        answer_site_url_locally(context, base)
        requests: list[str] = []
        context.on("request", lambda request: requests.append(request.url))
        page = context.new_page()
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        too_wide = []
        try:
            for key in visited_pages(site, names):
                response = page.goto(base + key, wait_until="load")
                assert response is not None and response.ok, key
                width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
                if width[0] > width[1]:
                    too_wide.append((key, width))
        finally:
            context.unroute_all(behavior="ignoreErrors")
            context.close()
    assert not dialogs, dialogs
    own = {"127.0.0.1", urlparse(SITE_URL).hostname}
    foreign = {urlparse(u).hostname for u in requests if urlparse(u).scheme in ("http", "https")} - own
    assert not foreign, foreign
    assert not [u for u in requests if urlparse(u).scheme not in ("http", "https", "blob")], requests
    assert not too_wide, f"scrolls sideways at 360 px: {too_wide}"


def test_search_results_show_names_as_text(browser, hostile_site):
    from browser_support import answer_site_url_locally, serve
    from test_search_browser import WATCH_SEARCH_WORKER, open_with_search_ready, search

    _, site = hostile_site
    dialogs: list[str] = []
    with serve(site) as base:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        answer_site_url_locally(context, base)
        context.add_init_script(WATCH_SEARCH_WORKER)
        try:
            page = open_with_search_ready(context, base + "en/hall-of-fame/")
            page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
            search(page, "rzevil")
            results = page.locator(".md-search-result__list").inner_html()
            page.wait_for_timeout(300)  # a handler of an element made from a result would have run
        finally:
            context.unroute_all(behavior="ignoreErrors")
            context.close()
    assert "rzevil" in results.lower()
    # The links carry the query typed (?h=, search.highlight): not a value of the portal.
    assert not inert_problems(results.replace("?h=rzevil", ""), "search results")
    assert not dialogs, dialogs
