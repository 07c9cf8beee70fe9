"""Framed pages: pages Rayzani renders to HTML itself and sets into a frame MkDocs built once.

A national consultation has thousands of discussion pages, each a hundred comment cards of
raw HTML. Passed through MkDocs, every one is re-parsed by Python-Markdown's raw-HTML
handling, which was half the build at 100,000 comments, although the cards are final HTML.
So the generator writes each such page's title and HTML body into `build/framed/`, and one
frame page per language and URL depth into the docs: a Material page whose title and body
are markers. After MkDocs has built a language, `stamp_framed_pages` (called from the theme
hook) copies the frame once per framed page, replacing the markers and the frame's own URL,
and removes the frame. Relative links in the frame stay right because a framed page sits at
the same depth as its frame.
"""

from __future__ import annotations

import gzip
import hashlib
import html
import re
import shutil
from collections.abc import Iterable
from pathlib import Path

from rayzani.render.framed import Framed

__all__ = ["Framed", "frame_pages", "framed_dir", "framed_path", "list_in_sitemap", "stamp_framed_pages"]

FRAME_ROOT = "rayzani-frame"
TITLE = "RAYZANI-FRAME-TITLE"
BODY = "<!-- RAYZANI-FRAME-BODY -->"
# The frame's own heading keeps Material from adding one; the stamp replaces it with the body.
_FRAME_CONTENT = re.compile(r'<h1 id="rayzani-frame".*?' + re.escape(BODY), re.DOTALL)
_SITEMAP_ENTRY = re.compile(r"<url>.*?</url>", re.DOTALL)
_FRAME_IN_ENTRY = re.compile(FRAME_ROOT + r"/(?:f/)*")


def depth(key: str) -> int:
    return key.count("/")


def frame_key(level: int) -> str:
    """The key of the frame for pages `level` folders deep ("a/b/" is 2)."""
    return FRAME_ROOT + "/" + "f/" * (level - 1)


def framed_dir(docs_dir: Path) -> Path:
    return docs_dir.parent / "framed"


def framed_path(key: str, lang: str) -> Path:
    return Path(key) / f"index.{lang}.html"


def frame_pages(framed: Iterable[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """(key, lang, Markdown) of the frames that the framed pages `(key, lang, stored text)` need.

    A frame carries a digest of its pages, so that it changes (and `mkdocs serve` rebuilds)
    whenever one of them does, although MkDocs never reads build/framed itself.
    """
    digests: dict[tuple[int, str], hashlib._Hash] = {}
    for key, lang, text in framed:
        digest = digests.setdefault((depth(key), lang), hashlib.sha256())
        digest.update(key.encode() + b"\0" + text.encode())
    return [
        (
            frame_key(level),
            lang,
            f"---\ntitle: {TITLE}\nsearch:\n  exclude: true\n---\n\n"
            f'<h1 id="rayzani-frame">{TITLE}</h1>\n\n{BODY}\n\n<!-- {digest.hexdigest()} -->\n',
        )
        for (level, lang), digest in sorted(digests.items())
    ]


def stamp_framed_pages(framed_dir: Path, site_dir: Path, lang: str) -> dict[int, list[str]]:
    """Write every framed page of `lang` into a built language folder.

    Returns the keys of the pages written, by depth (for `list_in_sitemap`).
    """
    frames: dict[int, tuple[str, str, str]] = {}
    keys: dict[int, list[str]] = {}
    for source in sorted(framed_dir.rglob(f"index.{lang}.html")) if framed_dir.is_dir() else []:
        key = source.parent.relative_to(framed_dir).as_posix() + "/"
        level = depth(key)
        if level not in frames:
            built = (site_dir / frame_key(level) / "index.html").read_text(encoding="utf-8")
            match = _FRAME_CONTENT.search(built)
            if match is None:
                raise RuntimeError(f"the frame {frame_key(level)} has no body marker: was it built?")
            frames[level] = (built[: match.start()], built[match.end() :], frame_key(level))
        head, tail, own = frames[level]
        title, _, body = source.read_text(encoding="utf-8").partition("\n")
        shown = html.escape(title, quote=True)
        page = head.replace(own, key).replace(TITLE, shown) + body + tail.replace(own, key)
        target = site_dir / key / "index.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(page, encoding="utf-8")
        keys.setdefault(level, []).append(key)
    shutil.rmtree(site_dir / FRAME_ROOT, ignore_errors=True)
    return keys


def list_in_sitemap(site_dir: Path, keys: dict[int, list[str]]) -> None:
    """Replace each frame's sitemap entry by one entry per framed page of its depth."""
    sitemap = site_dir / "sitemap.xml"
    if not sitemap.is_file():
        return
    text = sitemap.read_text(encoding="utf-8")
    if FRAME_ROOT not in text:
        return

    def expand(entry: re.Match[str]) -> str:
        frame = _FRAME_IN_ENTRY.search(entry.group(0))
        if frame is None:
            return entry.group(0)
        own = frame.group(0)
        return "\n    ".join(entry.group(0).replace(own, key) for key in keys.get(depth(own), []))

    text = _SITEMAP_ENTRY.sub(expand, text)
    sitemap.write_text(text, encoding="utf-8")
    packed = sitemap.with_suffix(".xml.gz")
    if packed.is_file():
        packed.write_bytes(gzip.compress(text.encode("utf-8"), mtime=0))
