"""The `rayzani intake` commands: load the portal, run a channel, print the summary."""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
from collections import Counter
from typing import TYPE_CHECKING

from rayzani.intake.forge import Forge, has_marker, marker
from rayzani.intake.form_export import ExportError, import_export, load_mapping
from rayzani.intake.issue_form import forms_folder, load_forms
from rayzani.intake.lock import LockTimeout, intake_lock
from rayzani.intake.naming import IdSecretMissing
from rayzani.intake.records import Outcome, RecordWriter
from rayzani.intake.replies import rejected_reply, rejection_text
from rayzani.load.config import read_mkdocs_config
from rayzani.project import load_project

if TYPE_CHECKING:
    from github import GithubException

    from rayzani.intake.forgejo_forge import ForgejoForge
    from rayzani.intake.pull_request import PullRequest

PROGRESS_EVERY = 100
# A run waits this long for another one to finish (a workflow job's timeout is 30 minutes).
LOCK_WAIT_SECONDS = 20 * 60
FORGEJO_TOKEN = "FORGEJO_TOKEN"  # the variable holding the Forgejo/Gitea access token


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


def summary(outcomes: list[tuple[str, Outcome]]) -> None:
    counts = Counter(o.status for _, o in outcomes)
    for where, outcome in outcomes:
        if outcome.status == "rejected" and outcome.rejection:
            print(f"rejected {where}: {rejection_text(outcome.rejection, 'en')}")
        elif outcome.status == "missing":
            print(
                f"missing {where}: recorded by an earlier run (intake's reply is on it), but its record "
                "is not in submissions/; not recorded again from its current text: restore the record "
                "from the records branch's history"
            )
    edited = sum(1 for _, o in outcomes if o.edited)
    late = sum(1 for _, o in outcomes if o.status == "new" and o.late)
    redacted = sum(1 for _, o in outcomes if o.status == "new" and o.redactions)
    print(
        f"{counts['new']} new, {counts['duplicate']} duplicate ({edited} edited since recorded), "
        f"{counts['rejected']} rejected; {late} late, {redacted} redacted."
        + (f" {counts['missing']} recorded before but missing here." if counts["missing"] else "")
    )


def run_intake(args: argparse.Namespace) -> int:
    try:
        with intake_lock(args.root, LOCK_WAIT_SECONDS):
            return _run_locked(args)
    except LockTimeout as error:
        print(f"Stopped without recording: {error}.", file=sys.stderr)
        return 1


def _run_locked(args: argparse.Namespace) -> int:
    # The records are loaded under the lock: a run that waited sees what the other one wrote.
    writer = _writer(args)
    if writer is None:
        return 1
    try:
        if args.channel == "form":
            return _form(args, writer)
        if args.channel == "pull-request":
            return _pull_request(args, writer)
        if args.channel == "receiver":
            return _receiver(args, writer)
        if args.channel == "forgejo":
            return _forgejo(args, writer)
        return _github(args, writer)
    except IdSecretMissing as missing:
        # Records written before stay (each is whole); the next run, with the secret, goes on.
        print(missing, file=sys.stderr)
        return 2


def _pull_request(args: argparse.Namespace, writer: RecordWriter) -> int:
    import subprocess

    from rayzani.intake.pull_request import git_diff, read_event

    try:
        pr = read_event(args.event, args.forge)
        diff = args.diff.read_text(encoding="utf-8") if args.diff else git_diff(args.root, pr.base, pr.head)
    except (OSError, KeyError, ValueError, subprocess.CalledProcessError) as error:
        print(f"cannot read the pull request: {error}", file=sys.stderr)
        return 2
    refusal = proposal_refusal(args, writer, pr, diff)
    if refusal and args.reply:
        # The workflow posts this on the pull request: a proposal is never dropped unanswered.
        args.reply.write_text(refusal, encoding="utf-8")
        print(f"The reply saying why is in {args.reply}.")
    return 0


def proposal_refusal(args: argparse.Namespace, writer: RecordWriter, pr: PullRequest, diff: str) -> str:
    """Record a pull request's proposal and print what happened; the reply saying why it was refused."""
    from rayzani.intake.pull_request import record_proposal

    outcomes = record_proposal(writer, args.root, pr, diff)
    if not outcomes:
        print(f"Pull request #{pr.number} changes no draft text: nothing to record.")
        return ""
    for outcome in outcomes:
        if outcome.status == "new":
            print(f"recorded {outcome.path.relative_to(args.root) if outcome.path else outcome.record_id}")
    summary([(f"pull request #{pr.number}", o) for o in outcomes])
    refused = [o.rejection for o in outcomes if o.status == "rejected" and o.rejection]
    return "\n".join(rejected_reply(r, "intake_fix_proposal") for r in refused)


