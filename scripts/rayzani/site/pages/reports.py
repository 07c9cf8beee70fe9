"""Reports of closed consultations, the statistics page and the portal dashboard, in both languages.

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

from rayzani.analysis.concerns import (
    ArticleCounts,
    CommentGroup,
    article_counts,
    most_discussed,
    near_duplicate_groups,
)
from rayzani.analysis.disclosure import HIDDEN, SMALL, WITHHELD
from rayzani.analysis.stats import (
    NOT_STATED,
    PERSONAL_OPEN,
    Breakdown,
    Cell,
    Statistics,
    consultation_statistics,
    portal_statistics,
)
from rayzani.i18n.dates import format_date
from rayzani.i18n.text import localise_digits
from rayzani.model import LANGS, Call, Draft, Localized, Report, Submission, Window
from rayzani.model.provinces import PROVINCES
from rayzani.render.environment import render, translate
from rayzani.render.sanitize import render_comment
from rayzani.site.charts import Bar, bar_chart, province_map, timeline
from rayzani.site.files.pdf import font_face_css, html_to_pdf
from rayzani.site.pages.core import (
    CommentView,
    Site,
    article_label,
    call_key,
    comment_view,
    discussion_key,
    draft_comment_view,
    draft_key,
    link,
    section_label,
)
from rayzani.site.share import share_links

STATISTICS_KEY = "statistics/"
DASHBOARD_KEY = "dashboard/"
ANSWERED_ACCEPTED = ("accepted", "partially-accepted")


def report_key(subject_key: str) -> str:
    return f"{subject_key}report/"


def data_link(from_key: str, lang: str, path: str) -> str:
    """Data files live once, at the site root: English pages (under /en/) climb one level more."""
    return "../" * (from_key.count("/") + (1 if lang == "en" else 0)) + path


def pdf_path(slug: str, lang: str) -> str:
    return f"data/{slug}/report-{lang}.pdf"


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
                    draft_key(draft.slug),
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
            draft = site.portal.drafts.get(call.draft or "")
            found.append(
                Subject(
                    draft.slug if draft else call.slug,
                    call_key(call.slug),
                    call.title,
                    call.asked,
                    call.window,
                    call.report,
                    call.demo,
                    draft,
                    call,
                )
            )
    return found


@dataclass
class ChartView:
    """A chart and its data table, side by side."""

    id: str
    title: str
    svg: Markup
    caption: str
    head: tuple[str, str]
    rows: list[tuple[str, str]]
    long: bool = False  # a long table is folded under the chart
    # The same data as HTML bars for the PDF (WeasyPrint's SVG text does not do Persian):
    # (label, shown, width in % of the longest; None when suppressed), and whether they stand
    # as columns (a time line) rather than lie as bars.
    print_bars: list[tuple[str, str, float | None]] = field(default_factory=list)
    columns: bool = False


def print_bars(
    items: list[Bar], threshold: int, skip_zero: bool = False
) -> list[tuple[str, str, float | None]]:
    top = max([b.value for b in items if b.value is not None] + [threshold, 1])
    return [
        (b.label, b.shown, None if b.value is None else round(100 * b.value / top, 1))
        for b in items
        if not (skip_zero and b.value == 0)
    ]


def category_label(breakdown: Breakdown, category: str, lang: str) -> str:
    if category == NOT_STATED:
        return translate("not_stated", lang)
    if breakdown.dimension == "province":
        return PROVINCES[category][0 if lang == "fa" else 1]
    if breakdown.dimension == "domain":
        return breakdown.labels[category].get(lang)
    prefix = {
        "age": "age_",
        "gender": "gender_",
        "respondent_type": "type_",
        "channel": "channel_",
        "decision_status": "status_",
    }[breakdown.dimension]
    return translate(prefix + category, lang)


def shown_count(cell: Cell, threshold: int, lang: str) -> str:
    """A cell's count as printed: the number, or what its suppression says (never the number)."""
    if cell.state == SMALL:
        return translate("fewer_than", lang, n=threshold)
    if cell.state == HIDDEN:
        return translate("hidden_cell", lang)
    if cell.state == WITHHELD:
        return translate("withheld_cell", lang)
    return localise_digits(cell.count, lang)


