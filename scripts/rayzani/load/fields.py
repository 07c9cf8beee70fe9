"""Every field table: what each file may hold, with the check and the expected form of each field.

Records (comments, ideas, votes), drafts and their versions, calls (with their poll and
criteria), reports and panels. Validation reads these tables; docs/reference.md documents them.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from rayzani.load import schema as s
from rayzani.model import (
    ALL_STATUSES,
    AUDIENCES,
    CALL_KINDS,
    CHANNELS,
    DRAFT_KINDS,
    LANGS,
    PUBLICATION_STATES,
    REDACTION_KINDS,
    RESPONDENT_TYPES,
    VERSION_STAGES,
    WITHHELD_REASONS,
)

F = s.Field

def _version_label(value: Any) -> str | None:
    return s.slug(str(value)) if isinstance(value, str | int) else "must be text"


def _change(value: Any) -> str | None:
    if not isinstance(value, dict) or set(value) != {"article", "comments"}:
        return "must be a mapping with exactly `article:` and `comments:`"
    return s.slug(value["article"]) or s.list_of(s.slug)(value["comments"])


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



def check_criterion(value: Any) -> str | None:
    """One entry of a call's `criteria:`: what ideas are scored by, and the highest score."""
    if not isinstance(value, dict) or set(value) != {"id", "name", "out_of"}:
        return "must be a mapping with exactly `id:`, `name:` and `out_of:`"
    if not isinstance(value["out_of"], int) or isinstance(value["out_of"], bool) or value["out_of"] < 1:
        return "has an `out_of:` that is not a whole number of at least 1"
    return s.slug(value["id"]) or s.text(value["name"])


def check_scores(value: Any) -> str | None:
    if not isinstance(value, dict) or not value:
        return "must be a mapping of criterion ids to scores"
    for key, score in value.items():
        if s.slug(key) or not isinstance(score, int | float) or isinstance(score, bool) or score < 0:
            return f"has {key!r}: {score!r}; write `criterion-id: score` with a score of 0 or more"
    return None


def _member(value: Any) -> str | None:
    if not isinstance(value, dict) or not set(value) <= {"name", "title"} or "name" not in value:
        return "must be a mapping with `name: {fa, en}` and optional `title: {fa, en}`"
    return s.localized(value["name"]) or (s.localized(value["title"]) if "title" in value else None)


PANEL_FIELDS = {
    "name": F(s.localized, "`fa:` and `en:` names of the panel"),
    "chair": F(_member, "`{name: {fa, en}, title: {fa, en}}`"),
    "secretary": F(_member, "`{name: {fa, en}, title: {fa, en}}`"),
    "members": F(s.list_of(_member, allow_empty=True), "a list of `{name, title}`", required=False),
    "drafts": F(s.list_of(s.slug), "slugs of the drafts the panel reviews", required=False),
    "domains": F(s.list_of(s.slug), "domain ids of the calls for ideas it judges", required=False),
    "demo": F(s.boolean, "true or false", required=False),
}


DRAFT_FA_FIELDS = {
    "title": F(s.text, "the draft's title"),
    "kind": F(s.one_of(DRAFT_KINDS), f"one of {', '.join(DRAFT_KINDS)}"),
    "issuing_unit": F(s.text, "the unit that drafted the text"),
    "domain": F(s.text, "the policy domain"),
    "opens": F(s.date, "a date like 2026-11-01"),
    "closes": F(s.date, "a date like 2026-12-01"),
    "version": F(_version_label, 'a label like "1" (lowercase letters, digits, hyphens)'),
    "summary": F(s.text, "a one-paragraph summary"),
    "demo": F(s.boolean, "true or false", required=False),
    "published": F(s.date, "the date this version was published, like 2026-11-22", required=False),
    "changes": F(s.list_of(_change), "a list of `{article: art-N, comments: [record ids]}`", required=False),
    "stage": F(s.one_of(VERSION_STAGES), f"one of {', '.join(VERSION_STAGES)}", required=False),
}
# The translation repeats only what it translates; anything else must agree with Persian.
DRAFT_EN_FIELDS = {
    **{
        k: F(v.check, v.expected, required=False)
        for k, v in DRAFT_FA_FIELDS.items()
        if k not in ("changes", "stage")
    },
    "title": DRAFT_FA_FIELDS["title"],
    "summary": DRAFT_FA_FIELDS["summary"],
}


