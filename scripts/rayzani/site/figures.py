"""Charts with their data tables, as report, statistics and dashboard pages show them (and their PDFs):
every breakdown of the statistics as a bar chart or a province map, and the participation timeline."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from markupsafe import Markup

from rayzani.analysis.disclosure import HIDDEN, SMALL, WITHHELD
from rayzani.analysis.stats import NOT_STATED, Breakdown, Cell, Statistics
from rayzani.i18n.dates import format_date
from rayzani.i18n.text import localise_digits
from rayzani.model.provinces import PROVINCES
from rayzani.render.environment import translate
from rayzani.site.charts import Bar, bar_chart, province_map, timeline


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
            legend = {
                "none": translate("map_legend_none", lang),
                "suppressed": translate("map_legend_suppressed", lang, n=stats.threshold),
            }
            svg = province_map(chart_id, title, desc + " " + translate("map_desc", lang), tiles, lang, legend)
            caption = desc + " " + translate("map_desc", lang)
            listed = [(b.label, b.shown) for b in rows_all]
            printed = print_bars(rows_all, stats.threshold, skip_zero=True)
            # Not folded: the tiles carry no names, the table beside the map does.
            charts.append(ChartView(chart_id, title, svg, caption, head, listed, False, printed))
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
