"""Poll pages: how to vote (links to the vote issue form and the web vote form, while the call is
open), the web vote form itself, and the results: counts and shares, votes not counted and why."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from rayzani import urls
from rayzani.analysis.polls import REJECTION_REASONS, Tally, tally
from rayzani.i18n.text import localise_digits
from rayzani.model import AGE_BANDS, GENDERS, RESPONDENT_TYPES, Call, Window
from rayzani.render.environment import render, translate
from rayzani.site.context import Site
from rayzani.site.pages.intake import (
    Choice,
    CommentLink,
    choices,
    forge_issue_url,
    forge_name,
    province_choices,
)
from rayzani.site.views import state_view


def vote_issue_url(site: Site, call: Call) -> str | None:
    """The forge's new-issue page with this call's vote form, or None if it takes no votes by issue."""
    settings = site.settings
    form = site.portal.vote_forms.get(call.slug)
    if form is None or not settings.repo or "issue" not in call.channels:
        return None
    # The form's `call` default already names the call; prefilling it too keeps a copied form right.
    return forge_issue_url(site, form, {"call": call.slug})


def takes_web_votes(site: Site, call: Call) -> bool:
    return bool(site.settings.form_endpoint) and "form" in call.channels


@dataclass
class VoteWays:
    """How to vote in a call's poll on the build date: links while the call is open, else why not."""

    state: str  # the call's window: open, upcoming or closed
    window: Window
    links: list[CommentLink]


def vote_ways(site: Site, call: Call, from_key: str, lang: str) -> VoteWays | None:
    """None for a call without a poll, or for an open one with no channel the site can link to."""
    if call.poll is None:
        return None
    state = call.window.state(site.today)
    if state != "open":
        return VoteWays(state, call.window, [])
    links = []
    issue = vote_issue_url(site, call)
    if issue:
        forge = forge_name(site, lang)
        links.append(CommentLink(translate("vote_via_issue", lang, forge=forge), issue, "issue", forge))
    if takes_web_votes(site, call):
        form = urls.link(from_key, urls.vote_form_key(call.slug))
        links.append(CommentLink(translate("vote_via_form", lang), form, "form"))
    return VoteWays(state, call.window, links) if links else None


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
    key = urls.poll_key(call.slug)
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
        call_url=urls.link(key, urls.call_key(call.slug)),
        vote_ways=vote_ways(site, call, key, lang),
        state=state_view(call.window, site.today, lang, site.portal.report_of(call.slug)),
    )


def vote_form_page(site: Site, call: Call, lang: str) -> str:
    assert call.poll is not None
    key = urls.vote_form_key(call.slug)
    return render(
        "poll_vote_form.md.j2",
        lang,
        call=call,
        # The form is offered only while the call is open: a vote sent before or after is not counted.
        state=call.window.state(site.today),
        endpoint=site.settings.form_endpoint if takes_web_votes(site, call) else "",
        # Why there is no form: the portal has no form service, or this call takes no web votes.
        form_off="vote_form_not_set_up" if "form" in call.channels else "vote_form_not_a_channel",
        issue_url=vote_issue_url(site, call),
        forge=forge_name(site, lang),
        call_url=urls.link(key, urls.call_key(call.slug)),
        results_url=urls.link(key, urls.poll_key(call.slug)),
        options=[Choice(o.id, o.name.get(lang)) for o in call.poll.options],
        types=choices(RESPONDENT_TYPES, "type_", lang),
        age_bands=choices(AGE_BANDS, "age_", lang),
        genders=choices(GENDERS, "gender_", lang),
        provinces=province_choices(lang),
    )


def poll_pages(site: Site, lang: str) -> Iterator[tuple[str, str]]:
    """Per call with a poll: its results page and its web vote form page (which says when it is shut)."""
    for call in site.portal.calls.values():
        if call.poll is not None:
            yield urls.poll_key(call.slug), poll_page(site, call, lang)
            yield urls.vote_form_key(call.slug), vote_form_page(site, call, lang)
