"""One URL scheme: every page, feed, sitemap entry, intake reply and certificate takes its address
from the pattern table, and a comment's link is the page the site really shows it on."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
from conftest import BUILD_DATE, REPO, Repo, example_config, rayzani, today

from rayzani import urls
from rayzani.analysis.incentives import participant_slug
from rayzani.build.builder import write_pages
from rayzani.intake.records import Incoming, RecordWriter
from rayzani.intake.replies import decision_reply, recorded_reply
from rayzani.project import load_project
from rayzani.security.secrets import EXAMPLE_SITE_URL

SITE_URL = EXAMPLE_SITE_URL.rstrip("/") + "/"


def buildable_with_certificate(repo: Repo) -> None:
    """The example's site configuration and theme, and the repo's comment signed by a consenting
    participant, so that the site certifies it."""
    example_config(repo.root)
    shutil.copytree(REPO / "overrides", repo.root / "overrides", dirs_exist_ok=True)
    for key in ("demo-private.key", "demo-certificate-secret.txt"):
        shutil.copy(REPO / "keys" / key, repo.root / "keys" / key)
    repo.edit(
        "submissions/sample/c1.yml",
        "author: {type: individual}",
        "author: {type: individual, id: 'github:ali', name: علی آزمون}",
    )


def texts(site: Path) -> dict[str, str]:
    """Every page, feed, sitemap, search index and data file of a built site, by path."""
    kinds = {".html", ".xml", ".json", ".csv"}
    return {
        str(p.relative_to(site)): p.read_text(encoding="utf-8")
        for p in site.rglob("*")
        if p.is_file() and p.suffix in kinds
    }


def test_a_draft_moved_in_the_pattern_table_moves_everywhere_it_is_named(repo, tmp_path, monkeypatch):
    buildable_with_certificate(repo)
    monkeypatch.setitem(urls.PATTERNS, "draft", "regulations/{slug}/")
    # A certificate names no draft page: it names the page that verifies it, moved too.
    monkeypatch.setitem(urls.PATTERNS, "verify", "certificates/check/")
    site = tmp_path / "site"
    assert rayzani(["--root", str(repo.root), "build", "--site-dir", str(site), "--date", BUILD_DATE]) == 0
    found = texts(site)

    # Nothing anywhere still names the old address.
    assert not [path for path, text in found.items() if "drafts/sample" in text]
    assert not [path for path, text in found.items() if "certificates/verify" in text]
    assert not (site / "drafts").exists() and not (site / "certificates" / "verify").exists()
    # The draft, its discussion and its comment form are published at the new one...
    for key in ("regulations/sample/", "regulations/sample/comments/art-1/", "regulations/sample/comment/"):
        assert (site / key / "index.html").is_file() and (site / "en" / key / "index.html").is_file()
    # ...and linked from the home page, listed in the sitemap and announced in calls.json.
    for home in ("index.html", "en/index.html"):
        assert 'href="regulations/sample/"' in found[home]
    sitemap = found["sitemap.xml"]
    assert f"<loc>{SITE_URL}regulations/sample/</loc>" in sitemap
    assert f"<loc>{SITE_URL}en/regulations/sample/comments/art-1/</loc>" in sitemap
    assert f'"en": "{SITE_URL}en/regulations/sample/"' in found["calls.json"]
    # The certificate sends its reader to the verification page at its new address...
    certificate = next(p for p in found if re.fullmatch(r"certificates/[0-9A-F-]+/index\.html", p))
    assert 'href="../check/"' in found[certificate]
    assert f"{SITE_URL}certificates/check/" in found[certificate]
    assert (site / "certificates" / "check" / "index.html").is_file()
    # ...and the participant's profile links the certified comment where the site shows it.
    profile = found[f"participants/{participant_slug('github:ali')}/index.html"]
    assert "../../regulations/sample/comments/art-1/#c-c1" in profile

    # Intake tells the participant the same address, in its reply and in the decision.
    project = load_project(repo.root, today())
    writer = RecordWriter(repo.root, project.settings, project.portal, EXAMPLE_SITE_URL)
    link = writer.permalink("form:1")
    assert link == f"{SITE_URL}regulations/sample/comments/art-1/#c-c1"
    record = project.portal.comments_on("sample")[0]
    assert link in decision_reply(record, link)
    outcome = writer.record(
        Incoming(
            channel="form",
            source="form:2",
            record_id="c2",
            received=dt.datetime(2026, 11, 6, 9, tzinfo=dt.UTC),
            target="sample",
            body="نظر دوم درباره ماده دو.",
            section="art-2",
            author_type="individual",
        )
    )
    assert outcome.status == "new", outcome
    reply = recorded_reply(outcome, writer.permalink("form:2"))
    assert f"{SITE_URL}regulations/sample/comments/art-2/#c-c2" in reply
    assert "drafts/" not in reply


@pytest.mark.parametrize("per_page", [1, 2])
def test_each_comment_link_intake_gives_is_the_page_that_shows_the_comment(repo, per_page):
    """Comments on an article, a clause of it, another article and none, more than a page of them:
    the link intake sends (recorded in this run or earlier) names the discussion page that holds
    the card, page 2 and on included."""
    config = repo.root / "mkdocs.yml"
    config.write_text(config.read_text() + f"    comments_per_page: {per_page}\n")
    template = (repo.root / "submissions/sample/c1.yml").read_text(encoding="utf-8")
    for n, section in enumerate(["art-1", "art-2", None, "art-1"], start=2):
        text = template.replace("id: c1", f"id: c{n}").replace("source: form:1", f"source: form:{n}")
        text = text.replace("2026-11-05T10", f"2026-11-{5 + n:02d}T10")
        text = text.replace("section: art-1-c2\n", f"section: {section}\n" if section else "")
        repo.write(f"submissions/sample/c{n}.yml", text)
    project = load_project(repo.root, today())
    assert project.problems == []
    writer = RecordWriter(repo.root, project.settings, project.portal, EXAMPLE_SITE_URL)
    late = Incoming(
        channel="form",
        source="form:9",
        record_id="c9",
        received=dt.datetime(2026, 11, 20, 9, tzinfo=dt.UTC),
        target="sample",
        body="نظر تازه درباره ماده یک.",
        section="art-1",
        author_type="individual",
    )
    assert writer.record(late).status == "new"
    project = load_project(repo.root, today())
    write_pages(project, today())
    framed = repo.root / "build" / "framed"
    pages = set()
    for n in (1, 2, 3, 4, 5, 9):
        link = writer.permalink(f"form:{n}")
        assert link.startswith(SITE_URL) and link.endswith(f"#c-c{n}"), link
        key = link[len(SITE_URL) : link.index("#")]
        page = (framed / key / "index.fa.html").read_text(encoding="utf-8")
        assert f'id="c-c{n}"' in page, (n, key)
        pages.add(key)
    # Four comments on article 1 (c1 on its clause): with one or two a page, they need more than one.
    assert f"drafts/sample/comments/art-1/{4 // per_page}/" in pages
    assert "drafts/sample/comments/general/" in pages
