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

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass

from markupsafe import escape

from rayzani import urls
from rayzani.analysis.discussions import GENERAL, anchor_of
from rayzani.i18n.messages import html, text
from rayzani.i18n.text import localise_digits
from rayzani.model import LANGS, Call, Draft
from rayzani.model.references import reference_of
from rayzani.site.context import Site
from rayzani.site.views import current_section_label

SHARD_DIGITS = 2  # the shard is named by the reference's first two digits: 100 shards
SHARD = "{shard}"  # the placeholder the search worker fills with a shard's name
NAMESPACE = "search-references"  # the store's namespace of shards already written
VERSION = 1  # of the kept shards' format: a new one never serves an older shard


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


@dataclass(frozen=True, order=True)
class Placed:
    """One comment as its entry is made from: everything that decides the entry's bytes, in a
    language, but written out (the title's HTML and the card's location) only when its shard is."""

    digits: str  # the reference's eight ASCII digits: the shard, and the entries' order
    link: str  # the card, relative to the site root ("drafts/x/comments/art-3/#c-1")
    record_id: str
    reference: str  # as the card prints it, before its digits are localised
    text: str  # escaped HTML: the section and subject
    page_title: str  # escaped HTML

    def inputs(self) -> tuple[str, ...]:
        return (self.digits, self.link, self.record_id, self.reference, self.text, self.page_title)


def where_said(holder: Draft | Call, part: str | None, subject: str, lang: str) -> tuple[str, str]:
    """A comment's entry text (section and subject) and its page's title, by its section (a
    draft) or domain (a call): the same for every comment there, so made once per part."""
    if isinstance(holder, Draft):
        section = current_section_label(holder, part, lang)
        anchor = anchor_of(holder, part)
        if anchor == GENERAL:
            discussion = text("general_comments", lang)
        else:
            discussion = current_section_label(holder, anchor, lang)
        page_title = html("discussion_of", lang, article=discussion)
    else:
        domain = holder.domain(part) if part else None
        section = domain.name.get(lang) if domain else text("general", lang)
        page_title = escape(subject)
    return str(html("reference_search_text", lang, section=section, title=subject)), str(page_title)


def placed_comments(site: Site, lang: str) -> list[Placed]:
    """Every comment with its reference, card and the words that say where it is."""
    placed = []
    for target, records in site.portal.submissions.items():
        holder = site.portal.target(target)
        if holder is None:
            continue
        subject = site.title_of(target, lang)
        said: dict[str | None, tuple[str, str]] = {}
        for record in records:
            part = record.section if isinstance(holder, Draft) else record.domain
            found = said.get(part)
            if found is None:
                found = said[part] = where_said(holder, part, subject, lang)
            reference = reference_of(record)
            placed.append(
                Placed(
                    digits="".join(c for c in reference if c.isdigit()),
                    link=site.comment_link("", target, record.id).split("#")[0],
                    record_id=record.id,
                    reference=reference,
                    text=found[0],
                    page_title=found[1],
                )
            )
    return placed


def entry_of(placed: Placed, lang: str) -> ReferenceEntry:
    shown = localise_digits(placed.reference, lang)
    return ReferenceEntry(
        digits=placed.digits,
        location=urls.site_path(placed.link, lang, urls.comment_anchor(placed.record_id)),
        title=str(html("reference_search_title", lang, reference=shown)),
        text=placed.text,
        page_title=placed.page_title,
    )


def reference_entries(site: Site, lang: str) -> list[ReferenceEntry]:
    """One entry per comment: its card's location, a title naming its reference, where it is
    (section and subject), and the title of the page that holds it."""
    return [entry_of(p, lang) for p in placed_comments(site, lang)]


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


def shard_bytes(shard: dict[str, object]) -> bytes:
    return json.dumps(shard, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def search_reference_files(site: Site) -> Iterator[tuple[str, bytes]]:
    """Every language's shards, a shard's bytes reused from an earlier build when what decides
    them is the same.

    At 100,000 comments, writing every entry out again was 7.6 s of each rebuild, though one new
    comment changes one shard per language. A shard is kept in the store's `search-references`
    namespace under a digest of its language and of its comments as placed (reference, card,
    section and page titles): anything that changes its bytes changes its name, and Rayzani's
    code (the title's message, the JSON layout) is the namespace's own key. A shard no longer
    built is dropped with the next save.
    """
    kept = site.store.shards(NAMESPACE, VERSION)
    for lang in LANGS:
        by_shard: dict[str, list[Placed]] = {}
        for placed in placed_comments(site, lang):
            by_shard.setdefault(shard_of(placed.digits), []).append(placed)
        for name in sorted(by_shard):
            comments = sorted(by_shard[name])
            inputs = json.dumps([lang, [p.inputs() for p in comments]], ensure_ascii=False)
            key = hashlib.sha256(inputs.encode("utf-8")).hexdigest()
            data = kept.get(key)
            if data is None:
                data = shard_bytes(shards([entry_of(p, lang) for p in comments])[name])
                kept.put(key, data)
            yield urls.search_reference_shard(lang, name), data


def reference_shard_pattern(lang: str) -> str:
    """A language's shard address under the site root, with `{shard}` for the worker to fill."""
    return urls.search_reference_shard(lang, SHARD)
