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
Hence an export is read whole or refused whole (`ExportError`, before any row is recorded):
a row half-read from a cut file and recorded would make the full row of the next export a
duplicate, and two rows with one row id would drop the second. Rows that are whole but wrong
(an empty comment, an unknown article) are refused one by one, and the others recorded.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import hmac
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from rayzani.i18n import messages
from rayzani.intake.naming import IdSecretMissing, makes_pid, record_id
from rayzani.intake.records import Incoming, Outcome, RecordWriter, Rejection
from rayzani.load.yaml_io import read_yaml
from rayzani.model import LANGS
from rayzani.problems import Problem

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


class Refusal:
    """One reason an export is refused whole, said in either language with how to fix it."""

    def __init__(
        self,
        key: str,
        row: int | None = None,
        line: int | None = None,
        fix: str | None = None,
        **values: object,
    ):
        self.key, self.row, self.line, self.fix = key, row, line, fix or f"{key}_fix"
        self.values = values

    def problem(self, path: Path, lang: str) -> Problem:
        def say(key: str, **values: object) -> str:
            # Plain text (a validation problem, printed): counts in the reader's digits, data
            # (a row id, a column name) exactly as written.
            return messages.text(key, lang, **values)

        where = ""
        if self.row is not None and self.line is not None:
            where = say("export_where_row_line", row=self.row, line=self.line)
        elif self.row is not None:
            where = say("export_where_row", row=self.row)
        elif self.line is not None:
            where = say("export_where_line", line=self.line)
        return Problem(path, where, say(self.key, **self.values), say(self.fix, **self.values))


class ExportError(ValueError):
    """The export or the mapping cannot be read whole: nothing is imported."""

    def __init__(self, path: Path | str, refusals: list[Refusal] | None = None):
        self.refusals = refusals or []
        self.problems: dict[str, list[Problem]] = {}
        if not self.refusals:  # a plain message (the mapping file, a missing ballot column)
            super().__init__(str(path))
            return
        shown = self.refusals[:MAX_LISTED]
        if len(self.refusals) > MAX_LISTED:
            shown.append(Refusal("export_more", count=len(self.refusals) - MAX_LISTED))
        self.problems = {lang: [r.problem(Path(path), lang) for r in shown] for lang in LANGS}
        super().__init__("\n".join(p.format() for lang in LANGS for p in self.problems[lang]))


def load_mapping(path: Path | None) -> FormMapping:
    mapping = FormMapping()
    if path is None:
        return mapping
    try:
        data = read_yaml(path) or {}
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as error:
        raise ExportError(f"{path}: cannot be read as YAML ({str(error).splitlines()[0]})") from None
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


# How much of a refusal is listed: enough to see the pattern, not a screenful per bad row.
MAX_LISTED = 20
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))


def read_rows(path: Path) -> list[dict[str, str]]:
    """The export's rows as {column: text}; CSV with a header row, or JSON (a list of objects).

    Read whole or not at all: an export cut off or malformed anywhere raises `ExportError`
    before a row is recorded, because a half-read row recorded once is never repaired (its
    row id makes the whole row of a later, full export a duplicate).
    """
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ExportError(f"{path}: cannot be read: {error}") from error
    text = _decode(path, data)
    if path.suffix.lower() == ".json":
        return _json_rows(path, text)
    return _csv_rows(path, text)


def _decode(path: Path, data: bytes) -> str:
    """The text of an export in UTF-8 (with or without a BOM) or UTF-16 (with its BOM)."""
    encoding, start = "utf-8", 0
    for bom, name in _BOMS:
        if data.startswith(bom):
            encoding, start = name, len(bom)
            break
    try:
        text = data[start:].decode(encoding)
    except UnicodeDecodeError as error:
        # Bytes missing only at the very end are a cut, not another encoding.
        if error.end >= len(data) - start and error.reason in ("unexpected end of data", "truncated data"):
            raise ExportError(path, [Refusal("export_cut", detail=error.reason)]) from error
        raise ExportError(path, [Refusal("export_not_utf8")]) from error
    if "\0" in text:
        raise ExportError(path, [Refusal("export_nul", fix="export_not_utf8_fix")])
    return text


def _json_rows(path: Path, text: str) -> list[dict[str, str]]:
    def unique_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
        keys = [k for k, _ in pairs]
        twice = next((k for k in keys if keys.count(k) > 1), None)
        if twice is not None:  # json keeps the last silently: one of two answers would be lost
            raise ExportError(path, [Refusal("export_json_twice", detail=twice, fix="export_bad_quote_fix")])
        return dict(pairs)

    try:
        data = json.loads(text, object_pairs_hook=unique_keys)
    except json.JSONDecodeError as error:
        where = Refusal("export_json", line=error.lineno, detail=error.msg, fix="export_cut_fix")
        raise ExportError(path, [where]) from error
    if isinstance(data, dict):  # some tools wrap the rows: {"submissions": [...]}
        lists = [v for v in data.values() if isinstance(v, list)]
        data = lists[0] if len(lists) == 1 else None
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise ExportError(f"{path}: expected a JSON list of objects (one per row)")
    return [{str(k): "" if v is None else str(v) for k, v in row.items()} for row in data]


