"""The one writer of submission records: checks a delivered comment and writes it exactly once.

Every channel (issue forms, web-form exports, and later pull requests, email, paper) turns what
it received into an `Incoming` and hands it to `RecordWriter.record`, which returns what
happened. Idempotence is by `source`: a comment or vote whose source is already recorded is a
duplicate and nothing is written (an edited original does not rewrite the record).
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nacl.public import PublicKey

from rayzani import urls
from rayzani.analysis.discussions import Arrivals
from rayzani.analysis.polls import find_option
from rayzani.intake.guard import Guarded, guard_comment, guard_short, recorded_body, text_hash
from rayzani.intake.naming import (
    language_of,
    makes_pid,
    participant_id,
    section_anchor,
)
from rayzani.load.yaml_io import dump_record
from rayzani.model import (
    AGE_BANDS,
    CHANNELS,
    GENDERS,
    IRAN_TIME,
    RESPONDENT_TYPES,
    Portal,
    Submission,
    Vote,
    Window,
    option_label,
)
from rayzani.model.provinces import PROVINCES
from rayzani.security.sealing import PERSONAL_FIELDS, read_public_key, seal
from rayzani.security.secrets import ID_SECRET, read_secret
from rayzani.settings import Settings

# An Iranian mobile number given as an id, in any of the ways people write one.
_PERSONAL_CHOICES = {"age_band": AGE_BANDS, "gender": GENDERS, "province": tuple(PROVINCES)}
MAX_CONTACT_CHARS = 200


@dataclass
class Incoming:
    """A comment as a channel delivered it, before any check."""

    channel: str
    source: str  # the channel's own reference: github:owner/name#12, form:export:row-7
    record_id: str  # wanted id: gh-12, form-row-7 (made unique if another source has it)
    received: dt.datetime
    target: str | None
    body: str | None
    section: str | None = None
    domain: str | None = None
    author_type: str | None = None
    author_id: str | None = None
    author_name: str | None = None  # only when the participant consented to publish it
    organisation: str | None = None
    interest: str | None = None
    personal: dict[str, str] = field(default_factory=dict)  # sealed, never written in clear
    # A ballot: the option as delivered (an id, a form label or a name); "" when none was chosen.
    # None for a comment. `target` is then the call that holds the poll.
    vote: str | None = None
    # Set by a channel that checked the submission itself before storing it (the web receiver):
    # the personal data already sealed (then `personal` is empty), what it redacted, and the
    # reference number it gave the participant.
    sealed: str | None = None
    redacted: tuple[str, ...] = ()
    reference: str | None = None
    # Held for an editor's check (the web receiver's form sent without its proof of work).
    held: bool = False


@dataclass(frozen=True)
class Rejection:
    """Why a comment cannot be recorded: a code (for the bilingual reply) and the detail."""

    # missing, unknown-target, unknown-section, unknown-domain, not-open, empty, too-long, bad-value,
    # no-poll, unknown-option, poll-not-open
    code: str
    field: str
    detail: str = ""
    choices: str = ""  # what would have been accepted, for the participant's reply


@dataclass
class Outcome:
    status: str  # new, duplicate, rejected
    incoming: Incoming
    record_id: str | None = None
    path: Path | None = None
    late: bool = False
    redactions: tuple[str, ...] = ()
    rejection: Rejection | None = None
    # For a duplicate: the hash recorded, and the hash of what was delivered this time.
    recorded_sha256: str | None = None
    text_sha256: str | None = None
    # For `RecordWriter.check`: the record that would be written (status "accepted").
    record: dict[str, Any] | None = None

    @property
    def edited(self) -> bool:
        """A duplicate whose text differs from what was recorded (the original was edited)."""
        return (
            self.status == "duplicate"
            and bool(self.recorded_sha256)
            and self.recorded_sha256 != self.text_sha256
        )


class RecordWriter:
    """Checks each delivered comment against the portal and writes new records."""

    def __init__(self, root: Path, settings: Settings, portal: Portal, site_url: str = ""):
        self.root = root
        self.settings = settings
        self.portal = portal
        self.site_url = site_url
        self._public_key: PublicKey | None = None
        self._id_secret: bytes | None = None
        # Comments and votes share one source space: a ballot delivered again is a duplicate too.
        self.recorded: dict[str, Submission | Vote | _Recorded] = {
            r.source: r for records in portal.submissions.values() for r in records
        }
        self.recorded.update({v.source: v for votes in portal.votes.values() for v in votes})
        # Where each comment lands (hence its permanent link), kept up to date as comments arrive.
        self._arrivals = Arrivals(portal)

    @property
    def public_key(self) -> PublicKey:
        if self._public_key is None:
            self._public_key = read_public_key(self.root, self.settings)
        return self._public_key

    @property
    def id_secret(self) -> bytes | None:
        """The participant-id secret, read when first needed (most channels never need it)."""
        if self._id_secret is None:
            self._id_secret = read_secret(self.root, self.settings, ID_SECRET)
        return self._id_secret

    def check(self, incoming: Incoming) -> Outcome:
        """What `record` would do, writing and remembering nothing: "accepted" with the record
        (personal data sealed, text redacted), or "rejected" or "duplicate" as `record` says.

        Safe to call from several threads at once (the receiver does): whether to write is an
        argument of this call, never state of the writer."""
        return self._record(incoming, write=False)

    def record(self, incoming: Incoming) -> Outcome:
        """Check and write one comment or vote; never raises for bad input, returns the outcome."""
        return self._record(incoming, write=True)

    def _record(self, incoming: Incoming, write: bool) -> Outcome:
        if incoming.vote is not None:
            return self._record_vote(incoming, write)
        guarded = guard_comment(incoming.body)
        duplicate = self._duplicate(incoming, guarded.sha256, guarded.raw_sha256)
        if duplicate is not None:
            return duplicate
        record, rejection, late = self._check(incoming, guarded.problem)
        if rejection is not None:
            return Outcome("rejected", incoming, rejection=rejection, text_sha256=guarded.sha256)
        author, kinds, rejection = self._author(incoming)
        if rejection is not None:
            return Outcome("rejected", incoming, rejection=rejection, text_sha256=guarded.sha256)
        redactions = set(guarded.redactions) | set(kinds) | set(incoming.redacted)
        record.update(
            language=language_of(guarded.text),
            body=recorded_body(guarded.text),
            author=author,
        )
        self._seal(record, incoming)
        record["decision"] = {"status": self.portal.initial_status(record["target"])}
        outcome = self._write_new(record, incoming, redactions, late, guarded.sha256, write)
        if outcome.status == "new":
            self._arrivals.add(record["target"], record.get("section"), incoming.received, record["id"])
        return outcome

    def _write_new(
        self, record: dict[str, Any], incoming: Incoming, redactions: set[str], late: bool, digest: str,
        write: bool,
    ) -> Outcome:
        """Write a checked comment or vote, remember its source, and say it was recorded."""
        if redactions:
            record["redactions"] = sorted(redactions)
        if late:
            record["late"] = True
        record["text_sha256"] = digest
        if incoming.reference:
            record["reference"] = incoming.reference
        if incoming.held:
            record["publication"] = {"state": "held", "reason": "unverified"}
        if not write:
            record["id"] = incoming.record_id
            return Outcome(
                "accepted", incoming, record_id=incoming.record_id, late=late,
                redactions=tuple(sorted(redactions)), text_sha256=digest, record=record,
            )  # fmt: skip
        path = self._write(record, incoming)
        vote = incoming.vote is not None
        self.recorded[incoming.source] = _Recorded(record["id"], path, digest, incoming.received, vote=vote)
        return Outcome(
            "new",
            incoming,
            record_id=record["id"],
            path=path,
            late=late,
            redactions=tuple(sorted(redactions)),
            text_sha256=digest,
        )

    def _duplicate(self, incoming: Incoming, text_sha256: str, raw_sha256: str) -> Outcome | None:
        """A second delivery of a recorded source: nothing is written; an edit shows in the digests."""
        known = self.recorded.get(incoming.source)
        if known is None:
            return None
        recorded = known.text_sha256
        if recorded == raw_sha256:
            # Records written before hashes were taken after redaction hold the hash of the text
            # as received: the same text delivered again is not an edit.
            recorded = text_sha256
        return Outcome(
            "duplicate",
            incoming,
            record_id=known.id,
            path=known.path,
            recorded_sha256=recorded,
            text_sha256=text_sha256,
        )

    def _author(self, incoming: Incoming) -> tuple[dict[str, str], tuple[str, ...], Rejection | None]:
        """The record's `author`, guarded like the text, with what was redacted from it."""
        author: dict[str, str] = {}
        if incoming.author_id:
            author["id"] = self._participant_id(incoming.author_id)
        author["type"] = incoming.author_type or "individual"
        redactions: set[str] = set()
        for key, value in (
            ("name", incoming.author_name),
            ("organisation", incoming.organisation),
            ("interest", incoming.interest),
        ):
            clean, kinds, problem = guard_short(value, key)
            if problem:
                return {}, (), Rejection("too-long", key, str(len(value or "")))
            redactions |= set(kinds)
            if clean:
                author[key] = clean
        return author, tuple(sorted(redactions)), None

    def _participant_id(self, value: str) -> str:
        # Only an email or a phone number needs the secret: it is read for those alone.
        return participant_id(value, self.id_secret if makes_pid(value) else None, self.settings)

    def _seal(self, record: dict[str, Any], incoming: Incoming) -> None:
        if incoming.sealed:
            record["sealed"] = incoming.sealed
            return
        personal = {k: v for k, v in incoming.personal.items() if k in PERSONAL_FIELDS and v}
        if personal:
            record["sealed"] = seal(personal, self.public_key)

    @staticmethod
    def _check_values(incoming: Incoming) -> Rejection | None:
        """The respondent type and the personal data, each one of its allowed values."""
        if incoming.author_type and incoming.author_type not in RESPONDENT_TYPES:
            return Rejection("bad-value", "type", incoming.author_type)
        for key, value in incoming.personal.items():
            choices = _PERSONAL_CHOICES.get(key)
            if value and choices and value not in choices:
                return Rejection("bad-value", key, value)
            if key == "contact" and value and len(value) > MAX_CONTACT_CHARS:
                return Rejection("too-long", key, str(len(value)))
        return None

    def _record_vote(self, incoming: Incoming, write: bool) -> Outcome:
        """Check and write one vote in a call's poll, with the same guarantees as a comment."""
        words = guard_comment(incoming.body) if incoming.body and incoming.body.strip() else None
        # The option as delivered and the words as recorded (after redaction), so that an edited
        # re-delivery shows and no redacted value can be confirmed from the published hash.
        recorded_words = recorded_body(words.text) if words is not None and not words.problem else ""
        digest = text_hash(f"{incoming.vote or ''}\n{recorded_words}")
        received = text_hash(f"{incoming.vote or ''}\n{incoming.body or ''}")
        duplicate = self._duplicate(incoming, digest, received)
        if duplicate is not None:
            return duplicate
        record, rejection, late = self._check_vote(incoming, words)
        author: dict[str, str] = {}
        kinds: tuple[str, ...] = ()
        if rejection is None:
            author, kinds, rejection = self._author(incoming)
        if rejection is not None:
            return Outcome("rejected", incoming, rejection=rejection, text_sha256=digest)
        redactions = set(kinds) | set(incoming.redacted)
        if words is not None and words.text:
            redactions |= set(words.redactions)
            record.update(language=language_of(words.text), body=recorded_body(words.text))
        record["author"] = author
        self._seal(record, incoming)
        return self._write_new(record, incoming, redactions, late, digest, write)

    @staticmethod
    def _target(incoming: Incoming, field: str) -> tuple[str, Rejection | None]:
        """The slug a submission names, or why it names none (an unknown channel is a bug)."""
        if incoming.channel not in CHANNELS:
            raise ValueError(f"unknown channel {incoming.channel!r}")
        target = (incoming.target or "").strip().lower()
        return target, None if target else Rejection("missing", field)

    def _check_vote(
        self, incoming: Incoming, words: Guarded | None
    ) -> tuple[dict[str, Any], Rejection | None, bool]:
        """A vote's record fields, or why it cannot be recorded (nothing is written then)."""
        target, missing = self._target(incoming, "call")
        if missing:
            return {}, missing, False
        call = self.portal.calls.get(target)
        if call is None:
            return {}, Rejection("unknown-target", "call", target), False
        if call.poll is None:
            return {}, Rejection("no-poll", "call", target), False
        option = find_option(call.poll, incoming.vote)
        if option is None:
            choices = ", ".join(option_label(o) for o in call.poll.options)
            if not (incoming.vote or "").strip():
                return {}, Rejection("missing", "vote", choices=choices), False
            return {}, Rejection("unknown-option", "vote", incoming.vote or "", choices), False
        if not incoming.author_id:
            # One vote per person is counted by this id: a ballot without it cannot be counted.
            return {}, Rejection("missing", "participant_id"), False
        rejection = self._check_values(incoming)
        if rejection is None and words is not None and words.problem == "too-long":
            rejection = Rejection("too-long", "comment", str(len(incoming.body or "")))
        if rejection is not None:
            return {}, rejection, False
        day = incoming.received.astimezone(IRAN_TIME).date()
        if day < call.window.opens:
            return {}, Rejection("poll-not-open", "call", call.window.opens.isoformat()), False
        record: dict[str, Any] = {
            "id": "",
            "target": call.slug,
            "vote": option.id,
            # Stored in Iran time: the tally reads a vote's day from the record's own offset,
            # and intake judges the period in Iranian calendar days; so both see the same day.
            "received": incoming.received.astimezone(IRAN_TIME),
            "channel": incoming.channel,
            "source": incoming.source,
        }
        return record, None, day > call.window.closes

    def _check(
        self, incoming: Incoming, body_problem: str | None
    ) -> tuple[dict[str, Any], Rejection | None, bool]:
        """The record's addressing fields, or why the comment cannot be recorded."""
        target, missing = self._target(incoming, "draft")
        if missing:
            return {}, missing, False
        draft = self.portal.drafts.get(target)
        call = self.portal.calls.get(target)
        if draft is None and call is not None and call.draft in self.portal.drafts:
            draft, call = self.portal.drafts[call.draft], None  # a consultation call: file under its draft
        if draft is None and call is None:
            return {}, Rejection("unknown-target", "draft", target), False
        record: dict[str, Any] = {"id": "", "target": draft.slug if draft else target}
        window: Window = draft.window if draft else call.window  # type: ignore[union-attr]
        if draft is not None:
            section = section_anchor(incoming.section)
            if section and section not in draft.anchors():
                return {}, Rejection("unknown-section", "article", incoming.section or ""), False
            if section:
                record["section"] = section
        if call is not None and incoming.domain:
            domain = incoming.domain.strip().lower()
            if call.domain(domain) is None:
                return {}, Rejection("unknown-domain", "domain", incoming.domain), False
            record["domain"] = domain
        rejection = self._check_values(incoming)
        if rejection is not None:
            return {}, rejection, False
        if body_problem:
            detail = str(len(incoming.body or "")) if body_problem == "too-long" else ""
            return {}, Rejection(body_problem, "comment", detail), False
        received = incoming.received
        # Comment periods are calendar days in Iran (no daylight saving since 2022).
        day = received.astimezone(IRAN_TIME).date()
        if day < window.opens:
            return {}, Rejection("not-open", "draft", window.opens.isoformat()), False
        record.update(received=received, channel=incoming.channel, source=incoming.source)
        return record, None, day > window.closes

    def _write(self, record: dict[str, Any], incoming: Incoming) -> Path:
        folder = self.root / "submissions" / record["target"]
        folder.mkdir(parents=True, exist_ok=True)
        wanted = incoming.record_id
        for attempt in range(100):
            record_id = wanted if attempt == 0 else f"{wanted[:58]}-{attempt + 1}"
            record["id"] = record_id
            ordered = {"id": record_id, **{k: v for k, v in record.items() if k != "id"}}
            path = folder / f"{record_id}.yml"
            if path.exists():
                continue
            # Written whole to a temporary file, then linked into place: a run cut off midway
            # leaves no half-written record, and linking fails rather than overwrite a record
            # (even one the loader rejected and therefore did not list).
            temporary = folder / f".{record_id}.{os.getpid()}.tmp"
            temporary.write_text(dump_record(ordered), encoding="utf-8")
            try:
                os.link(temporary, path)
                return path
            except FileExistsError:
                continue
            finally:
                temporary.unlink()
        raise RuntimeError(f"no free record id for {incoming.source}")

    def permalink(self, source: str) -> str:
        """The recorded comment's permanent address on the site (Persian pages are the root)."""
        known = self.recorded.get(source)
        if known is None:
            return ""
        target = known.path.parent.name
        if isinstance(known, Vote) or (isinstance(known, _Recorded) and known.vote):
            return urls.absolute(self.site_url, urls.poll_key(target), "fa")  # a vote is counted there
        anchor = urls.comment_anchor(known.id)
        if self.portal.kind_of(target) != "draft":
            return urls.absolute(self.site_url, urls.call_key(target), "fa", anchor)
        place = self._arrivals.place(target, known.id, known.received, self.settings.comments_per_page)
        key = urls.discussion_key(target, place.anchor, place.page) if place else urls.draft_key(target)
        return urls.absolute(self.site_url, key, "fa", anchor)

    def landing(self, record: dict[str, Any]) -> str:
        """Where a record from `check` will be shown once recorded, as the discussions stand now
        (a comment takes its place by time of arrival, so later ones do not move it)."""
        target = record["target"]
        if "vote" in record:
            return urls.absolute(self.site_url, urls.poll_key(target), "fa")
        anchor = urls.comment_anchor(record["id"])
        if self.portal.kind_of(target) != "draft":
            return urls.absolute(self.site_url, urls.call_key(target), "fa", anchor)
        per_page = self.settings.comments_per_page
        place = self._arrivals.landing(
            target, record.get("section"), record["received"], record["id"], per_page
        )
        return urls.absolute(
            self.site_url, urls.discussion_key(target, place.anchor, place.page), "fa", anchor
        )


@dataclass(frozen=True)
class _Recorded:
    """What the writer remembers of a record it wrote in this run."""

    id: str
    path: Path
    text_sha256: str
    received: dt.datetime
    vote: bool = False
