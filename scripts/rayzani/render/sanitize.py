"""Render untrusted participant Markdown to inert HTML."""

from __future__ import annotations

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

from rayzani.i18n.text import normalise

# Raw HTML, images and headings are switched off at the parser: a comment is prose,
# and images would make readers' browsers fetch from hosts the participant chooses.
_MD = MarkdownIt("commonmark", {"html": False, "linkify": False, "maxNesting": 20}).disable(
    ["html_block", "html_inline", "image", "heading", "lheading"]
)

_TAGS = {"p", "br", "em", "strong", "ul", "ol", "li", "blockquote", "code", "pre", "a", "hr"}


# Each comment is shown on both languages' pages (and on its draft page): render it once. Bounded,
# so that a long `rayzani serve` session does not keep every edit; the key is the whole text.
@lru_cache(maxsize=1 << 17)
def render_comment(markdown_text: str) -> str:
    """Sanitised HTML for a comment body: restricted Markdown, no raw HTML, no controls."""
    rendered = _MD.render(normalise(markdown_text))
    cleaned = nh3.clean(
        rendered,
        tags=_TAGS,
        attributes={"a": {"href"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener ugc",
    )
    # Blank lines would end the raw-HTML block in the generated Markdown page.
    return "\n".join(line for line in cleaned.splitlines() if line.strip())
