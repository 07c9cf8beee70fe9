"""Machine-readable announcements at stable URLs: `calls.json` and RSS/Atom feeds per language.

An agency's official portal can embed or poll them: `calls.json` lists the calls that are open
or about to open; `feeds/<lang>/<feed>.rss.xml` and `.atom.xml` carry the open calls, the new
consultations and the published reports, in Persian (`fa`) and English (`en`).
Their interface text is plain text (`messages.text`): the XML writer escapes it, once.
"""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from email.utils import format_datetime

from rayzani import urls
from rayzani.i18n.dates import format_date
from rayzani.i18n.messages import text
from rayzani.model import LANGS, Call, Draft, Localized, Report, lifecycle_state, subject_title
from rayzani.site.context import Site

FEEDS = ("open-calls", "consultations", "reports")
# Newest first; an aggregator only needs the recent entries.
FEED_LENGTH = 50


@dataclass(frozen=True)
class Entry:
    """One item of a feed."""

    id: str
    title: str
    summary: str
    url: str
    date: dt.date
    category: str


def _report_of(site: Site, slug: str) -> Report | None:
    return site.portal.report_of(slug)


def _call_state(site: Site, call: Call) -> str:
    return lifecycle_state(call.window, _report_of(site, call.slug), site.today)


def _call_entry(site: Site, call: Call, lang: str, what: str) -> Entry:
    window = call.window
    until = text("feed_open_until", lang, date=format_date(window.closes, lang))
    return Entry(
        id=urls.absolute(site.site_url, urls.call_key(call.slug), "fa", what),
        title=call.title.get(lang),
        summary=f"{call.asked.get(lang)} {until}",
        url=site.url(urls.call_key(call.slug), lang),
        date=window.opens,
        category=text(f"kind_{call.kind}", lang),
    )


def _report_entry(site: Site, subject: Draft | Call, report: Report, lang: str) -> Entry:
    title = subject_title(subject, lang)
    key = urls.report_key(urls.subject_key(subject))
    return Entry(
        id=site.url(key, "fa"),
        title=text("feed_report_on", lang, title=title),
        summary=_first_paragraph(report.summary, lang),
        url=site.url(key, lang),
        date=report.published,
        category=text("lifecycle_reported", lang),
    )


def _first_paragraph(text: Localized, lang: str) -> str:
    return text.get(lang).strip().split("\n\n")[0][:500]


def entries(site: Site, feed: str, lang: str) -> list[Entry]:
    """What a feed carries as of the build date, newest first."""
    calls = list(site.portal.calls.values())
    found: list[Entry] = []
    if feed == "open-calls":
        found = [_call_entry(site, c, lang, "open") for c in calls if _call_state(site, c) == "open"]
    elif feed == "consultations":
        found = [_call_entry(site, c, lang, "opened") for c in calls if c.window.opens <= site.today]
    elif feed == "reports":
        subjects: list[Draft | Call] = [*site.portal.drafts.values(), *calls]
        for subject in subjects:
            # A consultation call shares its draft's report: announce it once, with the draft.
            report = subject.report
            if report is not None and report.published <= site.today:
                found.append(_report_entry(site, subject, report, lang))
    return sorted(found, key=lambda e: (e.date, e.id), reverse=True)[:FEED_LENGTH]


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


def _xml(root: ET.Element) -> bytes:
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def rss(site: Site, feed: str, lang: str) -> bytes:
    root = ET.Element("rss", {"version": "2.0", "xmlns:atom": "http://www.w3.org/2005/Atom"})
    channel = ET.SubElement(root, "channel")
    ET.SubElement(channel, "title").text = text(f"feed_{feed}", lang)
    ET.SubElement(channel, "link").text = site.url(urls.home_key(), lang)
    ET.SubElement(channel, "description").text = text(f"feed_{feed}_about", lang)
    ET.SubElement(channel, "language").text = lang
    ET.SubElement(channel, "lastBuildDate").text = format_datetime(_midnight(site.today))
    ET.SubElement(
        channel,
        "atom:link",
        {
            "href": urls.absolute_file(site.site_url, urls.feed_path(lang, feed, "rss")),
            "rel": "self",
            "type": "application/rss+xml",
        },
    )
    for entry in entries(site, feed, lang):
        item = ET.SubElement(channel, "item")
        ET.SubElement(item, "title").text = entry.title
        ET.SubElement(item, "link").text = entry.url
        ET.SubElement(item, "description").text = entry.summary
        ET.SubElement(item, "category").text = entry.category
        ET.SubElement(item, "guid", {"isPermaLink": "false"}).text = entry.id
        ET.SubElement(item, "pubDate").text = format_datetime(_midnight(entry.date))
    return _xml(root)


