"""Polls: reading back the option a channel delivered, and the one-vote-per-person count."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from rayzani.i18n.text import normalise
from rayzani.model import Call, Domain, Poll, Vote, option_label

# Why a vote is not counted, in the order they are checked.
REJECTION_REASONS = ("held", "late", "early", "duplicate")


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
    if vote.publication.withheld:
        return "held"  # until an editor checks it (a web ballot sent without the proof of work)
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
