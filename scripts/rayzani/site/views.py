"""What pages show of the model, shared by the site's page modules: comment cards (views are
small dataclasses the templates print), the lifecycle badge, and how articles are named."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from markupsafe import Markup

from rayzani import urls
from rayzani.i18n import messages
from rayzani.i18n.dates import format_date
from rayzani.i18n.text import localise_digits
from rayzani.model import (
    IRAN_TIME,
    Article,
    Criterion,
    Decision,
    Draft,
    Panel,
    Report,
    Submission,
    Version,
    Window,
    lifecycle_state,
)
from rayzani.model.references import reference_of
from rayzani.render.environment import translate
from rayzani.render.sanitize import render_comment

_LABEL_END = re.compile(r"\s*[—–:\-]\s")


def article_label(article: Article) -> str:
    """'ماده ۳' from 'ماده ۳ — گزارش جامع': the part of the heading that names it."""
    return _LABEL_END.split(article.heading, maxsplit=1)[0]


def section_label(draft: Draft | Version, section: str | None, lang: str) -> str:
    """How a section is named in the text it belongs to (a version's, for an old comment)."""
    if not section:
        return messages.text("general", lang)
    for fa_article, article in zip(draft.articles, draft.text(lang).articles, strict=False):
        if section == fa_article.anchor:
            return article_label(article)
        for clause in fa_article.clauses:
            if clause.anchor == section:
                word = "بند" if lang == "fa" else "clause"
                sep = "، " if lang == "fa" else ", "
                return f"{article_label(article)}{sep}{word} {localise_digits(clause.position, lang)}"
    return section


def current_section_label(draft: Draft, section: str | None, lang: str) -> str:
    """How a section is named as the reader sees the draft now: in the current text (an article
    renumbered since keeps its anchor, so a comment made on "ماده ۶" says "ماده ۵"); an article
    a later version removed is named with the last version that had it and the one that removed it."""
    if not section or section in draft.anchors():
        return section_label(draft, section, lang)
    history = draft.history()
    at = next((i for i in range(len(history) - 1, -1, -1) if section in history[i].anchors()), None)
    if at is None:
        return section
    old, removed = history[at], history[min(at + 1, len(history) - 1)]
    return messages.text(
        "article_removed_in",
        lang,
        article=section_label(old, section, lang),
        version=localise_digits(old.label, lang),
        removed=localise_digits(removed.label, lang),
    )


# A consultation takes comments through the whole of its closing day, Tehran time (a record's
# lateness is judged by its Tehran date), so its last minute is 23:59 there.
CLOSING_TIME = dt.time(23, 59)


def closing_instant(window: Window) -> dt.datetime:
    return dt.datetime.combine(window.closes, CLOSING_TIME, tzinfo=IRAN_TIME)


def closing_clock(lang: str) -> str:
    """The closing minute as a reader writes it: ۲۳:۵۹ in Persian, 11:59 pm in English."""
    if lang == "fa":
        return localise_digits(f"{CLOSING_TIME:%H:%M}", lang)
    return f"{CLOSING_TIME:%I:%M}".lstrip("0") + (" am" if CLOSING_TIME.hour < 12 else " pm")


@dataclass
class StateView:
    state: str
    label: str
    detail: str
    # When comments stop: day and minute, Tehran time (shown while upcoming or open).
    closing: str = ""


def state_view(window: Window, today: dt.date, lang: str, report: Report | None = None) -> StateView:
    """Upcoming, open (days left), closed awaiting the report, or report published."""
    state = lifecycle_state(window, report, today)
    closing = translate("closes_at", lang, date=format_date(window.closes, lang), time=closing_clock(lang))
    if state == "reported" and report is not None:
        detail = translate("report_published_on", lang, date=format_date(report.published, lang))
    elif state == "open":
        left = window.days_left(today)
        detail = translate("day_left", lang) if left == 1 else translate("days_left", lang, n=left)
    elif state == "upcoming":
        detail = translate("opens_on", lang, date=format_date(window.opens, lang))
    else:
        detail = translate("closed_on", lang, date=format_date(window.closes, lang))
    return StateView(state, translate(f"lifecycle_{state}", lang), detail, closing)


@dataclass
class CommentView:
    """What a comment card shows; personal data never enters this view."""

    html_id: str
    permalink: str
    lang: str
    dir: str
    author: str | None
    respondent_type: str
    organisation: str | None
    interest: str | None
    received: dt.datetime
    channel: str
    section: str
    body: Markup
    status: str
    reason: str | None
    reason_lang: str
    reason_dir: str
    legal_basis: str | None
    decided_by: str | None
    decided_on: dt.date | None
    demo: bool
    # The draft version the comment was made on, shown when the draft has several.
    version: str | None = None
    # (text, link) of each change in a later version that the comment led to.
    led_to: list[tuple[str, str]] = field(default_factory=list)
    # The text the comment was made on: its article in that version's text.
    version_url: str | None = None
    # How the section was named in the version the comment was made on, when it is named otherwise now.
    version_section: str | None = None
    withheld: str | None = None  # the reason category; the text, name and affiliation are hidden
    late: bool = False
    reference: str | None = None  # the receipt's number, or one made from the id (model.references)
    # The panel that decided, named in the page's language (else decided_by is shown).
    panel: str | None = None
    duplicate_of: str | None = None
    # The card of the comment this one duplicates, on the same page.
    duplicate_url: str | None = None
    # Earlier answers, oldest first: a changed decision is shown with what it replaced.
    history: list[DecisionView] = field(default_factory=list)
    # An idea's scores as (criterion name, "score / out of"), by its call's criteria.
    scores: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class DecisionView:
    status: str
    reason: str | None
    reason_lang: str
    decided_by: str | None
    decided_on: dt.date | None


def decision_view(decision: Decision, lang: str, panels: Mapping[str, Panel]) -> DecisionView:
    panel = panels.get(decision.panel or "")
    return DecisionView(
        status=decision.status,
        reason=decision.reason.get(lang) if decision.reason else None,
        reason_lang=lang if decision.reason and decision.reason.has(lang) else "fa",
        decided_by=panel.name.get(lang) if panel else decision.decided_by,
        decided_on=decision.date,
    )


def comment_view(
    record: Submission,
    permalink: str,
    section: str,
    lang: str,
    version: str | None = None,
    led_to: list[tuple[str, str]] | None = None,
    panels: Mapping[str, Panel] | None = None,
    criteria: tuple[Criterion, ...] = (),
) -> CommentView:
    decision = record.decision
    panels = panels or {}
    panel = panels.get(decision.panel or "")
    reason = decision.reason.get(lang) if decision.reason else None
    reason_lang = lang if decision.reason and decision.reason.has(lang) else "fa"
    author = record.shown_author
    return CommentView(
        html_id=urls.comment_anchor(record.id),
        permalink=permalink,
        lang=record.language,
        dir="rtl" if record.language == "fa" else "ltr",
        author=author.name,
        respondent_type=author.type,
        organisation=author.organisation,
        interest=author.interest,
        received=record.received,
        channel=record.channel,
        section=section,
        body=Markup("") if record.withheld else Markup(render_comment(record.body)),
        status=decision.status,
        reason=reason,
        reason_lang=reason_lang,
        reason_dir="rtl" if reason_lang == "fa" else "ltr",
        legal_basis=decision.legal_basis,
        decided_by=decision.decided_by,
        decided_on=decision.date,
        demo=record.demo,
        version=version,
        led_to=led_to or [],
        withheld=record.withheld_reason,
        late=record.late,
        reference=reference_of(record),
        panel=panel.name.get(lang) if panel else None,
        duplicate_of=decision.duplicate_of,
        duplicate_url="#" + urls.comment_anchor(decision.duplicate_of) if decision.duplicate_of else None,
        history=[decision_view(d, lang, panels) for d in record.history],
        scores=[
            (c.name.get(lang), f"{localise_digits(score, lang)} / {localise_digits(c.out_of, lang)}")
            for c in criteria
            for cid, score in decision.scores
            if cid == c.id
        ],
    )


def draft_comment_view(
    draft: Draft,
    record: Submission,
    from_key: str,
    permalink: str,
    lang: str,
    panels: Mapping[str, Panel] | None = None,
) -> CommentView:
    """A comment on a draft: its section named as the reader sees it now, the version it was made
    on (and how the section was named there, when that differs), and what it led to."""
    version = draft.version_of(record)
    several = len(draft.history()) > 1
    led_to: list[tuple[str, str]] = [
        (
            translate(
                "led_to_change",
                lang,
                version=localise_digits(v.label, lang),
                article=section_label(v, anchor, lang),
            ),
            urls.link(from_key, urls.changes_key(draft.slug, v.label), f"change-{anchor}"),
        )
        for v, anchor in draft.led_to(record.id)
    ]
    view = comment_view(
        record,
        permalink,
        current_section_label(draft, record.section, lang),
        lang,
        version=version.label if several else None,
        led_to=led_to,
        panels=panels,
    )
    if several:
        then = section_label(version, record.section, lang)
        if record.section in draft.anchors() and then != view.section:
            view.version_section = then
        article = version.article_of(record.section)
        view.version_url = urls.link(
            from_key, urls.version_key(draft.slug, version.label), article.anchor if article else ""
        )
    return view


def article_markdown(article: Article, fa_article: Article) -> Markup:
    """The article's Markdown with an anchor at the start of each clause."""
    lines = article.body.splitlines()
    for clause, fa_clause in zip(article.clauses, fa_article.clauses, strict=False):
        number, _, rest = lines[clause.line].partition(" ")
        lines[clause.line] = f'{number} <span class="rz-clause" id="{fa_clause.anchor}"></span>{rest}'
    return Markup("\n".join(lines))


def record_names(records: list[Submission]) -> list[tuple[str, str | None]]:
    """What a card is rendered from, beside the build's context: the record file, by its digest.

    A record as published also depends on the build date and the content (panels, the draft),
    which are in the cache's context; a record without a digest is named by all its fields.
    """
    return [(r.id, r.digest or repr(r)) for r in records]


def _last_version_with(draft: Draft, anchor: str) -> Version:
    return next(v for v in reversed(draft.history()) if anchor in v.anchors())


def last_version_with(draft: Draft, anchor: str) -> Version:
    """The latest version of the draft that has the article `anchor` (for a removed article)."""
    return next(v for v in reversed(draft.history()) if anchor in v.anchors())