# An earlier published text: content/drafts/<slug>/versions/<label>.fa.md (and .en.md).
VERSION_FIELDS = {
    "published": F(s.date, "the date this version was published, like 2026-11-10"),
    "title": F(s.text, "the title this version had", required=False),
    "summary": F(s.text, "the summary this version had", required=False),
    "changes": DRAFT_FA_FIELDS["changes"],
    "stage": DRAFT_FA_FIELDS["stage"],
}
VERSION_EN_FIELDS = {
    k: F(VERSION_FIELDS[k].check, VERSION_FIELDS[k].expected, False) for k in ("title", "summary")
}


CALL_FIELDS = {
    "title": F(s.text, "the call's title"),
    "kind": F(s.one_of(CALL_KINDS), "consultation or crowdsourcing"),
    "asked": F(s.text, "one sentence saying what participants are asked"),
    "audience": F(s.list_of(s.one_of(AUDIENCES)), f"a list of: {', '.join(AUDIENCES)}"),
    "opens": F(s.date, "a date like 2026-11-01"),
    "closes": F(s.date, "a date like 2026-12-01"),
    "draft": F(s.slug, "the slug of a draft under content/drafts/", required=False),
    "domains": F(s.list_of(s.named_id), "a list of `{id: slug, name: text}`", required=False),
    "channels": F(s.list_of(s.one_of(CHANNELS)), f"a list of: {', '.join(CHANNELS)}"),
    "organiser": F(s.text, "who runs the call"),
    "demo": F(s.boolean, "true or false", required=False),
    "criteria": F(
        s.list_of(check_criterion), "a list of `{id: slug, name: text, out_of: whole number}`", required=False
    ),
    "poll": F(check_poll, "`{question: text, options: [{id: slug, name: text}, ...]}`", required=False),
}
# Fields that are facts about the call, not text: both language files must agree on them.
CALL_SHARED = ("kind", "audience", "opens", "closes", "draft", "channels", "demo")

AUTHOR_FIELDS = {
    "id": F(s.text, "the identity the participant chose, e.g. github:login", required=False),
    "type": F(s.one_of(RESPONDENT_TYPES), f"one of {', '.join(RESPONDENT_TYPES)}"),
    "name": F(s.text, "the display name the participant consented to publish", required=False),
    "organisation": F(s.text, "the organisation's name", required=False),
    "interest": F(s.text, "the declared interest", required=False),
}
def _mapping(value: Any) -> str | None:
    return None if isinstance(value, dict) else "must be a mapping"


DECISION_FIELDS = {
    "status": F(s.one_of(ALL_STATUSES), f"one of {', '.join(ALL_STATUSES)}"),
    "reason": F(s.localized, "`fa:` (required) and `en:` (optional) reason texts", required=False),
    "legal_basis": F(s.text, "the article of law the decision relies on", required=False),
    "decided_by": F(s.text, "the unit or panel that decided", required=False),
    "date": F(s.date, "the decision date like 2026-11-20", required=False),
    "panel": F(s.slug, "the slug of a panel under content/panels/", required=False),
    "duplicate_of": F(s.slug, "the id of the record this one repeats", required=False),
    "scores": F(check_scores, "a mapping `criterion id: score` (an idea's scores)", required=False),
}
SUBMISSION_FIELDS = {
    "history": F(
        s.list_of(_mapping),
        "a list of earlier decisions, oldest first, each shaped like `decision:`",
        required=False,
    ),
    "id": F(s.slug, "the file name without .yml"),
    "target": F(s.slug, "the folder name (a draft or call slug)"),
    "section": F(s.slug, "an article or clause anchor such as art-3 or art-3-c2", required=False),
    "domain": F(s.slug, "one of the call's domain ids", required=False),
    "received": F(s.timestamp, "a timestamp like 2026-11-02T10:15:00+03:30"),
    "channel": F(s.one_of(CHANNELS), f"one of {', '.join(CHANNELS)}"),
    "source": F(s.text, "the channel's reference, e.g. github:owner/repo#12"),
    "language": F(s.one_of(LANGS), "fa or en"),
    "body": F(s.text, "the comment text"),
    "author": F(_mapping, "a mapping"),
    "sealed": F(s.text, "the base64 sealed box of personal data", required=False),
    "decision": F(_mapping, "a mapping"),
    "demo": F(s.boolean, "true or false", required=False),
    "version": F(_version_label, "the label of the draft version commented on, e.g. 1", required=False),
    "publication": F(
        _mapping,
        "a mapping `{state: withheld, reason: spam}`",
        required=False,
    ),
    "redactions": F(
        s.list_of(s.one_of(REDACTION_KINDS)), f"a list of: {', '.join(REDACTION_KINDS)}", required=False
    ),
    "late": F(s.boolean, "true or false", required=False),
    "text_sha256": F(
        lambda v: None if isinstance(v, str) and re.fullmatch("[0-9a-f]{64}", v) else "must be 64 hex digits",
        "the SHA-256 of the body as recorded (after redaction), in hex",
        required=False,
    ),
    "reference": F(s.reference, "the receipt's reference number, like 1234-5678", required=False),
}
PUBLICATION_FIELDS = {
    "state": F(s.one_of(PUBLICATION_STATES), f"one of {', '.join(PUBLICATION_STATES)}"),
    "reason": F(
        s.one_of(WITHHELD_REASONS), f"one of {', '.join(WITHHELD_REASONS)} (for withheld)", required=False
    ),
}



