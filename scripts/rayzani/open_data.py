"""Open data: every consultation's public comments and decisions, the statistics, and a data package.

Stable URLs: `data/<slug>/comments.csv` and `.json`, `data/statistics.csv` and
`data/datapackage.json` (Frictionless Data Package). Only what the site already shows is
written: no sealed field, no contact, no chosen identity; a name only when it was consented.
"""

from __future__ import annotations

import csv
import io
import json
import pickle
from collections.abc import Iterable, Iterator
from pathlib import Path

from rayzani.caches import cache_root, code_digest, write_atomically
from rayzani.concerns import near_duplicate_groups
from rayzani.model import Author, Submission
from rayzani.pages import Site
from rayzani.stats import Statistics, consultation_statistics, portal_statistics

DATA_DIR = "data"
LINES_FILE = "open-data-lines.pickle"
# (column, Frictionless type, description): the one declaration the CSV, JSON and package share.
COMMENT_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("id", "string", "record id, unique within the consultation"),
    ("consultation", "string", "slug of the draft or call commented on"),
    ("section", "string", "article or clause anchor; empty for a general comment"),
    ("domain", "string", "domain id of an idea on a crowdsourcing call"),
    ("received", "datetime", "when the comment was received (ISO 8601 with zone)"),
    ("channel", "string", "issue, form, pull-request, email or paper"),
    ("language", "string", "fa or en"),
    ("body", "string", "the comment as written (Markdown)"),
    ("author_name", "string", "display name, only when the participant consented to publish it"),
    (
        "respondent_type",
        "string",
        "individual, ngo, company, academic, research-institute, public-body, other",
    ),
    ("organisation", "string", "the organisation the participant speaks for"),
    ("declared_interest", "string", "the interest the participant declared"),
    (
        "decision_status",
        "string",
        "pending, accepted, partially-accepted, rejected, noted, out-of-scope, duplicate",
    ),
    ("decision_reason_fa", "string", "the documented reason, in Persian"),
    ("decision_reason_en", "string", "the documented reason, in English when given"),
    ("legal_basis", "string", "the article of law the decision relies on"),
    ("decided_by", "string", "the unit or panel that decided"),
    ("decision_date", "date", "the day of the decision"),
    ("near_duplicate_of", "string", "id of the first comment of its group of near-identical comments"),
    ("withheld", "string", "the reason the text was withheld (it is then empty), or empty when published"),
)
STATISTICS_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("scope", "string", "portal, or the slug of one consultation"),
    (
        "dimension",
        "string",
        "age, gender, province, respondent_type, channel, decision_status or domain",
    ),
    ("unit", "string", "participants (personal data) or comments"),
    ("category", "string", "the category counted; not-stated when the participant did not say"),
    ("count", "integer", "the count; empty when suppressed"),
    ("suppressed", "boolean", "true when the count is below the suppression threshold, or hides one that is"),
)


def comment_row(record: Submission, duplicate_of: str | None) -> dict[str, str]:
    decision, author = record.decision, record.author
    withheld = record.publication.reason if record.publication.withheld else None
    if withheld:  # kept and counted, but its text and who wrote it are not published
        author = Author(type=author.type)
    return {
        "id": record.id,
        "consultation": record.target,
        "section": record.section or "",
        "domain": record.domain or "",
        "received": record.received.isoformat(),
        "channel": record.channel,
        "language": record.language,
        "body": "" if withheld else record.body,
        "author_name": author.name or "",
        "respondent_type": author.type,
        "organisation": author.organisation or "",
        "declared_interest": author.interest or "",
        "decision_status": decision.status,
        "decision_reason_fa": decision.reason.fa if decision.reason else "",
        "decision_reason_en": (decision.reason.en or "") if decision.reason else "",
        "legal_basis": decision.legal_basis or "",
        "decided_by": decision.decided_by or "",
        "decision_date": decision.date.isoformat() if decision.date else "",
        "near_duplicate_of": duplicate_of or "",
        "withheld": withheld or "",
    }


class CommentLines:
    """Each comment's CSV line and JSON line, kept between builds by all they are made of.

    At 100,000 comments, writing the rows out was five seconds of every build, although one
    new comment changes one line. A line's key is its record file's digest, the decision
    published on the build date and its group of near-identical comments; the file is also
    tied to Rayzani's code, which decides the columns. Only published fields are in it.
    """

    FORMAT = 1

    def __init__(self, path: Path | None):
        self.path = path
        self.kept: dict[tuple, tuple[str, str]] = {}
        self.used: dict[tuple, tuple[str, str]] = {}
        self.changed = False
        if path is not None and path.is_file():
            try:
                version, code, kept = pickle.loads(path.read_bytes())
            except Exception:  # damaged or of another version: write the lines again
                return
            if version == self.FORMAT and code == code_digest():
                self.kept = kept

    def lines(self, record: Submission, duplicate_of: str | None) -> tuple[str, str]:
        key = (record.digest, record.decision, duplicate_of) if record.digest else None
        found = self.kept.get(key) if key else None
        if found is None:
            row = comment_row(record, duplicate_of)
            found = (csv_line(row.values()), json.dumps(row, ensure_ascii=False))
            self.changed = True
        if key:
            self.used[key] = found
        return found

    def save(self) -> None:
        """Keep the lines this build wrote, and only those (an erased comment's line goes)."""
        if self.path is None or not (self.changed or self.used.keys() != self.kept.keys()):
            return
        write_atomically(self.path, pickle.dumps((self.FORMAT, code_digest(), self.used), protocol=5))


