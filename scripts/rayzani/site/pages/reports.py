"""Reports of closed consultations, in both languages, as pages and as PDFs.

A report is shown from its `published` date on: a report dated after the build date is not
published yet, so editors can merge it in advance and it appears on the day.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from markdown_it import MarkdownIt
from markupsafe import Markup

from rayzani import urls
from rayzani.analysis.concerns import (
    ArticleCounts,
    CommentGroup,
    article_counts,
    most_discussed,
    near_duplicate_groups,
)
from rayzani.analysis.discussions import GENERAL, anchor_of
from rayzani.analysis.stats import PERSONAL_OPEN, consultation_statistics
from rayzani.i18n import messages
from rayzani.model import LANGS, Call, Draft, Localized, Report, Submission, Window
from rayzani.render.environment import render, translate
from rayzani.render.sanitize import render_comment
from rayzani.site.context import Site
from rayzani.site.figures import statistics_charts
from rayzani.site.files.pdf import font_face_css, html_to_pdf
from rayzani.site.share import share_links
from rayzani.site.views import (
    CommentView,
    comment_view,
    current_section_label,
    draft_comment_view,
)

ANSWERED_ACCEPTED = ("accepted", "partially-accepted")


@dataclass
class Subject:
    """What a report is about: a draft, or a call (its ideas, or the comments on its draft)."""

    slug: str  # the slug whose comments are reported (a call about a draft reports the draft's)
    key: str
    title: Localized
    asked: Localized
    window: Window
    report: Report
    demo: bool
    draft: Draft | None
    call: Call | None


def subjects(site: Site) -> list[Subject]:
    """Every draft and call with a report published by the build date."""
    found = []
    for draft in site.portal.drafts.values():
        if draft.report and draft.report.published <= site.today:
            found.append(
                Subject(
                    draft.slug,
                    urls.draft_key(draft.slug),
                    Localized(
                        draft.text("fa").title,
                        draft.text("en").title if draft.has_translation("en") else None,
                    ),
                    Localized(
                        draft.text("fa").summary,
                        draft.text("en").summary if draft.has_translation("en") else None,
                    ),
                    draft.window,
                    draft.report,
                    draft.demo,
                    draft,
                    None,
                )
            )
    for call in site.portal.calls.values():
        if call.report and call.report.published <= site.today:
            its_draft = site.portal.drafts.get(call.draft or "")
            found.append(
                Subject(
                    its_draft.slug if its_draft else call.slug,
                    urls.call_key(call.slug),
                    call.title,
                    call.asked,
                    call.window,
                    call.report,
                    call.demo,
                    its_draft,
                    call,
                )
            )
    return found


@dataclass
class ArticleRow:
    label: str
    link: str
    counts: ArticleCounts


@dataclass
class GroupView:
    count: int
    body: Markup
    link: str
    received: dt.datetime


@dataclass
class AnswerSection:
    """The answers to the comments on one article (or domain): each near-identical group once."""

    label: str
    anchor: str
    cards: list[tuple[CommentView, int]] = field(default_factory=list)


def _article_name(draft: Draft, anchor: str, lang: str) -> str:
    """The article as the reader sees it now: a renumbered one by its number now, a removed one
    with its version and the one that removed it, so that no two headings read alike."""
    if anchor == GENERAL:
        return translate("general_comments", lang)
    return current_section_label(draft, anchor, lang)


def report_context(site: Site, subject: Subject, lang: str) -> dict[str, Any]:
    """What a report shows, for its page and its PDF alike."""
    key = urls.report_key(subject.key)
    records = site.portal.comments_on(subject.slug)
    stats = consultation_statistics(site.portal, site.settings, site.today, subject.slug, site.store)
    groups = near_duplicate_groups(records, cache=site.store)
    group_of = {m.id: g for g in groups for m in g.members}
    draft = subject.draft if subject.call is None or subject.call.kind == "consultation" else None

    if draft is not None:
        where = site.permalinks(draft)

        def card(r: Submission) -> CommentView:
            return draft_comment_view(
                draft, r, key, urls.comment_link(key, where[r.id], r.id), lang, site.portal.panels
            )

        counts = article_counts(draft, records)
        current = {a.anchor for a in draft.articles}
        sections = [AnswerSection(_article_name(draft, c.anchor, lang), c.anchor) for c in counts]
        section_of = {r.id: anchor_of(draft, r.section) for r in records}
        articles = [
            ArticleRow(
                _article_name(draft, c.anchor, lang),
                urls.link(key, urls.draft_key(draft.slug), c.anchor)
                if c.anchor in current or c.anchor == GENERAL
                else urls.link(key, urls.discussion_key(draft.slug, c.anchor)),
                c,
            )
            for c in counts
        ]
        discussed = [next(a for a in articles if a.counts is c) for c in most_discussed(counts)]
    else:
        call = subject.call
        assert call is not None

        def card(r: Submission) -> CommentView:
            domain = call.domain(r.domain) if r.domain else None
            name = domain.name.get(lang) if domain else None
            return comment_view(
                r,
                urls.comment_link(key, urls.call_key(call.slug), r.id),
                name or translate("general", lang),
                lang,
            )

        sections = [AnswerSection(d.name.get(lang), d.id) for d in call.domains]
        sections.append(AnswerSection(translate("general", lang), GENERAL))
        section_of = {r.id: r.domain if r.domain and call.domain(r.domain) else GENERAL for r in records}
        articles, discussed = [], []
    by_anchor = {s.anchor: s for s in sections}
    for record in records:
        group = group_of.get(record.id)
        if group and group.representative is not record:
            continue  # a campaign is answered once, under its first comment
        by_anchor[section_of[record.id]].cards.append((card(record), group.count if group else 1))
    statuses = Counter(r.decision.status for r in records)
    answered = len(records) - statuses.get("pending", 0)
    pdf = urls.report_pdf(subject.slug if subject.call is None else subject.call.slug, lang)
    by_channel = stats.breakdown("channel")
    channels = translate("list_separator", lang).join(
        translate("channel_count", lang, channel=translate(f"channel_{c.category}", lang), n=c.count)
        for c in (by_channel.cells if by_channel else ())
        if c.count
    )
    return dict(
        channels=channels,
        subject=subject,
        title=subject.title.get(lang),
        summary=subject.report.summary.get(lang),
        summary_translated=subject.report.summary.has(lang),
        stats=stats,
        personal_open=stats.personal == PERSONAL_OPEN,
        charts=statistics_charts(stats, lang, "rz-report"),
        articles=articles,
        discussed=discussed,
        groups=[_group_view(g, key, card) for g in groups],
        sections=[s for s in sections if s.cards],
        answered=answered,
        accepted=sum(statuses.get(s, 0) for s in ANSWERED_ACCEPTED),
        subject_link=urls.link(key, subject.key),
        pdf_link=urls.file_link(key, lang, pdf),
        csv_link=urls.file_link(key, lang, urls.comments_data(subject.slug, "csv")),
        json_link=urls.file_link(key, lang, urls.comments_data(subject.slug, "json")),
        statistics_link=urls.link(key, urls.statistics_key(), "suppression"),
        changes=_changes_link(key, draft),
        share_links=share_links(
            site.url(key, lang), lang, messages.text("share_text_report", lang, title=subject.title.get(lang))
        ),
    )


def report_page(site: Site, subject: Subject, lang: str) -> str:
    return render("report.md.j2", lang, **report_context(site, subject, lang))


_SUMMARY_MD = MarkdownIt("commonmark", {"html": False})


def report_pdf_files(site: Site) -> Iterator[tuple[str, bytes]]:
    """Each published report as a printable PDF, in each language, beside its open data."""
    root = site.portal.root
    for subject in subjects(site):
        slug = subject.call.slug if subject.call else subject.slug
        for lang in LANGS:
            context = report_context(site, subject, lang)
            html = render(
                "report_pdf.html.j2",
                lang,
                fonts=Markup(font_face_css(root)),
                summary_html=Markup(_SUMMARY_MD.render(context["summary"])),
                **context,
            )
            yield (
                urls.report_pdf(slug, lang),
                html_to_pdf(html, root, site.store.file("pdf", f"report-{slug}-{lang}")),
            )


def _changes_link(key: str, draft: Draft | None) -> str | None:
    """The redline of the latest version, when the draft was revised."""
    if draft is None or len(draft.history()) < 2:
        return None
    return urls.link(key, urls.changes_key(draft.slug, draft.history()[-1].label))


def _group_view(group: CommentGroup, key: str, card) -> GroupView:
    # A withheld text is never shown, not even as the voice of its group.
    shown = next((m for m in group.members if not m.withheld), None)
    view = card(shown or group.representative)
    body = Markup(render_comment(shown.body)) if shown else view.body
    return GroupView(group.count, body, view.permalink, view.received)


def report_pages(site: Site, lang: str) -> Iterator[tuple[str, str]]:
    """Every published report."""
    for subject in subjects(site):
        yield urls.report_key(subject.key), report_page(site, subject, lang)
