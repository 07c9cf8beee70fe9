"""One intake run at a time per checkout: an OS file lock held while records are read and written.

Two runs that overlap both see the same issues as new: each writes a record (the second under
another id) and each replies. The lock is taken before the portal's records are loaded, so the
second run, once it gets the lock, sees what the first wrote. The OS releases the lock when the
process ends, however it ends, so a crashed run never leaves the portal locked.
"""

from __future__ import annotations

import fcntl
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from rayzani.cache.store import cache_root

LOCK_NAME = "rayzani-intake.lock"
POLL_SECONDS = 0.2


class LockTimeout(Exception):
    """Another intake run held the lock for longer than this run would wait."""


def lock_path(root: Path) -> Path:
    """The lock file: in the checkout's git directory (never committed), else in its cache folder.

    Never in the working tree: a run must leave there nothing but the records it wrote.
    """
    dot_git = root / ".git"
    if dot_git.is_dir():
        return dot_git / LOCK_NAME
    if dot_git.is_file():  # a linked worktree or submodule: "gitdir: <path>"
        text = dot_git.read_text(encoding="utf-8").strip()
        if text.startswith("gitdir:"):
            return (root / text.removeprefix("gitdir:").strip()).resolve() / LOCK_NAME
    return cache_root(root) / LOCK_NAME


@contextmanager
def intake_lock(root: Path, wait_seconds: float) -> Iterator[Path]:
    """Hold the checkout's intake lock; wait for a running intake up to `wait_seconds`."""
    path = lock_path(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+", encoding="utf-8") as handle:
        deadline = time.monotonic() + wait_seconds
        told = False
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not told:
                    handle.seek(0)
                    holder = handle.read().strip() or "another process"
                    print(f"Another intake run ({holder}) holds {path}: waiting for it.", file=sys.stderr)
                    told = True
                if time.monotonic() >= deadline:
                    raise LockTimeout(
                        f"another intake run still holds {path} after {wait_seconds:.0f} s"
                    ) from None
                time.sleep(POLL_SECONDS)
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}\n")
        handle.flush()
        try:
            yield path
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
