"""Polls: the options a call puts to a vote, vote records, their checks, and the one-vote-per-person count."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rayzani.i18n.text import normalise
from rayzani.load import schema as s
from rayzani.model import (
    CHANNELS,
    IRAN_TIME,
    LANGS,
    REDACTION_KINDS,
    Author,
    Call,
    Domain,
    Localized,
    Poll,
    Portal,
    Vote,
)
from rayzani.problems import Problem

F = s.Field

# Why a vote is not counted, in the order they are checked.
REJECTION_REASONS = ("late", "early", "duplicate")


POLL_FIELDS = {
    "question": F(s.text, "the question put to the vote"),
    "options": F(s.list_of(s.named_id), "a list of `{id: slug, name: text}`, at least two"),
}


def check_poll(value: Any) -> str | None:
    """The `poll:` field of a call's front matter (each language file has its own wording)."""
    if not isinstance(value, dict):
        return "must be a mapping with `question:` and `options:`"
    found = s.check_mapping(value, POLL_FIELDS, Path("."))
    if found:
        return f"{found[0].field} {found[0].message}"
    ids = [o["id"] for o in value["options"]]
    if len(ids) < 2 or len(set(ids)) != len(ids):
        return "needs at least two options with different ids"
    return None


def poll_of(fa: dict, en: dict, en_path: Path, problems: list[Problem]) -> Poll | None:
    """The call's poll from its two language files (already checked field by field)."""
    if not fa.get("poll") and not en.get("poll"):
        return None
    fa_ids = [o["id"] for o in (fa.get("poll") or {}).get("options", [])]
    en_ids = [o["id"] for o in (en.get("poll") or {}).get("options", [])]
    if fa_ids != en_ids:
        problems.append(
            Problem(
                en_path,
                "poll.options",
                "do not have the same ids in the same order as the Persian file",
                "use the same option ids in both files",
            )
        )
        return None
    en_names = {o["id"]: normalise(o["name"]) for o in en["poll"]["options"]}
    return Poll(
        question=Localized(normalise(fa["poll"]["question"]), normalise(en["poll"]["question"])),
        options=tuple(
            Domain(o["id"], Localized(normalise(o["name"]), en_names[o["id"]])) for o in fa["poll"]["options"]
        ),
    )


def option_label(option: Domain) -> str:
    """How an issue form lists an option: "دو هفته / Two weeks", like the form's other choices."""
    return f"{option.name.fa} / {option.name.get('en')}"


def _comparable(value: str) -> str:
    return " ".join(normalise(value).split()).casefold()


def find_option(poll: Poll, value: str | None) -> Domain | None:
    """The option a channel delivered: its id, its issue-form label, or its name in either language.

    GitHub writes a dropdown's chosen label into the issue, and a form tool exports whatever its
    own choice was called, so every way of naming an option is read back to its one id.
    """
    wanted = _comparable(value or "")
    if not wanted:
        return None
    for option in poll.options:
        names = (option.id, option_label(option), option.name.fa, option.name.get("en"))
        if wanted in {_comparable(name) for name in names}:
            return option
    return None


def _not_empty_mapping(value: Any) -> str | None:
    return None if isinstance(value, dict) else "must be a mapping"


VOTE_FIELDS = {
    "id": F(s.slug, "the file name without .yml"),
    "target": F(s.slug, "the folder name (the slug of a call with a poll)"),
    "vote": F(s.slug, "the id of one of the call's poll options"),
    "received": F(s.timestamp, "a timestamp like 2026-11-02T10:15:00+03:30"),
    "channel": F(s.one_of(CHANNELS), f"one of {', '.join(CHANNELS)}"),
    "source": F(s.text, "the channel's reference, e.g. form:row-12"),
    "language": F(s.one_of(LANGS), "fa or en", required=False),
    "body": F(s.text, "the participant's words, if they wrote any", required=False),
    "author": F(_not_empty_mapping, "a mapping with at least `id:` and `type:`"),
    "sealed": F(s.text, "the base64 sealed box of personal data", required=False),
    "late": F(s.boolean, "true or false", required=False),
    "demo": F(s.boolean, "true or false", required=False),
    "text_sha256": F(s.text, "the SHA-256 of the option and the words as recorded", required=False),
    "reference": F(s.reference, "the receipt's reference number, like 1234-5678", required=False),
    # What intake removed from the participant's words (or name) before recording them.
    "redactions": F(
        s.list_of(s.one_of(REDACTION_KINDS)), f"a list of: {', '.join(REDACTION_KINDS)}", required=False
    ),
}


def load_vote(data: dict, path: Path, author_fields: dict[str, s.Field]) -> tuple[Vote | None, list[Problem]]:
    """A vote record: a record with `vote:`; it needs `author.id`, the only way to count one per person."""
    found = s.check_mapping(data, VOTE_FIELDS, path)
    if not found:
        found += s.check_mapping(data["author"], author_fields, path, "author.")
    if not found and not data["author"].get("id"):
        found.append(
            Problem(
                path,
                "author.id",
                "is missing on a vote",
                "a vote must carry the participant's identity, so that each person is counted once",
            )
        )
    if not found and (data["id"] != path.stem or data["target"] != path.parent.name):
        found.append(
            Problem(path, "id", "or target does not match the file's name and folder", "fix id: and target:")
        )
    if found:
        return None, found
    a = data["author"]
    vote = Vote(
        id=data["id"],
        path=path,
        target=data["target"],
        option=data["vote"],
        received=data["received"],
        channel=data["channel"],
        source=data["source"],
        author=Author(type=a["type"], id=a["id"], name=a.get("name"), organisation=a.get("organisation")),
        late=bool(data.get("late", False)),
        demo=bool(data.get("demo", False)),
        text_sha256=data.get("text_sha256"),
        reference=data.get("reference"),
    )
    return vote, []