REPORT_FIELDS = {"published": F(s.date, "the date the report was published, like 2026-12-20")}


VOTE_FIELDS = {
    "id": F(s.slug, "the file name without .yml"),
    "target": F(s.slug, "the folder name (the slug of a call with a poll)"),
    "vote": F(s.slug, "the id of one of the call's poll options"),
    "received": F(s.timestamp, "a timestamp like 2026-11-02T10:15:00+03:30"),
    "channel": F(s.one_of(CHANNELS), f"one of {', '.join(CHANNELS)}"),
    "source": F(s.text, "the channel's reference, e.g. form:row-12"),
    "language": F(s.one_of(LANGS), "fa or en", required=False),
    "body": F(s.text, "the participant's words, if they wrote any", required=False),
    "author": F(_mapping, "a mapping with at least `id:` and `type:`"),
    "sealed": F(s.text, "the base64 sealed box of personal data", required=False),
    "late": F(s.boolean, "true or false", required=False),
    "demo": F(s.boolean, "true or false", required=False),
    "text_sha256": F(s.text, "the SHA-256 of the option and the words as recorded", required=False),
    "reference": F(s.reference, "the receipt's reference number, like 1234-5678", required=False),
    "publication": F(_mapping, "a mapping `{state: held, reason: unverified}`", required=False),
    # What intake removed from the participant's words (or name) before recording them.
    "redactions": F(
        s.list_of(s.one_of(REDACTION_KINDS)), f"a list of: {', '.join(REDACTION_KINDS)}", required=False
    ),
}



def _both_languages(value: Any) -> str | None:
    """A `{fa, en}` text that each language's pages print: both are required."""
    if not isinstance(value, dict) or set(value) != {"fa", "en"}:
        return "must be a mapping with exactly `fa:` and `en:`"
    return s.text(value["fa"]) or s.text(value["en"])


def _email(value: Any) -> str | None:
    if s.text(value) or not re.fullmatch(r"[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+", value):
        return "must be one email address like consult@example.gov.ir"
    return None


def _phone(value: Any) -> str | None:
    if s.text(value) or not re.fullmatch(r"\+?[0-9][0-9 ()-]{4,24}", value):
        return "must be a phone number in ASCII digits like +98 21 1234 5678"
    return None


def _web_address(value: Any) -> str | None:
    if s.text(value) or not re.fullmatch(r"https?://[^\s<>\"]+", value):
        return "must be a web address starting with https://"
    return None


def _licence_id(value: Any) -> str | None:
    if s.text(value) or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9.+-]{0,63}", value):
        return "must be a licence id like CC-BY-4.0 (letters, digits, dots, hyphens)"
    return None


# The settings behind the footer and the trust pages (`extra.rayzani.<setting>` in mkdocs.yml).
CONTACT_FIELDS = {
    "email": F(_email, "the agency's email address for the consultation, like consult@example.gov.ir"),
    "phone": F(_phone, "a phone number like +98 21 1234 5678", required=False),
    "address": F(_both_languages, "the postal address for letters, as `{fa: ..., en: ...}`", required=False),
}
ACCESSIBILITY_FIELDS = {
    "reviewed": F(s.date, "the date the statement was last reviewed, like 2026-11-01"),
    "known_issues": F(
        s.list_of(_both_languages, allow_empty=True),
        "a list of `{fa: ..., en: ...}`, one for each known problem ([] when none is known)",
        required=False,
    ),
}
LICENCE_FIELDS = {
    "name": F(_licence_id, "the licence's id, like CC-BY-4.0"),
    "title": F(s.text, "the licence's name, like Creative Commons Attribution 4.0 International"),
    "path": F(_web_address, "the licence's web address, like https://creativecommons.org/licenses/by/4.0/"),
}
# Setting name: a field table (a mapping of fields), or a check of the whole value.
TRUST_SETTINGS: dict[str, dict[str, s.Field] | s.Check] = {
    "agency": _both_languages,
    "contact": CONTACT_FIELDS,
    "retention": _both_languages,
    "accessibility": ACCESSIBILITY_FIELDS,
    "data_licence": LICENCE_FIELDS,
}
