"""Build the example site at two revisions and compare it page for page.

    python benchmarks/same_site.py [BASE] [--date YYYY-MM-DD ...]

BASE (default HEAD~1) is checked out into a temporary worktree; the working tree is the other
side. Both are built for each date (default: while the example is open, and after its report)
with empty caches, and every file is compared byte for byte, except PDFs, whose creation time
and identifier change at every typesetting: their pages' text and fonts are compared instead.
Exit status 1 and the list of differing files when anything differs.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from pypdf import PdfReader

ROOT = Path(__file__).resolve().parent.parent


def build(checkout: Path, site: Path, date: str, cache: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(checkout / "scripts"), "RAYZANI_CACHE_DIR": str(cache)}
    command = [sys.executable, "-m", "rayzani.cli", "--root", str(checkout), "build"]
    command += ["--site-dir", str(site), "--date", date]
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)


def pdf_view(path: Path) -> list[tuple[str, list[str]]]:
    pages = []
    for page in PdfReader(path).pages:
        fonts = page.get("/Resources", {}).get("/Font", {})
        names = sorted(str(f.get_object().get("/BaseFont", "")).split("+")[-1] for f in fonts.values())
        pages.append((page.extract_text(), names))
    return pages


def differences(a: Path, b: Path) -> list[str]:
    files_a = {p.relative_to(a) for p in a.rglob("*") if p.is_file()}
    files_b = {p.relative_to(b) for p in b.rglob("*") if p.is_file()}
    found = [f"only in base: {p}" for p in sorted(files_a - files_b)]
    found += [f"only in this tree: {p}" for p in sorted(files_b - files_a)]
    for p in sorted(files_a & files_b):
        same = (
            pdf_view(a / p) == pdf_view(b / p)
            if p.suffix == ".pdf"
            else filecmp.cmp(a / p, b / p, shallow=False)
        )
        if not same:
            found.append(f"differs: {p}")
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base", nargs="?", default="HEAD~1")
    parser.add_argument("--date", action="append", dest="dates")
    args = parser.parse_args()
    dates = args.dates or ["2026-11-23", "2026-12-20"]
    found: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "base"
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "-q", "--detach", str(base), args.base], check=True
        )
        try:
            for date in dates:
                sites = {}
                for name, checkout in (("base", base), ("tree", ROOT)):
                    sites[name] = Path(tmp) / f"{name}-{date}"
                    build(checkout, sites[name], date, Path(tmp) / f"cache-{name}-{date}")
                diff = differences(sites["base"], sites["tree"])
                count = sum(1 for p in sites["tree"].rglob("*") if p.is_file())
                print(f"{date}: {count} files, {len(diff)} different")
                found += [f"{date}: {d}" for d in diff]
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(base)], check=True)
    for line in found:
        print(line)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
