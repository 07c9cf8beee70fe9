"""Open data: every consultation's public comments and decisions, the statistics, and a data package.

Stable URLs: `data/<slug>/comments.csv` and `.json`, `data/statistics.csv` and
`data/datapackage.json` (Frictionless Data Package). Only what the site already shows is
written: no sealed field, no contact, no chosen identity; a name only when it was consented.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

from rayzani import urls
from rayzani.analysis.concerns import near_duplicate_groups
from rayzani.analysis.stats import Statistics, consultation_statistics, portal_statistics
from rayzani.model import Submission
from rayzani.security.spreadsheet import csv_line
from rayzani.site.context import Site

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
# How the CSV files differ from the plain text, for the data package's readers.
CSV_NOTE = (
    "UTF-8 with a byte-order mark, so that spreadsheets show Persian text. A cell that would start "
    "with =, +, -, @ (even after spaces or invisible characters), a tab, a carriage return or an "
    "apostrophe starts with an added apostrophe (') so that no spreadsheet evaluates it as a formula: "
    "remove one leading apostrophe for the exact text, which the JSON copy holds unchanged."
)
STATISTICS_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("scope", "string", "portal, or the slug of one consultation"),
    (
        "dimension",
        "string",
        "age, gender, province, respondent_type, channel, decision_status or domain",
    ),
    ("unit", "string", "participants (personal data) or comments"),
    (
        "category",
        "string",
        "the category counted; not-stated when the participant did not say; total: all the table's people",
    ),
    ("count", "integer", "the count; empty when suppressed"),
    ("suppressed", "boolean", "true when the count is not published"),
    (
        "suppression",
        "string",
        "why the count is not published: small (1 to the threshold less one), hidden (hidden to protect "
        "a small count; of any size) or withheld (the whole table is not published); empty when published",
    ),
)


def comment_row(record: Submission, duplicate_of: str | None) -> dict[str, str]:
    decision, author = record.decision, record.shown_author  # a withheld record: counted, not shown
    return {
        "id": record.id,
        "consultation": record.target,
        "section": record.section or "",
        "domain": record.domain or "",
        "received": record.received.isoformat(),
        "channel": record.channel,
        "language": record.language,
        "body": record.shown_text,
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
        "withheld": record.withheld_reason or "",
    }


class CommentLines:
    """Each comment's CSV line and JSON line, kept between builds by all they are made of.

    At 100,000 comments, writing the rows out was five seconds of every build, although one
    new comment changes one line. A line is named by its record file's digest, the build
    date and the consultation's first status (which decide the decision published, see
    `load.records.as_of`) and its group of near-identical comments; the lines are tied to Rayzani's
    code, which decides the columns, and to the line format (`VERSION`), which is part of each
    name too: a line written before cells were neutralised (version 1) is never served. They
    are the store's `open-data` namespace (sharded, and in memory between builds of one
    process). Only published fields are in them.
    """

    VERSION = 2  # 2: CSV cells neutralised against formulas (`neutral_cell`)
    NAMESPACE = "open-data"

    def __init__(self, site: Site):
        self.today = site.today.isoformat()
        self.kept = site.store.shards(self.NAMESPACE, self.VERSION)

    def lines(self, record: Submission, initial: str, duplicate_of: str | None) -> tuple[str, str]:
        name = ""
        if record.digest:
            name = f"v{self.VERSION}/{record.digest}/{self.today}/{initial}/{duplicate_of or ''}"
        found = self.kept.get(name) if name else None
        if found is None:
            row = comment_row(record, duplicate_of)
            found = (csv_line(row.values()), json.dumps(row, ensure_ascii=False))
            if name:
                self.kept.put(name, found)
        return found

    def save(self) -> None:
        """Keep the lines this build wrote, and only those (an erased comment's line goes)."""
        self.kept.save()


def _csv(fields: tuple[tuple[str, str, str], ...], lines: Iterable[str]) -> bytes:
    """A CSV file: a UTF-8 byte-order mark (without it Excel reads the file in the Windows code
    page and shows Persian as mojibake), the header of `fields`, then the records (each from
    `csv_line`)."""
    return ("\ufeff" + csv_line(f[0] for f in fields) + "".join(lines)).encode("utf-8")


def statistics_rows(stats: Statistics) -> list[dict[str, str]]:
    """Every cell; a personal table's total too (its pages print it), for whoever adds it up."""
    totals = [
        {
            "scope": stats.scope,
            "dimension": b.dimension,
            "unit": b.unit,
            "category": "total",
            "count": str(b.total),
            "suppressed": "false",
            "suppression": "",
        }
        for b in stats.breakdowns
        if b.unit == "participants"
    ]
    return totals + [
        {
            "scope": stats.scope,
            "dimension": b.dimension,
            "unit": b.unit,
            "category": c.category,
            "count": "" if c.suppressed else str(c.count),
            "suppressed": "true" if c.suppressed else "false",
            "suppression": c.state if c.suppressed else "",
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


def _comment_files(site: Site, slug: str, kept: CommentLines) -> tuple[bytes, bytes]:
    """The CSV and the JSON of a consultation's comments."""
    records = site.portal.comments_on(slug)
    initial = site.portal.initial_status(slug)
    first_of = {
        m.id: g.representative.id
        for g in near_duplicate_groups(records, cache=site.store)
        for m in g.members
        if m is not g.representative
    }
    lines = [kept.lines(r, initial, first_of.get(r.id)) for r in records]
    table = _csv(COMMENT_FIELDS, (line for line, _ in lines))
    return table, _json_lines_array([line for _, line in lines])


def open_data_files(site: Site) -> Iterator[tuple[str, bytes]]:
    """The open-data files and the Frictionless data package that describes them."""
    resources = []
    kept = CommentLines(site)
    for slug in consultation_slugs(site):
        table, array = _comment_files(site, slug, kept)
        yield urls.comments_data(slug, "csv"), table
        yield urls.comments_data(slug, "json"), array
        name = f"{slug}-comments"
        for fmt, media in (("csv", "text/csv"), ("json", "application/json")):
            resources.append(
                {
                    "name": name + ("" if fmt == "csv" else "-json"),
                    "path": urls.relative_to(urls.comments_data(slug, fmt), urls.datapackage()),
                    "format": fmt,
                    "mediatype": media,
                    "encoding": "utf-8",
                    "title": f"Comments and decisions: {slug}",
                    **({"profile": "tabular-data-resource"} if fmt == "csv" else {}),
                    "schema": _schema(COMMENT_FIELDS),
                }
            )
    stats = [portal_statistics(site.portal, site.settings, site.today, site.store)]
    stats += [
        consultation_statistics(site.portal, site.settings, site.today, s, site.store)
        for s in consultation_slugs(site)
    ]
    yield (
        urls.statistics_csv(),
        _csv(STATISTICS_FIELDS, (csv_line(row.values()) for s in stats for row in statistics_rows(s))),
    )
    resources.append(
        {
            "name": "statistics",
            "path": urls.relative_to(urls.statistics_csv(), urls.datapackage()),
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "profile": "tabular-data-resource",
            "title": "Participation statistics, portal-wide and per consultation",
            "description": (
                f"Counts from personal data below {site.settings.suppression_threshold} are suppressed, with "
                "complementary suppression audited across every table; personal-data counts cover the "
                "comments received within the period of closed consultations only, and never change."
            ),
            "schema": _schema(STATISTICS_FIELDS),
        }
    )
    for resource in resources:  # what every CSV file shares, said once (see `_csv`, `neutral_cell`)
        if resource["format"] == "csv":
            described = resource.get("description")
            resource["description"] = f"{described} {CSV_NOTE}" if described else CSV_NOTE
    package = {
        "profile": "data-package",  # the JSON copies are not tabular resources
        "name": "rayzani-consultations",
        "title": "Public consultations: comments, decisions and participation statistics",
        "created": site.today.isoformat(),
        # The agency's licence (`data_licence`), as the Data Package spec's `licenses` entry:
        # `name` (an Open Definition / SPDX id), `path` (its web address) and `title`.
        **({"licenses": [dict(site.settings.data_licence)]} if site.settings.data_licence else {}),
        "resources": resources,
    }
    yield urls.datapackage(), json.dumps(package, ensure_ascii=False, indent=1).encode("utf-8")
    kept.save()
