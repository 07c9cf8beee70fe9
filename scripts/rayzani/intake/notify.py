"""Post editors' published decisions back on the issues the comments came from, once each."""

from __future__ import annotations

from collections.abc import Iterator

from rayzani.intake.forge import Forge, has_marker, marker
from rayzani.intake.records import RecordWriter
from rayzani.intake.replies import decision_reply
from rayzani.model import Submission


def decided_issue_comments(forge: Forge, writer: RecordWriter) -> Iterator[tuple[Submission, int]]:
    """(record, issue number) of every decided comment that came from this forge repository."""
    prefix = f"{forge.kind}:{forge.repo}#"
    for records in writer.portal.submissions.values():
        for record in records:
            if (
                record.channel == "issue"
                and record.source.startswith(prefix)
                and not record.decision.is_pending
            ):
                number = record.source[len(prefix) :]
                if number.isdigit():
                    yield record, int(number)


def notify_decisions(forge: Forge, writer: RecordWriter) -> list[tuple[Submission, bool]]:
    """Reply with each decision not yet posted; (record, posted now) for every decided comment.

    The marker names the record, the status and the date, so a changed decision is posted
    again and an unchanged one never twice.
    """
    done = []
    for record, number in decided_issue_comments(forge, writer):
        decision = record.decision
        tag = marker("decision", f"{record.id} {decision.status} {decision.date}")
        posted = False
        if not has_marker(forge, number, tag):
            forge.reply(number, decision_reply(record, writer.permalink(record.source)) + tag)
            posted = True
        done.append((record, posted))
    return done
