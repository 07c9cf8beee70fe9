"""The portal's statistics page and its dashboard of consultations, answers and acceptance rates."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from rayzani import urls
from rayzani.analysis.stats import PERSONAL_OPEN, portal_statistics
from rayzani.model import Submission, Window
from rayzani.render.environment import render, translate
from rayzani.site.charts import Bar, bar_chart
from rayzani.site.context import Site
from rayzani.site.figures import ChartView, statistics_charts, timeline_chart
from rayzani.site.pages.reports import ANSWERED_ACCEPTED, subjects


def statistics_page(site: Site, lang: str) -> str:
    stats = portal_statistics(site.portal, site.settings, site.today, site.store)
    key = urls.statistics_key()
    reports = [(s.title.get(lang), urls.link(key, urls.report_key(s.key))) for s in subjects(site)]
    return render(
        "statistics.md.j2",
        lang,
        stats=stats,
        personal_open=stats.personal == PERSONAL_OPEN,
        charts=statistics_charts(stats, lang, "rz-portal"),
        threshold=site.settings.suppression_threshold,
        reports=reports,
        data_package=urls.file_link(key, lang, urls.datapackage()),
        statistics_csv=urls.file_link(key, lang, urls.statistics_csv()),
        dashboard=urls.link(key, urls.dashboard_key()),
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
    key = urls.dashboard_key()
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
        statistics=urls.link(key, urls.statistics_key()),
        reports=[(s.title.get(lang), urls.link(key, urls.report_key(s.key))) for s in subjects(site)],
    )


def statistics_pages(site: Site, lang: str) -> Iterator[tuple[str, str]]:
    yield urls.statistics_key(), statistics_page(site, lang)
    yield urls.dashboard_key(), dashboard_page(site, lang)
