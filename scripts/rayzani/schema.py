"""Declared field types for front matter and records, checked into Problems."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rayzani.problems import Problem

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")

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
    if not isinstance(value, str) or not SLUG.match(value):
        return "must be lowercase ASCII letters, digits and hyphens (at most 64)"
    return None


def boolean(value: Any) -> str | None:
    return None if isinstance(value, bool) else "must be true or false"


def date(value: Any) -> str | None:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return None
    return f"must be a date like 2026-11-01, not {value!r}"


def timestamp(value: Any) -> str | None:
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return None
    if isinstance(value, dt.datetime):
        return "must include a time zone, like 2026-11-02T10:15:00+03:30"
    return f"must be a timestamp like 2026-11-02T10:15:00+03:30, not {value!r}"


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
    return problems