def bars(breakdown: Breakdown, threshold: int, lang: str, keep_zero: bool = True) -> list[Bar]:
    return [
        Bar(
            category_label(breakdown, c.category, lang),
            None if c.suppressed else c.count,
            shown_count(c, threshold, lang),
        )
        for c in breakdown.cells
        if keep_zero or c.count or c.suppressed
    ]


def statistics_charts(stats: Statistics, lang: str, prefix: str) -> list[ChartView]:
    """Every breakdown as a chart with its table; the province breakdown as a tile map."""
    charts = []
    unit_of = {"participants": "col_participants", "comments": "col_comments"}
    for breakdown in stats.breakdowns:
        title = translate(f"chart_{breakdown.dimension}", lang)
        chart_id = f"{prefix}-{breakdown.dimension.replace('_', '-')}"
        head = (translate(f"dim_{breakdown.dimension}", lang), translate(unit_of[breakdown.unit], lang))
        rows_all = bars(breakdown, stats.threshold, lang)
        desc = translate(
            "chart_desc",
            lang,
            what=title,
            total=localise_digits(breakdown.total, lang),
            unit=translate(f"unit_{breakdown.unit}", lang),
        )
        states = {c.state for c in breakdown.cells}
        if breakdown.withheld:
            desc += " " + translate("chart_desc_withheld", lang)
        else:
            if SMALL in states:
                desc += " " + translate("chart_desc_suppressed", lang, n=stats.threshold)
            if HIDDEN in states:
                desc += " " + translate("chart_desc_hidden", lang)
        if breakdown.dimension == "province":
            tiles = {c.category: bar for c, bar in zip(breakdown.cells, rows_all, strict=True)}
            svg = province_map(chart_id, title, desc + " " + translate("map_desc", lang), tiles, lang)
            caption = desc + " " + translate("map_desc", lang)
            listed = [(b.label, b.shown) for b in rows_all]
            printed = print_bars(rows_all, stats.threshold, skip_zero=True)
            charts.append(ChartView(chart_id, title, svg, caption, head, listed, True, printed))
            continue
        shown = bars(breakdown, stats.threshold, lang, keep_zero=breakdown.unit == "participants")
        svg = bar_chart(chart_id, title, desc, shown, stats.threshold, lang)
        rows = [(b.label, b.shown) for b in shown]
        charts.append(
            ChartView(chart_id, title, svg, desc, head, rows, False, print_bars(shown, stats.threshold))
        )
    if stats.timeline:
        charts.append(timeline_chart(stats, lang, prefix))
    return charts


def timeline_chart(stats: Statistics, lang: str, prefix: str) -> ChartView:
    monthly = stats.scope == "portal"
    title = translate("chart_timeline_monthly" if monthly else "chart_timeline", lang)
    points = list(stats.timeline)

    def when(day: dt.date) -> str:
        return _month(day, lang) if monthly else format_date(day, lang)

    peak = max(points, key=lambda p: p[1])
    desc = translate(
        "timeline_desc",
        lang,
        first=when(points[0][0]),
        last=when(points[-1][0]),
        total=localise_digits(sum(n for _, n in points), lang),
        peak=when(peak[0]),
        most=localise_digits(peak[1], lang),
    )
    chart_id = f"{prefix}-timeline"
    svg = timeline(chart_id, title, desc, points, (when(points[0][0]), when(points[-1][0])), lang)
    head = (translate("col_month" if monthly else "col_day", lang), translate("col_comments", lang))
    rows = [(when(day), localise_digits(n, lang)) for day, n in points]
    printed = print_bars(
        [Bar(label, n, shown) for (label, shown), (_, n) in zip(rows, points, strict=True)], 1
    )
    return ChartView(chart_id, title, svg, desc, head, rows, len(rows) > 12, printed, columns=True)


