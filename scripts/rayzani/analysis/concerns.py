"""What the comments show, for the editors' report: counts per article, near-identical comments.

Form letters and campaigns are found as regulators do: the texts are normalised (Persian
letters, digits, diacritics, half-spaces, punctuation), cut into word shingles, and comments
whose shingle sets are nearly the same are grouped, so that a campaign is counted and shown
once with its count. MinHash with banding finds candidate pairs without comparing every pair;
each candidate is confirmed with the exact Jaccard similarity.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import zlib
from array import array
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from rayzani.analysis.discussions import GENERAL, discussions
from rayzani.cache.store import Cache
from rayzani.i18n.text import normalise, to_ascii_digits
from rayzani.model import Draft, Submission

# Two comments whose word-shingle sets overlap this much are the same text with small edits.
SIMILARITY = 0.6
SHINGLE = 3
_BANDS, _ROWS = 20, 3  # 60 bins: a pair at 0.6 similarity becomes a candidate with p > 0.98
_BINS = _BANDS * _ROWS
_EMPTY = 1 << 64
_MASK = (1 << 64) - 1

# Arabic diacritics (harakat), superscript alef and tatweel: typed or not, the word is the same.
_MARKS = re.compile("[\u064b-\u065f\u0670\u0640]")
_NOT_WORD = re.compile(r"[^\w]+")


def fingerprint_text(text: str) -> str:
    """The text reduced to what makes it the same comment: Persian-aware, case- and punctuation-free."""
    text = to_ascii_digits(normalise(text)).casefold()
    text = _MARKS.sub("", unicodedata.normalize("NFKC", text))
    text = text.replace("\u200c", " ").replace("آ", "ا").replace("ة", "ه").replace("ۀ", "ه")
    text = text.replace("أ", "ا").replace("إ", "ا").replace("ؤ", "و")
    return " ".join(_NOT_WORD.sub(" ", text).split())


def shingles(text: str) -> frozenset[int]:
    words = fingerprint_text(text).split()
    if len(words) < SHINGLE:
        return frozenset({zlib.crc32(" ".join(words).encode())})
    return frozenset(
        zlib.crc32(" ".join(words[i : i + SHINGLE]).encode()) for i in range(len(words) - SHINGLE + 1)
    )


def _signature(values: frozenset[int]) -> list[int]:
    """One-permutation MinHash with rotation densification (Shrivastava and Li, 2014).

    Each shingle is hashed once into one of the bins, which keep their minimum: linear in the
    shingles, where classic MinHash hashes every shingle once per bin. A short text leaves
    bins empty; each takes the next filled bin's value, marked with its distance, so that two
    near-identical short texts still agree on most bins.
    """
    found = [_EMPTY] * _BINS
    for value in values:
        mixed = (value * 0x9E3779B97F4A7C15 + 0x632BE59BD9B4E019) & _MASK
        mixed ^= mixed >> 29
        index, rank = mixed % _BINS, mixed // _BINS
        if rank < found[index]:
            found[index] = rank
    signature = list(found)
    for index in range(_BINS):
        distance = 0
        while found[(index + distance) % _BINS] == _EMPTY and distance < _BINS:
            distance += 1
        if distance:
            signature[index] = found[(index + distance) % _BINS] + distance * _EMPTY
    return signature


def jaccard(a: frozenset[int], b: frozenset[int]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


@dataclass(frozen=True)
class CommentGroup:
    """Near-identical comments: the first received stands for the group."""

    representative: Submission
    members: tuple[Submission, ...]

    @property
    def count(self) -> int:
        return len(self.members)


@dataclass(frozen=True)
class Grouping:
    """Which group each text of a list belongs to: the index of the group's first text."""

    digests: list[bytes]  # the texts, in the order of their comments
    roots: array


def band_keys(values: frozenset[int]) -> tuple[int, ...]:
    """One key per band of the signature: texts sharing a key are candidates.

    The band's number is hashed in, so that keys of all bands can share one table. Hashes of
    tuples of ints are the same in every process (only str hashing is salted).
    """
    signature = _signature(values)
    return tuple(hash((b, *signature[b * _ROWS : (b + 1) * _ROWS])) for b in range(_BANDS))


def _features(text: str) -> tuple[bytes, bytes]:
    values = shingles(text)
    return array("q", band_keys(values)).tobytes(), array("I", sorted(values)).tobytes()


# Each text's band keys and shingles (array bytes), by a digest of the text, and the grouping
# of each list of texts a build grouped (by its consultations and threshold): the store's
# sharded namespaces, so that a rebuild cuts and hashes only new texts and groups only the
# comments received since (in one process, `rayzani serve`, from the store's memory).
FEATURES, GROUPINGS, FORMAT = "near-duplicate-features", "near-duplicate-groupings", 3


