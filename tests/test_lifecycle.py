"""A consultation's state comes from its dates and its report, as of the build date."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from conftest import build_example
from html_query import element
from test_site import page

from rayzani.project import load_project
from rayzani.site.generate import generate

E_PARTICIPATION = "drafts/e-participation/"  # open 2026-11-10 to 2026-12-15
SEVENTH_PLAN = "calls/seventh-plan-policies/"  # open 2026-10-01 to 2026-11-15


def _card(html: str, url: str) -> str:
    """The home page's card for a consultation, as text, with its state's class."""
    match = re.search(
        r'<article class="rz-card rz-card--(\w+)">((?:(?!</article>).)*?href="'
        + re.escape(url)
        + '".*?)</article>',
        html,
        re.S,
    )
    assert match, f"no card for {url}"
    return match.group(1) + " " + " ".join(re.sub(r"<[^>]+>", " ", match.group(2)).split())


@pytest.fixture(scope="module")
def sites(tmp_path_factory, example_root) -> dict[str, object]:
    built = {}
    for day in ("2026-11-05", "2026-12-15", "2026-12-17", "2026-12-20"):
        built[day] = build_example(example_root, tmp_path_factory.mktemp(f"site-{day}"), day)
    return built


def test_states_follow_the_build_date(sites, example_site):
    en = {day: page(site, "en") for day, site in sites.items()}
    en["2026-11-23"] = page(example_site, "en")
    assert _card(en["2026-11-05"], E_PARTICIPATION).startswith("upcoming")
    assert "Opens 10 November 2026" in _card(en["2026-11-05"], E_PARTICIPATION)
    assert _card(en["2026-11-05"], SEVENTH_PLAN).startswith("open")
    assert "23 days left" in _card(en["2026-11-23"], E_PARTICIPATION)
    assert "Last day" in _card(en["2026-12-15"], E_PARTICIPATION)
    assert _card(en["2026-11-23"], SEVENTH_PLAN).startswith("closed")
    # The example's report is published on 2026-12-18.
    closed = _card(en["2026-12-17"], E_PARTICIPATION)
    assert closed.startswith("closed") and "report pending" in closed
    assert _card(en["2026-12-20"], E_PARTICIPATION).startswith("reported")
    # The home page puts each in the section of its state.
    _, section = element(en["2026-12-17"], "closed")
    assert "Closed, awaiting the report" in section
    fa = page(sites["2026-11-05"], "")
    assert "به‌زودی" in _card(fa, E_PARTICIPATION) and "۱۹ آبان ۱۴۰۵" in _card(fa, E_PARTICIPATION)


def _home(repo, day: str, lang: str = "en") -> str:
    project = load_project(repo.root)
    assert project.problems == []
    return next(
        md
        for key, lg, md in generate(project.portal, project.settings, dt.date.fromisoformat(day))
        if key == "" and lg == lang
    )


def test_report_counts_only_from_its_published_date(repo):
    repo.write("content/drafts/sample/report.fa.md", "---\npublished: 2026-12-20\n---\nدغدغه‌های کلیدی.\n")
    assert "rz-card--closed" in _home(repo, "2026-12-10")
    assert "Closed, report pending" in _home(repo, "2026-12-19")
    reported = _home(repo, "2026-12-20")
    assert "rz-card--reported" in reported and "Report published 20 December 2026" in reported
    assert "گزارش منتشر شد" in _home(repo, "2026-12-20", "fa")


def test_archive_groups_consultations_by_state_agency_kind_and_domain(example_site):
    html = page(example_site, "en/consultations")
    for by in ("state", "agency", "kind", "domain"):
        _, section = element(html, f"by-{by}")
        assert section
    body = html[html.index('id="by-agency"') : html.index('id="by-kind"')]
    assert "Public Relations and International Affairs Unit" in body
    assert 'href="../drafts/e-participation/"' in body
    body = html[html.index('id="by-domain"') :]
    assert "e-participation" in body and "Public health and medical care" in body
    body = html[html.index('id="by-state"') : html.index('id="by-agency"')]
    assert "Open" in body and "Closed, report pending" in body
