"""A draft's page (its text, the first comments under each article, the ways to comment) and its
discussion pages (every comment, by article, in pages of `comments_per_page`)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from markupsafe import Markup

from rayzani import urls
from rayzani.analysis.discussions import GENERAL, Discussion
from rayzani.i18n import messages
from rayzani.i18n.text import localise_digits
from rayzani.model import Draft, Submission
from rayzani.render.environment import render, translate
from rayzani.render.framed import Framed
from rayzani.site.context import Site
from rayzani.site.pages.intake import comment_links
from rayzani.site.pages.open_data import data_links
from rayzani.site.share import share_links
from rayzani.site.views import (
    CommentView,
    article_label,
    article_markdown,
    closing_clock,
    closing_instant,
    draft_comment_view,
    last_version_with,
    record_names,
    section_label,
    state_view,
)


@dataclass
class ArticleView:
    anchor: str
    heading: str
    body: Markup
    comment_count: int
    comments: list[CommentView]
    discussion: str
    label: str


# What a share link says: "take part" only while comments can still come.
_SHARE_TEXT = {
    "upcoming": "share_text_call",
    "open": "share_text_call",
    "closed": "share_text_closed",
    "reported": "share_text_report",
}


def draft_page(site: Site, draft: Draft, lang: str) -> str:
    key = urls.draft_key(draft.slug)
    records = site.portal.comments_on(draft.slug)
    groups = site.discussions(draft)
    where = site.permalinks(draft)
    text = draft.text(lang)
    inline = site.settings.inline_comments

    def views(group: Discussion) -> list[CommentView]:
        return [
            draft_comment_view(
                draft, r, key, urls.comment_link(key, where[r.id], r.id), lang, site.portal.panels
            )
            for r in group.records[:inline]
        ]

    articles = [
        ArticleView(
            anchor=fa_article.anchor,
            heading=article.heading,
            body=article_markdown(article, fa_article),
            comment_count=len(groups[fa_article.anchor].records),
            comments=views(groups[fa_article.anchor]),
            discussion=urls.link(key, urls.discussion_key(draft.slug, fa_article.anchor)),
            label=article_label(article),
        )
        for article, fa_article in zip(text.articles, draft.articles, strict=True)
    ]
    general = groups[GENERAL]
    # Articles a later version removed: their comments keep a discussion page of their own.
    removed = [
        (
            translate(
                "removed_article_note",
                lang,
                article=section_label(last_version_with(draft, anchor), anchor, lang),
                version=localise_digits(last_version_with(draft, anchor).label, lang),
            ),
            urls.link(key, urls.discussion_key(draft.slug, anchor)),
            len(group.records),
        )
        for anchor, group in groups.items()
        if anchor != GENERAL and anchor not in {a.anchor for a in draft.articles}
    ]
    report = site.report_key(draft)
    state = state_view(draft.window, site.today, lang, draft.report)
    return render(
        "draft.md.j2",
        lang,
        draft=draft,
        text=text,
        articles=articles,
        translated=draft.has_translation(lang) or lang == "fa",
        state=state,
        closing_clock=closing_clock(lang),
        countdown={"closes": closing_instant(draft.window).isoformat(), "built": site.today.isoformat()},
        calls=[
            (c, urls.link(key, urls.call_key(c.slug)), urls.link(key, urls.poll_key(c.slug)))
            for c in site.portal.calls_about(draft.slug)
        ],
        general=views(general),
        general_count=len(general.records),
        general_link=urls.link(key, urls.discussion_key(draft.slug, GENERAL)),
        total=len(records),
        pending=site.pending(draft.slug),
        versions=urls.link(key, urls.versions_key(draft.slug)) if len(draft.history()) > 1 else None,
        report=urls.link(key, report) if report else None,
        removed=removed,
        comment_links=comment_links(site, draft, key, lang),
        data=data_links(site, draft, key, lang),
        share_links=share_links(
            site.url(key, lang), lang, messages.text(_SHARE_TEXT[state.state], lang, title=text.title)
        ),
    )


def _discussion_label(draft: Draft, anchor: str, lang: str) -> str:
    """How a discussion is named: its article, an article a later version removed, or general."""
    for fa, article in zip(draft.articles, draft.text(lang).articles, strict=True):
        if fa.anchor == anchor:
            return article_label(article)
    if draft.article_of(anchor) is not None:
        return section_label(last_version_with(draft, anchor), anchor, lang)
    return messages.text("general_comments", lang)


def discussion_pages(site: Site, draft: Draft, lang: str) -> Iterator[tuple[str, Framed]]:
    per_page = site.settings.comments_per_page
    current = {a.anchor for a in draft.articles}
    for anchor, group in site.discussions(draft).items():
        if not group.records:
            continue
        label = _discussion_label(draft, anchor, lang)
        total = group.pages(per_page)
        for page in range(1, total + 1):
            key = urls.discussion_key(draft.slug, anchor, page)
            chunk = group.page(page, per_page)

            def cards(key: str = key, chunk: list[Submission] = chunk) -> str:
                views = [
                    draft_comment_view(
                        draft, r, key, urls.comment_link(key, key, r.id), lang, site.portal.panels
                    )
                    for r in chunk
                ]
                return render("comment_list.html.j2", lang, comments=views)

            if anchor in current or draft.article_of(anchor) is None:
                back = urls.link(key, urls.draft_key(draft.slug), anchor if anchor in current else "")
            else:
                back = urls.link(
                    key, urls.version_key(draft.slug, last_version_with(draft, anchor).label), anchor
                )
            heading = messages.text("discussion_of", lang, article=label)
            body = render(
                "discussion.html.j2",
                lang,
                draft=draft,
                text=draft.text(lang),
                label=label,
                cards=Markup(site.cached_html(("discussion", key, lang, *record_names(chunk)), cards)),
                page=page,
                pages=total,
                count=len(group.records),
                back=back,
                previous=urls.link(key, urls.discussion_key(draft.slug, anchor, page - 1))
                if page > 1
                else None,
                next=urls.link(key, urls.discussion_key(draft.slug, anchor, page + 1))
                if page < total
                else None,
            )
            yield key, Framed(f"{heading} | {draft.text(lang).title}", body)


def draft_pages(site: Site, lang: str) -> Iterator[tuple[str, str | Framed]]:
    """Every draft's page, each followed by its discussion pages."""
    for draft in site.portal.drafts.values():
        yield urls.draft_key(draft.slug), draft_page(site, draft, lang)
        yield from discussion_pages(site, draft, lang)
