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

from rayzani.builder import load_project
from rayzani.loader import read_yaml
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


def decide(root: Path, entries: list[dict[str, Any]], today: dt.date) -> tuple[list[Decided], list[Problem]]:
    """Apply decisions to records; if the portal no longer validates, put every file back."""
    originals: dict[Path, str] = {}
    done: list[Decided] = []
    problems: list[Problem] = []
    for entry in entries:
        path = root / "submissions" / str(entry.get("target", "")) / f"{entry.get('id', '')}.yml"
        if not path.is_file() or path.resolve().parent.parent != (root / "submissions").resolve():
            problems.append(Problem(path, "", "is not a record", "check the target slug and the record id"))
            continue
        originals.setdefault(path, path.read_text(encoding="utf-8"))
        values = {k: v for k, v in entry.items() if k not in ("target", "id")}
        values.setdefault("date", today)
        done.append(apply_decision(path, decision_entry(**values)))
    if not problems:
        touched = set(originals)
        problems = [p for p in load_project(root, today).problems if p.path in touched]
    if problems:
        for path, text in originals.items():
            path.write_text(text, encoding="utf-8")
        return [], problems
    return done, []


def read_batch(path: Path) -> list[dict[str, Any]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, list) or not all(isinstance(e, dict) for e in data):
        raise ValueError(f"{path}: must be a list of decisions, each with target, id, status, reason...")
    return data
