"""The receiver's own pages: the receipt, a refusal with the form filled in again, and notices.

Every value a participant typed is escaped by Jinja2's autoescape; interface text comes from
`messages/receiver.yml` (and the form's labels from `messages/intake.yml`, `site.yml`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import jinja2
import yaml
from markupsafe import Markup, escape

from rayzani.i18n.dates import format_date
from rayzani.i18n.text import localise_digits
from rayzani.model import AGE_BANDS, GENDERS, IRAN_TIME, RESPONDENT_TYPES, Draft
from rayzani.model.provinces import PROVINCES
from rayzani.receive.store import Stored

LANGS = ("fa", "en")


@cache
def _messages() -> dict[str, dict[str, str]]:
    merged: dict[str, dict[str, str]] = {}
    for entry in resources.files("rayzani.i18n").joinpath("messages").iterdir():
        if entry.name.endswith(".yml"):
            merged.update(yaml.safe_load(entry.read_text(encoding="utf-8")) or {})
    return merged


def say(key: str, lang: str) -> Markup:
    """Interface text (trusted, as written in the messages files)."""
    return Markup(_messages()[key][lang])


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("rayzani.receive", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _render(template: str, lang: str, **context: Any) -> str:
    return _environment().get_template(template).render(
        lang=lang,
        dir="rtl" if lang == "fa" else "ltr",
        t=lambda key: say(key, lang),
        num=lambda value: localise_digits(value, lang),
        **context,
    )


def in_language(url: str, site_url: str, lang: str) -> str:
    """A page's address in `lang`: Persian pages are the site's root, English ones under en/."""
    if lang == "en" and site_url and url.startswith(site_url):
        return f"{site_url}en/{url[len(site_url):]}"
    return url


def receipt_page(stored: Stored, site_url: str) -> str:
    lang, fields = stored.lang, stored.fields
    received = stored.received.astimezone(IRAN_TIME) if lang == "fa" else stored.received
    vote = bool(fields.get("vote"))
    return _render(
        "receipt.html.j2",
        lang,
        title=say("receiver_vote_received_title" if vote else "receiver_received_title", lang),
        reference=localise_digits(stored.reference, lang),
        date=format_date(received, lang),
        iso=stored.received.isoformat(),
        landing=in_language(stored.landing, site_url, lang),
        late=bool(fields.get("late")),
        vote=vote,
        redacted=bool(fields.get("redacted")),
        held=bool(fields.get("held")),
    )


def notice_page(lang: str, key: str, back: str = "") -> str:
    return _render("notice.html.j2", lang, title=say(key, lang), back=back)


@dataclass
class Option:
    value: str
    label: str
    selected: bool = False


def _sections(draft: Draft | None, lang: str, chosen: str) -> list[Option]:
    options = [Option("", say("form_general", lang), not chosen)]
    if draft is None:
        return options
    for fa_article, article in zip(draft.articles, draft.text(lang).articles, strict=False):
        options.append(Option(fa_article.anchor, article.heading, chosen == fa_article.anchor))
        for clause in fa_article.clauses:
            word = "بند" if lang == "fa" else "clause"
            sep = "، " if lang == "fa" else ", "
            label = f"{article.heading}{sep}{word} {localise_digits(clause.position, lang)}"
            options.append(Option(clause.anchor, label, chosen == clause.anchor))
    return options


def refused_page(
    lang: str,
    reason: Markup | str,
    posted: dict[str, str],
    draft: Draft | None,
    token: str,
    back: str,
) -> str:
    """Why nothing was recorded, and the form again with what the participant wrote in it.

    The personal fields are not filled in again: they are never echoed anywhere in clear.
    """
    if posted.get("vote") is not None and "comment" not in posted:
        return _render("notice.html.j2", lang, title=say("receiver_vote_refused", lang), reason=reason,
                       back=back, back_key="receiver_vote_again")  # fmt: skip
    types = [Option(v, say(f"type_{v}", lang), posted.get("respondent_type") == v) for v in RESPONDENT_TYPES]
    provinces = sorted(
        (Option(k, names[0] if lang == "fa" else names[1]) for k, names in PROVINCES.items()),
        key=lambda o: o.label,
    )
    return _render(
        "refused.html.j2",
        lang,
        title=say("receiver_refused_title", lang),
        reason=reason if isinstance(reason, Markup) else escape(reason),
        posted=posted,
        publish=bool(posted.get("publish_name")),
        draft=posted.get("draft", ""),
        token=token,
        back=back,
        sections=_sections(draft, lang, posted.get("article", "")),
        types=types,
        age_bands=[Option(v, say(f"age_{v}", lang)) for v in AGE_BANDS],
        genders=[Option(v, say(f"gender_{v}", lang)) for v in GENDERS],
        provinces=provinces,
    )
