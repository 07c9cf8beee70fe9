"""Records under submissions/: comments, ideas and votes, each checked on its own, read once per change."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import os
import stat
from pathlib import Path

from rayzani.cache.records import RecordCache
from rayzani.cache.store import Cache
from rayzani.i18n.text import normalise
from rayzani.load import schema as s
from rayzani.load.fields import (
    AUTHOR_FIELDS,
    DECISION_FIELDS,
    PUBLICATION_FIELDS,
    SUBMISSION_FIELDS,
    VOTE_FIELDS,
)
from rayzani.load.markdown import check_characters
from rayzani.load.yaml_io import UNREADABLE, read_yaml_or_problem
from rayzani.model import (
    IRAN_TIME,
    MAX_COMMENT_CHARS,
    Author,
    Decision,
    Localized,
    Portal,
    Publication,
    Submission,
    Vote,
)
from rayzani.problems import Problem


def _localized(value: dict | None) -> Localized | None:
    if not value:
        return None
    return Localized(normalise(value["fa"]), normalise(value["en"]) if value.get("en") else None)


def _publication(data: dict) -> Publication:
    """A checked record's publication block (comments and votes alike); absent: published."""
    return Publication(**data["publication"]) if data.get("publication") else Publication()


def _check_publication(value: dict | None, path: Path) -> list[Problem]:
    if value is None:
        return []
    found = s.check_mapping(value, PUBLICATION_FIELDS, path, "publication.")
    # A reason says why a comment is not shown: required when withheld, allowed when held.
    if not found and value["state"] != "held" and (value["state"] == "withheld") != bool(value.get("reason")):
        fix = "add a reason" if value["state"] == "withheld" else "remove the reason"
        found.append(
            Problem(path, "publication.reason", "must be given exactly when the state is withheld", fix)
        )
    return found


def load_submission(path: Path, problems: list[Problem]) -> Submission | Vote | None:
    if path.is_symlink() or not path.is_file():
        # A link could make validation read (and echo in its messages) a file outside the repository.
        problems.append(Problem(path, "", "is not a plain file", "replace it with the record itself"))
        return None
    data = read_yaml_or_problem(path, problems, "fix the YAML syntax (a stray colon or bad indentation)")
    if data is UNREADABLE:
        return None
    if isinstance(data, dict) and "vote" in data:  # a vote in a call's poll, not a comment to answer
        vote, found = load_vote(data, path)
        problems.extend(found)
        return vote
    found = check_characters(data, path) + s.check_mapping(data, SUBMISSION_FIELDS, path)
    if not found:
        found += s.check_mapping(data["author"], AUTHOR_FIELDS, path, "author.")
        found += s.check_mapping(data["decision"], DECISION_FIELDS, path, "decision.")
        found += _check_publication(data.get("publication"), path)
        if len(data["body"]) > MAX_COMMENT_CHARS:  # the limit every intake channel applies
            found.append(
                Problem(
                    path,
                    "body",
                    f"is {len(data['body'])} characters long, more than {MAX_COMMENT_CHARS}",
                    "ask the participant to shorten it, or split it into comments on separate articles",
                )
            )
    if not found:
        for index, entry in enumerate(data.get("history") or []):
            found += s.check_mapping(entry, DECISION_FIELDS, path, f"history[{index + 1}].")
    if not found:
        found += _check_decision(data["decision"], path, "decision")
        for index, entry in enumerate(data.get("history") or []):
            found += _check_decision(entry, path, f"history[{index + 1}]")
        found += _check_history_order(data, path)
        found += _check_decided_after_received(data, path)
        if data["id"] != path.stem:
            found.append(
                Problem(
                    path,
                    "id",
                    f"is {data['id']!r} but the file is {path.name}",
                    f"rename the file to {data['id']}.yml or set id: {path.stem}",
                )
            )
        if data["target"] != path.parent.name:
            found.append(
                Problem(
                    path,
                    "target",
                    f"is {data['target']!r} but the record is in submissions/{path.parent.name}/",
                    "move the file or fix target",
                )
            )
    problems.extend(found)
    if found:
        return None
    a, d = data["author"], data["decision"]
    return Submission(
        id=data["id"],
        path=path,
        target=data["target"],
        received=data["received"],
        channel=data["channel"],
        source=data["source"],
        language=data["language"],
        body=_clean(data["body"]) or "",  # required: validation rejected a record without one
        section=data.get("section"),
        domain=data.get("domain"),
        sealed=data.get("sealed"),
        demo=bool(data.get("demo", False)),
        version=str(data["version"]) if data.get("version") is not None else None,
        publication=_publication(data),
        redactions=tuple(data.get("redactions") or ()),
        late=bool(data.get("late", False)),
        text_sha256=data.get("text_sha256"),
        reference=data.get("reference"),
        author=Author(
            id=a.get("id"),
            type=a["type"],
            name=_clean(a.get("name")),
            organisation=_clean(a.get("organisation")),
            interest=_clean(a.get("interest")),
        ),
        decision=_decision(d),
        history=tuple(_decision(entry) for entry in data.get("history") or ()),
    )


