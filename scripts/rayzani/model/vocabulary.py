"""The closed vocabularies of the content model: kinds, channels, statuses, states, limits."""

from __future__ import annotations

import datetime as dt

LANGS = ("fa", "en")

DRAFT_KINDS = ("bylaw", "bill", "directive", "circular", "board-resolution", "policy")
CALL_KINDS = ("consultation", "crowdsourcing")
AUDIENCES = (
    "public",
    "experts",
    "ngos",
    "private-sector",
    "think-tanks",
    "research-institutes",
    "academics",
    "graduate-students",
    "executives",
    "public-bodies",
)
CHANNELS = ("issue", "form", "pull-request", "email", "paper")
RESPONDENT_TYPES = (
    "individual",
    "ngo",
    "company",
    "academic",
    "research-institute",
    "public-body",
    "other",
)
DECISION_STATUSES = (
    "pending",
    "accepted",
    "partially-accepted",
    "rejected",
    "noted",
    "out-of-scope",
    "duplicate",
)
# A call for ideas judges ideas through these stages instead of the comment statuses.
IDEA_STATUSES = ("received", "under-review", "shortlisted", "accepted", "rejected")
# Statuses that are not yet an answer to the participant.
OPEN_STATUSES = ("pending", "received", "under-review")
ALL_STATUSES = tuple(dict.fromkeys(DECISION_STATUSES + IDEA_STATUSES))
AGE_BANDS = ("under-18", "18-29", "30-44", "45-59", "60-plus")
GENDERS = ("female", "male", "other", "undisclosed")
# held: kept and counted but not shown (or a vote not counted) until an editor checks it, e.g. a
# web-form submission sent without the proof of work (`reason: unverified`).
PUBLICATION_STATES = ("published", "withheld", "held")
# Why editors withhold a comment's text: it is kept and counted, only its text is hidden.
WITHHELD_REASONS = ("abuse", "personal-data", "spam", "off-topic", "duplicate-delivery", "unverified")
REDACTION_KINDS = ("email", "phone", "national-id")
# A comment is prose about one article; GitHub itself caps an issue body at 65,536 characters.
MAX_COMMENT_CHARS = 20_000
# Comment periods are calendar days in Iran (no daylight saving since 2022).
IRAN_TIME = dt.timezone(dt.timedelta(hours=3, minutes=30))
STATES = ("upcoming", "open", "closed")
# A consultation's life as the public sees it: "closed" is closed and awaiting its report.
LIFECYCLE = ("upcoming", "open", "closed", "reported")
# What a published version of a draft is: the text put to consultation, a revision, the approved text.
VERSION_STAGES = ("consultation", "revision", "approved")
