"""`rayzani serve`: regenerate the pages when content or records change, and let MkDocs serve."""

from __future__ import annotations

import dataclasses
import datetime as dt
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import urlsplit

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver

from rayzani.build.builder import mkdocs_command, write_pages
from rayzani.cache.store import Cache
from rayzani.load.config import read_mkdocs_config
from rayzani.problems import ValidationFailed
from rayzani.project import Project, load_project

CHANGES = {"created", "modified", "deleted", "moved"}


class _Regenerate(FileSystemEventHandler):
    """Debounced regeneration: a burst of saves becomes one rebuild."""

    def __init__(self, root: Path, today: dt.date, form_endpoint: str = ""):
        self.root, self.today = root, today
        self.form_endpoint = form_endpoint  # the local receiver's, for a portal that names none
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
        if self.form_endpoint and not project.settings.form_endpoint:
            project.settings = dataclasses.replace(project.settings, form_endpoint=self.form_endpoint)
        try:
            written, _ = write_pages(project, self.today)
        except ValidationFailed as failure:
            for problem in failure.problems:
                print(problem.format(self.root), file=sys.stderr)
            print("Not regenerated: fix the problems above.", file=sys.stderr)
            return False
        print(f"Regenerated {written} page(s).")
        return True


def watch(root: Path, today: dt.date, form_endpoint: str = "") -> tuple[BaseObserver, _Regenerate]:
    """Generate the pages once, then keep regenerating them as content and records change."""
    handler = _Regenerate(root, today, form_endpoint)
    handler.regenerate()
    observer = Observer()
    for folder in ("content", "submissions"):
        observer.schedule(handler, str(root / folder), recursive=True)
    observer.start()
    return observer, handler


def start_receiver(root: Path, dev_addr: str, receiver_addr: str, db: str):  # noqa: ANN201
    """The web-form receiver beside the local site, on a local SQLite file: the quick start's
    comment form works end to end (`rayzani intake receiver` then writes the records)."""
    from rayzani.receive.app import Options, PortalInvalid, PortalState, Receiver, Running, application
    from rayzani.receive.store import open_store

    host, _, port = receiver_addr.rpartition(":")
    # MkDocs serves the site under site_url's path (/rayzani/ for the example).
    path = urlsplit(str(read_mkdocs_config(root / "mkdocs.yml").get("site_url") or "")).path.strip("/")
    local = f"http://{dev_addr}/" + (f"{path}/" if path else "")
    try:
        state = PortalState(root, local)  # receipts link to the local pages
    except PortalInvalid:
        return None  # reported by the regeneration already
    options = Options(allow_origins=(local, f"http://{receiver_addr}"))
    return Running(application(Receiver(state, open_store(db), options)), host, int(port))


def serve(root: Path, today: dt.date, dev_addr: str, receiver_addr: str = "", db: str = "") -> int:
    endpoint = f"http://{receiver_addr}/submit" if receiver_addr else ""
    observer, handler = watch(root, today, endpoint)
    if handler.project is None or handler.project.problems:
        observer.stop()
        return 1
    receiver = start_receiver(root, dev_addr, receiver_addr, db) if receiver_addr else None
    if receiver is not None:
        print(f"Web-form receiver on {endpoint}, storing in {db}.")
    try:
        command = mkdocs_command(handler.project, "serve", "--dev-addr", dev_addr)
        return subprocess.call(command, cwd=root)
    except KeyboardInterrupt:
        return 0
    finally:
        observer.stop()
        if receiver is not None:
            receiver.stop()
