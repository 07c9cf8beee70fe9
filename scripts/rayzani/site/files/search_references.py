"""What the search index holds of each comment: its reference and where its card is, per language.

A participant who kept a receipt (or noted the number on a card) types the reference in the
search box and lands on the comment. The text, the author and the decision stay out of the index
(privacy, and weight: the index is what a reader downloads when opening search); the theme hook
(`rayzani.build.search_index`) adds these entries to each language's index and removes the file.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from markupsafe import escape

from rayzani import urls
from rayzani.analysis.discussions import GENERAL, anchor_of
from rayzani.i18n.messages import html, text
from rayzani.i18n.text import localise_digits
from rayzani.model import LANGS, Draft
from rayzani.model.references import reference_of
from rayzani.site.context import Site
from rayzani.site.views import current_section_label


def reference_entries(site: Site, lang: str) -> list[dict[str, str]]:
    """One search document per comment: location (its card), title and text as escaped HTML, and
    the title of the page that holds it (Material shows a comment's entry under its page's)."""
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
            reference = localise_digits(reference_of(record), lang)
            entries.append(
                {
                    "location": urls.site_path(link.split("#")[0], lang, urls.comment_anchor(record.id)),
                    "title": str(html("reference_search_title", lang, reference=reference)),
                    "text": str(html("reference_search_text", lang, section=section, title=subject)),
                    # The page's own entry, for a page search does not index (a discussion page).
                    "page_title": str(page_title),
                }
            )
    return entries


def search_reference_files(site: Site) -> Iterator[tuple[str, bytes]]:
    data = {lang: reference_entries(site, lang) for lang in LANGS}
    yield urls.search_references(), json.dumps(data, ensure_ascii=False).encode("utf-8")


def search_references_path() -> str:
    """Where the entries are written for the theme hook to read (under the site root)."""
    return urls.search_references()
