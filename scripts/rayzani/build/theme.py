"""The Rayzani theme's MkDocs events: what the hook in `overrides/hooks/` (listed under `hooks:`
in mkdocs.yml) runs. Everything that knows Material's HTML or mkdocs-static-i18n's internals
(its plugin's current language, language links and alternates) is here or in `framing`.

What the YAML configuration cannot say without Python tags:

- Heading ids: Python-Markdown's default slugify drops every non-ASCII letter, so a Persian
  heading without an explicit id would get "_1". `slugify_unicode` keeps Persian letters.
  Generated headings carry explicit ids (`## ماده ۳ {: #art-3 }`); this covers the rest.
- Permalink titles in the page's language.
- `<html dir>`: Material writes the direction only on `<body dir>`; the root element gets
  it too, so that `<html lang="fa" dir="rtl">` (and `lang="en" dir="ltr"`) describe the page.
- Search text: Material's indexer joins the text of adjacent elements, so raw HTML written
  on one line (`<td>a</td><td>b</td>`, `<dt>a</dt><dd>b</dd>`) would be indexed as one word
  "ab". A newline is put between a closing block tag and the next tag before indexing.
- Language links: the head's `<link rel="alternate" hreflang>` are left out (`drop_language_links`).
- The search: the name of the page's language's index and of its reference shards
  (`rayzani.build.search_index`) for the worker, and a version for the search worker's URL (a
  hash of its text), so that browsers fetch it again after it changes although its file name
  stays the same.
- 404.html: mkdocs-static-i18n renders it once per language into the same file, the last
  (English) one winning, and with the language links of whatever page came last. The
  default language's rendering is kept, with the home pages as language links: the default
  language is built first, so a later language's build finds it in the file and writes it
  back (the file is the only state the events keep).

- Page titles and descriptions are text. The generator writes them into the front matter as
  plain text; Material and MkDocs print `page.meta.title`, `page.title` and
  `page.meta.description` into `<title>`, the header, meta tags and the search index without
  escaping (their templates do not autoescape). They are escaped here, once, as Markup: a
  participant's name in a title stays text everywhere, and `| e` leaves it as it is.

- The footer: every page's (and the 404 page's) footer is Rayzani's (`site.pages.trust.footer_html`),
  in the page's language, with links relative to the page (root-relative on the 404 page, which
  is served at any depth); `overrides/partials/footer.html` prints it.

- Framed pages (`rayzani.build.framing`): after each language is built, the discussion pages that
  Rayzani rendered itself are set into the frame MkDocs built for them.
"""

from __future__ import annotations

import copy
import hashlib
import re
from pathlib import Path
from typing import Any

from jinja2 import Template
from markdown.extensions.toc import slugify_unicode
from markupsafe import Markup, escape
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import event_priority
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

from rayzani.build.framing import framed_dir, list_in_sitemap, stamp_framed_pages
from rayzani.build.search_index import language_index, reference_shards
from rayzani.load.config import load_settings
from rayzani.settings import Settings
from rayzani.site.pages.trust import footer_html

SEARCH_WORKER = "assets/javascripts/workers/rayzani-search.js"
PERMALINK_TITLES = {"fa": "پیوند ثابت به این بخش", "en": "Permanent link"}

_HTML_TAG = re.compile(r"<html\b([^>]*)>", re.IGNORECASE)
_BLOCK_BOUNDARY = re.compile(
    r"(</(?:td|th|tr|dt|dd|li|p|div|h[1-6]|section|article|header|footer|table|thead|tbody|ul|ol|dl|blockquote)>)(?=<)",
    re.IGNORECASE,
)
# Material's <link rel="alternate" hreflang> for each language version (see drop_language_links).
_LANGUAGE_LINK = re.compile(r'[ \t]*<link rel="alternate" href="[^"]*" hreflang="[^"]*">\n?')
_LANG = re.compile(r"\slang=\"[^\"]*\"")
_BODY_DIR = re.compile(r"<body\b[^>]*?\sdir=\"(rtl|ltr)\"", re.IGNORECASE)
# Front-matter fields that hold text the theme prints as HTML.
TEXT_FIELDS = ("title", "description")


@event_priority(-200)  # after mkdocs-static-i18n (-100) has set this build's theme.language
def on_config(config: MkDocsConfig) -> MkDocsConfig:
    toc = config.mdx_configs.setdefault("toc", {})
    toc["slugify"] = slugify_unicode
    language = str(config.theme.get("language") or "en")
    toc["permalink_title"] = PERMALINK_TITLES.get(language.split("-")[0], PERMALINK_TITLES["en"])
    worker = Path(config.theme.custom_dir or ".") / SEARCH_WORKER
    if worker.is_file():
        config.extra["rayzani_search_version"] = hashlib.sha256(worker.read_bytes()).hexdigest()[:12]
    # The settings as validated (the build has refused a portal whose settings fail), for the footer.
    config.extra["rayzani_settings"] = load_settings(Path(config.config_file_path))[0]
    config.extra["rayzani_search_index"] = language_index(language)
    config.extra["rayzani_search_references"] = reference_shards(language)
    return config


