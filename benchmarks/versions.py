"""Benchmark of the versions part: the redline of a long draft, and its pages with many comments.

Run from the repository root: `PYTHONPATH=scripts python benchmarks/versions.py [articles] [comments]`.
It builds, in memory, a draft of the given number of articles (default 300, five clauses each,
made of the example's Persian sentences) in three versions, each revision editing a fifth of the
articles word by word, removing one and renumbering the rest with pins, and gives it the given
number of comments (default 10,000) spread over the first version. It times the redline and the
generation of the history pages. Goal: a long bill with its consultation's comments adds
seconds, not minutes, to a build; the redline stays well under a second per version.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import sys
import time
from pathlib import Path

from rayzani.analysis.redline import compare
from rayzani.load.articles import parse_body
from rayzani.model import DraftText, Version
from rayzani.project import load_project
from rayzani.site.context import Site
from rayzani.site.pages.versions import version_pages

ROOT = Path(__file__).resolve().parent.parent


def timed(label: str, step):
    started = time.perf_counter()
    result = step()
    print(f"{label:<52} {time.perf_counter() - started:7.2f} s")
    return result


def words_of(draft) -> list[str]:
    return " ".join(a.body for a in draft.articles).split()


def body(articles: int, removed: set[int], edits: dict[int, int], vocabulary: list[str], seed: int) -> str:
    rng = random.Random(seed)
    out, number = [], 0
    for n in range(1, articles + 1):
        if n in removed:
            continue
        number += 1
        pin = f" {{#art-{n}}}" if number != n else ""
        out.append(f"## ماده {number} — عنوان ماده {n}{pin}\n")
        local = random.Random(n)
        for k in range(1, 6):
            sentence = [local.choice(vocabulary) for _ in range(30)]
            for _ in range(edits.get(n, 0)):
                sentence[rng.randrange(len(sentence))] = rng.choice(vocabulary)
            out.append(f"{k}. {' '.join(sentence)}؛")
        out.append("")
    return "\n".join(out)


def main(articles: int = 300, comments: int = 10_000) -> None:
    project = load_project(ROOT)
    portal, settings = project.portal, project.settings
    draft = portal.drafts["e-participation"]
    vocabulary = words_of(draft)
    rng = random.Random(3)
    texts, removed = [], set()
    edits: dict[int, int] = {}
    for version in range(3):
        texts.append(body(articles, set(removed), dict(edits), vocabulary, seed=version))
        edits = {n: edits.get(n, 0) + 3 for n in rng.sample(range(1, articles + 1), articles // 5)}
        removed.add(rng.randrange(1, articles + 1))

    def text(markdown: str) -> DraftText:
        parsed = parse_body(markdown)
        assert not parsed.duplicate_anchors
        return DraftText("fa", "t", "s", "u", "d", "", parsed.articles)

    versions = tuple(
        Version(str(n + 1), draft.window.opens + dt.timedelta(days=7 * n), {"fa": text(t)}, draft.path)
        for n, t in enumerate(texts)
    )
    print(f"{articles} articles, {len(texts[0]):,} characters per version, {comments:,} comments")
    diffs = timed(
        "redline version 1 -> 2 (all articles)",
        lambda: compare(versions[0].texts["fa"], versions[1].texts["fa"]),
    )
    print(f"  {sum(d.status != 'unchanged' for d in diffs)} articles changed or removed")
    timed("redline version 2 -> 3", lambda: compare(versions[1].texts["fa"], versions[2].texts["fa"]))
    big = dataclasses.replace(draft, versions=versions, texts=versions[-1].texts, version="3")
    portal.drafts[draft.slug] = big
    model = [r for r in portal.comments_on(draft.slug) if r.section is None]
    anchors = [a.anchor for a in versions[0].articles]
    portal.submissions[draft.slug] = [
        dataclasses.replace(
            model[n % len(model)], id=f"bench-{n}", section=anchors[n % len(anchors)], version="1"
        )
        for n in range(comments)
    ]
    site = Site(portal, settings, dt.date(2026, 11, 23), "https://example.org/")
    pages = timed(
        "history pages, both languages",
        lambda: [p for lang in ("fa", "en") for p in version_pages(site, lang)],
    )
    print(f"  {len(pages)} pages, {sum(len(m) for _, m in pages) / 1e6:.1f} MB of Markdown")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
