"""Hand-written files: Markdown with front matter, and the characters that are never text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from rayzani.i18n.text import never_text
from rayzani.load.yaml_io import split_front_matter, yaml_problem
from rayzani.problems import Problem


def check_characters(value: Any, path: Path, field: str = "") -> list[Problem]:
    """A problem for every text in a hand-written value that holds a character that is never text.

    Intake strips them (text.normalise); a file written by hand is refused instead, naming the
    field and the character, so that the editor sees what was pasted.
    """
    if isinstance(value, str):
        found = never_text(value)
        if found is None:
            return []
        return [
            Problem(
                path,
                field or "(top level)",
                f"contains the invisible character {found[1]} at position {found[0] + 1}",
                "delete it (retype the text around it if it was pasted)",
            )
        ]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in check_characters(v, path, _key_path(field, k))]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in check_characters(v, path, f"{field}[{i + 1}]")]
    return []


def _key_path(field: str, key: object) -> str:
    shown = str(key)
    if never_text(shown):  # the key itself is where the character hides
        shown = repr(key)
    return f"{field}.{shown}" if field else shown


def _check_body_characters(body: str, path: Path, first_line: int) -> list[Problem]:
    """Characters that are never text in a Markdown body, one problem per line, naming the line."""
    found = []
    for number, line in enumerate(body.split("\n"), start=first_line):
        for problem in check_characters(line, path, f"body, line {number}"):
            found.append(problem)
    return found


def read_markdown(path: Path, problems: list[Problem]) -> tuple[dict | None, str]:
    try:
        text = path.read_text(encoding="utf-8")
        meta, body = split_front_matter(text)
    except UnicodeDecodeError as error:
        problems.append(Problem(path, "", f"is not UTF-8 text: {error}", "save the file as UTF-8"))
        return None, ""
    except yaml.YAMLError as error:
        problems.append(yaml_problem(path, error, "fix the YAML between the --- lines"))
        return None, ""
    problems.extend(check_characters(meta, path))
    problems.extend(_check_body_characters(body, path, text.count("\n") - body.count("\n") + 1))
    if not isinstance(meta, dict):
        problems.append(
            Problem(
                path,
                "front matter",
                "is missing",
                "start the file with a --- block of fields (see docs/reference.md)",
            )
        )
        return None, body
    return meta, body
