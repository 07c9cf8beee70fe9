"""Accessible inline SVG charts drawn at build time: bar charts, a time line and a tile map of provinces.

Every chart has a <title> and a <desc> and is shown beside its data table (the template's
job). Bars and time run right to left on Persian pages; the map keeps west on the left,
because it is a map. SVG text is escaped here, once (`escape`); the output has no blank line, so it stays one
raw HTML block in the generated Markdown.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Mapping
from dataclasses import dataclass

from markupsafe import Markup

from rayzani.i18n import messages
from rayzani.i18n.text import localise_digits


def escape(value: str) -> str:
    """SVG text: interface text (`Markup`) is escaped already and goes in as it is; text is escaped once."""
    return value if isinstance(value, Markup) else html.escape(value)


BAR = "#2f6db5"
EMPTY = "#e6e9ef"
SHADES = ("#d6e4f5", "#a9c7ea", "#6e9fd8", "#3a74bd", "#1d4f8f")


@dataclass(frozen=True)
class Bar:
    """One category: its label, its count (None when suppressed) and the text shown for the count."""

    label: str
    value: int | None
    shown: str


# Charts are laid out for a phone: WIDTH user units fit the 328 px a 360 px screen leaves the
# text column, and the SVG is drawn at WIDTH px (scaling down only in a narrower box), so text
# drawn at FONT is FONT px on a phone and on a desktop alike, never the 6 px a wide layout
# shrunk to a phone gives. Nothing is written under MIN_FONT.
WIDTH = 320
FONT = 13
MIN_FONT = 12


def _svg(chart_id: str, title: str, desc: str, width: int, height: int, body: list[str], rtl: bool) -> Markup:
    head = (
        f'<svg class="rz-chart__svg" id="{chart_id}" role="img" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" style="max-width:100%;height:auto" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d" '
        f'xmlns="http://www.w3.org/2000/svg" font-family="Vazirmatn, sans-serif" font-size="{FONT}" '
        # Set, not inherited: text-anchor "start" is the right edge in RTL, and Persian labels
        # with digits ("۱۸ تا ۲۹") keep their order only in an RTL paragraph.
        f'direction="{"rtl" if rtl else "ltr"}">'
    )
    parts = [
        head,
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">{escape(desc)}</desc>',
    ]
    return Markup("".join([*parts, *body, "</svg>"]))


def _hatch(chart_id: str) -> str:
    """The pattern that marks a suppressed count: its size is unknown, only that it is small."""
    return (
        f'<defs><pattern id="{chart_id}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="6" height="6" fill="#f4f4f4"/>'
        '<line x1="0" y1="0" x2="0" y2="6" stroke="#8a8a8a" stroke-width="2"/></pattern></defs>'
    )


def bar_chart(chart_id: str, title: str, desc: str, bars: list[Bar], threshold: int, lang: str) -> Markup:
    """Horizontal bars, each under its label (a label beside its bar leaves the bar no room on a
    phone); a suppressed count is a hatched bar as long as the threshold, marked as such."""
    width, value_w, row = WIDTH, 96, 42
    height = row * len(bars) + 4
    track = width - value_w - 8
    top = max([b.value for b in bars if b.value is not None] + [threshold, 1])
    rtl = lang == "fa"
    body = [_hatch(chart_id)]
    for i, bar in enumerate(bars):
        y = 2 + i * row
        length = max(track * (bar.value if bar.value is not None else threshold) / top, 1)
        # "start" is the left edge on English pages and the right edge on Persian ones.
        label_x = width - 2 if rtl else 2
        bar_x = width - 2 - length if rtl else 2
        value_x = bar_x - 6 if rtl else bar_x + length + 6
        fill = BAR if bar.value is not None else f"url(#{chart_id}-hatch)"
        dash = "" if bar.value is not None else ' stroke="#8a8a8a" stroke-dasharray="3 2"'
        body.append(
            f'<text x="{label_x}" y="{y + 14}" text-anchor="start" fill="currentColor">'
            f"{escape(_fit(bar.label))}</text>"
            f'<rect x="{bar_x:.1f}" y="{y + 20}" width="{length:.1f}" height="16" fill="{fill}"{dash}/>'
            f'<text x="{value_x:.1f}" y="{y + 33}" text-anchor="start" fill="currentColor">'
            f"{escape(bar.shown)}</text>"
        )
    return _svg(chart_id, title, desc, width, height, body, rtl)


def timeline(
    chart_id: str,
    title: str,
    desc: str,
    points: list[tuple[dt.date, int]],
    labels: tuple[str, str],
    lang: str,
) -> Markup:
    """Columns per day (or month); `labels` name the first and last point under the axis, the
    peak is named at the top: three ticks, which a phone's width holds."""
    width, height, base, pad = WIDTH, 176, 140, 4
    count = max(len(points), 1)
    step = (width - 2 * pad) / count
    top = max([n for _, n in points] + [1])
    rtl = lang == "fa"
    body = [
        f'<line x1="{pad}" y1="{base}" x2="{width - pad}" y2="{base}" '
        'stroke="currentColor" stroke-width="1"/>'
    ]
    for i, (day, n) in enumerate(points):
        slot = count - 1 - i if rtl else i
        x = pad + slot * step
        h = (base - 20) * n / top
        body.append(
            f'<rect x="{x + step * 0.1:.1f}" y="{base - h:.1f}" width="{step * 0.8:.1f}" height="{h:.1f}" '
            f'fill="{BAR}"><title>{escape(day.isoformat())}: {localise_digits(n, lang)}</title></rect>'
        )
    first_x, last_x = (width - pad, pad) if rtl else (pad, width - pad)
    body.append(
        f'<text x="{first_x}" y="{base + 22}" text-anchor="start" fill="currentColor">'
        f"{escape(labels[0])}</text>"
        f'<text x="{last_x}" y="{base + 22}" text-anchor="end" fill="currentColor">'
        f"{escape(labels[1])}</text>"
        f'<text x="{first_x}" y="13" text-anchor="start" fill="currentColor">'
        f"{localise_digits(top, lang)}</text>"
    )
    return _svg(chart_id, title, desc, width, height, body, rtl)


