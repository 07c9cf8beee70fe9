"""The Jinja2 environment that turns page views into Markdown pages, one language at a time."""

from __future__ import annotations

import datetime as dt
import json
import re
from functools import cache
from importlib import resources
from typing import Any

import jinja2
import yaml
from markupsafe import Markup, escape

from rayzani.i18n.dates import format_date, format_datetime
from rayzani.i18n.text import localise_digits


@cache
def messages() -> dict[str, dict[str, str]]:
    """Interface text from every file in `messages/` (one file per part of the site)."""
    merged: dict[str, dict[str, str]] = {}
    for entry in sorted(resources.files("rayzani.i18n").joinpath("messages").iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yml"):
            part = yaml.safe_load(entry.read_text(encoding="utf-8")) or {}
            clash = set(part) & set(merged)
            if clash:
                raise ValueError(f"messages/{entry.name} redefines {sorted(clash)}")
            merged.update(part)
    return merged


def translate(key: str, lang: str, **values: Any) -> Markup:
    """Interface text in `lang`; numbers in that language's digits, values HTML-escaped."""
    if not values:
        return _fixed(key, lang)
    # Messages are trusted markup with plain {name} fields (no format specs); values are
    # escaped unless they are Markup already. str.format on escaped values is what
    # Markup.format does, at a fraction of its cost (a national build formats millions).
    shown = {k: escape(localise_digits(v, lang) if isinstance(v, int) else v) for k, v in values.items()}
    return Markup(messages()[key][lang].format(**shown))


@cache
def _fixed(key: str, lang: str) -> Markup:
    return Markup(messages()[key][lang])


def isolate(value: str) -> Markup:
    """Wrap text that may run in the other direction, so it cannot reorder its neighbours."""
    return Markup("<bdi>{}</bdi>").format(value)


# What PyYAML refuses, or reads as a line break, in a double-quoted scalar: written as \u escapes.
_YAML_UNSAFE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)


def meta_text(value: object) -> Markup:
    """A front-matter `title:` or `description:` as a quoted YAML scalar holding plain text.

    Front matter is text, never HTML or Markdown: the theme hook escapes it once for every
    place the theme prints it. Interface text (Markup, with escaped values) is turned back
    into the text it shows; anything else is text already. Astral characters stay as they
    are (PyYAML would read JSON's surrogate-pair escapes as two broken characters).
    """
    text = value.striptags() if isinstance(value, Markup) else " ".join(str(value).split())
    quoted = json.dumps(text, ensure_ascii=False)
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
    def t(key: str, **values: Any) -> str:
        return translate(key, lang, **values)

    def num(value: int) -> str:
        return localise_digits(value, lang)

    def date(value: dt.date) -> str:
        return format_date(value, lang)

    def datetime(value: dt.datetime) -> str:
        return format_datetime(value, lang)

    page = environment().get_template(template)
    return page.render(
        bdi=isolate,
        lang=lang,
        dir="rtl" if lang == "fa" else "ltr",
        t=t,
        num=num,
        date=date,
        datetime=datetime,
        **context,
    )
