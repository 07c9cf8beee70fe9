"""Interface text: the messages of `messages/*.yml`, said as plain text or as HTML.

A message is plain text with `{name}` fields. Where it ends up decides which function fills it:

- `text(key, lang, **values)` gives a `str` with the values inserted as they are. For every
  place that is not HTML: feeds (the XML writer escapes), `calls.json`, CSV, front matter (the
  theme hook escapes it once), share links (URL-quoted), SVG text (escaped by the chart),
  the terminal.
- `html(key, lang, **values)` gives escaped `Markup`, for pages: the templates' `t(...)`.

Keeping the two apart is what keeps text from being escaped twice (`&amp;#39;` in a feed) and
markup from being taken for text: `text()` refuses a `Markup` value, and nothing turns
`Markup` back into text (`striptags`, `unescape`) to get a message's text.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from importlib import resources

import yaml
from markupsafe import Markup, escape

from rayzani.i18n.text import localise_digits


@cache
def messages() -> Mapping[str, Mapping[str, str]]:
    """Every message, by key then language, from every file in `messages/` (one per part of the site).

    Read once per process: the files are part of the installed package, not of the portal.
    """
    merged: dict[str, dict[str, str]] = {}
    folder = resources.files("rayzani.i18n").joinpath("messages")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yml"):
            part = yaml.safe_load(entry.read_text(encoding="utf-8")) or {}
            clash = set(part) & set(merged)
            if clash:
                raise ValueError(f"messages/{entry.name} redefines {sorted(clash)}")
            merged.update(part)
    return merged


def text(key: str, lang: str, **values: object) -> str:
    """The message as plain text: values as they are, numbers in the language's digits.

    A `Markup` value is refused: it is HTML, and its tags or entities would become part of the
    text. Pass the text it was made from instead.
    """
    message = messages()[key][lang]
    if not values:
        return message
    shown = {}
    for name, value in values.items():
        if isinstance(value, Markup):
            raise TypeError(f"text({key!r}): {name} is HTML (Markup), not text")
        shown[name] = localise_digits(value, lang) if isinstance(value, int) else value
    return message.format(**shown)


def html(key: str, lang: str, **values: object) -> Markup:
    """The message as HTML: values escaped (unless they are `Markup` already), numbers localised."""
    if not values:
        return _fixed(key, lang)
    # Messages are plain text with plain {name} fields (no format specs; a test checks every one),
    # so they need no escaping, and str.format on escaped values is what Markup.format does, at a
    # fraction of its cost (a national build formats millions).
    shown = {k: escape(localise_digits(v, lang) if isinstance(v, int) else v) for k, v in values.items()}
    return Markup(messages()[key][lang].format(**shown))


@cache
def _fixed(key: str, lang: str) -> Markup:
    return Markup(messages()[key][lang])