def _csv_rows(path: Path, text: str) -> list[dict[str, str]]:
    """Every row of a CSV export, each with exactly the header's fields, or `ExportError`."""
    # csv refuses fields over 128 KB; read them so that an oversized comment is reported
    # as that row's problem instead of stopping the whole import.
    csv.field_size_limit(max(csv.field_size_limit(), 64 * 1024 * 1024))
    lines = io.StringIO(text, newline="").readlines()
    first = lines[0] if lines else ""
    # Excel's "Unicode Text" (UTF-16) separates fields with tabs.
    delimiter = "\t" if "\t" in first and "," not in first else ","
    # Strict: an unterminated quoted field (a file cut inside a comment) raises, not ends the field.
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    header: list[str] | None = None
    rows: list[dict[str, str]] = []
    refusals: list[Refusal] = []
    try:
        while True:
            start = reader.line_num
            try:
                fields = next(reader)
            except StopIteration:
                break
            if not fields:
                continue  # a blank line
            if header is None:
                header = _header(path, fields)
                continue
            number = len(rows) + 1
            if len(fields) != len(header):
                refusals.append(
                    Refusal("export_fields", number, start + 1, "export_bad_quote_fix",
                            count=len(fields), header=len(header))
                )  # fmt: skip
            rows.append(dict(zip(header, fields, strict=False)))
    except csv.Error as error:
        line = reader.line_num
        refusals.append(Refusal("export_bad_quote", line=line, detail=str(error), fix="export_cut_fix"))
    if header is None:
        raise ExportError(path, [Refusal("export_no_header")])
    # Only a line break proves the last row whole: a value may be cut anywhere, and even a
    # closing quote may be the first half of a doubled one ("" in the middle of a comment).
    if not refusals and not text.endswith(("\n", "\r")):
        refusals.append(Refusal("export_no_line_end", line=len(lines)))
    if refusals:
        raise ExportError(path, refusals)
    return rows


def _header(path: Path, fields: list[str]) -> list[str]:
    names = [f for f in fields if f.strip()]
    twice = next((n for n in names if names.count(n) > 1), None)
    if twice is not None:  # a dict keeps one of the two columns: the other's answers would be lost
        raise ExportError(path, [Refusal("export_twice_column", line=1, detail=twice)])
    return fields


def _value(row: dict[str, str], mapping: FormMapping, name: str) -> str:
    """A field of a row, through the mapping's column and value tables."""
    raw = (row.get(mapping.columns.get(name, name)) or "").strip()
    return mapping.values.get(name, {}).get(raw, raw)


def _repeated_row_ids(path: Path, rows: list[dict[str, str]], mapping: FormMapping) -> None:
    """Refuse an export in which two rows share a row id: the second would be taken as a
    second delivery of the first, and a different comment silently dropped."""
    first: dict[str, int] = {}
    refusals = []
    for number, row in enumerate(rows, start=1):
        row_id = _value(row, mapping, "row_id")
        if not row_id:
            continue  # identified by a hash of its content: the same hash is the same row
        if row_id in first:
            refusals.append(Refusal("export_row_id_twice", number, None, detail=row_id, first=first[row_id]))
        else:
            first[row_id] = number
    if refusals:
        raise ExportError(path, refusals)


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
        return _value(row, mapping, name)

    row_id = value("row_id")
    if row_id:
        reference = row_id
    else:
        content = json.dumps({f: value(f) for f in FIELDS}, ensure_ascii=False, sort_keys=True)
        reference = _content_reference(content, mapping, writer)
    received = _received(value("submitted_at"), mapping)
    return form_incoming(value, reference, mapping.form, received, default_target, mapping.ballot)


def form_incoming(
    value: Callable[[str], str],
    reference: str,
    form: str,
    received: dt.datetime,
    default_target: str | None = None,
    ballot: bool = False,
) -> Incoming:
    """What the web form posted (`value` of each of `FIELDS`), as the one writer takes it.

    Shared by form exports and Rayzani's own receiver, so both read the form's fields alike.
    """
    consent = value("publish_name").lower() in _YES
    return Incoming(
        channel="form",
        source=f"form:{form}:{reference}",
        record_id=record_id("form", reference),
        received=received,
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
        vote=value("vote") if ballot or value("vote") else None,
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
    _repeated_row_ids(path, rows, mapping)
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