def _group(
    digests: list[bytes], features: dict[bytes, tuple[bytes, bytes]], kept: Grouping | None, threshold: float
) -> array:
    """Each text's group, by union-find over candidate pairs confirmed by their Jaccard similarity.

    Each text is checked against the first and the latest earlier text sharing a band key
    with it: linear, not quadratic. That rule reads only earlier texts, so when the list
    extends the one grouped last time (comments are appended as they arrive), only the new
    texts are checked, against tables of first and latest position rebuilt from the kept
    band keys, and the result is the one a grouping from scratch gives.
    """
    if kept is not None and kept.digests == digests:
        return kept.roots
    start, parent = 0, list(range(len(digests)))
    # Band key -> position of its first and latest text in the table of all band keys
    # (text index * _BANDS + band): the kept tables are rebuilt from that table in C.
    first: dict[int, int] = {}
    latest: dict[int, int] = {}
    if kept is not None and len(kept.digests) < len(digests) and digests[: len(kept.digests)] == kept.digests:
        start = len(kept.digests)
        parent[:start] = kept.roots
        keys = array("q", b"".join(features[d][0] for d in kept.digests))
        latest = dict(zip(keys, range(len(keys)), strict=True))
        first = dict(zip(reversed(keys), range(len(keys) - 1, -1, -1), strict=True))
    sets: dict[int, frozenset[int]] = {}  # made when a candidate pair needs them

    def shingled(index: int) -> frozenset[int]:
        if index not in sets:
            sets[index] = frozenset(array("I", features[digests[index]][1]))
        return sets[index]

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for index in range(start, len(digests)):
        for band, key in enumerate(array("q", features[digests[index]][0])):
            position = index * _BANDS + band
            earliest = first.get(key)
            if earliest is None:
                first[key] = latest[key] = position
                continue
            for one in {earliest // _BANDS, latest[key] // _BANDS}:
                a, b = find(one), find(index)
                if a != b and jaccard(shingled(one), shingled(index)) >= threshold:
                    parent[max(a, b)] = min(a, b)
            latest[key] = position
    return array("i", (find(i) for i in range(len(digests))))


def near_duplicate_groups(
    records: Iterable[Submission], threshold: float = SIMILARITY, cache: Cache | None = None
) -> list[CommentGroup]:
    """Groups of two or more near-identical comments, largest first.

    With the build's cache, the features of texts and the grouping of a list met before are
    reused (see FEATURES); without one, everything is computed afresh.
    """
    records = sorted(records, key=lambda r: (r.received, r.id))
    cache = cache or Cache.in_memory()
    kept_features, kept_groupings = cache.shards(FEATURES, FORMAT), cache.shards(GROUPINGS, FORMAT)
    features: dict[bytes, tuple[bytes, bytes]] = {}
    digests = []
    for record in records:
        digest = hashlib.sha1(record.body.encode()).digest()
        if digest not in features:
            found = kept_features.get(digest.hex())
            if found is None:
                found = _features(record.body)
                kept_features.put(digest.hex(), found)
            features[digest] = found
        digests.append(digest)
    scope = repr((tuple(sorted({r.target for r in records})), threshold))
    kept = kept_groupings.get(scope)
    roots = _group(digests, features, kept, threshold)
    if kept is None or kept.roots is not roots:
        kept_groupings.put(scope, Grouping(digests, roots))
    grouped: dict[int, list[Submission]] = {}
    for record, root in zip(records, roots, strict=True):
        grouped.setdefault(root, []).append(record)
    groups = [CommentGroup(members[0], tuple(members)) for members in grouped.values() if len(members) > 1]
    return sorted(groups, key=lambda g: (-g.count, g.representative.received))


@dataclass(frozen=True)
class ArticleCounts:
    """Comments on one article (its clauses included) and how they were decided."""

    anchor: str  # an article anchor, or "general"
    comments: int
    statuses: Counter[str]

    @property
    def answered(self) -> int:
        return self.comments - self.statuses.get("pending", 0)


def article_counts(draft: Draft, records: Iterable[Submission]) -> list[ArticleCounts]:
    """One entry per article in the text's order, then the general comments.

    A comment on an article a later version removed counts under that old article, after
    the current ones (its discussion, as the site pages it).
    """
    groups = discussions(draft, list(records))
    order = [anchor for anchor in groups if anchor != GENERAL] + [GENERAL]
    found = [(anchor, groups[anchor].records) for anchor in order]
    return [ArticleCounts(anchor, len(rs), Counter(r.decision.status for r in rs)) for anchor, rs in found]


def most_discussed(counts: list[ArticleCounts], limit: int = 3) -> list[ArticleCounts]:
    """The articles with the most comments (general comments are not an article)."""
    ranked = sorted((c for c in counts if c.anchor != "general" and c.comments), key=lambda c: -c.comments)
    return ranked[:limit]
