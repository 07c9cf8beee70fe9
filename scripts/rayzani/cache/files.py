"""The cache's files: its folder outside the checkout, atomic writes, and the one on-disk
format of sharded namespaces.

Caches live outside the repository (in the user's cache folder, or RAYZANI_CACHE_DIR): a
pull request can add any file to the checkout, even under an ignored folder, and a cache
planted there would be trusted (pickles run code; cached HTML would be published as is).
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any


def cache_root(root: Path) -> Path:
    """This repository's cache folder (one per checkout, by its absolute path)."""
    base = os.environ.get("RAYZANI_CACHE_DIR") or os.environ.get("XDG_CACHE_HOME")
    folder = Path(base) if base else Path.home() / ".cache"
    return folder / "rayzani" / hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:16]


@cache
def code_digest() -> str:
    """Rayzani's code, templates and messages: a new release reads and renders differently."""
    digest = hashlib.sha256()
    package = resources.files("rayzani")
    stack, files = [package], []
    while stack:
        for entry in stack.pop().iterdir():
            if entry.is_dir():
                stack.append(entry)
            elif entry.name.endswith((".py", ".j2", ".yml")):
                files.append(entry)
    for entry in sorted(files, key=str):
        digest.update(str(entry).encode() + b"\0" + entry.read_bytes())
    return digest.hexdigest()


@contextmanager
def long_lived_objects() -> Iterator[None]:
    """Make objects that live for the whole build (a loaded portal) out of the cycle collector's way.

    They are made with the collector paused, then frozen: at 100,000 records each collection
    walked a million objects that cannot be garbage before the build ends (reading the records
    back from the record cache took 6.4 s with the collector running, 1.7 s without). The
    next load (`rayzani serve`) first unfreezes and collects them, so that an earlier portal
    held only by a reference cycle is freed.
    """
    if gc.get_freeze_count():
        gc.unfreeze()
        gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()


def write_atomically(path: Path, data: bytes) -> None:
    """An interrupted build leaves the old file or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.{os.getpid()}.part")
    partial.write_bytes(data)
    os.replace(partial, path)


SHARDS = 64


def shard_of(name: str) -> int:
    return zlib.crc32(name.encode()) % SHARDS


def read_shards(folder: Path, version: int, code: str) -> dict[str, Any]:
    """The entries kept in a folder of shards by this version of the cache and of Rayzani's code."""
    entries: dict[str, Any] = {}
    for shard in folder.glob("*.pickle") if folder.is_dir() else []:
        try:
            stored_version, stored_code, part = pickle.loads(shard.read_bytes())
        except Exception:  # damaged, or written by another version: those entries are made again
            continue
        if stored_version == version and stored_code == code:
            entries.update(part)
    return entries


def write_shards(folder: Path, version: int, code: str, entries: dict[str, Any], shards: set[int]) -> None:
    """Rewrite the given shards with their entries: a few new entries rewrite a few small files."""
    parts: dict[int, dict[str, Any]] = {n: {} for n in shards}
    for name, entry in entries.items():
        number = shard_of(name)
        if number in parts:
            parts[number][name] = entry
    for number, part in parts.items():
        write_atomically(folder / f"{number:02d}.pickle", pickle.dumps((version, code, part), protocol=5))


class Shards:
    """A namespace of many small entries by name: the one on-disk format of sharded caches.

    Entries are read from disk once per process, then kept in memory between builds. `save`
    keeps the entries used (read or put) since the last save, and only those, rewriting only
    the shards whose entries changed: one new comment rewrites one small file, and an
    erased comment's entry goes with the next build.
    """

    def __init__(self, folder: Path | None, version: int, code: str):
        self.folder, self.version, self.code = folder, version, code
        self.entries: dict[str, Any] = read_shards(folder, version, code) if folder else {}
        self.used: dict[str, Any] = {}
        self.changed: set[int] = set()

    @property
    def touched(self) -> bool:
        return bool(self.used or self.changed)

    def get(self, name: str) -> Any | None:
        """The entry put or kept under this name (put in this build first), or None."""
        found = self.used.get(name)
        if found is None:
            found = self.entries.get(name)
            if found is not None:
                self.used[name] = found
        return found

    def put(self, name: str, value: Any) -> None:
        self.used[name] = value
        self.changed.add(shard_of(name))

    def save(self) -> None:
        self.changed.update(shard_of(name) for name in self.entries.keys() - self.used.keys())
        if self.folder is not None:
            write_shards(self.folder, self.version, self.code, self.used, self.changed)
        self.entries, self.used, self.changed = self.used, {}, set()
