"""A call's page: what is asked, the ideas by domain with their answers, the ways to take part."""

from __future__ import annotations

from collections.abc import Iterator

from rayzani import urls
from rayzani.i18n import messages
from rayzani.model import Call
from rayzani.render.environment import render, translate
from rayzani.site.context import Site
from rayzani.site.pages.intake import idea_links
from rayzani.site.pages.open_data import data_links
from rayzani.site.pages.panels import idea_tables
from rayzani.site.pages.polls import call_tally, vote_ways
from rayzani.site.share import share_links
from rayzani.site.views import comment_view, state_view


def call_page(site: Site, call: Call, lang: str) -> str:
    key = urls.call_key(call.slug)
    ideas = site.portal.comments_on(call.slug) if site.portal.kind_of(call.slug) == "call" else []
    by_domain = [
        (
            domain,
            [
                comment_view(
                    r,
                    urls.comment_link(key, key, r.id),
                    domain.name.get(lang),
                    lang,
                    panels=site.portal.panels,
                    criteria=call.criteria,
                )
                for r in ideas
                if r.domain == domain.id
            ],
        )
        for domain in call.domains
    ]
    unfiled = [
        comment_view(
            r,
            urls.comment_link(key, key, r.id),
            translate("general", lang),
            lang,
            panels=site.portal.panels,
            criteria=call.criteria,
        )
        for r in ideas
        if not r.domain
    ]
    draft = site.portal.drafts.get(call.draft or "")
    domain_table, group_table = idea_tables(call, ideas, lang)
    report = site.report_key(call)
    return render(
        "call.md.j2",
        lang,
        call=call,
        report=urls.link(key, report) if report else None,
        state=state_view(call.window, site.today, lang, site.portal.report_of(call.slug)),
        draft=draft,
        draft_link=urls.link(key, urls.draft_key(draft.slug)) if draft else None,
        by_domain=by_domain,
        unfiled=unfiled,
        idea_count=len(ideas),
        domain_table=domain_table,
        group_table=group_table,
        pending=site.pending(call.slug) if ideas else 0,
        share_links=share_links(
            site.url(key, lang), lang, messages.text("share_text_call", lang, title=call.title.get(lang))
        ),
        idea_links=idea_links(site, call, lang),
        poll_link=urls.link(key, urls.poll_key(call.slug)) if call.poll else None,
        poll_counted=call_tally(site, call).counted if call.poll else 0,
        vote_ways=vote_ways(site, call, key, lang),
        data=data_links(site, call, key, lang),
    )


def call_pages(site: Site, lang: str) -> Iterator[tuple[str, str]]:
    for call in site.portal.calls.values():
        yield urls.call_key(call.slug), call_page(site, call, lang)