def _receiver(args: argparse.Namespace, writer: RecordWriter) -> int:
    from rayzani.intake.receiver import Drained, drain

    def progress(done: Drained) -> None:
        print(f"  {done.submission_id}: {done.outcome.status}", file=sys.stderr, flush=True)

    store = args.open_store(args.db)
    try:
        done = drain(writer, store, progress)
    finally:
        store.close()
    summary([(f"submission {d.submission_id}", d.outcome) for d in done])
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
    summary(rows)
    return 0


def _github(args: argparse.Namespace, writer: RecordWriter) -> int:
    from github import GithubException

    from rayzani.intake.github_forge import ACTIONS_BOT, GitHubForge

    try:
        forge = GitHubForge(
            args.repo, os.environ.get("GITHUB_TOKEN"), args.api_url, args.write_pause, args.account
        )
    except GithubException as error:
        return _github_failed(args, error)
    try:
        account = forge.account  # only markers this account wrote count as "already said"
    except GithubException as error:
        print(
            f"Cannot tell which account intake writes as (GET /user answered {error.status}); "
            f"a workflow's GITHUB_TOKEN cannot read it: pass --account {ACTIONS_BOT}.",
            file=sys.stderr,
        )
        return 1
    print(f"Writing as {account}.", file=sys.stderr)
    try:
        return run_forge(args, writer, forge)
    except GithubException as error:
        return _github_failed(args, error)


def _github_failed(args: argparse.Namespace, error: GithubException) -> int:
    # Records written before the failure stay; the next run continues from them.
    message = error.data.get("message") if isinstance(error.data, dict) else error.data
    print(f"GitHub answered {error.status}: {message} ({args.api_url}, {args.repo})", file=sys.stderr)
    return 1


def run_forge(args: argparse.Namespace, writer: RecordWriter, forge: Forge) -> int:
    """Record the form issues on `forge`, or with --notify post decisions back: any forge alike."""
    from rayzani.intake.issues import intake_issues
    from rayzani.intake.notify import notify_decisions

    if args.notify:
        done = notify_decisions(forge, writer)
        posted = sum(1 for _, now in done if now)
        print(f"{posted} decision(s) posted, {len(done) - posted} already posted.")
        return 0
    forms = load_forms(args.root, forge.kind)
    if not forms:
        folder = forms_folder(args.root, forge.kind).relative_to(args.root)
        print(f"No issue forms in {folder}/.", file=sys.stderr)
        return 1

    def progress(outcome: Outcome) -> None:
        print(
            f"  #{outcome.incoming.source.rsplit('#', 1)[-1]}: {outcome.status}", file=sys.stderr, flush=True
        )

    outcomes = intake_issues(forge, writer, forms, args.since, progress)
    summary([(f"issue #{o.incoming.source.rsplit('#', 1)[-1]}", o) for o in outcomes])
    return 0


# Forgejo and Gitea ---------------------------------------------------------------------


def _forgejo(args: argparse.Namespace, writer: RecordWriter) -> int:
    from rayzani.intake.forgejo_forge import ForgejoFailure, ForgejoForge

    token = os.environ.get(FORGEJO_TOKEN)
    if not token:
        print(
            f"{FORGEJO_TOKEN} is not set: make an access token for intake's account with the scopes "
            "write:issue, read:repository and read:user, and pass it in that variable.",
            file=sys.stderr,
        )
        return 1
    forge = ForgejoForge(args.repo, token, args.api_url, args.account, args.write_pause)
    try:
        print(f"Writing as {forge.account}.", file=sys.stderr)  # only its markers count
        if args.pull_request is not None:
            return _proposal(args, writer, forge, args.pull_request)
        return run_forge(args, writer, forge)
    except ForgejoFailure as failure:
        # Records written before the failure stay; the next run continues from them.
        print(f"{failure} ({args.api_url}, {args.repo})", file=sys.stderr)
        return 1
    finally:
        forge.close()


def _proposal(args: argparse.Namespace, writer: RecordWriter, forge: ForgejoForge, number: int) -> int:
    """Record pull request `number` as a proposal; say on it, once per answer, why it was refused."""
    pr = forge.pull_request(number)
    refusal = proposal_refusal(args, writer, pr, forge.pull_diff(number))
    if not refusal:
        return 0
    tag = marker("proposal-refused", hashlib.sha256(refusal.encode()).hexdigest()[:16])
    if not has_marker(forge, number, tag):  # pull requests take comments as issues do
        forge.reply(number, refusal + tag)
        print(f"The reply saying why is on pull request #{number}.")
    return 0