_LINE = io.StringIO(newline="")
_LINE_WRITER = csv.writer(_LINE, lineterminator="\r\n")


def csv_line(values: Iterable[str]) -> str:
    """One CSV record, quoted as the csv module quotes (a field may hold line breaks)."""
    _LINE.seek(0)
    _LINE.truncate()
    _LINE_WRITER.writerow(values)
    return _LINE.getvalue()


def _csv(fields: tuple[tuple[str, str, str], ...], rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=[f[0] for f in fields], lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def statistics_rows(stats: Statistics) -> list[dict[str, str]]:
    return [
        {
            "scope": stats.scope,
            "dimension": b.dimension,
            "unit": b.unit,
            "category": c.category,
            "count": "" if c.suppressed else str(c.count),
            "suppressed": "true" if c.suppressed else "false",
        }
        for b in stats.breakdowns
        for c in b.cells
    ]


def consultation_slugs(site: Site) -> list[str]:
    """Every draft, and every call for ideas, that the site publishes."""
    calls = [c.slug for c in site.portal.calls.values() if c.kind == "crowdsourcing"]
    return sorted(set(site.portal.drafts) | set(calls))


def _schema(fields: tuple[tuple[str, str, str], ...]) -> dict:
    return {"fields": [{"name": n, "type": t, "description": d} for n, t, d in fields]}


def _json_lines_array(lines: list[str]) -> bytes:
    """A JSON array with one row a line: diffable, and written by json's C encoder (which
    `indent` turns off: ten times slower at 100,000 comments)."""
    return ("[\n" + ",\n".join(lines) + "\n]\n").encode() if lines else b"[]\n"


def _comment_files(records: list[Submission], kept: CommentLines) -> tuple[bytes, bytes]:
    """The CSV and the JSON of a consultation's comments."""
    first_of = {
        m.id: g.representative.id
        for g in near_duplicate_groups(records)
        for m in g.members
        if m is not g.representative
    }
    lines = [kept.lines(r, first_of.get(r.id)) for r in records]
    table = csv_line(f[0] for f in COMMENT_FIELDS) + "".join(line for line, _ in lines)
    return table.encode("utf-8"), _json_lines_array([line for _, line in lines])


def open_data_files(site: Site) -> Iterator[tuple[str, bytes]]:
    """The open-data files and the Frictionless data package that describes them."""
    resources = []
    # Kept between builds only by a build that keeps caches (rayzani build and serve).
    kept = CommentLines(cache_root(site.portal.root) / LINES_FILE if site.cache else None)
    for slug in consultation_slugs(site):
        table, array = _comment_files(site.portal.comments_on(slug), kept)
        base = f"{DATA_DIR}/{slug}/comments"
        yield f"{base}.csv", table
        yield f"{base}.json", array
        name = f"{slug}-comments"
        for fmt, media in (("csv", "text/csv"), ("json", "application/json")):
            resources.append(
                {
                    "name": name + ("" if fmt == "csv" else "-json"),
                    "path": f"{slug}/comments.{fmt}",
                    "format": fmt,
                    "mediatype": media,
                    "encoding": "utf-8",
                    "title": f"Comments and decisions: {slug}",
                    **({"profile": "tabular-data-resource"} if fmt == "csv" else {}),
                    "schema": _schema(COMMENT_FIELDS),
                }
            )
    stats = [portal_statistics(site.portal, site.settings, site.today)]
    stats += [
        consultation_statistics(site.portal, site.settings, site.today, s) for s in consultation_slugs(site)
    ]
    yield (
        f"{DATA_DIR}/statistics.csv",
        _csv(STATISTICS_FIELDS, [row for s in stats for row in statistics_rows(s)]),
    )
    resources.append(
        {
            "name": "statistics",
            "path": "statistics.csv",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "profile": "tabular-data-resource",
            "title": "Participation statistics, portal-wide and per consultation",
            "description": (
                f"Counts from personal data below {site.settings.suppression_threshold} are suppressed, "
                "with complementary suppression; personal-data counts cover closed consultations only."
            ),
            "schema": _schema(STATISTICS_FIELDS),
        }
    )
    package = {
        "profile": "data-package",  # the JSON copies are not tabular resources
        "name": "rayzani-consultations",
        "title": "Public consultations: comments, decisions and participation statistics",
        "created": site.today.isoformat(),
        "resources": resources,
    }
    yield f"{DATA_DIR}/datapackage.json", json.dumps(package, ensure_ascii=False, indent=1).encode("utf-8")
    kept.save()