def _language(config: MkDocsConfig) -> str:
    plugin = _i18n(config)
    lang = plugin.current_language if plugin is not None else config.theme.get("language")
    return "en" if str(lang or "fa").startswith("en") else "fa"


def _footer(config: MkDocsConfig, from_url: str | None) -> Markup:
    """The footer in the build's language; links relative to `from_url`, else root-relative."""
    settings = config.extra.get("rayzani_settings") or Settings()
    return footer_html(settings, _language(config), from_url, config.site_url or "")


def on_page_context(context: dict, page: Page, config: MkDocsConfig, nav: Any) -> dict:
    context["rayzani_footer"] = _footer(config, page.url)
    return context


def on_template_context(context: dict, template_name: str, config: MkDocsConfig) -> dict:
    if template_name.endswith(".html"):  # the 404 page: served at any depth
        context["rayzani_footer"] = _footer(config, None)
    return context


def _i18n(config: MkDocsConfig) -> Any:
    plugin = config.plugins.get("i18n")
    if plugin is None or not hasattr(plugin, "current_language"):
        return None
    return plugin


def separate_blocks(html: str) -> str:
    return _BLOCK_BOUNDARY.sub("\\1\n", html)


def add_html_dir(html: str) -> str:
    body = _BODY_DIR.search(html)
    html_tag = _HTML_TAG.search(html)
    if not body or not html_tag or " dir=" in html_tag.group(1):
        return html
    attributes = html_tag.group(1)
    lang = _LANG.search(attributes)
    at = lang.end() if lang else 0
    attributes = f'{attributes[:at]} dir="{body.group(1)}"{attributes[at:]}'
    start, end = html_tag.span()
    return f"{html[:start]}<html{attributes}>{html[end:]}"


def drop_language_links(html: str) -> str:
    """Leave out the head's links to the page's language versions. Material's language
    integration fetches "sitemap.xml" next to each (one 404 per language on every page view),
    to map the page to its translation, which the language selector's links already are; search
    engines find every page's alternates in the sitemap (hreflang), where they are absolute."""
    head_end = html.find("</head>")
    if head_end < 0:
        return html
    return _LANGUAGE_LINK.sub("", html[:head_end]) + html[head_end:]


def escape_text_fields(page: Page) -> None:
    """Turn the page's title and description (plain text) into escaped HTML, exactly once."""
    title = page.meta.get("title", page.title)
    if title is not None:
        page.meta["title"] = title
    for field in TEXT_FIELDS:
        value = page.meta.get(field)
        if value is not None and not isinstance(value, Markup):
            page.meta[field] = escape(str(value))


@event_priority(100)  # before the search plugin indexes page.content and title (on_page_context)
def on_page_content(html: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    escape_text_fields(page)
    return separate_blocks(html)


def on_post_page(output: str, page: Page, config: MkDocsConfig) -> str:
    return drop_language_links(add_html_dir(output))


def on_pre_template(template: Template, template_name: str, config: MkDocsConfig) -> Template:
    plugin = _i18n(config)
    if template_name == "404.html" and plugin is not None and getattr(plugin, "extra_alternate", None):
        # The language links as they are on the home pages, not the last page's.
        config.extra["alternate"] = copy.deepcopy(plugin.extra_alternate)
    return template


def on_post_template(output_content: str, template_name: str, config: MkDocsConfig) -> str:
    if not template_name.endswith(".html"):
        return output_content
    output_content = drop_language_links(add_html_dir(output_content))
    plugin = _i18n(config)
    later_language = plugin is not None and plugin.current_language != plugin.default_language
    if template_name == "404.html" and later_language:
        default = Path(config.site_dir) / "404.html"
        if default.is_file():
            return default.read_text(encoding="utf-8")
    return output_content


def on_post_build(config: MkDocsConfig) -> None:
    # Before mkdocs-static-i18n (-100) starts the next language's build. That build writes into
    # the same site_dir, with the language's link ("/en/") as a prefix of every page.
    plugin = _i18n(config)
    lang, folder = str(config.theme.get("language") or "en"), Path(config.site_dir)
    if plugin is not None:
        lang = plugin.current_language
        for language in plugin.config.languages:
            if language.locale == lang and not language.default:
                folder = folder / (language.link or "").strip("/")
    keys = stamp_framed_pages(framed_dir(Path(config.docs_dir)), folder, lang)
    # The sitemap (at the root, for both languages) lists each frame with its alternates.
    list_in_sitemap(Path(config.site_dir), keys)
