"""Where builds keep what they can reuse, and the cache of parsed records.

Caches live outside the repository (in the user's cache folder, or RAYZANI_CACHE_DIR): a
pull request can add any file to the checkout, even under an ignored folder, and a cache
planted there would be trusted (pickles run code; cached HTML would be published as is).
"""

from __future__ import annotations

import hashlib
import os
import pickle
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


def write_atomically(path: Path, data: bytes) -> None:
    """An interrupted build leaves the old file or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.{os.getpid()}.part")
    partial.write_bytes(data)
    os.replace(partial, path)


class RecordCache:
    """What reading a record gave (the record and its problems), by the file's identity.

    A file is the same while its size, modification and change times and inode are; the
    change time cannot be set back, so an edit is never missed. YAML parsing is most of
    validation at national scale (100,000 records); a rebuild reads only what changed.
    """

    VERSION = 1

    def __init__(self, path: Path, entries: dict[str, tuple[tuple[int, ...], Any]]):
        self.path, self.entries = path, entries
        self.kept: dict[str, tuple[tuple[int, ...], Any]] = {}
        self.hits = 0

    @classmethod
    def open(cls, root: Path, code: str) -> RecordCache:
        path = cache_root(root) / "records.pickle"
        try:
            version, stored_code, entries = pickle.loads(path.read_bytes())
            if version != cls.VERSION or stored_code != code:
                entries = {}
        except Exception:  # missing, or written by another version: start afresh
            entries = {}
        return cls(path, entries)

    @staticmethod
    def identity(stat: os.stat_result) -> tuple[int, ...]:
        return (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)

    def get(self, name: str, stat: os.stat_result) -> Any | None:
        entry = self.entries.get(name)
        if entry is None or entry[0] != self.identity(stat):
            return None
        self.kept[name] = entry
        self.hits += 1
        return entry[1]

    def put(self, name: str, stat: os.stat_result, value: Any) -> None:
        self.kept[name] = (self.identity(stat), value)

    def save(self, code: str) -> None:
        """Keep the records read this time (a deleted record's entry goes)."""
        if self.hits == len(self.kept) == len(self.entries):
            return  # nothing changed
        write_atomically(self.path, pickle.dumps((self.VERSION, code, self.kept), protocol=5))
