"""Benchmark of the report steps on a large consultation: grouping campaigns, unsealing, counting, PDF.

Run from the repository root: `PYTHONPATH=scripts python benchmarks/reports.py [comments]`.
It copies the example's comments into an in-memory portal of the given size (default 10,000,
a fifth of them one campaign with small edits), seals fresh personal data to the demo key, and
times each step. Goal: every step stays linear; a 10,000-comment consultation adds seconds,
not minutes, to a build.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import sys
import time
from pathlib import Path

from rayzani.analysis.concerns import near_duplicate_groups
from rayzani.analysis.stats import consultation_statistics
from rayzani.cache.store import Cache
from rayzani.model.provinces import PROVINCES
from rayzani.project import load_project
from rayzani.security.sealing import read_public_key, seal
from rayzani.site.generate import generate_files

ROOT = Path(__file__).resolve().parent.parent
CAMPAIGN = "ما خواستار افزایش مهلت نظرخواهی به ۶۰ روز هستیم زیرا سی روز برای بررسی دقیق متن کافی نیست"


def timed(label: str, step):
    started = time.perf_counter()
    result = step()
    print(f"{label:<48} {time.perf_counter() - started:7.2f} s")
    return result


def main(size: int) -> None:
    project = load_project(ROOT)
    portal, settings = project.portal, project.settings
    base = portal.comments_on("e-participation")
    key = read_public_key(ROOT, settings)
    rng = random.Random(5)
    records = []
    for n in range(size):
        model = base[n % len(base)]
        body = f"{CAMPAIGN} امضا {n}" if n % 5 == 0 else f"{model.body} ({n} {rng.random():.6f})"
        personal = {"province": rng.choice(list(PROVINCES)), "age_band": rng.choice(["18-29", "30-44"])}
        records.append(
            dataclasses.replace(
                model,
                id=f"bench-{n}",
                body=body,
                sealed=seal(personal, key),
                author=dataclasses.replace(model.author, id=None),
            )
        )
    portal.submissions["e-participation"] = records
    today = dt.date(2026, 12, 20)
    print(f"{size} comments on one draft")
    groups = timed("near-duplicate groups (MinHash + Jaccard)", lambda: near_duplicate_groups(records))
    print(f"{'  largest group':<48} {groups[0].count:7d}")
    cache = Cache.in_memory()  # nothing opened yet, in memory or in an encrypted file
    timed(
        "statistics, unsealing every record",
        lambda: consultation_statistics(portal, settings, today, "e-participation", cache),
    )
    timed(
        "statistics again (opened once per build)",
        lambda: consultation_statistics(portal, settings, today, "e-participation", cache),
    )
    timed(
        "open data, statistics and report PDFs",
        lambda: list(generate_files(portal, settings, today, cache=cache)),
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
