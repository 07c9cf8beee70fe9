"""The bilingual answers intake writes back to participants (issue replies) and decisions.

A reply is Markdown on the forge, which renders HTML inside Markdown: values a participant
typed (an unknown article, an option) are HTML-escaped (`messages.html`), so `<img src=...>`
shows as text and an entity shows as its character. The terminal gets plain text
(`rejection_text`).
"""

from __future__ import annotations

from collections.abc import Callable

from rayzani.i18n import messages
from rayzani.i18n.dates import format_date
from rayzani.intake.records import Outcome, Rejection
from rayzani.model import LANGS, Submission


def _say(key: str, lang: str, **values: object) -> str:
    """A message for a reply on the forge: its values escaped for the HTML that Markdown allows."""
    return messages.html(key, lang, **values)


def _both(key: str, **values: object) -> str:
    """Persian first, then English, as two paragraphs."""
    return "\n\n".join(_say(key, lang, **values) for lang in LANGS)


def recorded_reply(outcome: Outcome, permalink: str) -> str:
    vote = outcome.incoming.vote is not None
    parts = [_both("intake_vote_recorded" if vote else "intake_recorded", link=permalink)]
    if outcome.late:
        parts.append(_both("intake_vote_late" if vote else "intake_late"))
    if outcome.redactions:
        parts += [
            _say(
                "intake_redacted",
                lang,
                kinds=("، " if lang == "fa" else ", ").join(
                    messages.text(f"redacted_{kind}", lang) for kind in outcome.redactions
                ),
            )
            for lang in LANGS
        ]
    return "\n\n".join(parts) + "\n\n"


def edit_ignored_reply(outcome: Outcome, permalink: str) -> str:
    key = "intake_vote_edit_ignored" if outcome.incoming.vote is not None else "intake_edit_ignored"
    return _both(key, link=permalink) + "\n\n"


def _rejection(rejection: Rejection, lang: str, say: Callable[..., str]) -> str:
    return say(
        f"intake_reject_{rejection.code}",
        lang,
        field=rejection.field,
        detail=rejection.detail,
        choices=rejection.choices,
    )


def rejection_text(rejection: Rejection, lang: str) -> str:
    """Why a comment was refused, as plain text (for the terminal)."""
    return _rejection(rejection, lang, messages.text)


def rejected_reply(rejection: Rejection, fix: str = "intake_fix") -> str:
    """Why a comment was refused, in both languages, and what to do (`fix`: a message key)."""
    why = (_rejection(rejection, lang, _say) for lang in LANGS)
    return "\n\n".join(why) + "\n\n" + _both(fix) + "\n\n"


def decision_reply(record: Submission, permalink: str) -> str:
    """The editors' decision on a comment and its reason, for the participant."""
    decision = record.decision
    parts = []
    for lang in LANGS:
        lines: list[str] = [
            _say(
                "intake_decision",
                lang,
                status=messages.text(f"status_{decision.status}", lang),
                who=decision.decided_by or "",
                date=format_date(decision.date, lang) if decision.date else "",
            )
        ]
        if decision.reason and decision.reason.has(lang):
            lines.append("> " + decision.reason.get(lang).replace("\n", "\n> "))
        if decision.legal_basis:
            lines.append(_say("legal_basis", lang, basis=decision.legal_basis))
        lines.append(_say("intake_see_online", lang, link=permalink))
        parts.append("\n\n".join(lines))
    return "\n\n---\n\n".join(parts) + "\n\n"
