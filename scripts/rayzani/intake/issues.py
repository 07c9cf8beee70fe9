"""Issue-form intake: each issue made from a form (a comment, an idea, a vote) becomes one record.

Replies are idempotent: intake labels a recorded issue `recorded` and replies only to issues
without that label; a rejection or an ignored edit is answered once per version of the text
(a marker with the text's hash sits in the reply).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from rayzani.intake.forge import Forge, FormIssue, has_marker, marker
from rayzani.intake.guard import recorded_hash
from rayzani.intake.issue_form import FormMismatch, IssueForm, option_value, parse_issue_body
from rayzani.intake.records import Incoming, Outcome, RecordWriter, Rejection
from rayzani.intake.replies import edit_ignored_reply, recorded_reply, rejected_reply

RECORDED = "recorded"
NEEDS_CHANGES = "needs-changes"
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
            incoming, rejection = incoming_from_issue(forge, form, issue)
            if rejection is None or incoming.source in writer.recorded:
                # A recorded issue stays recorded, however it is edited afterwards.
                outcome = writer.record(incoming)
            else:
                outcome = Outcome("rejected", incoming, rejection=rejection)
            _answer(forge, writer, issue, outcome)
            outcomes.append(outcome)
            if progress:
                progress(outcome)
    return outcomes


def _answer(forge: Forge, writer: RecordWriter, issue: FormIssue, outcome: Outcome) -> None:
    number = issue.number
    if outcome.status == "new" or (outcome.status == "duplicate" and RECORDED not in issue.labels):
        if RECORDED not in issue.labels:
            forge.reply(
                number,
                recorded_reply(outcome, writer.permalink(outcome.incoming.source)) + marker("recorded"),
            )
            forge.add_label(number, RECORDED)
    elif outcome.status == "duplicate" and outcome.edited:
        tag = marker("edit-ignored", outcome.text_sha256 or "")
        if not has_marker(forge, number, tag):
            forge.reply(number, edit_ignored_reply(outcome, writer.permalink(outcome.incoming.source)) + tag)
    elif outcome.status == "rejected":
        # One answer per version of the issue: an edit that is still wrong is answered again.
        # The marker stays after an edit, so it hashes the text after redaction, like text_sha256.
        tag = marker("rejected", recorded_hash(issue.body))
        if not has_marker(forge, number, tag):
            forge.reply(number, rejected_reply(outcome.rejection) + tag)  # type: ignore[arg-type]
        if NEEDS_CHANGES not in issue.labels:
            forge.add_label(number, NEEDS_CHANGES)
