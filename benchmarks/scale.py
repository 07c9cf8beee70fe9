"""National-scale benchmark: validate and build a consultation of N comments, and rebuild after one more.

Run from the repository root:

    PYTHONPATH=scripts python benchmarks/scale.py --sizes 1000 10000 100000

For each N it copies the portal into a temporary folder, writes N synthetic records on the
example draft (Persian and English text, every channel, status and respondent type, personal
data sealed to the portal key), then times validation (loading every record), page generation,
the MkDocs build, and a rebuild after one new comment. It prints wall time, peak memory, the
size of the built site and of the largest page a phone downloads for the draft, and how the
cost grows with N.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from rayzani.build.builder import run_builder, write_pages
from rayzani.cache.store import Cache
from rayzani.model import CHANNELS, DECISION_STATUSES, RESPONDENT_TYPES
from rayzani.model.provinces import PROVINCES
from rayzani.project import load_project
from rayzani.security.sealing import read_public_key, seal

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 11, 23)
DRAFT = "e-participation"
PERSIAN = [
    "پیشنهاد می‌کنم مهلت نظرخواهی برای اسناد مهم به چهل‌وپنج روز افزایش یابد "
    "تا سازمان‌های مردم‌نهاد فرصت بررسی داشته باشند.",
    "گزارش جامع باید آمار استانی را هم منتشر کند تا سهم استان‌های کم‌برخوردار از مشارکت دیده شود.",
    "لطفاً نسخه قابل دسترس برای نابینایان و کم‌بینایان نیز منتشر شود و فرم‌ها با صفحه‌خوان کار کنند.",
    "پاسخ به پیشنهادهای ردشده باید ماده قانونی مستند را نام ببرد، نه عبارت کلی «مغایر سیاست‌ها».",
]
ENGLISH = [
    "Please publish the comments as open data so that researchers can analyse them independently.",
    "The report should say which proposals changed the text and which did not, article by article.",
    "Thirty days is short for a technical regulation; allow extensions when the draft is long.",
]
Loader = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def make_portal(size: int, folder: Path) -> Path:
    root = folder / "portal"
    for part in ("content", "submissions", "keys", "overrides", "mkdocs.yml"):
        source = ROOT / part
        (shutil.copytree if source.is_dir() else shutil.copy)(source, root / part)
    (root / "content" / "certificates.yml").unlink(missing_ok=True)
    project = load_project(root, TODAY)
    anchors = sorted(project.portal.drafts[DRAFT].anchors())
    key = read_public_key(root, project.settings)
    rng = random.Random(size)
    target = root / "submissions" / DRAFT
    target.mkdir(parents=True, exist_ok=True)
    provinces = list(PROVINCES)
    sealed = [
        seal({"age_band": "30-44", "gender": g, "province": p, "contact": "x@example.org"}, key)
        for g in ("female", "male")
        for p in provinces[:10]
    ]  # sealing is costly and not what is measured: reuse a few boxes
    # After version 2 was published (2026-11-22), so that every comment is on the current text.
    start = dt.datetime(2026, 11, 22, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=3, minutes=30)))
    for n in range(size):
        persian = n % 3 != 0
        status = DECISION_STATUSES[n % len(DECISION_STATUSES)]
        decision = {"status": status}
        if status != "pending":
            decision.update(
                reason={"fa": "دلیل مستند تصمیم.", "en": "The documented reason."},
                decided_by="کارگروه مشارکت الکترونیکی",
                # The day it was received (Iran time), or later: past 54,000 comments that is the 23rd.
                date=(start + dt.timedelta(seconds=n)).date(),
            )
            if status == "duplicate":
                decision["duplicate_of"] = "demo-001"
        record = {
            "id": f"bench-{n:07d}",
            "target": DRAFT,
            "section": rng.choice(anchors),
            "received": start + dt.timedelta(seconds=n),
            "channel": CHANNELS[n % 2],
            "source": f"bench:{n}",
            "language": "fa" if persian else "en",
            "body": f"{rng.choice(PERSIAN if persian else ENGLISH)} ({n})",
            "author": {"type": RESPONDENT_TYPES[n % len(RESPONDENT_TYPES)]},
            "sealed": sealed[n % len(sealed)],
            "decision": decision,
        }
        (target / f"{record['id']}.yml").write_text(
            yaml.dump(record, Dumper=Loader, allow_unicode=True, sort_keys=False), encoding="utf-8"
        )
    return root


def add_comment(root: Path, size: int, name: str) -> None:
    """A new comment, received after every other one (so it lands on its article's last page)."""
    folder = root / "submissions" / DRAFT
    record = (folder / "bench-0000001.yml").read_text(encoding="utf-8")
    later = (dt.datetime(2026, 11, 22, 9, 0) + dt.timedelta(seconds=size + 60)).isoformat()
    record = re.sub(r"received: .*", f"received: {later}+03:30", record)
    record = re.sub(r"(\n  date: ).*", rf"\g<1>{later[:10]}", record)  # answered once received
    name = name.replace("_", "-")
    record = record.replace("bench-0000001", f"bench-{name}").replace("bench:1\n", f"bench:{name}\n")
    (folder / f"bench-{name}.yml").write_text(record, encoding="utf-8")


def peak_mib() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def measure(size: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["RAYZANI_CACHE_DIR"] = str(Path(tmp) / "cache")  # every size starts cold
        root = make_portal(size, Path(tmp))
        site = Path(tmp) / "site"
        figures: dict[str, float] = {"comments": size}
        cache = Cache.for_checkout(root)  # one store for this process's builds, as `rayzani serve` has
        started = time.perf_counter()
        project = load_project(root, TODAY, cache)
        figures["validate_s"] = time.perf_counter() - started
        assert not project.problems, project.problems[:3]
        started = time.perf_counter()
        write_pages(project, TODAY)
        figures["generate_s"] = time.perf_counter() - started
        started = time.perf_counter()
        run_builder(project, site)
        figures["mkdocs_s"] = time.perf_counter() - started
        figures["total_s"] = figures["validate_s"] + figures["generate_s"] + figures["mkdocs_s"]
        figures["site_mib"] = folder_size(site) / 2**20
        draft_pages = [p for p in (site / "drafts" / DRAFT).rglob("index.html")]
        figures["draft_page_kib"] = (site / "drafts" / DRAFT / "index.html").stat().st_size / 1024
        figures["largest_page_kib"] = max(p.stat().st_size for p in draft_pages) / 1024
        # What opening search costs (the Persian index: pages only, whatever N) and what a
        # reference search adds (one shard of search/references/fa/).
        figures["index_kib"] = (site / "search" / "index-fa.json").stat().st_size / 1024
        shards = list((site / "search" / "references" / "fa").glob("*.json"))
        largest = max(shards, key=lambda p: p.stat().st_size)
        figures["shards"] = len(shards)
        figures["shard_kib"] = largest.stat().st_size / 1024
        figures["shard_gzip_kib"] = len(gzip.compress(largest.read_bytes(), 6)) / 1024
        # One more comment arrives, after all the others: validate, regenerate and build again
        # in this process (as `rayzani serve` does), then once more with a new `rayzani build`.
        for name, command in (("rebuild", None), ("rebuild_cli", "cli")):
            add_comment(root, size, name)
            started = time.perf_counter()
            if command is None:
                project = load_project(root, TODAY, cache)
                figures[f"{name}_validate_s"] = time.perf_counter() - started
                written, _ = write_pages(project, TODAY)
                figures[f"{name}_generate_s"] = time.perf_counter() - started - figures[f"{name}_validate_s"]
                run_builder(project, site)
                figures["rebuild_pages_written"] = written
            else:
                subprocess.run(
                    [
                        sys.executable,
                        "-m",
                        "rayzani.cli",
                        "--root",
                        str(root),
                        "build",
                        "--site-dir",
                        str(site),
                        "--date",
                        TODAY.isoformat(),
                    ],
                    check=True,
                    capture_output=True,
                )
            figures[f"{name}_s"] = time.perf_counter() - started
        # A CI run: a fresh checkout at the same path (every file new to the file system), the
        # cache folder restored, one more comment, and a new `rayzani build`.
        shutil.move(root, Path(tmp) / "previous-checkout")
        shutil.copytree(Path(tmp) / "previous-checkout", root)
        add_comment(root, size, "ci")
        started = time.perf_counter()
        command = [sys.executable, "-m", "rayzani.cli", "--root", str(root), "build"]
        command += ["--site-dir", str(site), "--date", TODAY.isoformat()]
        subprocess.run(command, check=True, capture_output=True)
        figures["rebuild_ci_s"] = time.perf_counter() - started
        figures["peak_mib"] = peak_mib()
        return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    args = parser.parse_args()
    rows = []
    for size in args.sizes:
        figures = measure(size)
        rows.append(figures)
        f = figures
        print(
            f"N={size:>7}: validate {f['validate_s']:6.1f} s, generate {f['generate_s']:6.1f} s, "
            f"mkdocs {f['mkdocs_s']:6.1f} s, total {f['total_s']:6.1f} s; rebuild after one comment "
            f"{f['rebuild_s']:6.1f} s in the same process (validate {f['rebuild_validate_s']:.1f} s, "
            f"generate {f['rebuild_generate_s']:.1f} s, {f['rebuild_pages_written']:.0f} pages rewritten), "
            f"{f['rebuild_cli_s']:6.1f} s with a new `rayzani build`, {f['rebuild_ci_s']:6.1f} s in a fresh "
            "checkout with the cache restored (CI); "
            f"peak {f['peak_mib']:6.0f} MiB; site {f['site_mib']:6.1f} MiB; draft page "
            f"{f['draft_page_kib']:.0f} KiB, largest draft page {f['largest_page_kib']:.0f} KiB; "
            f"search index (fa) {f['index_kib']:.0f} KiB, largest of {f['shards']:.0f} reference "
            f"shards {f['shard_kib']:.0f} KiB ({f['shard_gzip_kib']:.0f} KiB gzipped)",
            flush=True,
        )
    for smaller, larger in zip(rows, rows[1:], strict=False):
        ratio = larger["comments"] / smaller["comments"]
        growth = larger["total_s"] / smaller["total_s"]
        print(f"N x{ratio:.0f}: total time x{growth:.1f} (linear would be x{ratio:.0f})")


if __name__ == "__main__":
    main()
