"""The cache of parsed records: what reading a record gave, by the file's identity or content."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

from rayzani.cache.store import Cache


class RecordCache:
    """What reading a record gave (the record and its problems), by the file's identity.

    A file is the same while its size, modification and change times and inode are; the
    change time cannot be set back, so an edit is never missed. A fresh checkout (every CI
    run) gives every file a new identity: then a file is the same if its bytes have the
    digest kept with the entry, and the entry takes the new identity. YAML parsing is most
    of validation at national scale (100,000 records); a rebuild parses only what changed.
    The entries are the store's `records` namespace: in shards, so that one new record
    rewrites one small file, and in memory between builds of one process (`rayzani serve`),
    so that it reads no shard.
    """

    VERSION = 4  # 4: each entry keeps its file's SHA-256
    NAMESPACE = "records"

    def __init__(self, cache: Cache):
        self.shards = cache.shards(self.NAMESPACE, self.VERSION)

    @property
    def entries(self) -> dict[str, tuple[tuple[int, ...], str, Any]]:
        """The entries kept by the last save (a record's name -> (file identity, SHA-256, value))."""
        return self.shards.entries

    @staticmethod
    def identity(stat: os.stat_result) -> tuple[int, ...]:
        return (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)

    def get(self, name: str, stat: os.stat_result, path: Path) -> Any | None:
        """What reading the file `path` (named `name`) gave last time, if it is the same file."""
        entry = self.shards.entries.get(name)
        if entry is None:
            return None
        identity = self.identity(stat)
        if entry[0] == identity:
            self.shards.used[name] = entry
            return entry[2]
        try:
            same = entry[0][0] == stat.st_size and hashlib.sha256(path.read_bytes()).hexdigest() == entry[1]
        except OSError:
            return None
        if not same:
            return None
        self.shards.put(name, (identity, entry[1], entry[2]))
        return entry[2]

    def put(self, name: str, stat: os.stat_result, digest: str, value: Any) -> None:
        """Keep what reading the file gave, with its identity and the SHA-256 of its bytes."""
        self.shards.put(name, (self.identity(stat), digest, value))

    def save(self) -> None:
        """Keep the records read this time (a deleted record's entry goes)."""
        self.shards.save()