def _month(day: dt.date, lang: str) -> str:
    """A month as its reader names it: Jalali month of the 1st day, or the Gregorian month."""
    return format_date(day, lang).split(" ", 1)[1]


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
    if anchor == "general":
        return translate("general_comments", lang)
    for fa, article in zip(draft.articles, draft.text(lang).articles, strict=True):
        if fa.anchor == anchor:
            return article_label(article)
    # An article a later version removed is named with its version, so it is not confused
    # with the article that has its number now.
    old = next((v for v in reversed(draft.history()) if anchor in v.anchors()), None)
    if old is None:
        return anchor
    return translate(
        "article_of_version",
        lang,
        article=section_label(old, anchor, lang),
        version=localise_digits(old.label, lang),
    )


def report_context(site: Site, subject: Subject, lang: str) -> dict[str, Any]:
    """What a report shows, for its page and its PDF alike."""
    key = report_key(subject.key)
    records = site.portal.comments_on(subject.slug)
    stats = consultation_statistics(site.portal, site.settings, site.today, subject.slug, site.store)
    groups = near_duplicate_groups(records, cache=site.store)
    group_of = {m.id: g for g in groups for m in g.members}
    draft = subject.draft if subject.call is None or subject.call.kind == "consultation" else None

    if draft is not None:
        where = site.permalinks(draft)

        def card(r: Submission) -> CommentView:
            return draft_comment_view(
                draft, r, key, link(key, where[r.id], f"c-{r.id}"), lang, site.portal.panels
            )

        counts = article_counts(draft, records)
        current = {a.anchor for a in draft.articles}
        sections = [AnswerSection(_article_name(draft, c.anchor, lang), c.anchor) for c in counts]
        anchor_of = {r.id: (a.anchor if (a := draft.article_of(r.section)) else "general") for r in records}
        articles = [
            ArticleRow(
                _article_name(draft, c.anchor, lang),
                link(key, draft_key(draft.slug), c.anchor)
                if c.anchor in current or c.anchor == "general"
                else link(key, discussion_key(draft.slug, c.anchor)),
                c,
            )
            for c in counts
        ]
        discussed = [next(a for a in articles if a.counts is c) for c in most_discussed(counts)]
    else:
        call = subject.call
        assert call is not None

        def card(r: Submission) -> CommentView:
            name = call.domain(r.domain).name.get(lang) if r.domain and call.domain(r.domain) else None
            return comment_view(
                r, link(key, call_key(call.slug), f"c-{r.id}"), name or translate("general", lang), lang
            )

        sections = [AnswerSection(d.name.get(lang), d.id) for d in call.domains]
        sections.append(AnswerSection(translate("general", lang), "general"))
        anchor_of = {r.id: r.domain if r.domain and call.domain(r.domain) else "general" for r in records}
        articles, discussed = [], []
    by_anchor = {s.anchor: s for s in sections}
    for record in records:
        group = group_of.get(record.id)
        if group and group.representative is not record:
            continue  # a campaign is answered once, under its first comment
        by_anchor[anchor_of[record.id]].cards.append((card(record), group.count if group else 1))
    statuses = Counter(r.decision.status for r in records)
    answered = len(records) - statuses.get("pending", 0)
    pdf = pdf_path(subject.slug if subject.call is None else subject.call.slug, lang)
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
        subject_link=link(key, subject.key),
        pdf_link=data_link(key, lang, pdf),
        csv_link=data_link(key, lang, f"data/{subject.slug}/comments.csv"),
        json_link=data_link(key, lang, f"data/{subject.slug}/comments.json"),
        statistics_link=link(key, STATISTICS_KEY, "suppression"),
        changes=_changes_link(key, draft),
        share_links=share_links(
            site.url(key, lang), lang, translate("share_text_report", lang, title=subject.title.get(lang))
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
                pdf_path(slug, lang),
                html_to_pdf(html, root, site.store.file("pdf", f"report-{slug}-{lang}")),
            )


def _changes_link(key: str, draft: Draft | None) -> str | None:
    """The redline of the latest version, when the draft was revised."""
    if draft is None or len(draft.history()) < 2:
        return None
    return link(key, f"drafts/{draft.slug}/changes/{draft.history()[-1].label}/")