def check_votes(portal: Portal, problems: list[Problem]) -> None:
    """Every vote is on a call with a poll, names one of its options, was recorded once, and says if late."""
    sources = {r.source: r.path for records in portal.submissions.values() for r in records}
    for target, votes in portal.votes.items():
        call = portal.calls.get(target)
        for vote in votes:
            if vote.source in sources:
                problems.append(
                    Problem(
                        vote.path,
                        "source",
                        f"{vote.source!r} is already recorded in {sources[vote.source].name}",
                        "delete the duplicate record",
                    )
                )
            sources.setdefault(vote.source, vote.path)
            if call is None or call.poll is None:
                problems.append(
                    Problem(
                        vote.path,
                        "vote",
                        f"is a vote, but {target!r} is not a call with a poll",
                        "add `poll:` to the call, or move the record to the call that holds the poll",
                    )
                )
            elif call.poll.option(vote.option) is None:
                ids = ", ".join(o.id for o in call.poll.options)
                problems.append(
                    Problem(
                        vote.path,
                        "vote",
                        f"is {vote.option!r}, not an option of the poll",
                        f"use one of: {ids}",
                    )
                )
            # Like a comment: intake marks a vote after the close (an Iranian calendar day), so an
            # unmarked one was written by hand or altered, and the page would not say why it is not counted.
            if (
                call is not None
                and not vote.late
                and vote.received.astimezone(IRAN_TIME).date() > call.window.closes
            ):
                problems.append(
                    Problem(
                        vote.path,
                        "late",
                        f"is missing: the vote arrived after the call closed on {call.window.closes}",
                        "add late: true (it is kept and shown as a late vote, not counted)",
                    )
                )


def check_vote_forms(forms: dict[Path, Any], portal: Portal, problems: list[Problem]) -> dict[str, str]:
    """A vote issue form offers exactly its call's poll options: no ballot is refused for a stale label.

    A vote form is an issue form with a `vote` dropdown; its `call` input names the call by its
    default `value`. The dropdown's options are the poll's `option_label`s, in the poll's order.
    Returns the file name of each call's form, for the site's "vote on GitHub" links.
    """
    served: dict[str, str] = {}
    for path, data in forms.items():
        fields = {
            item.get("id"): item
            for item in (data.get("body") or [] if isinstance(data, dict) else [])
            if isinstance(item, dict)
        }
        vote = fields.get("vote")
        if vote is None:
            continue
        attributes = vote.get("attributes") or {}
        if vote.get("type") != "dropdown" or attributes.get("multiple"):
            problems.append(
                Problem(
                    path,
                    "body.vote",
                    "must be a single-choice dropdown",
                    "write `type: dropdown` without `multiple`",
                )
            )
            continue
        slug = str(((fields.get("call") or {}).get("attributes") or {}).get("value") or "").strip()
        call = portal.calls.get(slug)
        if call is None or call.poll is None:
            polls = ", ".join(c.slug for c in portal.calls.values() if c.poll) or "none"
            problems.append(
                Problem(
                    path,
                    "body.call.attributes.value",
                    f"is {slug!r}, which is not a call with a poll (calls with a poll: {polls})",
                    "set it to the slug of the call whose poll this form votes in, or delete the form",
                )
            )
            continue
        expected = [option_label(o) for o in call.poll.options]
        given = [str(o.get("label") if isinstance(o, dict) else o) for o in attributes.get("options") or []]
        if given != expected:
            problems.append(
                Problem(
                    path,
                    "body.vote.attributes.options",
                    f"do not match the poll of {call.slug!r}",
                    "list exactly these options, in this order: " + "; ".join(f'"{e}"' for e in expected),
                )
            )
            continue
        if call.slug in served:
            # A link can open one form only; two forms for one poll would drift apart.
            problems.append(
                Problem(
                    path,
                    "body.call.attributes.value",
                    f"is {call.slug!r}, whose poll already has the form {served[call.slug]}",
                    "delete one of the two forms",
                )
            )
            continue
        served[call.slug] = path.name
    return served


@dataclass
class Tally:
    """A poll's result: each participant's first vote in the voting period counts, once."""

    counts: dict[str, int]
    rejected: Counter[str] = field(default_factory=Counter)
    # (vote, reason) for every vote not counted, in the order received.
    rejections: list[tuple[Vote, str]] = field(default_factory=list)

    @property
    def counted(self) -> int:
        return sum(self.counts.values())

    def share(self, option_id: str) -> float:
        return self.counts[option_id] / self.counted if self.counted else 0.0


def _why_rejected(vote: Vote, call: Call, voters: set[str]) -> str | None:
    day: dt.date = vote.received.date()  # the day where the participant was, by the record's offset
    if vote.late or day > call.window.closes:
        return "late"
    if day < call.window.opens:
        return "early"
    if vote.author.id in voters:
        return "duplicate"
    return None


def tally(call: Call, votes: list[Vote]) -> Tally:
    """Count one vote per participant; later votes by the same person and votes outside the period are not."""
    assert call.poll is not None
    result = Tally(counts={o.id: 0 for o in call.poll.options})
    voters: set[str] = set()
    for vote in sorted(votes, key=lambda v: (v.received, v.id)):
        reason = _why_rejected(vote, call, voters)
        if reason:
            result.rejected[reason] += 1
            result.rejections.append((vote, reason))
            continue
        voters.add(vote.author.id or "")
        result.counts[vote.option] = result.counts.get(vote.option, 0) + 1
    return result
