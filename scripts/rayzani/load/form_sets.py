"""Checks that the Forgejo/Gitea issue forms say what GitHub's say, so one parser reads both.

A portal may offer its forms on both forges (`.github/ISSUE_TEMPLATE/` and
`.forgejo/ISSUE_TEMPLATE/`). Each forge's intake reads its own files, by their field labels;
what the rest of Rayzani relies on must be the same in both: the forms, the labels intake finds
their issues by, each field's id, type and whether it is required, and the options of each
dropdown (a vote's options are the poll's). Forgejo also needs `name` and `about` (or
GitHub's `description`) to show a form at all.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rayzani.problems import Problem

_FIELD_TYPES = ("input", "textarea", "dropdown", "checkboxes")


def _labels(data: dict) -> list[str]:
    labels = data.get("labels") or []
    if isinstance(labels, str):  # Forgejo and GitHub both take "a, b"
        labels = labels.split(",")
    return [str(label).strip() for label in labels if str(label).strip()]


def _fields(data: dict) -> list[dict]:
    return [
        item for item in data.get("body") or [] if isinstance(item, dict) and item.get("type") in _FIELD_TYPES
    ]


def _options(item: dict) -> list[str]:
    options = (item.get("attributes") or {}).get("options") or []
    return [str(o.get("label") if isinstance(o, dict) else o) for o in options]


def _required(item: dict) -> bool:
    return bool((item.get("validations") or {}).get("required", False))


def _compare(github: Path, forgejo: Path, ours: dict, theirs: dict, problems: list[Problem]) -> None:
    def differ(field: str, what: str, expected: object) -> None:
        problems.append(
            Problem(
                forgejo,
                field,
                f"{what} differ from {github.parent.parent.name}/{github.parent.name}/{github.name}",
                f"make it {expected!r}, as in GitHub's form (or change both)",
            )
        )

    if _labels(theirs) != _labels(ours):
        differ("labels", "the labels", _labels(ours))
    fields, other = _fields(ours), _fields(theirs)
    shape = [(f.get("id"), f.get("type"), _required(f)) for f in fields]
    if [(f.get("id"), f.get("type"), _required(f)) for f in other] != shape:
        differ(
            "body",
            "the fields (id, type, required)",
            [f"{i} ({t}{', required' if r else ''})" for i, t, r in shape],
        )
        return
    for mine, yours in zip(fields, other, strict=True):
        if _options(mine) != _options(yours):
            differ(f"body.{mine.get('id')}.attributes.options", "the options", _options(mine))
        value = str((mine.get("attributes") or {}).get("value") or "")
        if mine.get("id") == "call" and str((yours.get("attributes") or {}).get("value") or "") != value:
            differ("body.call.attributes.value", "the call this form is for", value)


def check_forgejo_syntax(path: Path, data: dict, problems: list[Problem]) -> None:
    """What Forgejo and Gitea refuse in a form (they then show none): name, about, option shapes."""
    for key in ("name", "about"):
        value = data.get(key) if key == "name" else data.get("about") or data.get("description")
        if not str(value or "").strip():
            problems.append(
                Problem(path, key, "is missing; Forgejo shows no form without it", f"add `{key}:`")
            )
    for item in _fields(data):
        options = (item.get("attributes") or {}).get("options") or []
        kind = item.get("type")
        if kind == "dropdown" and not all(isinstance(o, str) for o in options):
            problems.append(
                Problem(
                    path,
                    f"body.{item.get('id')}.attributes.options",
                    "must be plain strings for a dropdown",
                    "write each option as a quoted string",
                )
            )
        if kind == "checkboxes" and not all(isinstance(o, dict) and o.get("label") for o in options):
            problems.append(
                Problem(
                    path,
                    f"body.{item.get('id')}.attributes.options",
                    "must each have a `label` for checkboxes",
                    'write each option as `- label: "..."`',
                )
            )


def check_form_sets(github: dict[Path, Any], forgejo: dict[Path, Any], problems: list[Problem]) -> None:
    """Each Forgejo form is valid for Forgejo and, where GitHub's set exists, agrees with it."""
    for path, data in forgejo.items():
        if isinstance(data, dict):
            check_forgejo_syntax(path, data, problems)
    if not github or not forgejo:
        return  # one forge only: nothing to keep in step
    ours = {p.name: (p, d) for p, d in github.items()}
    theirs = {p.name: (p, d) for p, d in forgejo.items()}
    folder = next(iter(forgejo)).parent
    for name in sorted(ours.keys() - theirs.keys()):
        problems.append(
            Problem(
                folder / name,
                "file",
                f"is missing: GitHub has the form {name} and Forgejo does not",
                f"copy .github/ISSUE_TEMPLATE/{name} here (with `about:`), or delete both",
            )
        )
    for name in sorted(theirs.keys() - ours.keys()):
        problems.append(
            Problem(
                theirs[name][0],
                "file",
                "has no counterpart in .github/ISSUE_TEMPLATE/",
                f"add .github/ISSUE_TEMPLATE/{name} with the same fields, or delete this form",
            )
        )
    for name in sorted(ours.keys() & theirs.keys()):
        (gh_path, gh_data), (fj_path, fj_data) = ours[name], theirs[name]
        if isinstance(gh_data, dict) and isinstance(fj_data, dict):
            _compare(gh_path, fj_path, gh_data, fj_data, problems)