def _group_view(group: CommentGroup, key: str, card) -> GroupView:
    # A withheld text is never shown, not even as the voice of its group.
    shown = next((m for m in group.members if not m.publication.withheld), None)
    view = card(shown or group.representative)
    body = Markup(render_comment(shown.body)) if shown else view.body
    return GroupView(group.count, body, view.permalink, view.received)


def statistics_page(site: Site, lang: str) -> str:
    stats = portal_statistics(site.portal, site.settings, site.today, site.store)
    reports = [(s.title.get(lang), link(STATISTICS_KEY, report_key(s.key))) for s in subjects(site)]
    return render(
        "statistics.md.j2",
        lang,
        stats=stats,
        personal_open=stats.personal == PERSONAL_OPEN,
        charts=statistics_charts(stats, lang, "rz-portal"),
        threshold=site.settings.suppression_threshold,
        reports=reports,
        data_package=data_link(STATISTICS_KEY, lang, "data/datapackage.json"),
        statistics_csv=data_link(STATISTICS_KEY, lang, "data/statistics.csv"),
        dashboard=link(STATISTICS_KEY, DASHBOARD_KEY),
    )


@dataclass
class UnitRow:
    unit: str
    decided: int
    accepted: int
    rate: int  # percent of the decided proposals accepted in full or in part


def percent(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


def dashboard_page(site: Site, lang: str) -> str:
    portal = site.portal
    consultations: list[tuple[str, Window, str]] = [
        (d.slug, d.window, d.text(lang).issuing_unit) for d in portal.drafts.values()
    ] + [
        (c.slug, c.window, c.organiser.get(lang)) for c in portal.calls.values() if c.kind == "crowdsourcing"
    ]
    states = Counter(w.state(site.today) for _, w, _ in consultations)
    records = [r for slug, _, _ in consultations for r in portal.comments_on(slug)]
    answered = [r for r in records if not r.decision.is_pending]
    units: dict[str, list[Submission]] = {}
    for slug, _, unit in consultations:
        units.setdefault(unit, []).extend(r for r in portal.comments_on(slug) if not r.decision.is_pending)
    rows = [
        UnitRow(
            unit, len(rs), n := sum(r.decision.status in ANSWERED_ACCEPTED for r in rs), percent(n, len(rs))
        )
        for unit, rs in sorted(units.items())
    ]
    stats = portal_statistics(portal, site.settings, site.today, site.store)
    rate_title = translate("chart_acceptance", lang)
    rate_desc = translate("acceptance_desc", lang)
    rate_bars = [Bar(r.unit, r.rate, translate("percent", lang, n=r.rate)) for r in rows if r.decided]
    acceptance = ChartView(
        "rz-dashboard-acceptance",
        rate_title,
        bar_chart("rz-dashboard-acceptance", rate_title, rate_desc, rate_bars, 0, lang),
        rate_desc,
        (translate("col_issuing_unit", lang), translate("col_acceptance", lang)),
        [(b.label, b.shown) for b in rate_bars],
    )
    return render(
        "dashboard.md.j2",
        lang,
        states=states,
        total=len(consultations),
        comments=len(records),
        participants=stats.participants,
        answered=len(answered),
        response_rate=percent(len(answered), len(records)),
        units=rows,
        acceptance=acceptance,
        participation=timeline_chart(stats, lang, "rz-dashboard") if stats.timeline else None,
        statistics=link(DASHBOARD_KEY, STATISTICS_KEY),
        reports=[(s.title.get(lang), link(DASHBOARD_KEY, report_key(s.key))) for s in subjects(site)],
    )


def report_pages(site: Site, lang: str) -> Iterator[tuple[str, str]]:
    """Every published report, the statistics page and the dashboard."""
    for subject in subjects(site):
        yield report_key(subject.key), report_page(site, subject, lang)
    yield STATISTICS_KEY, statistics_page(site, lang)
    yield DASHBOARD_KEY, dashboard_page(site, lang)