# Each province as a tile at (column, row), west to east and north to south, roughly where it lies.
TILES: dict[str, tuple[int, int]] = {
    "west-azerbaijan": (0, 0),
    "east-azerbaijan": (1, 0),
    "ardabil": (2, 0),
    "gilan": (3, 0),
    "mazandaran": (4, 0),
    "golestan": (5, 0),
    "north-khorasan": (6, 0),
    "kurdistan": (0, 1),
    "zanjan": (1, 1),
    "qazvin": (2, 1),
    "alborz": (3, 1),
    "tehran": (4, 1),
    "semnan": (5, 1),
    "razavi-khorasan": (6, 1),
    "kermanshah": (0, 2),
    "hamadan": (1, 2),
    "markazi": (2, 2),
    "qom": (3, 2),
    "isfahan": (4, 2),
    "yazd": (5, 2),
    "south-khorasan": (6, 2),
    "ilam": (0, 3),
    "lorestan": (1, 3),
    "chaharmahal-bakhtiari": (2, 3),
    "kohgiluyeh-boyer-ahmad": (3, 3),
    "fars": (4, 3),
    "kerman": (5, 3),
    "sistan-baluchestan": (6, 3),
    "khuzestan": (1, 4),
    "bushehr": (3, 4),
    "hormozgan": (5, 4),
}


def province_map(
    chart_id: str, title: str, desc: str, tiles: dict[str, Bar], lang: str, legend: Mapping[str, str]
) -> Markup:
    """A tile map (cartogram) of the 31 provinces, shaded by count, hatched where suppressed, each
    tile with its count; under it a legend of the shades. A name does not fit a tile at a
    legible size on a phone: each tile names its province as a tooltip, and the data table
    beside the map names them all. `legend` holds the words for "none" and "suppressed"."""
    size, gap = 42, 3
    width = 7 * (size + gap) + gap
    top = max([b.value for b in tiles.values() if b.value is not None] + [1])
    body = [_hatch(chart_id)]
    for province, (col, row) in TILES.items():
        bar = tiles[province]
        x, y = gap + col * (size + gap), gap + row * (size + gap)
        fill = _shade(chart_id, bar.value, top)
        ink = "#ffffff" if fill in SHADES[3:] else "#1a1a1a"
        count = "" if bar.value is None else escape(bar.shown)
        font = FONT if len(bar.shown) <= 4 else MIN_FONT
        body.append(
            f"<g><title>{escape(bar.label)}: {escape(bar.shown)}</title>"
            f'<rect x="{x}" y="{y}" width="{size}" height="{size}" rx="5" fill="{fill}"/>'
            f'<text x="{x + size / 2}" y="{y + size / 2 + 5}" text-anchor="middle" font-weight="bold" '
            f'font-size="{font}" fill="{ink}">{count}</text></g>'
        )
    entries = _legend(chart_id, tiles, top, legend, lang)
    legend_y = 5 * (size + gap) + gap + 10
    column = width // 2
    rtl = lang == "fa"
    for i, (fill, words) in enumerate(entries):
        x = (width - 2 - (i % 2) * column) if rtl else 2 + (i % 2) * column
        y = legend_y + (i // 2) * 22
        swatch_x = x - 16 if rtl else x
        text_x = x - 22 if rtl else x + 22
        body.append(
            f'<rect x="{swatch_x}" y="{y}" width="16" height="16" rx="3" fill="{fill}" '
            'stroke="#8a8a8a" stroke-width="0.5"/>'
            f'<text x="{text_x}" y="{y + 13}" text-anchor="start" fill="currentColor">{escape(words)}</text>'
        )
    height = legend_y + ((len(entries) + 1) // 2) * 22 + 2
    return _svg(chart_id, title, desc, width, height, body, rtl)


def _shade(chart_id: str, value: int | None, top: int) -> str:
    if value is None:
        return f"url(#{chart_id}-hatch)"
    if value == 0:
        return EMPTY
    return SHADES[min(len(SHADES) - 1, (value * len(SHADES) - 1) // top)]


def _legend(
    chart_id: str, tiles: dict[str, Bar], top: int, legend: Mapping[str, str], lang: str
) -> list[tuple[str, str]]:
    """(fill, what it means) for each shade the map uses: the range of counts it stands for."""
    values = [b.value for b in tiles.values()]
    entries = []
    if 0 in values:
        entries.append((EMPTY, legend["none"]))
    for i, shade in enumerate(SHADES):
        low = max(1, -(-(i * top + 1) // len(SHADES)))  # least count with this shade
        high = min(top, -(-((i + 1) * top + 1) // len(SHADES)) - 1)
        if low <= high and any(v is not None and low <= v <= high for v in values):
            first, last = localise_digits(low, lang), localise_digits(high, lang)
            # "۹ تا ۱۱", not "۹–۱۱", which an RTL line shows as "11–9".
            entries.append(
                (
                    shade,
                    first if low == high else messages.html("map_legend_range", lang, low=first, high=last),
                )
            )
    if None in values:
        entries.append((f"url(#{chart_id}-hatch)", legend["suppressed"]))
    return entries


def _fit(label: str, width: int = 42) -> str:
    """A bar's label cut to its column (the data table beside the chart has it whole)."""
    return label if len(label) <= width else label[: width - 1].rstrip() + "…"