def atom(site: Site, feed: str, lang: str) -> bytes:
    root = ET.Element("feed", {"xmlns": "http://www.w3.org/2005/Atom", "xml:lang": lang})
    found = entries(site, feed, lang)
    feed_url = urls.absolute_file(site.site_url, urls.feed_path(lang, feed, "atom"))
    ET.SubElement(root, "id").text = feed_url
    ET.SubElement(root, "title").text = text(f"feed_{feed}", lang)
    ET.SubElement(root, "subtitle").text = text(f"feed_{feed}_about", lang)
    updated = max((e.date for e in found), default=site.today)
    ET.SubElement(root, "updated").text = _midnight(updated).isoformat()
    home = site.url(urls.home_key(), lang)
    ET.SubElement(root, "link", {"rel": "alternate", "type": "text/html", "href": home})
    ET.SubElement(
        root,
        "link",
        {
            "rel": "self",
            "type": "application/atom+xml",
            "href": feed_url,
        },
    )
    author = ET.SubElement(root, "author")
    ET.SubElement(author, "name").text = text("site_name", lang)
    for entry in found:
        item = ET.SubElement(root, "entry")
        ET.SubElement(item, "id").text = entry.id
        ET.SubElement(item, "title").text = entry.title
        ET.SubElement(item, "link", {"rel": "alternate", "type": "text/html", "href": entry.url})
        ET.SubElement(item, "updated").text = _midnight(entry.date).isoformat()
        ET.SubElement(item, "summary").text = entry.summary
        ET.SubElement(item, "category", {"term": entry.category})
    return _xml(root)


def calls_json(site: Site) -> bytes:
    """The calls that are open or about to open, in both languages, for portals to embed."""
    listed = []
    for call in sorted(site.portal.calls.values(), key=lambda c: (c.window.closes, c.slug)):
        state = _call_state(site, call)
        if state not in ("open", "upcoming"):
            continue
        draft = site.portal.drafts.get(call.draft or "")
        listed.append(
            {
                "id": call.slug,
                "kind": call.kind,
                "state": state,
                "opens": call.window.opens.isoformat(),
                "closes": call.window.closes.isoformat(),
                "days_left": call.window.days_left(site.today) if state == "open" else None,
                "title": {lang: call.title.get(lang) for lang in LANGS},
                "asked": {lang: call.asked.get(lang) for lang in LANGS},
                "organiser": {lang: call.organiser.get(lang) for lang in LANGS},
                "audience": list(call.audience),
                "channels": list(call.channels),
                "url": {lang: site.url(urls.call_key(call.slug), lang) for lang in LANGS},
                "draft": None
                if draft is None
                else {
                    "id": draft.slug,
                    "kind": draft.kind,
                    "version": draft.version,
                    "title": {lang: draft.text(lang).title for lang in LANGS},
                    "url": {lang: site.url(urls.draft_key(draft.slug), lang) for lang in LANGS},
                },
                "comments": len(site.portal.comments_on(call.draft or call.slug)),
            }
        )
    document = {"generated": site.today.isoformat(), "calls": listed}
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8") + b"\n"


def feed_files(site: Site) -> Iterator[tuple[str, bytes]]:
    yield urls.calls_json(), calls_json(site)
    for lang in LANGS:
        for feed in FEEDS:
            yield urls.feed_path(lang, feed, "rss"), rss(site, feed, lang)
            yield urls.feed_path(lang, feed, "atom"), atom(site, feed, lang)
