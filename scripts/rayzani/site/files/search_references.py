"""Finding a comment by its reference: small shard files beside the search index, per language.

A participant who kept a receipt (or noted the number on a card) types the reference in the
search box and lands on the comment. The search index is what every reader downloads on opening
search, so it holds the pages only: one entry per comment would make it grow with the comments
(about 28 MB per language at 100,000). Each comment's entry goes instead into the shard named by
the first two digits of its reference (`search/references/<lang>/<NN>.json`, at most 100 per
language), which the search worker fetches only when a query looks like a reference. A shard is

    {"pages": {page location: page title},
     "comments": {"12345678": [{"location": ..., "title": ..., "text": ...}]}}

with titles and texts as escaped HTML (Material shows them as HTML); a reference may be shared
by two comments (a derived reference is eight digits of a digest). The text, the author and the
decision stay out (privacy, and weight).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

from markupsafe import escape

from rayzani import urls
from rayzani.analysis.discussions import GENERAL, anchor_of
from rayzani.i18n.messages import html, text
from rayzani.i18n.text import localise_digits
from rayzani.model import LANGS, Draft
from rayzani.model.references import reference_of
from rayzani.site.context import Site
from rayzani.site.views import current_section_label

SHARD_DIGITS = 2  # the shard is named by the reference's first two digits: 100 shards
SHARD = "{shard}"  # the placeholder the search worker fills with a shard's name


@dataclass(frozen=True)
class ReferenceEntry:
    """One comment as a reference search shows it: under its page, in one language."""

    digits: str  # the reference's eight ASCII digits, without the dash
    location: str  # its card, as the search index names locations ("en/drafts/x/comments/art-3/#c-1")
    title: str  # escaped HTML
    text: str  # escaped HTML: where the comment is, never what it says
    page_title: str  # escaped HTML: the title of the page that holds the card

    @property
    def page(self) -> str:
        return self.location.split("#")[0]


def reference_entries(site: Site, lang: str) -> list[ReferenceEntry]:
    """One entry per comment: its card's location, a title naming its reference, where it is
    (section and subject), and the title of the page that holds it."""
    entries = []
    for target, records in site.portal.submissions.items():
        holder = site.portal.target(target)
        if holder is None:
            continue
        subject = site.title_of(target, lang)
        for record in records:
            link = site.comment_link("", target, record.id)
            if isinstance(holder, Draft):
                section = current_section_label(holder, record.section, lang)
                anchor = anchor_of(holder, record.section)
                discussion = (
                    text("general_comments", lang)
                    if anchor == GENERAL
                    else current_section_label(holder, anchor, lang)
                )
                page_title = html("discussion_of", lang, article=discussion)
            else:
                domain = holder.domain(record.domain) if record.domain else None
                section = domain.name.get(lang) if domain else text("general", lang)
                page_title = escape(subject)
            reference = reference_of(record)
            shown = localise_digits(reference, lang)
            entries.append(
                ReferenceEntry(
                    digits="".join(c for c in reference if c.isdigit()),
                    location=urls.site_path(link.split("#")[0], lang, urls.comment_anchor(record.id)),
                    title=str(html("reference_search_title", lang, reference=shown)),
                    text=str(html("reference_search_text", lang, section=section, title=subject)),
                    page_title=str(page_title),
                )
            )
    return entries


def shard_of(digits: str) -> str:
    return digits[:SHARD_DIGITS]


def shards(entries: list[ReferenceEntry]) -> dict[str, dict[str, object]]:
    """Shard name -> its JSON document; only shards that hold a comment (the worker reads a
    missing one as holding none)."""
    pages: dict[str, dict[str, str]] = {}
    comments: dict[str, dict[str, list[dict[str, str]]]] = {}
    for entry in sorted(entries, key=lambda e: (e.digits, e.location)):
        name = shard_of(entry.digits)
        pages.setdefault(name, {}).setdefault(entry.page, entry.page_title)
        found = comments.setdefault(name, {}).setdefault(entry.digits, [])
        found.append({"location": entry.location, "title": entry.title, "text": entry.text})
    return {name: {"pages": pages[name], "comments": comments[name]} for name in sorted(comments)}


def search_reference_files(site: Site) -> Iterator[tuple[str, bytes]]:
    for lang in LANGS:
        for name, shard in shards(reference_entries(site, lang)).items():
            data = json.dumps(shard, ensure_ascii=False, separators=(",", ":"))
            yield urls.search_reference_shard(lang, name), data.encode("utf-8")


def reference_shard_pattern(lang: str) -> str:
    """A language's shard address under the site root, with `{shard}` for the worker to fill."""
    return urls.search_reference_shard(lang, SHARD)
