"""Rendered HTML kept between builds, so that one new comment does not re-render them all.

An entry's name is a digest of everything its HTML was rendered from: the build's context
(the content, settings and Rayzani's own code and templates, and the build date) and the
records themselves. A changed input gives a new name, so an entry is never stale; entries a
build did not use are removed after it. Only published page HTML is kept here, never
personal data. The store (`rayzani.cache.store.Cache`) makes one per build, in its `html`
namespace.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable
from pathlib import Path

from rayzani.cache.files import code_digest, write_atomically


def content_digest(root: Path, today: dt.date) -> bytes:
    """Everything but the records that a page's HTML may depend on."""
    digest = hashlib.sha256((code_digest() + today.isoformat()).encode())
    paths: Iterable[Path] = sorted(p for p in (root / "content").rglob("*") if p.is_file())
    for path in [root / "mkdocs.yml", *paths]:
        if path.is_file():
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.digest()


class RenderCache:
    def __init__(self, folder: Path, context: bytes):
        self.folder, self.context = folder, context
        self.used: set[Path] = set()
        self.hits = self.misses = 0

    def html(self, inputs: object, render: Callable[[], str]) -> str:
        """The HTML rendered from `inputs` (model dataclasses), from the cache if kept.

        Named by the inputs' repr, which says every field's value: pickle's bytes also depend
        on which objects happen to be shared, so records parsed from YAML and the same records
        read back from the record cache would pickle differently and never meet here.
        """
        name = hashlib.sha256(self.context + repr(inputs).encode()).hexdigest()
        path = self.folder / name[:2] / f"{name[2:]}.html"
        self.used.add(path)
        if path.is_file():
            self.hits += 1
            return path.read_text(encoding="utf-8")
        self.misses += 1
        text = render()
        write_atomically(path, text.encode("utf-8"))
        return text

    def prune(self) -> None:
        """Remove the entries this build did not use."""
        if not self.folder.is_dir():
            return
        for path in self.folder.rglob("*.html"):
            if path not in self.used:
                path.unlink()
