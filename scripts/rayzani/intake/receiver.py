"""The web receiver's channel: what it stores of a checked submission, and the drain into records.

The receiver (`rayzani receive`) checks a posted form with the one writer's rules
(`RecordWriter.check`), and stores `stored_fields` of the outcome: the text as it will be
recorded (normalised and redacted), the personal data already sealed. `drain` writes what was
stored into `submissions/` through the one writer, idempotent by the receiver's submission id
(the record's `source`), and marks a submission drained only once its record file is on disk.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from rayzani.intake.naming import record_id
from rayzani.intake.records import Incoming, Outcome, RecordWriter

FORM = "web"  # the receiver's records: source form:web:<submission id>, id web-<reference>


def receiver_incoming(incoming: Incoming, submission_id: str, reference: str) -> Incoming:
    """A posted form's `Incoming` named as the receiver's: by its submission id and reference."""
    incoming.source = source_of(submission_id)
    incoming.record_id = record_id(FORM, reference)
    incoming.reference = reference
    return incoming


def stored_fields(outcome: Outcome) -> dict[str, Any]:
    """What the receiver keeps of an accepted submission: nothing personal in clear."""
    record, incoming = outcome.record or {}, outcome.incoming
    author = record.get("author", {})
    return {
        "source": incoming.source,
        "record_id": incoming.record_id,
        "reference": incoming.reference,
        "received": incoming.received.isoformat(),
        "target": record.get("target"),
        "section": record.get("section"),
        "domain": record.get("domain"),
        "body": record.get("body"),
        "vote": record.get("vote"),
        "author_type": author.get("type"),
        "author_id": author.get("id"),  # a pid: made by the writer, never the email or number
        "author_name": author.get("name"),
        "organisation": author.get("organisation"),
        "interest": author.get("interest"),
        "sealed": record.get("sealed"),
        "redacted": list(outcome.redactions),
        "late": outcome.late,
    }


def stored_incoming(fields: dict[str, Any]) -> Incoming:
    """The `Incoming` the writer records from what the receiver stored."""
    return Incoming(
        channel="form",
        source=fields["source"],
        record_id=fields["record_id"],
        received=dt.datetime.fromisoformat(fields["received"]),
        target=fields["target"],
        body=fields["body"],
        section=fields.get("section"),
        domain=fields.get("domain"),
        author_type=fields.get("author_type"),
        author_id=fields.get("author_id"),
        author_name=fields.get("author_name"),
        organisation=fields.get("organisation"),
        interest=fields.get("interest"),
        vote=fields.get("vote"),
        sealed=fields.get("sealed"),
        redacted=tuple(fields.get("redacted") or ()),
        reference=fields.get("reference"),
        held=bool(fields.get("held")),
    )


class Pending(Protocol):
    id: str
    fields: dict[str, Any]


def source_of(submission_id: str) -> str:
    return f"form:{FORM}:{submission_id}"


class Drainable(Protocol):
    """The receiver's store, as the drain sees it."""

    def pending(self) -> Iterable[Pending]: ...

    def drained_ids(self) -> Iterable[str]: ...

    def get(self, sid: str) -> Pending | None: ...

    def mark(self, sid: str, state: str, record_id: str | None) -> None: ...


@dataclass
class Drained:
    submission_id: str
    outcome: Outcome


def durable(path: Path) -> None:
    """Make a written record survive a power cut: the file's bytes, then its name in the folder."""
    with path.open("rb") as handle:
        os.fsync(handle.fileno())
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


def _lost_since_drained(writer: RecordWriter, store: Drainable) -> list[Pending]:
    """Submissions drained earlier whose record this checkout does not hold: the run that wrote
    them never got them into the repository (a push that failed, a runner thrown away). They
    are written again, so that a record reaches the repository however the earlier run ended."""
    lost = []
    for sid in store.drained_ids():
        if source_of(sid) not in writer.recorded:
            item = store.get(sid)
            if item is not None:
                lost.append(item)
    return lost


def drain(
    writer: RecordWriter, store: Drainable, progress: Callable[[Drained], None] | None = None
) -> list[Drained]:
    """Write every pending submission into `submissions/`; mark each only once it is durable.

    A run stopped between a record's write and its mark finds that record's source recorded on
    the next run: the writer answers "duplicate", nothing is written twice, and it is marked then.
    """
    done = []
    for item in [*store.pending(), *_lost_since_drained(writer, store)]:
        outcome = writer.record(stored_incoming(item.fields))
        if outcome.status in ("new", "duplicate") and outcome.path is not None:
            durable(outcome.path)
            store.mark(item.id, "drained", outcome.record_id)
        elif outcome.status == "rejected":
            # The portal changed since it was received (a draft withdrawn, an article removed):
            # kept in the store, marked, and listed with the reason, never silently dropped.
            store.mark(item.id, "refused", None)
        drained = Drained(item.id, outcome)
        done.append(drained)
        if progress:
            progress(drained)
    return done
