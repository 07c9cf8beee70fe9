"""The open-data page (`/open-data/`), and the data links of each consultation's page.

The page lists every data file the site publishes with its size measured from the very bytes
the build writes: the files are made once per build (`published_data`), and the same bytes are
handed to the builder (`published_data_files`, a file source) and measured here. The columns
are documented from the column tables the CSV writer uses (`files.open_data`), so the page
cannot name a column the files do not have. Participants' certificates (`data/certificates/`)
are personal documents, reached from their own pages, and are not listed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from rayzani import urls
from rayzani.i18n import messages
from rayzani.i18n.dates import format_date
from rayzani.i18n.text import localise_digits
from rayzani.model import LANGS, Call, Draft
from rayzani.render.environment import render
from rayzani.site.context import Site
from rayzani.site.files.feeds import FEEDS, feed_files
from rayzani.site.files.open_data import (
    COMMENT_FIELDS,
    STATISTICS_FIELDS,
    consultation_slugs,
    open_data_files,
)
from rayzani.site.pages.reports import report_pdf_files
from rayzani.site.pages.trust import contact_view


def published_data(site: Site) -> tuple[tuple[str, bytes], ...]:
    """Every open-data file, feed and report PDF of this build, made once per portal."""

    def make() -> tuple[tuple[str, bytes], ...]:
        return (*open_data_files(site), *feed_files(site), *report_pdf_files(site))

    return site.store.per_portal(site.portal, ("published-data", site.today, site.site_url), make)


def published_data_files(site: Site) -> Iterator[tuple[str, bytes]]:
    """The file source of `published_data`: the bytes the open-data page measured."""
    yield from published_data(site)


def size_text(size: int, lang: str) -> str:
    """A size as readers say it: bytes below 1 KB, else KB or MB with one decimal (1 KB = 1024 bytes)."""
    if size < 1024:
        return messages.text("size_bytes", lang, n=size)
    key, value = ("size_kb", size / 1024) if size < 1024 * 1024 else ("size_mb", size / 1024 / 1024)
    shown = f"{value:.1f}"
    if lang == "fa":
        shown = localise_digits(shown, lang).replace(".", "٫")  # the Persian decimal separator
    return messages.text(key, lang, n=shown)


def file_format(path: str) -> str:
    for suffix, name in ((".rss.xml", "RSS"), (".atom.xml", "Atom")):
        if path.endswith(suffix):
            return name
    return path.rsplit(".", 1)[-1].upper()


def _descriptions(site: Site, lang: str) -> dict[str, str]:
    """What each known data file holds, by its path (a file missing here is listed by its name)."""
    found = {
        urls.statistics_csv(): messages.text("file_statistics", lang),
        urls.datapackage(): messages.text("file_datapackage", lang),
        urls.calls_json(): messages.text("file_calls", lang),
    }
    for slug in consultation_slugs(site):
        for fmt in ("csv", "json"):
            found[urls.comments_data(slug, fmt)] = messages.text(
                "file_comments", lang, title=site.title_of(slug, lang)
            )
    for slug in [*site.portal.drafts, *site.portal.calls]:
        for in_lang in LANGS:
            what = messages.text("file_report", lang, title=site.title_of(slug, lang))
            found[urls.report_pdf(slug, in_lang)] = _in_language(what, in_lang, lang)
    for in_lang in LANGS:
        for feed in FEEDS:
            what = messages.text(f"file_feed_{feed}", lang)
            for kind in ("rss", "atom"):
                found[urls.feed_path(in_lang, feed, kind)] = _in_language(what, in_lang, lang)
    return found


def _in_language(what: str, in_lang: str, lang: str) -> str:
    return messages.text(
        "file_in_language", lang, what=what, language=messages.text(f"language_{in_lang}", lang)
    )


@dataclass(frozen=True)
class FileRow:
    path: str
    url: str
    format: str
    size: int
    size_text: str
    holds: str


@dataclass(frozen=True)
class ColumnRow:
    name: str
    type: str
    meaning: str


def file_rows(site: Site, key: str, lang: str) -> list[FileRow]:
    holds = _descriptions(site, lang)
    return [
        FileRow(
            path,
            site.file_link(key, lang, path),
            file_format(path),
            len(data),
            size_text(len(data), lang),
            holds.get(path, path.rsplit("/", 1)[-1]),
        )
        for path, data in published_data(site)
    ]


def column_rows(fields: tuple[tuple[str, str, str], ...], lang: str) -> list[ColumnRow]:
    """A column table as the page shows it: English says the table's own description (as the data
    package does); Persian says its translation (`data_column_<name>`)."""
    return [
        ColumnRow(name, kind, described if lang == "en" else messages.text(f"data_column_{name}", lang))
        for name, kind, described in fields
    ]


def citation(site: Site, lang: str) -> str:
    agency = contact_view(site.settings, lang).agency
    return messages.text(
        "citation",
        lang,
        agency=agency,
        title=messages.text("dataset_title", lang),
        date=format_date(site.today, lang),
        url=urls.absolute(site.site_url, urls.open_data_key(), lang),
    )


def open_data_page(site: Site, lang: str) -> str:
    key = urls.open_data_key()
    licence = site.settings.data_licence or {}
    return render(
        "open_data.md.j2",
        lang,
        files=file_rows(site, key, lang),
        comment_columns=column_rows(COMMENT_FIELDS, lang),
        statistics_columns=column_rows(STATISTICS_FIELDS, lang),
        licence=licence,
        citation=citation(site, lang),
        datapackage=site.file_link(key, lang, urls.datapackage()),
    )


def open_data_pages(site: Site, lang: str) -> Iterator[tuple[str, str]]:
    yield urls.open_data_key(), open_data_page(site, lang)


@dataclass(frozen=True)
class DataLinks:
    """A consultation's own data files, linked from its page (while it is open too)."""

    files: list[FileRow]
    more: str  # the open-data page


def data_links(site: Site, subject: Draft | Call, key: str, lang: str) -> DataLinks | None:
    """The CSV and JSON of a draft's or a call's comments (a call for comments shares its draft's)."""
    slug = subject.draft if isinstance(subject, Call) and subject.draft else subject.slug
    if slug not in consultation_slugs(site):
        return None
    wanted = {urls.comments_data(slug, fmt) for fmt in ("csv", "json")}
    rows = [row for row in file_rows(site, key, lang) if row.path in wanted]
    return DataLinks(rows, urls.link(key, urls.open_data_key()))
