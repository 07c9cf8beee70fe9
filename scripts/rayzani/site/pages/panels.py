"""Review panels' pages, and the per-domain and per-group tables of a call for ideas."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from rayzani import urls
from rayzani.i18n import messages
from rayzani.model import Call, Panel, Submission
from rayzani.render.environment import render, translate
from rayzani.site.context import Site
from rayzani.site.views import DecisionView, decision_view, section_label

# Markdown marks and links that an excerpt drops: it is plain text, escaped by the template.
_MARKS = re.compile(r"[*_`#>]+|\[([^\]]*)\]\([^)]*\)")
EXCERPT_CHARS = 160


@dataclass
class PanelRow:
    """One decision of a panel: the idea or comment decided on, the decision, and when it came in."""

    url: str
    consultation: str
    subject: str  # the call's domain or the draft's article the record is about
    excerpt: str
    excerpt_lang: str  # the record's language: a Persian idea on an English page stays RTL
    received: dt.date
    decision: DecisionView


def excerpt(record: Submission, lang: str) -> str:
    """The first words of the record's public text (never a withheld one's), as plain text."""
    if record.withheld:
        reason = messages.text(f"withheld_{record.withheld_reason}", lang)
        return messages.text("withheld", lang, reason=reason)
    flat = " ".join(_MARKS.sub(lambda m: m.group(1) or "", record.shown_text).split())
    if len(flat) <= EXCERPT_CHARS:
        return flat
    return flat[:EXCERPT_CHARS].rsplit(" ", 1)[0] + "…"


def _subject(site: Site, target: str, record: Submission, lang: str) -> str:
    draft = site.portal.drafts.get(target)
    if draft is not None:
        return section_label(draft, record.section, lang)
    call = site.portal.calls.get(target)
    domain = call.domain(record.domain) if call and record.domain else None
    return domain.name.get(lang) if domain else ""


def decided_by_panel(site: Site, panel: Panel) -> list[tuple[str, Submission]]:
    """(target, record) of every current or earlier decision the panel took, newest first."""
    return site.store.per_portal(site.portal, "decisions_by_panel", lambda: _decisions_by_panel(site)).get(
        panel.slug, []
    )


def _decisions_by_panel(site: Site) -> dict[str, list[tuple[str, Submission]]]:
    by_panel: dict[str, list[tuple[str, Submission]]] = {}
    for target, records in site.portal.submissions.items():
        for record in records:
            for slug in {d.panel for d in (record.decision, *record.history) if d.panel}:
                by_panel.setdefault(slug, []).append((target, record))
    for found in by_panel.values():
        found.sort(key=lambda pair: pair[1].decision.date or pair[1].received.date(), reverse=True)
    return by_panel


def panel_page(site: Site, panel: Panel, lang: str) -> str:
    key = urls.panels_key(panel.slug)
    decisions = [
        PanelRow(
            url=site.comment_link(key, target, record.id),
            consultation=site.title_of(target, lang),
            subject=_subject(site, target, record, lang),
            excerpt=excerpt(record, lang),
            excerpt_lang=lang if record.withheld else record.language,
            # When the idea or comment arrived, not when it was decided on.
            received=record.received.date(),
            decision=decision_view(record.decision, lang, site.portal.panels),
        )
        for target, record in decided_by_panel(site, panel)
    ]
    reviews = [
        (site.portal.drafts[slug].text(lang).title, urls.link(key, urls.draft_key(slug)))
        for slug in panel.drafts
        if slug in site.portal.drafts
    ]
    for call in site.portal.calls.values():
        for domain in call.domains:
            if domain.id in panel.domains:
                reviews.append(
                    (
                        f"{call.title.get(lang)}: {domain.name.get(lang)}",
                        urls.link(key, urls.call_key(call.slug), f"domain-{domain.id}"),
                    )
                )
    return render("panel.md.j2", lang, panel=panel, decisions=decisions, reviews=reviews)


def panels_index(site: Site, lang: str) -> str:
    key = urls.panels_key()
    rows = [
        (p, urls.link(key, urls.panels_key(p.slug)), len(decided_by_panel(site, p)))
        for p in site.portal.panels.values()
    ]
    return render("panels.md.j2", lang, rows=rows)


def panel_pages(site: Site, lang: str) -> Iterator[tuple[str, str]]:
    if not site.portal.panels:
        return
    yield urls.panels_key(), panels_index(site, lang)
    for panel in site.portal.panels.values():
        yield urls.panels_key(panel.slug), panel_page(site, panel, lang)


@dataclass
class CountRow:
    label: str
    count: int
    anchor: str = ""


def idea_tables(call: Call, ideas: list[Submission], lang: str) -> tuple[list[CountRow], list[CountRow]]:
    """Ideas per domain (the seed's published table) and per participant group."""
    per_domain = Counter(r.domain for r in ideas)
    domains = [CountRow(d.name.get(lang), per_domain.get(d.id, 0), f"domain-{d.id}") for d in call.domains]
    per_group = Counter(r.author.type for r in ideas)
    groups = [CountRow(translate(f"type_{t}", lang), n) for t, n in per_group.most_common()]
    return domains, groups
