"""Declared field types for front matter and records, checked into Problems."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from rayzani.i18n.dates import gregorian_of_jalali
from rayzani.problems import Problem

# Matched whole (fullmatch): with `$`, "abc\n" would pass, and a newline in an id or a target
# would reach file names, URLs and CSV cells.
SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
# What YAML reads as a date or timestamp when written without quotes (PyYAML's own pattern).
_TIMESTAMP = re.compile(yaml.constructor.SafeConstructor.timestamp_regexp.pattern.removesuffix("$"), re.X)

Check = Callable[[Any], str | None]  # returns what is wrong, or None


@dataclass(frozen=True)
class Field:
    check: Check
    expected: str  # how the fix is worded: "a date like 2026-11-01"
    required: bool = True


def text(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return "must be non-empty text"
    return None


def slug(value: Any) -> str | None:
    if not isinstance(value, str) or not SLUG.fullmatch(value):
        return "must be lowercase ASCII letters, digits and hyphens (at most 64)"
    return None


def reference(value: Any) -> str | None:
    """A web receipt's reference number: eight ASCII digits in two groups of four."""
    if isinstance(value, str) and re.fullmatch(r"[0-9]{4}-[0-9]{4}", value):
        return None
    return "must be eight digits like 1234-5678"


def boolean(value: Any) -> str | None:
    return None if isinstance(value, bool) else "must be true or false"


def read_timestamp(text: str) -> dt.date | dt.datetime:
    """What YAML reads for `text` written without quotes; ValueError saying why it is no date."""
    if not _TIMESTAMP.fullmatch(text):
        raise ValueError("not written as a date")
    node = yaml.ScalarNode("tag:yaml.org,2002:timestamp", text)
    try:
        return yaml.constructor.SafeConstructor().construct_yaml_timestamp(node)
    except (ValueError, OverflowError) as error:
        why = "the time-zone offset must be under 24 hours" if "offset" in str(error) else str(error)
        raise ValueError(why) from None


def _as_written(value: Any) -> Any:
    """A quoted date or timestamp (or one YAML could not read: 2026-11-31) as YAML would read it.

    The reader leaves impossible dates as text so that the field check, not the YAML parser,
    reports them with the field's name.
    """
    if isinstance(value, str):
        try:
            return read_timestamp(value.strip())
        except ValueError:
            return value
    return value


def _calendar(value: Any) -> str | None:
    """What is wrong with a date-like value: not a real date, or a Jalali date in a Gregorian field."""
    if isinstance(value, str):
        try:
            read_timestamp(value.strip())
        except ValueError as error:
            match = _TIMESTAMP.fullmatch(value.strip())
            if match is None:
                return None  # not date-like at all: the caller says what is expected
            jalali = _jalali_hint(value.strip(), match)
            return jalali or f"is {value!r}, which is not a real date or time: {error}"
    if isinstance(value, dt.date):
        # Every record has dates: look at the year first, format and match only a Jalali-looking one.
        if gregorian_of_jalali(value.year, value.month, value.day) is None:
            return None
        text = value.isoformat()
        return _jalali_hint(text, _TIMESTAMP.fullmatch(text))
    return None


def _jalali_hint(text: str, match: re.Match[str] | None) -> str | None:
    if match is None:
        return None
    gregorian = gregorian_of_jalali(int(match["year"]), int(match["month"]), int(match["day"]))
    if gregorian is None:
        return None
    rest = text[match.end("day") :]
    return (
        f"is {text}, which looks like a Jalali (Persian calendar) date; "
        f"dates here are Gregorian: {gregorian.isoformat()}{rest}"
    )


def date(value: Any) -> str | None:
    wrong = _calendar(value)
    if wrong:
        return wrong
    read = _as_written(value)
    if isinstance(read, dt.date) and not isinstance(read, dt.datetime):
        return None
    return f"must be a date like 2026-11-01, not {_shown(value)}"


def timestamp(value: Any) -> str | None:
    wrong = _calendar(value)
    if wrong:
        return wrong
    read = _as_written(value)
    if isinstance(read, dt.datetime) and read.tzinfo is not None:
        return None
    if isinstance(read, dt.datetime):
        return "must include a time zone, like 2026-11-02T10:15:00+03:30"
    return f"must be a timestamp like 2026-11-02T10:15:00+03:30, not {_shown(value)}"


def _shown(value: Any) -> str:
    """A value as the file writes it: 2026-11-01 rather than datetime.date(2026, 11, 1)."""
    return value.isoformat() if isinstance(value, dt.date) else repr(value)


# Checks whose valid values may be written as text (a quoted date): check_mapping stores the
# value read, so that the model always holds dates, never their text.
_READERS: dict[Check, Callable[[Any], Any]] = {date: _as_written, timestamp: _as_written}


def one_of(choices: tuple[str, ...]) -> Check:
    def check(value: Any) -> str | None:
        if value not in choices:
            return f"is {value!r}, which is not one of: {', '.join(choices)}"
        return None

    return check


def list_of(item: Check, *, allow_empty: bool = False) -> Check:
    def check(value: Any) -> str | None:
        if not isinstance(value, list) or (not value and not allow_empty):
            return "must be a list" + ("" if allow_empty else " with at least one entry")
        for i, entry in enumerate(value):
            wrong = item(entry)
            if wrong:
                return f"entry {i + 1} {wrong}"
        return None

    return check


def localized(value: Any) -> str | None:
    """A {fa, en} mapping with Persian required."""
    if not isinstance(value, dict):
        return "must be a mapping with `fa:` (required) and `en:` (optional)"
    unknown = set(value) - {"fa", "en"}
    if unknown:
        return f"has unknown language key(s) {sorted(unknown)}; only fa and en are read"
    if text(value.get("fa")):
        return "needs a Persian text under `fa:`"
    if "en" in value and value["en"] is not None and text(value["en"]):
        return "has an empty `en:`; remove it or write the English text"
    return None


def named_id(value: Any) -> str | None:
    """A `{id: slug, name: text}` entry: a call's domain, a poll's option, a scoring criterion."""
    if not isinstance(value, dict) or set(value) != {"id", "name"}:
        return "must be a mapping with exactly `id:` and `name:`"
    return slug(value["id"]) or text(value["name"])


def check_mapping(data: Any, fields: dict[str, Field], path: Path, prefix: str = "") -> list[Problem]:
    """Check a mapping against declared fields: unknown keys, missing keys, types."""
    where = prefix.rstrip(".") or "(top level)"
    if not isinstance(data, dict):
        return [Problem(path, where, "must be a mapping of fields", "write `field: value` lines")]
    problems = []
    for key in data:
        if key not in fields:
            known = ", ".join(fields)
            problems.append(
                Problem(
                    path,
                    f"{prefix}{key}",
                    "is not a known field",
                    f"remove it or correct its spelling; known fields: {known}",
                )
            )
    for key, spec in fields.items():
        if key not in data or data[key] is None:
            if spec.required:
                problems.append(
                    Problem(path, f"{prefix}{key}", "is missing", f"add `{key}:` as {spec.expected}")
                )
            continue
        wrong = spec.check(data[key])
        if wrong:
            problems.append(Problem(path, f"{prefix}{key}", wrong, f"write {spec.expected}"))
        elif spec.check in _READERS:
            data[key] = _READERS[spec.check](data[key])
    return problems
