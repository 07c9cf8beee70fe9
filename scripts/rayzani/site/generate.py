"""Every set of pages the site has, generated for each language: the model in, Markdown out.

A part of the site (drafts, reports, panels, certificates...) lives in its own `pages/<part>.py` module with
a function `(site, lang) -> (page key, Markdown)...`, listed in PAGE_SOURCES. Files that are
not pages (CSV, JSON, feeds, PDFs) come from FILE_SOURCES: `(site) -> (path, bytes)...`, with
paths relative to the site root; MkDocs copies them as they are.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

from rayzani.cache.store import Cache
from rayzani.model import LANGS, Portal
from rayzani.render.framed import Framed
from rayzani.settings import Settings
from rayzani.site.context import Site
from rayzani.site.files.search_references import search_reference_files
from rayzani.site.pages.calls import call_pages
from rayzani.site.pages.drafts import draft_pages
from rayzani.site.pages.home import home_pages
from rayzani.site.pages.incentives import certificate_pdf_files, incentive_pages
from rayzani.site.pages.intake import comment_form_pages
from rayzani.site.pages.open_data import open_data_pages, published_data_files
from rayzani.site.pages.panels import panel_pages
from rayzani.site.pages.polls import poll_pages
from rayzani.site.pages.reports import report_pages
from rayzani.site.pages.statistics import statistics_pages
from rayzani.site.pages.trust import trust_pages
from rayzani.site.pages.versions import version_pages

# A page is Markdown for MkDocs, or Framed: HTML Rayzani rendered itself (see rayzani.render.framed).
PageSource = Callable[[Site, str], Iterator[tuple[str, str | Framed]]]
FileSource = Callable[[Site], Iterator[tuple[str, bytes]]]

PAGE_SOURCES: list[PageSource] = [
    home_pages,
    draft_pages,
    call_pages,
    version_pages,
    comment_form_pages,
    report_pages,
    statistics_pages,
    panel_pages,
    incentive_pages,
    poll_pages,
    trust_pages,
    open_data_pages,
]

FILE_SOURCES: list[FileSource] = [
    # The open data, feeds and report PDFs, made once: the open-data page measures these bytes.
    published_data_files,
    certificate_pdf_files,
    search_reference_files,
]


def generate(
    portal: Portal, settings: Settings, today: dt.date, site_url: str = "", cache: Cache | None = None
) -> Iterator[tuple[str, str, str | Framed]]:
    """Yield (page key, language, Markdown or framed HTML) for every page of the site."""
    site = Site(portal, settings, today, site_url, cache)
    for lang in LANGS:
        for source in PAGE_SOURCES:
            for key, markdown in source(site, lang):
                yield key, lang, markdown


def generate_files(
    portal: Portal, settings: Settings, today: dt.date, site_url: str = "", cache: Cache | None = None
) -> Iterator[tuple[str, bytes]]:
    """Yield (path relative to the site root, content) for every data file of the site."""
    site = Site(portal, settings, today, site_url, cache)
    for source in FILE_SOURCES:
        yield from source(site)
