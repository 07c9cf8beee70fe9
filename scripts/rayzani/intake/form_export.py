"""Web-form exports (CSV or JSON) become records, through a documented column mapping.

The site's comment and vote forms post fields named as in `FIELDS`; a form service that stores them
by name exports columns with the same names, and then no mapping file is needed. Any other
form tool's export is read through a mapping file (YAML):

    form: ministry-web          # names the form: part of every record's source
    timezone: "+03:30"          # for timestamps written without a zone
    columns:                    # field: the export's column header
      row_id: "Submission ID"
      comment: "Your comment"
    values:                     # field: {the export's value: Rayzani's value}
      respondent_type: {"Citizen": individual}
    ballot: true                # every row is a vote in a call's poll (see below)

A row whose `vote` column holds an option (its id, or its name in either language) is a vote
in the poll of the call named in `draft`; the others are comments. A ballot export
(`ballot: true`) holds votes only: a row without an option is refused, and the export must
have the `vote` and `participant_id` columns, or nothing is imported.

Idempotence is by the export's row id (or, for a tool without one, a hash of the row's
content): re-importing the same or a later, longer export adds only rows not yet recorded.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from rayzani.intake.records import (
    IdSecretMissing,
    Incoming,
    Outcome,
    RecordWriter,
    Rejection,
    makes_pid,
    record_id,
)
from rayzani.loader import read_yaml

# The web form's field names, which are also the default column names of an export.
FIELDS = (
    "row_id",
    "submitted_at",
    "draft",
    "article",
    "domain",
    "comment",
    "display_name",
    "publish_name",
    "respondent_type",
    "organisation",
    "interest",
    "participant_id",
    "age_band",
    "gender",
    "province",
    "contact",
    "vote",
)
PERSONAL = ("age_band", "gender", "province", "contact")
_YES = {"yes", "true", "1", "on", "y", "checked", "بله", "آری"}


@dataclass
class FormMapping:
    form: str = "web"
    timezone: dt.tzinfo = dt.timezone(dt.timedelta(hours=3, minutes=30))
    columns: dict[str, str] = field(default_factory=lambda: {f: f for f in FIELDS})
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    ballot: bool = False  # every row is a vote


class ExportError(ValueError):
    """The export or the mapping cannot be read at all (nothing is imported)."""


def load_mapping(path: Path | None) -> FormMapping:
    mapping = FormMapping()
    if path is None:
        return mapping
    data = read_yaml(path) or {}
    unknown = set(data) - {"form", "timezone", "columns", "values", "ballot"}
    if unknown:
        raise ExportError(
            f"{path}: unknown key(s) {sorted(unknown)}; known: form, timezone, columns, values, ballot"
        )
    if not isinstance(data.get("ballot", False), bool):
        raise ExportError(f"{path}: ballot must be true or false")
    mapping.ballot = data.get("ballot", False)
    columns = data.get("columns") or {}
    wrong = set(columns) - set(FIELDS)
    if wrong:
        raise ExportError(
            f"{path}: columns has unknown field(s) {sorted(wrong)}; fields: {', '.join(FIELDS)}"
        )
    mapping.columns.update({k: str(v) for k, v in columns.items()})
    mapping.values = {
        k: {str(a): str(b) for a, b in v.items()} for k, v in (data.get("values") or {}).items()
    }
    mapping.form = str(data.get("form") or mapping.form)
    if data.get("timezone"):
        try:
            offset = dt.datetime.fromisoformat(f"2000-01-01T00:00:00{data['timezone']}").utcoffset()
        except ValueError as error:
            raise ExportError(f"{path}: timezone must look like +03:30") from error
        mapping.timezone = dt.timezone(offset)  # type: ignore[arg-type]
    return mapping


def read_rows(path: Path) -> list[dict[str, str]]:
    """The export's rows as {column: text}; CSV with a header row, or JSON (a list of objects)."""
    try:
        if path.suffix.lower() == ".json":
            data = json.loads(path.read_text(encoding="utf-8-sig"))
            if isinstance(data, dict):  # some tools wrap the rows: {"submissions": [...]}
                lists = [v for v in data.values() if isinstance(v, list)]
                data = lists[0] if len(lists) == 1 else None
            if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
                raise ExportError(f"{path}: expected a JSON list of objects (one per row)")
            return [{str(k): "" if v is None else str(v) for k, v in row.items()} for row in data]
        # csv refuses fields over 128 KB; read them so that an oversized comment is reported
        # as that row's problem instead of stopping the whole import.
        csv.field_size_limit(max(csv.field_size_limit(), 64 * 1024 * 1024))
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return [{k: v or "" for k, v in row.items() if k is not None} for row in csv.DictReader(handle)]
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, csv.Error) as error:
        raise ExportError(f"{path}: cannot be read: {error}") from error


