"""QR codes of certificate addresses, drawn at build time as SVG (segno: pure Python, no image library)."""

from __future__ import annotations

import segno
from markupsafe import Markup

# Level M survives a smudge or a fold on paper (15 % of the code), and keeps a certificate's
# address a small symbol.
ERROR_LEVEL = "m"


def qr_svg(url: str, label: str, scale: int = 3) -> Markup:
    """An SVG QR code of `url`, with `label` (plain text) as its accessible name."""
    code = segno.make(url, error=ERROR_LEVEL, micro=False)
    # segno escapes the title; the SVG has no newline, so it stays inside one raw HTML block.
    svg = code.svg_inline(
        scale=scale, border=4, dark="#000000", light="#ffffff", title=label, svgclass="rz-qr"
    )
    return Markup(svg.replace('class="rz-qr"', 'class="rz-qr" role="img"', 1))
