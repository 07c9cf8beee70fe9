"""The home page (consultations by lifecycle state), the archive (the same grouped four ways) and
the page about how consultations work."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from rayzani import urls
from rayzani.model import DECISION_STATUSES, LIFECYCLE, Call, Draft, Window
from rayzani.render.environment import render, translate
from rayzani.site.context import Site
from rayzani.site.views import StateView, closing_clock, state_view


@dataclass
class Listing:
    """One consultation (a draft, or a call for ideas) as listed on the home page."""

    title: str
    summary: str
    url: str
    kind: str
    unit: str
    window: Window
    state: StateView
    comments: int
    demo: bool
    domains: tuple[str, ...] = ()  # policy domains, for the archive's grouping
    pending: int = 0  # comments or ideas still awaiting an answer
    report: str | None = None  # the published report, where a reported consultation's card leads


def listings(site: Site, from_key: str, lang: str) -> list[Listing]:
    items = [
        Listing(
            d.text(lang).title,
            d.text(lang).summary,
            urls.link(from_key, urls.draft_key(d.slug)),
            f"kind_{d.kind}",
            d.text(lang).issuing_unit,
            d.window,
            state_view(d.window, site.today, lang, d.report),
            len(site.portal.comments_on(d.slug)),
            d.demo,
            (d.text(lang).domain,),
            site.pending(d.slug),
            _report_link(site, from_key, d),
        )
        for d in site.portal.drafts.values()
    ]
    items += [
        Listing(
            c.title.get(lang),
            c.asked.get(lang),
            urls.link(from_key, urls.call_key(c.slug)),
            f"kind_{c.kind}",
            c.organiser.get(lang),
            c.window,
            state_view(c.window, site.today, lang, site.portal.report_of(c.slug)),
            len(site.portal.comments_on(c.slug)),
            c.demo,
            tuple(d.name.get(lang) for d in c.domains),
            site.pending(c.slug),
            _report_link(site, from_key, c),
        )
        for c in site.portal.calls.values()
        if c.kind == "crowdsourcing"
    ]
    return items


def _report_link(site: Site, from_key: str, subject: Draft | Call) -> str | None:
    report = site.report_key(subject)
    return urls.link(from_key, report) if report else None


def home_page(site: Site, lang: str) -> str:
    key = urls.home_key()
    items = listings(site, key, lang)
    by_state: dict[str, list[Listing]] = {state: [] for state in LIFECYCLE}
    for item in items:
        by_state[item.state.state].append(item)
    by_state["open"].sort(key=lambda i: i.window.closes)
    by_state["upcoming"].sort(key=lambda i: i.window.opens)
    by_state["closed"].sort(key=lambda i: i.window.closes, reverse=True)
    by_state["reported"].sort(key=lambda i: i.window.closes, reverse=True)
    return render(
        "home.md.j2",
        lang,
        sections=by_state,
        days=site.settings.min_comment_days,
        closing_clock=closing_clock(lang),
        consultations=urls.link(key, urls.archive_key()),
        about=urls.link(key, urls.about_key()),
        feeds={
            "rss": site.file_link(key, lang, urls.feed_path(lang, "open-calls", "rss")),
            "atom": site.file_link(key, lang, urls.feed_path(lang, "open-calls", "atom")),
            "reports": site.file_link(key, lang, urls.feed_path(lang, "reports", "rss")),
            "json": site.file_link(key, lang, urls.calls_json()),
        },
    )


def consultations_page(site: Site, lang: str) -> str:
    items = sorted(listings(site, urls.archive_key(), lang), key=lambda i: i.window.opens, reverse=True)
    # The same consultations grouped four ways, as plain sections: no script needed to filter.
    groups = [
        ("state", [(t, [i for i in items if i.state.state == s]) for s, t in _state_names(lang)]),
        ("agency", _grouped(items, lambda i: (i.unit,))),
        ("kind", _grouped(items, lambda i: (translate(i.kind, lang),))),
        ("domain", _grouped(items, lambda i: i.domains)),
    ]
    groups = [(by, [(name, found) for name, found in named if found]) for by, named in groups]
    return render("consultations.md.j2", lang, items=items, groups=groups)


def _state_names(lang: str) -> list[tuple[str, str]]:
    return [
        (state, translate(f"lifecycle_{state}", lang)) for state in ("open", "upcoming", "closed", "reported")
    ]


def _grouped(
    items: list[Listing], keys: Callable[[Listing], tuple[str, ...]]
) -> list[tuple[str, list[Listing]]]:
    groups: dict[str, list[Listing]] = {}
    for item in items:
        for key in keys(item):
            groups.setdefault(key, []).append(item)
    return sorted(groups.items())


def about_page(site: Site, lang: str) -> str:
    # The answers first, then what is still open: the order a reader asks about them.
    statuses = [*DECISION_STATUSES[1:], DECISION_STATUSES[0]]
    return render("about.md.j2", lang, days=site.settings.min_comment_days, statuses=statuses)


def home_pages(site: Site, lang: str) -> Iterator[tuple[str, str]]:
    """Home, archive, about."""
    yield urls.home_key(), home_page(site, lang)
    yield urls.archive_key(), consultations_page(site, lang)
    yield urls.about_key(), about_page(site, lang)
