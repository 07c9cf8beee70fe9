"""The `rayzani intake` commands: load the portal, run a channel, print the summary."""

from __future__ import annotations

import argparse
import os
import sys
from collections import Counter

from rayzani.builder import load_project
from rayzani.intake.forge import Forge
from rayzani.intake.form_export import ExportError, import_export, load_mapping
from rayzani.intake.issue_form import load_forms
from rayzani.intake.records import IdSecretMissing, Outcome, RecordWriter
from rayzani.intake.replies import rejection_text
from rayzani.settings import read_mkdocs_config

PROGRESS_EVERY = 100


def _writer(args: argparse.Namespace) -> RecordWriter | None:
    project = load_project(args.root)
    if project.problems:
        # Intake checks new comments against drafts, anchors and windows: it needs a valid
        # repository, and it must see every existing record to never record one twice.
        for problem in project.problems:
            print(problem.format(args.root), file=sys.stderr)
        print("The repository does not validate; fix it before intake.", file=sys.stderr)
        return None
    site_url = str(read_mkdocs_config(project.config).get("site_url") or "")
    return RecordWriter(args.root, project.settings, project.portal, site_url)


def _summary(outcomes: list[tuple[str, Outcome]]) -> None:
    counts = Counter(o.status for _, o in outcomes)
    for where, outcome in outcomes:
        if outcome.status == "rejected" and outcome.rejection:
            print(f"rejected {where}: {rejection_text(outcome.rejection, 'en')}")
    edited = sum(1 for _, o in outcomes if o.edited)
    late = sum(1 for _, o in outcomes if o.status == "new" and o.late)
    redacted = sum(1 for _, o in outcomes if o.status == "new" and o.redactions)
    print(
        f"{counts['new']} new, {counts['duplicate']} duplicate ({edited} edited since recorded), "
        f"{counts['rejected']} rejected; {late} late, {redacted} redacted."
    )


def run_intake(args: argparse.Namespace) -> int:
    writer = _writer(args)
    if writer is None:
        return 1
    try:
        if args.channel == "form":
            return _form(args, writer)
        if args.channel == "pull-request":
            return _pull_request(args, writer)
        return _github(args, writer)
    except IdSecretMissing as missing:
        # Records written before stay (each is whole); the next run, with the secret, goes on.
        print(missing, file=sys.stderr)
        return 2


def _pull_request(args: argparse.Namespace, writer: RecordWriter) -> int:
    import subprocess

    from rayzani.intake.pull_request import git_diff, read_event, record_proposal

    try:
        pr = read_event(args.event)
        diff = args.diff.read_text(encoding="utf-8") if args.diff else git_diff(args.root, pr.base, pr.head)
    except (OSError, KeyError, ValueError, subprocess.CalledProcessError) as error:
        print(f"cannot read the pull request: {error}", file=sys.stderr)
        return 2
    outcomes = record_proposal(writer, args.root, pr, diff)
    if not outcomes:
        print(f"Pull request #{pr.number} changes no draft text: nothing to record.")
        return 0
    for outcome in outcomes:
        if outcome.status == "new":
            print(f"recorded {outcome.path.relative_to(args.root) if outcome.path else outcome.record_id}")
    _summary([(f"pull request #{pr.number}", o) for o in outcomes])
    return 0


def _form(args: argparse.Namespace, writer: RecordWriter) -> int:
    def progress(done: int, total: int) -> None:
        if done % PROGRESS_EVERY == 0 or done == total:
            print(f"  {done}/{total} rows", file=sys.stderr, flush=True)

    try:
        mapping = load_mapping(args.mapping)
        rows = [
            (f"row {r.row}", r.outcome)
            for r in import_export(args.export, writer, mapping, args.target, progress)
        ]
    except ExportError as error:
        print(error, file=sys.stderr)
        return 2
    _summary(rows)
    return 0


def _github(args: argparse.Namespace, writer: RecordWriter) -> int:
    from github import GithubException

    from rayzani.intake.github_forge import GitHubForge

    try:
        return _github_run(
            args,
            writer,
            GitHubForge(args.repo, os.environ.get("GITHUB_TOKEN"), args.api_url, args.write_pause),
        )
    except GithubException as error:
        # Records written before the failure stay; the next run continues from them.
        message = error.data.get("message") if isinstance(error.data, dict) else error.data
        print(f"GitHub answered {error.status}: {message} ({args.api_url}, {args.repo})", file=sys.stderr)
        return 1


def _github_run(args: argparse.Namespace, writer: RecordWriter, forge: Forge) -> int:
    from rayzani.intake.issues import intake_issues
    from rayzani.intake.notify import notify_decisions

    if args.notify:
        done = notify_decisions(forge, writer)
        posted = sum(1 for _, now in done if now)
        print(f"{posted} decision(s) posted, {len(done) - posted} already posted.")
        return 0
    forms = load_forms(args.root)
    if not forms:
        print("No issue forms in .github/ISSUE_TEMPLATE/.", file=sys.stderr)
        return 1

    def progress(outcome: Outcome) -> None:
        print(
            f"  #{outcome.incoming.source.rsplit('#', 1)[-1]}: {outcome.status}", file=sys.stderr, flush=True
        )

    outcomes = intake_issues(forge, writer, forms, args.since, progress)
    _summary([(f"issue #{o.incoming.source.rsplit('#', 1)[-1]}", o) for o in outcomes])
    return 0
