"""`rayzani serve`: regenerate the pages when content or records change, and let MkDocs serve."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import threading
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from rayzani.builder import load_project, mkdocs_command, write_pages
from rayzani.problems import ValidationFailed


class _Regenerate(FileSystemEventHandler):
    """Debounced regeneration: a burst of saves becomes one rebuild."""

    def __init__(self, root: Path, today: dt.date):
        self.root, self.today = root, today
        self._timer: threading.Timer | None = None

    def on_any_event(self, event: FileSystemEvent) -> None:
        if self._timer:
            self._timer.cancel()
        self._timer = threading.Timer(0.5, self.regenerate)
        self._timer.start()

    def regenerate(self) -> bool:
        project = load_project(self.root)
        try:
            written, _ = write_pages(project, self.today)
        except ValidationFailed as failure:
            for problem in failure.problems:
                print(problem.format(self.root), file=sys.stderr)
            print("Not regenerated: fix the problems above.", file=sys.stderr)
            return False
        print(f"Regenerated {written} page(s).")
        return True


def serve(root: Path, today: dt.date, dev_addr: str) -> int:
    handler = _Regenerate(root, today)
    if not handler.regenerate():
        return 1
    observer = Observer()
    for folder in ("content", "submissions"):
        observer.schedule(handler, str(root / folder), recursive=True)
    observer.start()
    project = load_project(root)
    try:
        return subprocess.call(mkdocs_command(project, "serve", "--dev-addr", dev_addr), cwd=root)
    except KeyboardInterrupt:
        return 0
    finally:
        observer.stop()
