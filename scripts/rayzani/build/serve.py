"""`rayzani serve`: regenerate the pages when content or records change, and let MkDocs serve."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import threading
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver

from rayzani.build.builder import Project, load_project, mkdocs_command, write_pages
from rayzani.cache.store import Cache
from rayzani.problems import ValidationFailed

CHANGES = {"created", "modified", "deleted", "moved"}


class _Regenerate(FileSystemEventHandler):
    """Debounced regeneration: a burst of saves becomes one rebuild."""

    def __init__(self, root: Path, today: dt.date):
        self.root, self.today = root, today
        self._timer: threading.Timer | None = None
        self.runs = 0
        self.project: Project | None = None
        # One store for the life of the server: each rebuild reuses what the last one read,
        # opened and rendered from memory, without reading the cache folder again.
        self.cache = Cache.for_checkout(root)

    def on_any_event(self, event: FileSystemEvent) -> None:
        # Reading a file raises "opened" and "closed" events too: regenerating on those
        # would read every file again and loop forever.
        if event.event_type not in CHANGES or event.is_directory and event.event_type == "modified":
            return
        if self._timer:
            self._timer.cancel()
        self._timer = threading.Timer(0.5, self.regenerate)
        self._timer.start()

    def regenerate(self) -> bool:
        self.runs += 1
        project = self.project = load_project(self.root, self.today, self.cache)
        try:
            written, _ = write_pages(project, self.today)
        except ValidationFailed as failure:
            for problem in failure.problems:
                print(problem.format(self.root), file=sys.stderr)
            print("Not regenerated: fix the problems above.", file=sys.stderr)
            return False
        print(f"Regenerated {written} page(s).")
        return True


def watch(root: Path, today: dt.date) -> tuple[BaseObserver, _Regenerate]:
    """Generate the pages once, then keep regenerating them as content and records change."""
    handler = _Regenerate(root, today)
    handler.regenerate()
    observer = Observer()
    for folder in ("content", "submissions"):
        observer.schedule(handler, str(root / folder), recursive=True)
    observer.start()
    return observer, handler


def serve(root: Path, today: dt.date, dev_addr: str) -> int:
    observer, handler = watch(root, today)
    if handler.project is None or handler.project.problems:
        observer.stop()
        return 1
    try:
        command = mkdocs_command(handler.project, "serve", "--dev-addr", dev_addr)
        return subprocess.call(command, cwd=root)
    except KeyboardInterrupt:
        return 0
    finally:
        observer.stop()
