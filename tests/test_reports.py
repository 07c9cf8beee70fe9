"""The example draft's report, statistics, dashboard and open data, built after the consultation closed."""

from __future__ import annotations

import csv
import datetime as dt
import io
import posixpath
import re
from collections import Counter
from pathlib import Path

import pytest
from conftest import CLOSED_DATE, REPO
from html_query import element
from pypdf import PdfReader
from test_site import page

from rayzani.project import load_project
from rayzani.security.sealing import read_private_key, unseal

REPORT = "drafts/e-participation/report"


@pytest.fixture(scope="module")
def example():
    """The example as it stands on the closed site's date (decisions taken after the close count)."""
    project = load_project(REPO, dt.date.fromisoformat(CLOSED_DATE))
    assert project.problems == []
    return project


def resolve(site: Path, url: str, href: str) -> Path:
    """The file a relative link on the page at `url` points to."""
    target = posixpath.normpath(posixpath.join("/" + url.strip("/") + "/", href.split("#")[0]))
    path = site / target.lstrip("/")
    return path / "index.html" if href.endswith("/") or path.is_dir() else path


def test_a_report_dated_after_the_build_date_is_not_shown(example_site):
    assert not (example_site / REPORT).exists()
    assert not (example_site / "data" / "e-participation" / "report-fa.pdf").exists()
    # The open data is there from the first comment on.
    assert (example_site / "data" / "e-participation" / "comments.csv").is_file()


@pytest.mark.parametrize("lang", ["fa", "en"])
def test_closed_draft_has_a_full_report_page(example, closed_site, lang):
    url = REPORT if lang == "fa" else "en/" + REPORT
    html = page(closed_site, url)
    records = example.portal.comments_on("e-participation")
    _, facts = element(html, "report-comments")
    assert facts == (str(len(records)) if lang == "en" else "۴۰")
    # The editors' summary, in the page's language.
    _, concerns = element(html, "concerns")
    assert concerns
    assert ("آنچه شنیدیم" if lang == "fa" else "What we heard") in html
    # Comments and decisions per article, as the records say.
    draft = example.portal.drafts["e-participation"]
    per_article = Counter((a.anchor if (a := draft.article_of(r.section)) else "general") for r in records)
    for anchor, count in per_article.items():
        _, row = element(html, f"count-{anchor}")
        number = (
            str(count) if lang == "en" else str(count).translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
        )
        assert row.split()[-6] == number, (anchor, row)
    # Every proposal is answered on the page, with its reason.
    for record in records:
        _, card = element(html, f"c-{record.id}")
        if record.decision.reason:
            assert record.decision.reason.get(lang).split()[0] in card
    # The PDF and the open data are linked and exist.
    for link_id in ("report-pdf",):
        attrs, _ = element(html, link_id)
        assert resolve(closed_site, url, attrs["href"]).is_file()
    _, downloads = element(html, "report-downloads")
    for href in re.findall(
        r'href="([^"]+\.(?:csv|json))"', html[html.index('id="report-downloads"') :][:2000]
    ):
        assert resolve(closed_site, url, href).is_file(), href
    assert downloads


def test_report_charts_are_accessible_svg_beside_their_data(closed_site):
    for lang, url in (("fa", REPORT), ("en", "en/" + REPORT)):
        html = page(closed_site, url)
        figures = re.findall(r'<figure class="rz-chart" id="([^"]+)-figure"', html)
        assert {"rz-report-age", "rz-report-gender", "rz-report-province", "rz-report-timeline"} <= set(
            figures
        )
        for chart_id in figures:
            svg = html[html.index(f'<svg class="rz-chart__svg" id="{chart_id}"') :]
            svg = svg[: svg.index("</svg>")]
            assert (
                'role="img"' in svg
                and f'<title id="{chart_id}-t">' in svg
                and f'<desc id="{chart_id}-d">' in svg
            )
            attrs, table = element(html, f"{chart_id}-data")
            assert attrs["tag"] == "table" and table
        # Bars grow from the right on Persian pages: labels start at the right edge, in an RTL chart.
        svg = html[html.index('id="rz-report-gender"') :]
        assert f'direction="{"rtl" if lang == "fa" else "ltr"}"' in svg[: svg.index(">")]
        width = float(re.search(r'viewBox="0 0 ([\d.]+) ', svg).group(1))
        first_label = re.search(r'<text x="([\d.]+)" y="[\d.]+" text-anchor="start"', svg)
        assert (float(first_label.group(1)) > width / 2) == (lang == "fa")
    # The map is a labelled tile map of all 31 provinces.
    html = page(closed_site, "en/" + REPORT)
    _, caption = element(html, "rz-report-province-figure")
    assert "Tile map" in caption and "Tehran" in caption and "Sistan and Baluchestan" in caption


