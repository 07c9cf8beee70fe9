"""Split a draft's Markdown body into its preamble, articles and clauses, with anchors.

The anchor rule (documented in docs/reference.md): an article's anchor is `art-<n>` with
<n> the number written in its heading, a clause's is `<article>-c<k>` with <k> its place in
the article's numbered list, and `{#id}` at the end of a heading or clause pins an anchor so
that it survives renumbering in later versions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rayzani.i18n.text import to_ascii_digits
from rayzani.model import Article, Clause

_HEADING = re.compile(r"^##\s+(?P<text>.+?)\s*$")
_PIN = re.compile(r"\s*\{#(?P<id>[A-Za-z0-9][A-Za-z0-9_-]*)\}\s*$")
_NUMBER = re.compile(r"[0-9۰-۹٠-٩]+")
_CLAUSE = re.compile(r"^(?P<num>[0-9۰-۹]+)[.)]\s+(?P<text>.*)$")
_FENCE = re.compile(r"^(```|~~~)")


@dataclass(frozen=True)
class ParsedBody:
    preamble: str
    articles: tuple[Article, ...]
    duplicate_anchors: tuple[str, ...]


def _pinned(text: str) -> tuple[str, str | None]:
    match = _PIN.search(text)
    if not match:
        return text, None
    return text[: match.start()].rstrip(), match.group("id")


def _article_anchor(heading: str, position: int) -> str:
    number = _NUMBER.search(heading)
    return f"art-{to_ascii_digits(number.group()) if number else position}"


def _clauses(article_anchor: str, lines: list[str]) -> tuple[list[str], list[Clause]]:
    """Find top-level numbered list items; return the lines with pins removed and clauses."""
    out: list[str] = []
    clauses: list[Clause] = []
    in_fence = False
    for line in lines:
        if not out and not line.strip():
            continue  # leading blank lines are dropped so that line indexes match the body
        if _FENCE.match(line):
            in_fence = not in_fence
        match = None if in_fence else _CLAUSE.match(line)
        if match:
            position = len(clauses) + 1
            item_text, pin = _pinned(match.group("text"))
            anchor = pin or f"{article_anchor}-c{position}"
            clauses.append(Clause(anchor=anchor, position=position, line=len(out)))
            line = f"{match.group('num')}. {item_text}"
        out.append(line)
    return out, clauses


def parse_body(body: str) -> ParsedBody:
    preamble: list[str] = []
    chunks: list[tuple[str, list[str]]] = []
    in_fence = False
    for line in body.splitlines():
        if _FENCE.match(line):
            in_fence = not in_fence
        found = None if in_fence else _HEADING.match(line)
        if found:
            chunks.append((found.group("text"), []))
        elif chunks:
            chunks[-1][1].append(line)
        else:
            preamble.append(line)

    articles: list[Article] = []
    seen: set[str] = set()
    duplicates: list[str] = []
    for position, (raw_heading, lines) in enumerate(chunks, start=1):
        heading, pin = _pinned(raw_heading)
        anchor = pin or _article_anchor(heading, position)
        body_lines, clauses = _clauses(anchor, lines)
        article = Article(anchor, heading, "\n".join(body_lines).rstrip(), tuple(clauses))
        for a in article.anchors():
            if a in seen:
                duplicates.append(a)
            seen.add(a)
        articles.append(article)
    return ParsedBody("\n".join(preamble).strip(), tuple(articles), tuple(duplicates))
