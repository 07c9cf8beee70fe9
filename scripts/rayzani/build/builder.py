"""Write the generated pages into the build folder and hand them to the static-site builder.

This is the only module that knows about MkDocs: swapping the builder (Zensical, ProperDocs)
means changing this file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import subprocess
import sys
from pathlib import Path

from rayzani.build.admin import write_admin
from rayzani.build.framing import frame_pages, framed_dir, framed_path
from rayzani.load.config import read_mkdocs_config
from rayzani.problems import ValidationFailed
from rayzani.project import Project
from rayzani.render.framed import Framed
from rayzani.site.generate import generate, generate_files

DOCS_DIR = Path("build") / "docs"


def write_pages(project: Project, today: dt.date) -> tuple[int, int]:
    """Generate every page into build/docs (and framed pages into build/framed).

    Touches only files whose text changed, and returns (pages written, pages unchanged).
    Files no longer generated are removed, so a deleted draft disappears from the site.
    """
    if project.problems:
        raise ValidationFailed(project.problems)
    docs = project.root / DOCS_DIR
    framed_root = framed_dir(docs)
    wanted: set[Path] = set()
    framed: list[tuple[str, str, str]] = []
    counts = [0, 0]

    def put(path: Path, text: str) -> None:
        wanted.add(path)
        if path.is_file() and path.read_text(encoding="utf-8") == text:
            counts[1] += 1
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        counts[0] += 1

    site_url = str(read_mkdocs_config(project.config).get("site_url") or "")
    cache = project.cache
    cache.begin_build(project.root, today)
    for key, lang, content in generate(project.portal, project.settings, today, site_url, cache):
        if isinstance(content, Framed):
            text = content.text()
            put(framed_root / framed_path(key, lang), text)
            framed.append((key, lang, hashlib.sha256(text.encode()).hexdigest()))
        else:
            put(docs / key / f"index.{lang}.md", content)
    for key, lang, markdown in frame_pages(framed):
        put(docs / key / f"index.{lang}.md", markdown)
    for relative, data in generate_files(project.portal, project.settings, today, site_url, cache):
        path = docs / relative
        wanted.add(path)
        if path.is_file() and path.read_bytes() == data:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    cache.end_build()
    for folder in (docs, framed_root):
        for stale in folder.rglob("*"):
            if stale.is_file() and stale not in wanted:
                stale.unlink()
    return counts[0], counts[1]


def mkdocs_command(project: Project, *args: str) -> list[str]:
    return [sys.executable, "-m", "mkdocs", *args, "--config-file", str(project.config)]


def run_builder(project: Project, site_dir: Path | None = None) -> list[str]:
    """Build the site with MkDocs, then add /admin/; returns the warnings to show."""
    args = ["build", "--clean"]
    if site_dir is not None:
        args += ["--site-dir", str(site_dir.resolve())]
    # The theme's hook imports rayzani: the same code as this process, not another installed copy.
    here = str(Path(__file__).resolve().parents[2])
    path = os.pathsep.join(p for p in (here, os.environ.get("PYTHONPATH", "")) if p)
    env = {**os.environ, "PYTHONWARNINGS": "ignore", "PYTHONPATH": path}
    result = subprocess.run(
        mkdocs_command(project, *args, "--quiet"),
        cwd=project.root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"mkdocs build failed:\n{result.stdout}\n{result.stderr}")
    site = site_dir if site_dir is not None else project.root / "site"
    site_url = str(read_mkdocs_config(project.config).get("site_url") or "")
    warning = write_admin(project, site, site_url)
    return [warning] if warning else []