def as_of(record: Submission, today: dt.date, initial: str = "pending") -> Submission:
    """The record as published on `today`: decisions dated later are not public yet."""
    answers = [*record.history, record.decision]
    if all(d.date is None or d.date <= today for d in answers):
        return record
    public = [d for d in answers if d.date is None or d.date <= today]
    current = public[-1] if public else Decision(status=initial)
    return dataclasses.replace(record, decision=current, history=tuple(public[:-1]))


def _clean(text: str | None) -> str | None:
    """Public text from a record, with Persian letters and no bidi or invisible controls."""
    return normalise(text) if text else text


def _decision(d: dict) -> Decision:
    return Decision(
        status=d["status"],
        reason=_localized(d.get("reason")),
        legal_basis=_clean(d.get("legal_basis")),
        decided_by=_clean(d.get("decided_by")),
        date=d.get("date"),
        panel=d.get("panel"),
        duplicate_of=d.get("duplicate_of"),
        scores=tuple((d.get("scores") or {}).items()),
    )


def _check_decision(decision: dict, path: Path, where: str) -> list[Problem]:
    """Every change after the record arrived (an answer, or an idea put under review) needs its reason,
    its author and its date; only the status intake writes (pending, received) stands alone."""
    if decision["status"] in ("pending", "received"):
        return []
    found = []
    for key, what in (
        ("reason", "a reason with at least `fa:`"),
        ("date", "the decision date"),
    ):
        if not decision.get(key):
            found.append(
                Problem(
                    path,
                    f"{where}.{key}",
                    f"is missing for a {decision['status']} decision",
                    f"add {what}, or set status back to pending",
                )
            )
    if not decision.get("decided_by") and not decision.get("panel"):
        found.append(
            Problem(
                path,
                f"{where}.decided_by",
                f"is missing for a {decision['status']} decision",
                "name the unit that decided, or the deciding panel's slug under `panel:`",
            )
        )
    if decision["status"] == "duplicate" and not decision.get("duplicate_of"):
        found.append(
            Problem(path, f"{where}.duplicate_of", "is missing for a duplicate", "add the id it repeats")
        )
    return found


def _check_history_order(data: dict, path: Path) -> list[Problem]:
    """History runs oldest first and ends before the current decision."""
    entries = [*(data.get("history") or []), data["decision"]]
    dates = [e.get("date") for e in entries]
    for index in range(1, len(dates)):
        if dates[index - 1] and dates[index] and dates[index] < dates[index - 1]:
            field_name = "decision.date" if index == len(dates) - 1 else f"history[{index + 1}].date"
            return [
                Problem(
                    path,
                    field_name,
                    f"is {dates[index]}, before the earlier decision of {dates[index - 1]}",
                    "keep history oldest first; use `rayzani decide` to change a decision",
                )
            ]
    return []


def _check_decided_after_received(data: dict, path: Path) -> list[Problem]:
    """No decision (current or earlier) is dated before the Iranian day the comment arrived."""
    arrived = data["received"].astimezone(IRAN_TIME).date()
    entries = [*(data.get("history") or []), data["decision"]]
    for index, entry in enumerate(entries):
        if entry.get("date") and entry["date"] < arrived:
            where = "decision.date" if index == len(entries) - 1 else f"history[{index + 1}].date"
            return [
                Problem(
                    path,
                    where,
                    f"is {entry['date']}, before the comment was received on {arrived} (Iran time)",
                    f"correct the date to {arrived} or later; a decision answers a comment already received",
                )
            ]
    return []


