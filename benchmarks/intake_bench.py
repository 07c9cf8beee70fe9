"""Intake throughput: a large web-form export, and issue-form intake through PyGithub.

    python benchmarks/intake_bench.py [--rows 10000] [--issues 300]

Builds a throwaway portal (the test suite's small one), imports a generated CSV export twice
(the second run must add nothing), then records issues served by the local GitHub REST
server the tests use. Goals (this kind of 2-core machine): 10,000 form rows in under 20 s
(sealing included), a re-import of them in under 5 s, 300 issues in under 30 s.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import tempfile
import time
from contextlib import redirect_stderr, redirect_stdout
from io import StringIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "scripts"), str(ROOT / "tests")]

from conftest import Repo  # noqa: E402
from forge_server import FakeGitHub  # noqa: E402
from test_intake_form import COLUMNS, row  # noqa: E402
from test_intake_github import comment_issue  # noqa: E402

from rayzani.cli import main as rayzani  # noqa: E402


def timed(args: list[str]) -> tuple[float, str]:
    out = StringIO()
    started = time.perf_counter()
    with redirect_stdout(out), redirect_stderr(StringIO()):
        code = rayzani(args)
    assert code == 0, out.getvalue()
    return time.perf_counter() - started, out.getvalue().strip().splitlines()[-1]


def main() -> None:
    options = argparse.ArgumentParser()
    options.add_argument("--rows", type=int, default=10_000)
    options.add_argument("--issues", type=int, default=300)
    wanted = options.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        # The small portal is a copy of the example at its address: its demo keys validate there.
        portal = Repo(Path(tmp) / "portal")
        export = portal.root / "export.csv"
        with export.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=COLUMNS)
            writer.writeheader()
            writer.writerows(row(n) for n in range(1, wanted.rows + 1))
        root = ["--root", str(portal.root)]
        seconds, summary = timed([*root, "intake", "form", str(export)])
        print(f"form export, {wanted.rows} rows: {seconds:.2f} s ({summary})")
        seconds, summary = timed([*root, "intake", "form", str(export)])
        print(f"same export again: {seconds:.2f} s ({summary})")

        import shutil

        # Comments only: the vote form names the example's poll, which this portal does not hold.
        shutil.copytree(
            ROOT / ".github" / "ISSUE_TEMPLATE",
            portal.root / ".github" / "ISSUE_TEMPLATE",
            ignore=shutil.ignore_patterns("vote.yml"),
        )
        os.environ["GITHUB_TOKEN"] = "bench"
        with FakeGitHub("agency", "consult", page_size=100) as server:
            for n in range(1, wanted.issues + 1):
                server.add(
                    comment_issue(n, article=["art-1", "art-2", ""][n % 3], comment=f"نظر {n} درباره ماده.")
                )
            github = [*root, "intake", "github", "--repo", "agency/consult", "--api-url", server.url]
            seconds, summary = timed([*github, "--write-pause", "0"])
            print(f"issue forms, {wanted.issues} issues (reply + label each): {seconds:.2f} s ({summary})")
            seconds, summary = timed([*github, "--write-pause", "0"])
            print(f"issue forms again: {seconds:.2f} s ({summary})")


if __name__ == "__main__":
    main()
