"""Review panels' pages, and the per-domain and per-group tables of a call for ideas."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from rayzani import urls
from rayzani.model import Call, Panel, Submission
from rayzani.render.environment import render, translate
from rayzani.site.context import Site


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
    decisions = []
    for target, record in decided_by_panel(site, panel):
        title = site.title_of(target, lang)
        decisions.append((title, record, site.comment_link(key, target, record.id)))
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
