"""Every set of pages the site has, generated for each language: the model in, Markdown out.

A part of the site (reports, panels, certificates...) lives in its own `pages_*` module with
a function `(site, lang) -> (page key, Markdown)...`, and is listed in PAGE_SOURCES.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

from rayzani.model import LANGS, Portal
from rayzani.pages import Site, core_pages
from rayzani.settings import Settings

PageSource = Callable[[Site, str], Iterator[tuple[str, str]]]

PAGE_SOURCES: list[PageSource] = [
    core_pages,
]


def generate(portal: Portal, settings: Settings, today: dt.date) -> Iterator[tuple[str, str, str]]:
    """Yield (page key, language, Markdown) for every page of the site."""
    site = Site(portal, settings, today)
    for lang in LANGS:
        for source in PAGE_SOURCES:
            for key, markdown in source(site, lang):
                yield key, lang, markdown