def test_report_pdf_has_persian_text_in_vazirmatn(closed_site):
    reader = PdfReader(closed_site / "data" / "e-participation" / "report-fa.pdf")
    fonts = {
        str(font.get_object()["/BaseFont"])
        for p in reader.pages
        for font in (p["/Resources"].get("/Font") or {}).values()
    }
    assert fonts and all("Vazirmatn" in f for f in fonts), fonts
    text = "".join(p.extract_text() for p in reader.pages[:2]).replace("\u200c", "")
    assert "گزارش نظرخواهی" in text and "دغدغههای کلیدی" in text
    # The charts are in the PDF as text a reader (and a screen reader) gets, suppressed cells included.
    everything = "".join(p.extract_text() for p in reader.pages).replace("\u200c", "")
    assert "مشارکتکنندگان بر اساس استان" in everything and "کمتر از" in everything
    english = PdfReader(closed_site / "data" / "e-participation" / "report-en.pdf")
    assert "Key concerns" in "".join(p.extract_text() for p in english.pages[:2])


def _independent_counts(example) -> tuple[int, Counter[str]]:
    """Participants and provinces counted straight from the records, opening each box here."""
    key = read_private_key(REPO, example.settings)
    people: dict[str, str | None] = {}
    for records in example.portal.submissions.values():
        for record in records:
            who = record.author.id or f"{record.target}/{record.id}"
            data = unseal(record.sealed, key) if record.sealed else None
            if people.get(who) is None:
                people[who] = data.province if data and data.province else None
    return len(people), Counter(p or "not-stated" for p in people.values())


def test_statistics_match_the_records_and_hide_small_cells(example, closed_site):
    participants, provinces = _independent_counts(example)
    html = page(closed_site, "en/statistics")
    _, shown = element(html, "statistics-participants")
    assert shown == str(participants)
    rows = list(csv.DictReader(io.StringIO((closed_site / "data" / "statistics.csv").read_text("utf-8-sig"))))
    portal = {r["category"]: r for r in rows if r["scope"] == "portal" and r["dimension"] == "province"}
    assert set(portal) == set(provinces) | set(portal)  # every province has a row, zeros included
    assert int(portal.pop("total")["count"]) == sum(provinces.values())
    for province, row in portal.items():
        true = provinces.get(province, 0)
        if 0 < true < 5:
            assert row == {**row, "count": "", "suppressed": "true"}, province
        elif row["suppressed"] == "false":
            assert int(row["count"]) == true, province
    assert sum(r["suppressed"] == "true" for r in portal.values()) != 1
    # The page shows what the open data shows: "fewer than 5", "hidden" or a withheld table.
    _, table = element(html, "rz-portal-province-data")
    words = {"small": "fewer than 5", "hidden": "hidden", "withheld": "not published"}
    for state in {r["suppression"] for r in portal.values() if r["suppression"]}:
        assert words[state] in table
    report = page(closed_site, "en/drafts/e-participation/report")
    _, table = element(report, "rz-report-province-data")
    assert "fewer than 5" in table and "hidden" in table
    _, rule = element(html, "suppression")
    assert "fewer than 5" in page(closed_site, "en/statistics").split('id="suppression"')[1]
    assert rule
    fa = page(closed_site, "statistics")
    assert "کمتر از ۵" in fa.split('id="suppression"')[1]


def test_personal_statistics_of_an_open_consultation_wait_for_its_close(example_site):
    statistics = (example_site / "data" / "statistics.csv").read_text("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(statistics)))
    personal = {r["scope"] for r in rows if r["dimension"] == "province"}
    # On 2026-11-23 the call for ideas has closed and the draft is still open.
    assert "seventh-plan-policies" in personal and "e-participation" not in personal
    channels = {r["scope"] for r in rows if r["dimension"] == "channel"}
    assert "e-participation" in channels


def test_dashboard_shows_states_response_rate_and_acceptance_by_unit(example, closed_site):
    html = page(closed_site, "en/dashboard")
    _, closed = element(html, "dashboard-closed")
    _, open_now = element(html, "dashboard-open")
    assert open_now == "0" and closed == "2"
    records = [r for rs in example.portal.submissions.values() for r in rs]
    answered = sum(not r.decision.is_pending for r in records)
    _, rate = element(html, "dashboard-response-rate")
    assert rate == f"{round(100 * answered / len(records))}%"
    _, units = element(html, "acceptance-by-unit")
    draft_records = [r for r in example.portal.comments_on("e-participation") if not r.decision.is_pending]
    accepted = sum(r.decision.status in ("accepted", "partially-accepted") for r in draft_records)
    assert f"{round(100 * accepted / len(draft_records))}%" in units
    assert "rz-dashboard-timeline" in html and "rz-dashboard-acceptance" in html


def test_draft_and_call_link_their_report_once_published(closed_site, example_site):
    for url in ("drafts/e-participation", "en/drafts/e-participation", "calls/e-participation"):
        attrs, _ = element(page(closed_site, url), "report-link")
        target = resolve(closed_site, url, attrs["href"])
        assert target.is_file() and target.parent.name == "report", target
        assert 'id="report-link"' not in page(example_site, url)
    # Statistics and the dashboard are in the navigation of every page.
    html = page(closed_site, "en")
    assert 'href="statistics/"' in html and 'href="dashboard/"' in html
