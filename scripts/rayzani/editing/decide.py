"""`rayzani decide`: record an editor's decision in a record, touching nothing else in the file.

The record is edited through the round-trip YAML layer (load.yaml_io), which keeps the editors'
comments, the key order and the quoting of everything the decision does not change.

A published answer is never overwritten in silence: the decision it replaces moves into the
record's `history`, which the site shows under the comment.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from rayzani.load.yaml_io import (
    append_after,
    dump_edited,
    load_for_edit,
    read_yaml,
    replace_value,
    yaml_problem,
)
from rayzani.problems import Problem
from rayzani.project import load_project

# Statuses a record starts in: replacing them is not changing an answer.
INITIAL = ("pending", "received")
DECISION_KEYS = ("status", "reason", "legal_basis", "decided_by", "panel", "duplicate_of", "scores", "date")


@dataclass(frozen=True)
class Decided:
    path: Path
    changed: bool  # False when the record already held exactly this decision
    kept_in_history: bool


def decision_entry(**values: Any) -> dict[str, Any]:
    """A decision mapping in the record's key order, without empty values."""
    if isinstance(values.get("reason"), dict):
        values = {**values, "reason": {k: v for k, v in values["reason"].items() if v}}
    return {k: values[k] for k in DECISION_KEYS if values.get(k) not in (None, "", {})}


def apply_decision(path: Path, new: dict[str, Any]) -> Decided:
    """Replace the record's `decision:`, moving a published one into `history`; keep everything else."""
    text = path.read_text(encoding="utf-8")
    current = read_yaml(path).get("decision") or {}
    if current == new:
        return Decided(path, changed=False, kept_in_history=False)
    record = load_for_edit(text)
    if "decision" not in record:
        raise ValueError(f"{path}: has no decision block")
    old = replace_value(record, "decision", new)
    keep = current.get("status") not in INITIAL
    if keep:  # with its own comments: an editor's note on an answer stays beside that answer
        append_after(record, "history", "decision", old)
    path.write_text(dump_edited(record), encoding="utf-8")
    return Decided(path, changed=True, kept_in_history=keep)


def _check_entry(root: Path, entry: dict[str, Any], where: Path) -> list[Problem]:
    """Problems that stop an entry before any file is written: a wrong record, a misspelt key."""
    path = root / "submissions" / str(entry.get("target", "")) / f"{entry.get('id', '')}.yml"
    if not path.is_file() or path.resolve().parent.parent != (root / "submissions").resolve():
        return [Problem(path, "", "is not a record", "check the target slug and the record id")]
    # A misspelt key (`legal-basis`, `reasons`) would otherwise be dropped in silence.
    unknown = sorted(set(entry) - {"target", "id", *DECISION_KEYS})
    if unknown:
        return [
            Problem(
                where,
                f"{entry.get('target')}/{entry.get('id')}",
                f"unknown key(s) {', '.join(map(str, unknown))}",
                f"use only target, id, {', '.join(DECISION_KEYS)}",
            )
        ]
    try:
        data = read_yaml(path)
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        return [yaml_problem(path, error, "fix the record's YAML before deciding on it")]
    if not isinstance(data, dict) or "decision" not in data:
        return [
            Problem(path, "decision", "this record takes no decision (a vote?)", "decide comments and ideas")
        ]
    return []


def decide(
    root: Path, entries: list[dict[str, Any]], today: dt.date, source: Path | None = None
) -> tuple[list[Decided], list[Problem]]:
    """Apply decisions to records; if any entry or the resulting portal is wrong, put every file back."""
    where = source or Path("(command line)")
    problems = [p for entry in entries for p in _check_entry(root, entry, where)]
    if problems:
        return [], problems
    originals: dict[Path, str] = {}
    done: list[Decided] = []
    valid = False
    try:
        for entry in entries:
            path = root / "submissions" / str(entry["target"]) / f"{entry['id']}.yml"
            originals.setdefault(path, path.read_text(encoding="utf-8"))
            values = {k: v for k, v in entry.items() if k not in ("target", "id")}
            values.setdefault("date", today)
            done.append(apply_decision(path, decision_entry(**values)))
        touched = set(originals)
        problems = [p for p in load_project(root, today).problems if p.path in touched]
        valid = not problems
    finally:
        if not valid:  # also when writing or loading raised half-way through a batch
            for path, text in originals.items():
                path.write_text(text, encoding="utf-8")
    if problems:
        return [], problems
    return done, []


def read_batch(path: Path) -> list[dict[str, Any]]:
    """The entries of a batch file; ValueError, naming the file, when it cannot be one."""
    try:
        data = read_yaml(path)
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as error:
        raise ValueError(f"{path}: cannot be read as YAML ({error})") from None
    if not isinstance(data, list) or not all(isinstance(e, dict) for e in data):
        raise ValueError(f"{path}: must be a list of decisions, each with target, id, status, reason...")
    return data
