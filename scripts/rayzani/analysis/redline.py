"""Word-level redline between two versions of a draft, article by article, matched by anchor."""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

from rayzani.i18n.text import normalise, to_ascii_digits
from rayzani.model import Article, DraftText

# A word keeps its half-spaces (ZWNJ) and Arabic diacritics, so "می‌شود" is one token; each
# punctuation mark is its own token, so that "؛" turning into "." does not mark the word changed.
_TOKEN = re.compile(r"([\w\u200c\u064b-\u065f\u0670]+|[^\w\s])(\s*)")
# Ignored when comparing: diacritics and tatweel change how a word looks, not what it says.
_COSMETIC = re.compile("[\u064b-\u065f\u0670\u0640]")
_NUMBER = re.compile(r"[0-9۰-۹٠-٩]+")


@dataclass(frozen=True)
class Segment:
    """A run of text that is unchanged, inserted or deleted."""

    op: str  # "equal", "insert", "delete"
    text: str


@dataclass(frozen=True)
class ArticleDiff:
    """One article compared between two versions."""

    anchor: str
    status: str  # "changed", "added", "removed", "unchanged"
    heading: tuple[Segment, ...]
    blocks: tuple[tuple[Segment, ...], ...]  # one per paragraph or clause

    old_number: str | None = None  # the number in the article's heading, before and after
    new_number: str | None = None

    @property
    def renumbered(self) -> bool:
        return self.status == "changed" and self.old_number != self.new_number


@lru_cache(maxsize=1 << 16)  # a draft repeats its words: normalise each one once
def _key(token: str) -> str:
    return to_ascii_digits(_COSMETIC.sub("", normalise(token)))


def _tokens(text: str) -> list[tuple[str, str]]:
    return [(m.group(1), m.group(2)) for m in _TOKEN.finditer(text.strip())]


def _append(segments: list[Segment], op: str, text: str) -> None:
    if not text:
        return
    if segments and segments[-1].op == op:
        segments[-1] = Segment(op, segments[-1].text + text)
    else:
        segments.append(Segment(op, text))


def word_diff(old: str, new: str) -> tuple[Segment, ...]:
    """Insertions and deletions that turn `old` into `new`, compared word by word."""
    a, b = _tokens(old), _tokens(new)
    matcher = SequenceMatcher(None, [_key(t) for t, _ in a], [_key(t) for t, _ in b], autojunk=False)
    segments: list[Segment] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            _append(segments, "equal", "".join(t + s for t, s in b[j1:j2]))
            continue
        if op in ("delete", "replace"):
            # Spaces stay outside <del> and <ins>, so that the marks cover words only.
            deleted = "".join(t + s for t, s in a[i1:i2])
            _append(segments, "delete", deleted.rstrip())
            _append(segments, "equal", " " if deleted != deleted.rstrip() else "")
        if op in ("insert", "replace"):
            inserted = "".join(t + s for t, s in b[j1:j2])
            _append(segments, "insert", inserted.rstrip())
            _append(segments, "equal", inserted[len(inserted.rstrip()) :])
    return tuple(segments)


def _blocks(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _similar(a: str, b: str) -> bool:
    """True when most words of the shorter line survive in the other: the same clause, edited."""
    x, y = _key(a).split(), _key(b).split()
    matched = sum(m.size for m in SequenceMatcher(None, x, y, autojunk=False).get_matching_blocks())
    return matched >= 0.5 * min(len(x), len(y))


def block_diff(old: str, new: str) -> tuple[tuple[Segment, ...], ...]:
    """Paragraphs and clauses paired up, then compared word by word within each pair."""
    a, b = _blocks(old), _blocks(new)
    matcher = SequenceMatcher(None, [_key(x) for x in a], [_key(x) for x in b], autojunk=False)
    out: list[tuple[Segment, ...]] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out.extend(word_diff(x, y) for x, y in zip(a[i1:i2], b[j1:j2], strict=True))
            continue
        news = b[j1:j2]
        for line in a[i1:i2]:
            # Pair an old line with the next new line that keeps most of its words; the new
            # lines skipped on the way are insertions, an old line with no partner a deletion.
            match = next((k for k, candidate in enumerate(news) if _similar(line, candidate)), None)
            if match is None:
                out.append((Segment("delete", line),))
                continue
            out.extend((Segment("insert", x),) for x in news[:match])
            out.append(word_diff(line, news[match]))
            news = news[match + 1 :]
        out.extend((Segment("insert", x),) for x in news)
    return tuple(out)


def _diff_article(old: Article | None, new: Article | None) -> ArticleDiff:
    if old is None and new is not None:
        return ArticleDiff(new.anchor, "added", (Segment("insert", new.heading),), block_diff("", new.body))
    if new is None and old is not None:
        return ArticleDiff(old.anchor, "removed", (Segment("delete", old.heading),), block_diff(old.body, ""))
    assert old is not None and new is not None
    heading, blocks = word_diff(old.heading, new.heading), block_diff(old.body, new.body)
    changed = any(s.op != "equal" for s in heading) or any(s.op != "equal" for b in blocks for s in b)
    return ArticleDiff(
        new.anchor,
        "changed" if changed else "unchanged",
        heading,
        blocks,
        _number(old.heading),
        _number(new.heading),
    )


def _number(heading: str) -> str | None:
    found = _NUMBER.search(heading)
    return to_ascii_digits(found.group()) if found else None


@lru_cache(maxsize=16)  # the versions list and each redline page, in both languages, ask again
def compare(old: DraftText, new: DraftText) -> tuple[ArticleDiff, ...]:
    """Every article of either text, in the new text's order; a removed one stays where it was."""
    olds = {a.anchor: a for a in old.articles}
    news = {a.anchor: a for a in new.articles}
    diffs = [_diff_article(olds.get(a.anchor), a) for a in new.articles]
    for index, article in enumerate(old.articles):
        if article.anchor in news:
            continue
        before = {a.anchor for a in old.articles[:index]}
        at = max((i + 1 for i, d in enumerate(diffs) if d.anchor in before), default=0)
        diffs.insert(at, _diff_article(article, None))
    return tuple(diffs)


def preamble_diff(old: DraftText, new: DraftText) -> tuple[tuple[Segment, ...], ...]:
    """The preamble's redline, or nothing when it did not change."""
    blocks = block_diff(old.preamble, new.preamble)
    return blocks if any(s.op != "equal" for b in blocks for s in b) else ()
