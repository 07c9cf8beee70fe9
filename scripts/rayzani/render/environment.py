"""The Jinja2 environment that turns page views into Markdown pages, one language at a time."""

from __future__ import annotations

import datetime as dt
import json
import re
from functools import cache
from typing import Any

import jinja2
from markupsafe import Markup

from rayzani.i18n import messages
from rayzani.i18n.dates import format_date, format_datetime
from rayzani.i18n.messages import html
from rayzani.i18n.text import localise_digits

# The page modules' name for interface text as HTML (`rayzani.i18n.messages.html`).
translate = html


def isolate(value: str) -> Markup:
    """Wrap text that may run in the other direction, so it cannot reorder its neighbours."""
    return Markup("<bdi>{}</bdi>").format(value)


def heading_id(value: object) -> Markup:
    """The id of the Markdown heading it follows (`## Title{{ heading_id("rule") }}`).

    Written in the builder's syntax for it (Python-Markdown's attribute lists), here only, so
    that the templates do not spell it out (docs/developing.md lists the builder's contract).
    """
    return Markup(" {{: #{} }}").format(value)


# What PyYAML refuses, or reads as a line break, in a double-quoted scalar: written as \u escapes.
_YAML_UNSAFE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)


def meta_text(value: object) -> Markup:
    """A front-matter `title:` or `description:` as a quoted YAML scalar holding plain text.

    Front matter is text, never HTML or Markdown: the theme hook escapes it once for every
    place the theme prints it. Interface text comes as text (`plain(...)` in a template), so
    `Markup` is refused rather than turned back into text. Astral characters stay as they are
    (PyYAML would read JSON's surrogate-pair escapes as two broken characters).
    """
    if isinstance(value, Markup):
        raise TypeError("front matter takes text: write plain(...), not t(...)")
    quoted = json.dumps(" ".join(str(value).split()), ensure_ascii=False)
    return Markup(_YAML_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", quoted))


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("rayzani.render", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["meta_text"] = meta_text
    return env


def render(template: str, lang: str, **context: Any) -> str:
    def t(key: str, **values: Any) -> Markup:
        return html(key, lang, **values)

    def plain(key: str, **values: Any) -> str:
        return messages.text(key, lang, **values)

    def num(value: int) -> str:
        return localise_digits(value, lang)

    def date(value: dt.date) -> str:
        return format_date(value, lang)

    def datetime(value: dt.datetime) -> str:
        return format_datetime(value, lang)

    page = environment().get_template(template)
    return page.render(
        bdi=isolate,
        heading_id=heading_id,
        lang=lang,
        dir="rtl" if lang == "fa" else "ltr",
        t=t,
        plain=plain,
        num=num,
        date=date,
        datetime=datetime,
        **context,
    )
