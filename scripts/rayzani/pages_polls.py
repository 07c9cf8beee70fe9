"""Poll results pages: counts and shares per option, and the votes not counted with why."""

from __future__ import annotations

from collections.abc import Iterator

from rayzani.model import Call
from rayzani.pages import Site, call_key, link, state_view
from rayzani.polls import REJECTION_REASONS, Tally, tally
from rayzani.render import render
from rayzani.text import localise_digits


def poll_key(slug: str) -> str:
    return f"calls/{slug}/poll/"


def call_tally(site: Site, call: Call) -> Tally:
    """The poll as it stood on the build date: a vote received later is not counted yet."""
    cast = [v for v in site.portal.votes.get(call.slug, []) if v.received.date() <= site.today]
    return tally(call, cast)


def _percent(share: float, lang: str) -> str:
    # Whole percents: a poll's share is read at a glance; the counts beside it are exact.
    value = localise_digits(round(share * 100), lang)
    return f"{value}٪" if lang == "fa" else f"{value}%"


def poll_page(site: Site, call: Call, lang: str) -> str:
    assert call.poll is not None
    key = poll_key(call.slug)
    result = call_tally(site, call)
    rows = [(o, result.counts[o.id], _percent(result.share(o.id), lang)) for o in call.poll.options]
    return render(
        "poll.md.j2",
        lang,
        call=call,
        rows=rows,
        result=result,
        reasons=REJECTION_REASONS,
        today=site.today,
        call_url=link(key, call_key(call.slug)),
        state=state_view(call.window, site.today, lang, site.portal.report_of(call.slug)),
    )


def poll_pages(site: Site, lang: str) -> Iterator[tuple[str, str]]:
    for call in site.portal.calls.values():
        if call.poll is not None:
            yield poll_key(call.slug), poll_page(site, call, lang)
