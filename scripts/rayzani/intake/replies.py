"""The bilingual answers intake writes back to participants (issue replies) and decisions."""

from __future__ import annotations

from rayzani.i18n.dates import format_date
from rayzani.intake.records import Outcome, Rejection
from rayzani.model import LANGS, Submission
from rayzani.render.environment import translate  # interface text lookup only (messages/*.yml)


def _both(key: str, **values: object) -> str:
    """Persian first, then English, as two paragraphs."""
    return "\n\n".join(translate(key, lang, **values) for lang in LANGS)


def recorded_reply(outcome: Outcome, permalink: str) -> str:
    vote = outcome.incoming.vote is not None
    parts = [_both("intake_vote_recorded" if vote else "intake_recorded", link=permalink)]
    if outcome.late:
        parts.append(_both("intake_vote_late" if vote else "intake_late"))
    if outcome.redactions:
        parts += [
            translate(
                "intake_redacted",
                lang,
                kinds=("، " if lang == "fa" else ", ").join(
                    translate(f"redacted_{kind}", lang) for kind in outcome.redactions
                ),
            )
            for lang in LANGS
        ]
    return "\n\n".join(parts) + "\n\n"


def edit_ignored_reply(outcome: Outcome, permalink: str) -> str:
    key = "intake_vote_edit_ignored" if outcome.incoming.vote is not None else "intake_edit_ignored"
    return _both(key, link=permalink) + "\n\n"


def rejection_text(rejection: Rejection, lang: str) -> str:
    return translate(
        f"intake_reject_{rejection.code}",
        lang,
        field=rejection.field,
        detail=rejection.detail,
        choices=rejection.choices,
    )


def rejected_reply(rejection: Rejection, fix: str = "intake_fix") -> str:
    """Why a comment was refused, in both languages, and what to do (`fix`: a message key)."""
    return "\n\n".join(rejection_text(rejection, lang) for lang in LANGS) + "\n\n" + _both(fix) + "\n\n"


def decision_reply(record: Submission, permalink: str) -> str:
    """The editors' decision on a comment and its reason, for the participant."""
    decision = record.decision
    parts = []
    for lang in LANGS:
        lines: list[str] = [
            translate(
                "intake_decision",
                lang,
                status=translate(f"status_{decision.status}", lang),
                who=decision.decided_by or "",
                date=format_date(decision.date, lang) if decision.date else "",
            )
        ]
        if decision.reason and decision.reason.has(lang):
            lines.append("> " + decision.reason.get(lang).replace("\n", "\n> "))
        if decision.legal_basis:
            lines.append(translate("legal_basis", lang, basis=decision.legal_basis))
        lines.append(translate("intake_see_online", lang, link=permalink))
        parts.append("\n\n".join(lines))
    return "\n\n---\n\n".join(parts) + "\n\n"
