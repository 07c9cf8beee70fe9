"""Issue-form intake: each issue made from a form (a comment, an idea, a vote) becomes one record.

Replies are posted at most once. What says "replied" is intake's own marker in a comment written
by intake's own account (a stranger's copy of the marker counts for nothing); the `recorded`
label is a convenience, added after the reply and retried on its own when adding it failed. A
rejection or an ignored edit is answered once per version of the text (the marker holds the
text's hash). An issue that carries intake's recorded reply but whose record is not in this
checkout is never derived again from its current text: it is reported as missing.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable

from rayzani.intake.forge import Forge, ForgeError, FormIssue, has_marker, marker
from rayzani.intake.guard import recorded_hash
from rayzani.intake.issue_form import FormMismatch, IssueForm, option_value, parse_issue_body
from rayzani.intake.records import Incoming, Outcome, RecordWriter, Rejection
from rayzani.intake.replies import edit_ignored_reply, recorded_reply, rejected_reply

RECORDED = "recorded"
NEEDS_CHANGES = "needs-changes"
# An issue intake recorded before whose record this checkout lacks (not Outcome's own statuses).
MISSING = "missing"
_ID_PREFIX = {"github": "gh", "forgejo": "fj", "gitea": "gt"}


def incoming_from_issue(forge: Forge, form: IssueForm, issue: FormIssue) -> tuple[Incoming, Rejection | None]:
    """The comment an issue carries, or why it cannot be read."""
    incoming = Incoming(
        channel="issue",
        source=f"{forge.kind}:{forge.repo}#{issue.number}",
        record_id=f"{_ID_PREFIX.get(forge.kind, forge.kind)}-{issue.number}",
        received=issue.created,
        target=None,
        body=None,
        author_id=f"{forge.kind}:{issue.author}",
    )
    try:
        values = parse_issue_body(form, issue.body)
    except FormMismatch as mismatch:
        return incoming, Rejection(mismatch.code, mismatch.detail)

    def text(field_id: str) -> str | None:
        value = values.get(field_id)
        return value if isinstance(value, str) else None

    incoming.target = text("draft") or text("call")
    incoming.section = text("article")
    incoming.domain = text("domain")
    incoming.body = text("comment") or text("idea")
    incoming.author_name = text("name")
    incoming.organisation = text("organisation")
    incoming.interest = text("interest")
    kind = text("type")
    incoming.author_type = option_value(kind) if kind else None
    if form.field("vote") is not None:
        incoming.vote = text("vote") or ""  # the dropdown's label; the writer reads it back to an option
    return incoming, None


def intake_issues(
    forge: Forge,
    writer: RecordWriter,
    forms: dict[str, IssueForm],
    since: dt.datetime | None = None,
    progress: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Record every open issue made from one of the forms; reply to each once."""
    outcomes = []
    seen: set[int] = set()
    for form in forms.values():
        if not form.labels:
            continue  # intake finds a form's issues by the label the form adds
        for issue in forge.form_issues(form.labels[0], since):
            if issue.number in seen:
                continue
            seen.add(issue.number)
            outcome = _outcome(forge, writer, form, issue)
            if outcome.status != MISSING:
                _answer(forge, writer, issue, outcome)
            outcomes.append(outcome)
            if progress:
                progress(outcome)
    return outcomes


def _outcome(forge: Forge, writer: RecordWriter, form: IssueForm, issue: FormIssue) -> Outcome:
    incoming, rejection = incoming_from_issue(forge, form, issue)
    if incoming.source in writer.recorded:
        # A recorded issue stays recorded, however it is edited afterwards.
        return writer.record(incoming)
    if _recorded_before(forge, issue):
        # Its record was written by an earlier run and is not here (a records branch lost or
        # closed unmerged): deriving it again would record today's text, not what was received.
        return Outcome(MISSING, incoming)
    if rejection is not None:
        return Outcome("rejected", incoming, rejection=rejection)
    return writer.record(incoming)


def _recorded_before(forge: Forge, issue: FormIssue) -> bool:
    return RECORDED in issue.labels or has_marker(forge, issue.number, marker(RECORDED))


def _label(forge: Forge, issue: FormIssue, label: str) -> None:
    """Labels only help people sort issues: a failure is reported and retried by the next run."""
    if label in issue.labels:
        return
    try:
        forge.add_label(issue.number, label)
    except ForgeError as error:
        print(f"{error}; the next run adds the label again", file=sys.stderr)


def _answer(forge: Forge, writer: RecordWriter, issue: FormIssue, outcome: Outcome) -> None:
    number = issue.number
    link = writer.permalink(outcome.incoming.source)
    if outcome.status == "new" or (outcome.status == "duplicate" and RECORDED not in issue.labels):
        # The label is added only after the reply, so without it the marker decides.
        if outcome.status == "new" or not has_marker(forge, number, marker(RECORDED)):
            forge.reply(number, recorded_reply(outcome, link) + marker(RECORDED))
        _label(forge, issue, RECORDED)
    elif outcome.status == "duplicate" and outcome.edited:
        tag = marker("edit-ignored", outcome.text_sha256 or "")
        if not has_marker(forge, number, tag):
            forge.reply(number, edit_ignored_reply(outcome, link) + tag)
    elif outcome.status == "rejected":
        # One answer per version of the issue: an edit that is still wrong is answered again.
        # The marker stays after an edit, so it hashes the text after redaction, like text_sha256.
        tag = marker("rejected", recorded_hash(issue.body))
        if not has_marker(forge, number, tag):
            forge.reply(number, rejected_reply(outcome.rejection) + tag)  # type: ignore[arg-type]
        _label(forge, issue, NEEDS_CHANGES)
