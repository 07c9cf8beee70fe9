"""The records branch of the intake workflow: records not yet merged are carried, never re-derived.

A run of the intake workflow starts from `main`. Before intake reads the issues, `prepare`
fetches the records branch (`intake/records`) and restores into the checkout every record file
the branch holds that `main` has never had, i.e. the records an earlier run wrote that editors
have not merged yet. Intake then sees them as recorded: an issue edited or closed after its
record was written keeps that record as it was received, because nothing derives it again.
A record `main` once had and no longer has (merged, then removed by editors) is not brought back.

`publish` commits the records on top of `main` and pushes the branch with a lease on the commit
`prepare` fetched: if the branch moved in between, the push fails instead of dropping records.

    python -m rayzani.intake.records_branch prepare --remote URL [--branch intake/records]
    rayzani intake github ...
    python -m rayzani.intake.records_branch publish --remote URL [--branch intake/records]

`publish` writes `pushed=true|false` and `pending=true|false` (the branch holds records `main`
lacks, so a pull request should be open) to `$GITHUB_OUTPUT` when it is set.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

BRANCH = "intake/records"
FETCHED = "refs/rayzani/records"  # the branch as `prepare` found it: the lease of `publish`
SUBMISSIONS = "submissions"
IDENTITY = ("-c", "user.name=rayzani-intake", "-c", "user.email=rayzani-intake@users.noreply.github.com")
MESSAGE = "Intake: new comments, ideas and votes from the issue forms"


def git(root: Path, *args: str, stdin: str | None = None, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["git", *args], cwd=root, input=stdin, capture_output=True, text=True, check=check
    )


def _lines(text: str) -> set[str]:
    return {line for line in text.splitlines() if line}


def fetched_commit(root: Path) -> str | None:
    result = git(root, "rev-parse", "--verify", "--quiet", f"{FETCHED}^{{commit}}", check=False)
    return result.stdout.strip() or None


def fetch_branch(root: Path, remote: str, branch: str = BRANCH) -> str | None:
    """Fetch the records branch into FETCHED; its commit, or None when it does not exist."""
    heads = git(root, "ls-remote", "--heads", remote, f"refs/heads/{branch}").stdout
    if not heads.strip():
        git(root, "update-ref", "-d", FETCHED, check=False)
        return None
    git(root, "fetch", "--quiet", "--no-tags", remote, f"+refs/heads/{branch}:{FETCHED}")
    return fetched_commit(root)


def unmerged_records(root: Path, commit: str) -> list[str]:
    """Record files on `commit` that the checked-out history (main) has never contained."""
    on_branch = _lines(git(root, "ls-tree", "-r", "--name-only", commit, "--", SUBMISSIONS).stdout)
    # Every path main ever had, not only its current tree: a record merged and later removed
    # by editors stays removed. This needs the full history (checkout with fetch-depth: 0).
    ever_on_main = _lines(git(root, "log", "--format=", "--name-only", "HEAD", "--", SUBMISSIONS).stdout)
    return sorted(on_branch - ever_on_main)


def prepare(root: Path, remote: str, branch: str = BRANCH) -> list[str]:
    """Restore the records branch's unmerged records into the checkout; the paths restored."""
    commit = fetch_branch(root, remote, branch)
    if commit is None:
        return []
    paths = unmerged_records(root, commit)
    if paths:
        git(root, "checkout", commit, "--pathspec-from-file=-", stdin="\n".join(paths) + "\n")
    return paths


@dataclass(frozen=True)
class Published:
    pushed: bool  # the branch was updated
    pending: bool  # the branch holds records main lacks: its pull request should be open


def publish(root: Path, remote: str, branch: str = BRANCH, message: str = MESSAGE) -> Published:
    """Commit the checkout's records on top of main and push the branch, leased on what was fetched."""
    before = fetched_commit(root)
    git(root, "add", "--", SUBMISSIONS)
    if git(root, "diff", "--cached", "--quiet", "--", SUBMISSIONS, check=False).returncode == 0:
        return Published(pushed=False, pending=False)  # nothing main lacks
    git(root, *IDENTITY, "commit", "--quiet", "-m", message)
    same = before and git(root, "diff", "--quiet", before, "HEAD", "--", SUBMISSIONS, check=False)
    if same and same.returncode == 0:
        return Published(pushed=False, pending=True)  # the branch already holds exactly these records
    # The lease: the branch must still be where `prepare` found it (absent, if it was absent).
    lease = f"--force-with-lease=refs/heads/{branch}:{before or ''}"
    git(root, "push", "--quiet", lease, remote, f"HEAD:refs/heads/{branch}")
    return Published(pushed=True, pending=True)


def _output(values: dict[str, bool]) -> None:
    target = os.environ.get("GITHUB_OUTPUT")
    if target:
        with open(target, "a", encoding="utf-8") as handle:
            for key, value in values.items():
                handle.write(f"{key}={str(value).lower()}\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rayzani.intake.records_branch", description=__doc__)
    parser.add_argument("step", choices=["prepare", "publish"])
    parser.add_argument("--remote", required=True, help="the repository to fetch from and push to")
    parser.add_argument("--branch", default=BRANCH)
    parser.add_argument("--root", type=Path, default=Path.cwd())
    args = parser.parse_args(argv)
    try:
        if args.step == "prepare":
            paths = prepare(args.root, args.remote, args.branch)
            print(f"{len(paths)} record(s) from {args.branch} not yet merged, kept as they are.")
            return 0
        done = publish(args.root, args.remote, args.branch)
    except subprocess.CalledProcessError as error:
        # Never print the command or the remote: its address may carry a token.
        detail = error.stderr.replace(args.remote, "<remote>").strip()
        print(f"git failed ({error.returncode}): {detail}", file=sys.stderr)
        return 1
    print("Branch updated." if done.pushed else "Branch unchanged.")
    _output({"pushed": done.pushed, "pending": done.pending})
    return 0


if __name__ == "__main__":
    sys.exit(main())
