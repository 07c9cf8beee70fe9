"""HTML to PDF with WeasyPrint (Pango and HarfBuzz shape Persian), in the theme's Vazirmatn font.

Used for consultation reports and certificates. PDFs are cached by the SHA-256 of their HTML,
so that a rebuild (or `rayzani serve`) does not typeset an unchanged document again.

Typesetting fetches nothing but the theme's own files: a report or a comment may name any
URL (an `http://` image, `file:///etc/passwd`), and WeasyPrint would otherwise fetch it from
the build machine, telling a stranger when the portal builds and reading local files into
the published PDF.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

# The theme's assets: the only files a PDF may load (the self-hosted font among them).
THEME_ASSETS = Path("overrides") / "assets"
FONT_DIR = THEME_ASSETS / "fonts"
# Names the fetching rule in the cache key, so that a PDF typeset under an older rule is redone.
FETCH_RULE = "theme-assets-only"


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


def _local_file(url: str) -> Path | None:
    """The file a `file:` URL names on this machine, links followed; None for any other URL."""
    parts = urlsplit(url)
    if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
        return None
    return Path(url2pathname(unquote(parts.path))).resolve()


def theme_files_fetcher(root: Path) -> Callable[[str], object]:
    """A WeasyPrint url_fetcher that serves the theme's asset files under `root` and refuses the rest.

    WeasyPrint reports a refused resource as a warning and typesets without it.
    """
    # Links are followed in the file asked for, never in the theme's own path: a link planted as
    # overrides/assets (or anything in it) pointing outside the portal is refused.
    allowed = root.resolve() / THEME_ASSETS
    try:  # WeasyPrint 68 and later; default_url_fetcher before
        from weasyprint.urls import URLFetcher

        fetch: Callable[[str], object] = URLFetcher()
    except ImportError:
        from weasyprint import default_url_fetcher

        fetch = default_url_fetcher

    def fetcher(url: str) -> object:
        path = _local_file(url)
        if path is None or not path.is_relative_to(allowed) or not path.is_file():
            raise ValueError(f"a PDF loads only the theme's own files, not {url[:200]}")
        return fetch(path.as_uri())

    return fetcher


def html_to_pdf(html: str, base_dir: Path, cache_as: Path | None = None) -> bytes:
    """The PDF of a complete HTML document; relative URLs resolve against `base_dir`, the
    portal's root, whose theme files (`THEME_ASSETS`) are all the document may load.

    With `cache_as` (a path without suffix naming this document, e.g.
    <cache>/pdf/report-x-fa, see rayzani.cache.store), the PDF is kept beside the hash of its HTML
    and reused.
    """
    # WeasyPrint is imported only to typeset (half a second, and only builds that write PDFs
    # need Pango); its version names the cached PDF.
    named = f"{version('weasyprint')}\0{FETCH_RULE}\0{base_dir}\0{html}"
    key = hashlib.sha256(named.encode()).hexdigest()[:32]
    cached = cache_as.with_name(f"{cache_as.name}.{key}.pdf") if cache_as else None
    if cached and cached.is_file():
        return cached.read_bytes()
    from weasyprint import HTML

    pdf = HTML(string=html, base_url=str(base_dir), url_fetcher=theme_files_fetcher(base_dir)).write_pdf()
    if cached and cache_as:
        cached.parent.mkdir(parents=True, exist_ok=True)
        for old in cached.parent.glob(f"{cache_as.name}.*.pdf"):
            old.unlink()  # the document changed: its earlier PDF goes
        cached.write_bytes(pdf)
    return pdf
