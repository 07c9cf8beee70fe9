"""HTML to PDF with WeasyPrint (Pango and HarfBuzz shape Persian), in the theme's Vazirmatn font.

Used for consultation reports and certificates. PDFs are cached by the SHA-256 of their HTML,
so that a rebuild (or `rayzani serve`) does not typeset an unchanged document again.
"""

from __future__ import annotations

import hashlib
from importlib.metadata import version
from pathlib import Path

# The self-hosted font of the site's theme; the PDF uses the same files.
FONT_DIR = Path("overrides") / "assets" / "fonts"


def font_face_css(root: Path) -> str:
    """@font-face rules for the Vazirmatn files the theme ships (a variable font covers every weight)."""
    rules = []
    for path in sorted((root / FONT_DIR).glob("Vazirmatn*")):
        if path.suffix not in {".woff2", ".woff", ".ttf", ".otf"}:
            continue
        stem = path.stem.lower()
        # A variable font serves every weight through Pango: no weight descriptor (WeasyPrint
        # takes no ranges); static files declare theirs.
        variable = "variable" in stem or "[" in stem
        weight = "" if variable else f" font-weight: {700 if 'bold' in stem else 400};"
        rules.append(
            f'@font-face {{ font-family: "Vazirmatn"; src: url("{path.resolve().as_uri()}");{weight} }}'
        )
    return "\n".join(rules)


def html_to_pdf(html: str, base_dir: Path, cache_as: Path | None = None) -> bytes:
    """The PDF of a complete HTML document; relative URLs resolve against `base_dir`.

    With `cache_as` (a path without suffix naming this document, e.g.
    <cache>/pdf/report-x-fa, see rayzani.caches), the PDF is kept beside the hash of its HTML
    and reused.
    """
    # WeasyPrint is imported only to typeset (half a second, and only builds that write PDFs
    # need Pango); its version names the cached PDF.
    key = hashlib.sha256(f"{version('weasyprint')}\0{base_dir}\0{html}".encode()).hexdigest()[:32]
    cached = cache_as.with_name(f"{cache_as.name}.{key}.pdf") if cache_as else None
    if cached and cached.is_file():
        return cached.read_bytes()
    from weasyprint import HTML

    pdf = HTML(string=html, base_url=str(base_dir)).write_pdf()
    if cached:
        cached.parent.mkdir(parents=True, exist_ok=True)
        for old in cached.parent.glob(f"{cache_as.name}.*.pdf"):
            old.unlink()  # the document changed: its earlier PDF goes
        cached.write_bytes(pdf)
    return pdf
