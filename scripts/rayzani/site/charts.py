"""Accessible inline SVG charts drawn at build time: bar charts, a time line and a tile map of provinces.

Every chart has a <title> and a <desc> and is shown beside its data table (the template's
job). Bars and time run right to left on Persian pages; the map keeps west on the left,
because it is a map. SVG text is escaped here, once (`escape`); the output has no blank line, so it stays one
raw HTML block in the generated Markdown.
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass

from markupsafe import Markup

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


def _svg(chart_id: str, title: str, desc: str, width: int, height: int, body: list[str], rtl: bool) -> Markup:
    head = (
        f'<svg class="rz-chart__svg" id="{chart_id}" role="img" viewBox="0 0 {width} {height}" '
        f'width="100%" style="max-width:{width}px" aria-labelledby="{chart_id}-t {chart_id}-d" '
        f'xmlns="http://www.w3.org/2000/svg" font-family="Vazirmatn, sans-serif" font-size="12" '
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
    """Horizontal bars; a suppressed count is a hatched bar as long as the threshold, marked as such."""
    width, label_w, value_w, row = 560, 190, 90, 26
    height = row * len(bars) + 8
    track = width - label_w - value_w - 16
    top = max([b.value for b in bars if b.value is not None] + [threshold, 1])
    rtl = lang == "fa"
    body = [_hatch(chart_id)]
    for i, bar in enumerate(bars):
        y = 4 + i * row
        length = track * (bar.value if bar.value is not None else threshold) / top
        # "start" is the left edge on English pages and the right edge on Persian ones.
        if rtl:
            label_x = width - 4
            bar_x = width - label_w - 8 - length
            value_x = bar_x - 6
        else:
            label_x = 4
            bar_x = label_w + 8
            value_x = bar_x + length + 6
        fill = BAR if bar.value is not None else f"url(#{chart_id}-hatch)"
        dash = "" if bar.value is not None else ' stroke="#8a8a8a" stroke-dasharray="3 2"'
        body.append(
            f'<text x="{label_x}" y="{y + 17}" text-anchor="start" fill="currentColor">'
            f"{escape(_fit(bar.label))}</text>"
            f'<rect x="{bar_x:.1f}" y="{y + 4}" width="{max(length, 1):.1f}" height="{row - 8}" '
            f'fill="{fill}"{dash}/>'
            f'<text x="{value_x:.1f}" y="{y + 17}" text-anchor="start" fill="currentColor">'
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
    """Columns per day (or month); `labels` name the first and last point under the axis."""
    width, height, base, pad = 560, 190, 150, 30
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
        f'<text x="{first_x}" y="{base + 20}" text-anchor="start" fill="currentColor">'
        f"{escape(labels[0])}</text>"
        f'<text x="{last_x}" y="{base + 20}" text-anchor="end" fill="currentColor">'
        f"{escape(labels[1])}</text>"
        f'<text x="{first_x}" y="14" text-anchor="start" fill="currentColor">'
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


def province_map(chart_id: str, title: str, desc: str, tiles: dict[str, Bar], lang: str) -> Markup:
    """A tile map (cartogram) of the 31 provinces: shade by count, hatched where suppressed."""
    size, gap = 84, 4
    width, height = 7 * (size + gap) + gap, 5 * (size + gap) + gap
    top = max([b.value for b in tiles.values() if b.value is not None] + [1])
    body = [_hatch(chart_id)]
    for province, (col, row) in TILES.items():
        bar = tiles[province]
        x, y = gap + col * (size + gap), gap + row * (size + gap)
        if bar.value is None:
            fill = f"url(#{chart_id}-hatch)"
        elif bar.value == 0:
            fill = EMPTY
        else:
            fill = SHADES[min(len(SHADES) - 1, (bar.value * len(SHADES) - 1) // top)]
        ink = "#ffffff" if fill in SHADES[3:] else "#1a1a1a"
        lines = _two_lines(bar.label)
        name = "".join(
            f'<tspan x="{x + size / 2}" dy="{0 if i == 0 else 12}">{escape(line)}</tspan>'
            for i, line in enumerate(lines)
        )
        body.append(
            f'<g><rect x="{x}" y="{y}" width="{size}" height="{size}" rx="6" fill="{fill}"/>'
            f'<text x="{x + size / 2}" y="{y + (34 if len(lines) == 1 else 26)}" text-anchor="middle" '
            f'font-size="10" fill="{ink}">{name}</text>'
            f'<text x="{x + size / 2}" y="{y + 58}" text-anchor="middle" font-weight="bold" '
            f'font-size="{14 if bar.value is not None else 10}" '
            f'fill="{ink}">{escape(bar.shown)}</text></g>'
        )
    return _svg(chart_id, title, desc, width, height, body, lang == "fa")


def _two_lines(label: str, width: int = 14) -> list[str]:
    """Long province names ("Kohgiluyeh and Boyer-Ahmad") break into two lines to fit a tile."""
    words = label.split()
    if len(label) <= width or len(words) < 2:
        return [label]
    best = min(range(1, len(words)), key=lambda i: abs(len(" ".join(words[:i])) - len(" ".join(words[i:]))))
    return [" ".join(words[:best]), " ".join(words[best:])]


def _fit(label: str, width: int = 30) -> str:
    """A bar's label cut to its column (the data table beside the chart has it whole)."""
    return label if len(label) <= width else label[: width - 1].rstrip() + "…"