def _content_reference(content: str, mapping: FormMapping, writer: RecordWriter) -> str:
    """The reference of a row without a row id: a keyed digest of everything in it.

    The row holds what is sealed or dropped (age band, province, contact, a name without
    consent), and the reference is published in the record's id and source: an unkeyed digest
    would let anyone confirm those values by trying the few each can take.
    """
    unkeyed = "sha-" + hashlib.sha256(content.encode()).hexdigest()[:12]
    if f"form:{mapping.form}:{unkeyed}" in writer.recorded:
        return unkeyed  # recorded before references were keyed: still the same row
    if writer.id_secret is None:
        raise IdSecretMissing(writer.settings, "A row without a row id is named by its content")
    return "sha-" + hmac.new(writer.id_secret, content.encode(), hashlib.sha256).hexdigest()[:12]


def _row_incoming(
    row: dict[str, str], mapping: FormMapping, default_target: str | None, writer: RecordWriter
) -> Incoming:
    def value(name: str) -> str:
        raw = (row.get(mapping.columns.get(name, name)) or "").strip()
        return mapping.values.get(name, {}).get(raw, raw)

    row_id = value("row_id")
    if row_id:
        reference = row_id
    else:
        content = json.dumps({f: value(f) for f in FIELDS}, ensure_ascii=False, sort_keys=True)
        reference = _content_reference(content, mapping, writer)
    consent = value("publish_name").lower() in _YES
    return Incoming(
        channel="form",
        source=f"form:{mapping.form}:{reference}",
        record_id=record_id("form", reference),
        received=_received(value("submitted_at"), mapping),
        target=value("draft") or default_target,
        section=value("article") or None,
        domain=value("domain") or None,
        body=value("comment"),
        author_type=value("respondent_type") or None,
        author_id=value("participant_id") or None,
        # Without consent the display name is dropped here: never written, sealed or shown.
        author_name=value("display_name") or None if consent else None,
        organisation=value("organisation") or None,
        interest=value("interest") or None,
        personal={k: value(k) for k in PERSONAL if value(k)},
        # In a ballot every row is a vote, even one whose option was left empty (it is refused).
        vote=value("vote") if mapping.ballot or value("vote") else None,
    )


_NO_TIME = dt.datetime.min.replace(tzinfo=dt.UTC)


def _received(text: str, mapping: FormMapping) -> dt.datetime:
    try:
        when = dt.datetime.fromisoformat(text.replace(" ", "T", 1)) if text else _NO_TIME
    except ValueError:
        return _NO_TIME
    return when if when.tzinfo else when.replace(tzinfo=mapping.timezone)


@dataclass
class RowOutcome:
    row: int  # 1-based position in the export (the header is not counted)
    outcome: Outcome


def import_export(
    path: Path,
    writer: RecordWriter,
    mapping: FormMapping,
    default_target: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Iterator[RowOutcome]:
    """Record every row of an export; yields what happened to each, in order."""
    rows = read_rows(path)
    if mapping.ballot and rows:
        # Checked before any row is recorded: a ballot without these columns is the wrong file.
        header = set().union(*rows)
        for name in ("vote", "participant_id"):
            if mapping.columns[name] not in header:
                raise ExportError(
                    f"{path}: a ballot export needs the column {mapping.columns[name]!r} ({name}); "
                    "map it under `columns:` in the mapping file"
                )
    incomings = [_row_incoming(row, mapping, default_target, writer) for row in rows]
    if any(i.author_id and makes_pid(i.author_id) for i in incomings) and writer.id_secret is None:
        raise IdSecretMissing(writer.settings)  # before any row is recorded, not halfway
    for number, (row, incoming) in enumerate(zip(rows, incomings, strict=True), start=1):
        if incoming.received is _NO_TIME:
            outcome = Outcome(
                "rejected",
                incoming,
                rejection=Rejection(
                    "bad-value", "submitted_at", row.get(mapping.columns["submitted_at"], "")
                ),
            )
        else:
            outcome = writer.record(incoming)
        yield RowOutcome(number, outcome)
        if progress:
            progress(number, len(rows))
