"""Benchmark of the panels part: counting a large poll, and a batch of decisions through `rayzani decide`.

Run from the repository root: `PYTHONPATH=scripts python benchmarks/panels.py [votes] [decisions]`.
It counts a poll of the given number of votes (default 100,000, by participants drawn at random from
four fifths as many identities, so that about two votes in five repeat someone; one vote in
fifty arrives after the call closed) on the example's e-participation call,
and checks the count against a plain recount. Then it copies the example repository to a
temporary folder, adds the given number of pending comments (default 1,000) and answers them
all with one `rayzani decide --batch` file, which rewrites only their decision blocks and then
validates the whole portal. Goals: a poll of 100,000 votes counts in well under a second; an
editor's batch of 1,000 decisions is applied and validated in seconds, not minutes.
"""

from __future__ import annotations

import datetime as dt
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

import yaml

from rayzani.analysis.polls import tally
from rayzani.cli import main as rayzani
from rayzani.model import Author, Vote
from rayzani.project import load_project

ROOT = Path(__file__).resolve().parent.parent
BUILD_DATE = dt.date(2026, 11, 23)


def poll_benchmark(count: int) -> None:
    portal = load_project(ROOT, BUILD_DATE).portal
    call = portal.calls["e-participation"]
    assert call.poll is not None
    options = [o.id for o in call.poll.options]
    rng = random.Random(4)
    opens = dt.datetime.combine(call.window.opens, dt.time(9), dt.timezone(dt.timedelta(hours=3, minutes=30)))
    span = (call.window.closes - call.window.opens).days * 86400
    votes = []
    for n in range(count):
        person = rng.randrange(int(count * 0.8))  # so about two votes in five repeat someone
        late = rng.random() < 0.02
        when = opens + dt.timedelta(seconds=span + 90000 if late else rng.randrange(span))
        votes.append(
            Vote(
                f"v{n}",
                Path(f"v{n}.yml"),
                call.slug,
                rng.choice(options),
                when,
                "form",
                f"form:{n}",
                Author("individual", id=f"form:p{person}"),
            )  # fmt: skip
        )
    start = time.perf_counter()
    result = tally(call, votes)
    took = time.perf_counter() - start
    seen: set[str] = set()
    expected = 0
    for vote in sorted(votes, key=lambda v: (v.received, v.id)):
        if vote.received.date() <= call.window.closes and vote.author.id not in seen:
            seen.add(vote.author.id or "")
            expected += 1
    assert result.counted == expected, (result.counted, expected)
    print(
        f"poll: {count:,} votes counted in {took * 1000:.0f} ms "
        f"({result.counted:,} counted, {result.rejected['duplicate']:,} duplicates, "
        f"{result.rejected['late']:,} late)"
    )


def decide_benchmark(count: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "portal"
        shutil.copytree(ROOT, root, ignore=shutil.ignore_patterns(".git", "site", "__pycache__", ".cache"))
        folder = root / "submissions" / "e-participation"
        template = yaml.safe_load((folder / "demo-001.yml").read_text(encoding="utf-8"))
        for n in range(count):
            record = {**template, "id": f"bench-{n:05d}", "decision": {"status": "pending"}}
            record.update(channel="form", source=f"form:bench-{n:05d}")
            record.pop("history", None)
            record.pop("text_sha256", None)
            (folder / f"bench-{n:05d}.yml").write_text(
                yaml.safe_dump(record, allow_unicode=True, sort_keys=False), encoding="utf-8"
            )
        batch = [
            {
                "target": "e-participation",
                "id": f"bench-{n:05d}",
                "status": "rejected" if n % 3 else "noted",
                "reason": {"fa": f"پاسخ شماره {n}", "en": f"Answer number {n}"},
                "panel": "e-participation-working-group",
                "date": BUILD_DATE,
            }
            for n in range(count)
        ]
        batch_file = Path(tmp) / "batch.yml"
        batch_file.write_text(yaml.safe_dump(batch, allow_unicode=True), encoding="utf-8")
        start = time.perf_counter()
        code = rayzani(
            ["--root", str(root), "decide", "--batch", str(batch_file), "--date", BUILD_DATE.isoformat()]
        )
        took = time.perf_counter() - start
        assert code == 0
        answered = [
            r
            for r in load_project(root, BUILD_DATE).portal.comments_on("e-participation")
            if r.id.startswith("bench-")
        ]
        assert len(answered) == count and not any(r.decision.is_pending for r in answered)
        print(f"decide: {count:,} decisions applied and validated in {took:.1f} s")


def main() -> None:
    votes = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    decisions = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000
    poll_benchmark(votes)
    decide_benchmark(decisions)


if __name__ == "__main__":
    main()