def load_vote(data: dict, path: Path) -> tuple[Vote | None, list[Problem]]:
    """A vote record: a record with `vote:`; it needs `author.id`, the only way to count one per person."""
    found = s.check_mapping(data, VOTE_FIELDS, path)
    if not found:
        found += s.check_mapping(data["author"], AUTHOR_FIELDS, path, "author.")
    if not found:
        found += _check_publication(data.get("publication"), path)
    if not found and not data["author"].get("id"):
        found.append(
            Problem(
                path,
                "author.id",
                "is missing on a vote",
                "a vote must carry the participant's identity, so that each person is counted once",
            )
        )
    if not found and (data["id"] != path.stem or data["target"] != path.parent.name):
        found.append(
            Problem(path, "id", "or target does not match the file's name and folder", "fix id: and target:")
        )
    if found:
        return None, found
    a = data["author"]
    vote = Vote(
        id=data["id"],
        path=path,
        target=data["target"],
        option=data["vote"],
        received=data["received"],
        channel=data["channel"],
        source=data["source"],
        author=Author(type=a["type"], id=a["id"], name=a.get("name"), organisation=a.get("organisation")),
        late=bool(data.get("late", False)),
        demo=bool(data.get("demo", False)),
        text_sha256=data.get("text_sha256"),
        reference=data.get("reference"),
        publication=_publication(data),
    )
    return vote, []


def _record_entries(folder: Path) -> list[tuple[str, os.DirEntry[str]]]:
    """("<target>/<name>", entry) of every entry one level inside submissions/, in order.

    Names and directory entries, not Paths: at 100,000 records, making Path objects cost more
    than reading the records back from the record cache.
    """
    if not folder.is_dir():
        return []
    found = []
    with os.scandir(folder) as top:
        for target in sorted(top, key=lambda e: e.name):
            if target.is_dir():
                with os.scandir(target.path) as entries:
                    inside = ((f"{target.name}/{e.name}", e) for e in entries)
                    found.extend(sorted(inside, key=lambda pair: pair[0]))
            else:  # a file beside the target folders: reported, not skipped
                found.append((target.name, target))
    return found


def _read_record(
    folder: Path, name: str, entry: os.DirEntry[str], problems: list[Problem], cache: RecordCache
) -> Submission | Vote | None:
    """load_submission, or what it gave last time for the same file (see RecordCache)."""
    try:
        info = entry.stat(follow_symlinks=False)
    except OSError:
        info = None
    plain = info is not None and stat.S_ISREG(info.st_mode)
    path = folder / name
    kept = cache.get(name, info, path) if plain and info else None
    if kept is not None:
        record, found = kept
    else:
        found = []
        record = load_submission(path, found)
        try:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError:  # unreadable: load_submission reported it, and nothing is kept
            digest = None
        if isinstance(record, Submission) and digest:
            record = dataclasses.replace(record, digest=digest)
        if plain and info and digest:
            cache.put(name, info, digest, (record, found))
    problems.extend(found)
    return record


def load_records(root: Path, portal: Portal, problems: list[Problem], cache: Cache) -> None:
    """Every record under submissions/ into the portal, as it stands on `portal.today` (records read
    before are taken from the build's `cache`)."""
    records = RecordCache(cache)
    folder = root / "submissions"
    for name, entry in _record_entries(folder):
        if "/" not in name:
            if name != ".gitkeep":
                problems.append(
                    Problem(
                        folder / name,
                        "",
                        "is directly in submissions/, where no record is read",
                        "move it into the folder of the draft or call it is about: submissions/<slug>/",
                    )
                )
            continue
        if not name.endswith(".yml"):
            if entry.name != ".gitkeep":
                problems.append(
                    Problem(folder / name, "", "is not a .yml record", "rename it to <id>.yml or remove it")
                )
            continue
        record = _read_record(folder, name, entry, problems, records)
        if isinstance(record, Vote):
            portal.votes.setdefault(record.target, []).append(record)
            continue
        if record:
            record = as_of(record, portal.today, portal.initial_status(record.target))
            portal.submissions.setdefault(record.target, []).append(record)
    records.save()
