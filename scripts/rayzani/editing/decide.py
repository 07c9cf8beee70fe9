"""`rayzani decide`: record an editor's decision in a record, touching nothing else in the file.

A published answer is never overwritten in silence: the decision it replaces moves into the
record's `history`, which the site shows under the comment.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from rayzani.build.builder import load_project
from rayzani.load.loader import read_yaml
from rayzani.problems import Problem

# Statuses a record starts in: replacing them is not changing an answer.
INITIAL = ("pending", "received")
DECISION_KEYS = ("status", "reason", "legal_basis", "decided_by", "panel", "duplicate_of", "scores", "date")


@dataclass(frozen=True)
class Decided:
    path: Path
    changed: bool  # False when the record already held exactly this decision
    kept_in_history: bool


def _top_level_block(text: str, key: str) -> tuple[int, int] | None:
    """(start, end) character offsets of a top-level `key:` block in a YAML record."""
    match = re.search(rf"^{re.escape(key)}:.*$", text, flags=re.MULTILINE)
    if not match:
        return None
    # The next top-level key ends the block; "- " lines at column 0 are items of this block's list.
    following = re.search(r"^[^\s#-]", text[match.end() + 1 :], flags=re.MULTILINE)
    end = match.end() + 1 + following.start() if following else len(text)
    # Comments and blank lines at column 0 just before the next key belong to that key, not to this block.
    lines = text[match.end() + 1 : end].splitlines(keepends=True)
    while lines and (lines[-1].startswith("#") or not lines[-1].strip()):
        end -= len(lines.pop())
    return match.start(), end


def _dump(key: str, value: Any) -> str:
    return yaml.safe_dump({key: value}, allow_unicode=True, sort_keys=False, width=100)


def decision_entry(**values: Any) -> dict[str, Any]:
    """A decision mapping in the record's key order, without empty values."""
    if isinstance(values.get("reason"), dict):
        values = {**values, "reason": {k: v for k, v in values["reason"].items() if v}}
    return {k: values[k] for k in DECISION_KEYS if values.get(k) not in (None, "", {})}


def apply_decision(path: Path, new: dict[str, Any]) -> Decided:
    """Rewrite the `decision:` (and `history:`) blocks of one record file; keep every other byte."""
    text = path.read_text(encoding="utf-8")
    data = read_yaml(path)
    current = data.get("decision") or {}
    if current == new:
        return Decided(path, changed=False, kept_in_history=False)
    history = list(data.get("history") or [])
    keep = current.get("status") not in INITIAL
    if keep:
        history.append(current)
    decision_block = _top_level_block(text, "decision")
    if decision_block is None:
        raise ValueError(f"{path}: has no decision block")
    start, end = decision_block
    replacement = _dump("decision", new) + (_dump("history", history) if history else "")
    history_block = _top_level_block(text, "history")
    if history_block:  # remove the old history block; the new one follows the decision
        h_start, h_end = history_block
        if h_start > start:
            text = text[:h_start] + text[h_end:]
        else:
            text = text[:h_start] + text[h_end:]
            start, end = start - (h_end - h_start), end - (h_end - h_start)
    path.write_text(text[:start] + replacement + text[end:], encoding="utf-8")
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
    if _top_level_block(path.read_text(encoding="utf-8"), "decision") is None:
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
