"""The one cache store: where builds keep what they can reuse, by namespace, and how.

Caches live outside the repository (`rayzani.cache.files.cache_root`): a pull request can
add any file to the checkout, even under an ignored folder, and a cache
planted there would be trusted (pickles run code; cached HTML would be published as is).

A `Cache` is made by whoever runs builds (`rayzani build` once, `rayzani serve` for its whole
life) and handed to the load and generate steps. It names every namespace's folder, keeps
sharded namespaces in one on-disk format, and holds what a serving process reuses between
its builds (entries already read, boxes already opened, results per portal): no module of
Rayzani keeps any of that in a global.

Namespaces: `records` (parsed records, sharded), `html` (rendered comment cards, one file
each), `near-duplicate-features` and `near-duplicate-groupings` (sharded), `open-data`
(CSV and JSON lines, sharded), `search-references` (the comment-reference shards' bytes,
sharded), `pdf` (one file per document) and the encrypted file of opened sealed boxes
(`rayzani.cache.opened_cache`).
"""

from __future__ import annotations

import datetime as dt
import weakref
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any, TypeVar

from rayzani.cache.files import (
    SHARDS,
    Shards,
    cache_root,
    code_digest,
    long_lived_objects,
    read_shards,
    shard_of,
    write_atomically,
    write_shards,
)
from rayzani.cache.render_cache import RenderCache, content_digest

# What callers import from the store: its folder, code digest and shard format live in files.py.
__all__ = [
    "SHARDS",
    "Cache",
    "Shards",
    "cache_root",
    "code_digest",
    "long_lived_objects",
    "read_shards",
    "shard_of",
    "write_atomically",
    "write_shards",
]

T = TypeVar("T")


class Cache:
    """Everything builds reuse: one folder outside the checkout (None: nothing kept on disk),
    and what this process keeps between its builds. Made by the command that runs the builds."""

    def __init__(self, folder: Path | None):
        self.folder = folder
        self.shards_by_namespace: dict[str, Shards] = {}
        # State of a namespace kept by its own module (e.g. the boxes opened last build), by name.
        self.memory: dict[Hashable, Any] = {}
        self.cards: RenderCache | None = None
        self.memo: dict[Hashable, Any] = {}
        # A weak reference: the memo must not keep a portal alive past its build (long_lived_objects).
        self.memo_owner: weakref.ref | None = None

    @classmethod
    def for_checkout(cls, root: Path) -> Cache:
        """The store of this checkout's cache folder; none on disk if that folder is inside the
        checkout (RAYZANI_CACHE_DIR set so), where a pull request could plant its entries."""
        folder = cache_root(root)
        inside = folder.resolve().is_relative_to(root.resolve())
        return cls(None if inside else folder)

    @classmethod
    def in_memory(cls) -> Cache:
        """A cache that keeps nothing on disk: results are still computed once per portal."""
        return cls(None)

    def file(self, namespace: str, name: str) -> Path | None:
        """Where an entry of a namespace of files is kept (None: not kept)."""
        return None if self.folder is None else self.folder / namespace / name

    def shards(self, namespace: str, version: int) -> Shards:
        """The namespace's entries, read from disk the first time this process asks."""
        code = code_digest()
        kept = self.shards_by_namespace.get(namespace)
        if kept is None or (kept.version, kept.code) != (version, code):
            folder = None if self.folder is None else self.folder / namespace
            kept = self.shards_by_namespace[namespace] = Shards(folder, version, code)
        return kept

    def per_portal(self, portal: object, key: Hashable, make: Callable[[], T]) -> T:
        """`make()` once for this portal and key (the key names every input besides the portal).

        Only the current portal's results are kept (a rebuild loads a new one), so nothing
        computed from records that have since changed or been erased lives on.
        """
        if self.memo_owner is None or self.memo_owner() is not portal:
            self.memo.clear()
            self.memo_owner = weakref.ref(portal)
        if key not in self.memo:
            self.memo[key] = make()
        return self.memo[key]

    def begin_build(self, root: Path, today: dt.date) -> None:
        """Start generating pages: cards are named by this build's content and date."""
        if self.folder is not None:
            self.cards = RenderCache(self.folder / "html", content_digest(root, today))

    def html(self, inputs: object, render: Callable[[], str]) -> str:
        """The HTML rendered from `inputs`, from the cards kept if this build keeps them."""
        return self.cards.html(inputs, render) if self.cards else render()

    def end_build(self) -> None:
        """Keep what this build used, and only that, in every namespace it used."""
        for kept in self.shards_by_namespace.values():
            if kept.touched:  # a namespace this build never asked for keeps its entries
                kept.save()
        if self.cards is not None:
            self.cards.prune()
            self.cards = None
