"""How to comment, as the site shows it: per-article links, the web form, withheld comments."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from conftest import BUILD_DATE, REPO, Repo, example_config, rayzani
from html_query import element

ENDPOINT = "https://forms.example.org/rayzani/comment"


def page(site: Path, url: str) -> str:
    return (site / url / "index.html").read_text(encoding="utf-8")


def links(html: str, kind: str) -> list[str]:
    return [
        unescape(u)
        for u in re.findall(rf'class="rz-comment-link rz-comment-link--{kind}" href="([^"]+)"', html)
    ]


def test_every_article_has_a_prefilled_issue_form_link_in_both_languages(example_site):
    for prefix in ("", "en/"):
        html = page(example_site, f"{prefix}drafts/e-participation")
        anchors = re.findall(r'<h2 id="(art-[^"]+)"', html)
        found = links(html, "issue")
        assert len(found) == len(anchors) + 1  # every article, and the general comments
        for anchor, url in zip(anchors, found, strict=False):
            parsed = urlparse(url)
            assert parsed.netloc == "github.com" and parsed.path == "/example/rayzani/issues/new"
            assert parse_qs(parsed.query) == {
                "template": ["comment.yml"],
                "draft": ["e-participation"],
                "article": [anchor],
            }
        # The example portal has no form endpoint: no web-form links, and the form page says so.
        assert links(html, "form") == []
    _, text = element(page(example_site, "en/drafts/e-participation/comment"), "form-off")
    assert "has not been set up" in text
    _, text = element(page(example_site, "drafts/e-participation/comment"), "form-off")
    assert "راه‌اندازی نشده" in text


@pytest.fixture(scope="module")
def form_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small portal with a form endpoint, a withheld comment and a late one."""
    repo = Repo(tmp_path_factory.mktemp("form") / "portal")
    example_config(repo.root)
    shutil.copytree(REPO / "overrides", repo.root / "overrides", dirs_exist_ok=True)
    repo.edit("mkdocs.yml", 'form_endpoint: ""', f'form_endpoint: "{ENDPOINT}"')
    for number, extra in ((2, "publication: {state: withheld, reason: spam}\n"), (3, "late: true\n")):
        text = (repo.root / "submissions/sample/c1.yml").read_text(encoding="utf-8")
        text = text.replace("id: c1", f"id: c{number}").replace("source: form:1", f"source: form:{number}")
        text = text.replace("نظر آزمایشی", f"نظر شماره {number}")
        repo.write(f"submissions/sample/c{number}.yml", text + extra)
    site = repo.root / "site"
    assert rayzani(["--root", str(repo.root), "build", "--site-dir", str(site), "--date", BUILD_DATE]) == 0
    return site


def test_web_form_posts_every_field_to_the_configured_endpoint_without_script(form_site):
    html = page(form_site, "en/drafts/sample/comment/art-2")
    attrs, _ = element(html, "comment-form")
    assert attrs["action"] == ENDPOINT and attrs["method"] == "post"
    start = html.index('id="comment-form"')
    form = html[start : html.index("</form>", start)]
    assert "<script" not in form
    names = set(re.findall(r'name="([a-z_]+)"', form))
    assert names == {
        "draft", "article", "comment", "respondent_type", "display_name", "publish_name",
        "organisation", "interest", "age_band", "gender", "province", "contact",
        "lang", "token", "altcha", "website",  # for the receiver: language, token, proof of work, a trap
    }  # fmt: skip
    assert 'name="draft" value="sample"' in form
    assert re.search(r'<option value="art-2" selected>', form)  # the article the link came from
    _, provinces = element(html, "f-province")
    province_options = re.findall(r'<option value="([a-z-]+)"', form[form.index('id="f-province"') :])
    assert len(province_options) == 31 and "Sistan and Baluchestan" in provinces
    persian = page(form_site, "drafts/sample/comment/art-2")
    _, provinces_fa = element(persian, "f-province")
    assert "سیستان و بلوچستان" in provinces_fa and "نظر شما" in persian
    # The draft page links each article to its own form page.
    draft = page(form_site, "en/drafts/sample")
    assert "comment/art-1/" in " ".join(links(draft, "form"))


def test_withheld_comment_shows_its_reason_hides_its_text_and_still_counts(form_site):
    for prefix, words in (("en/", "Withheld: spam"), ("", "منتشر نشده است: هرزنامه")):
        html = page(form_site, f"{prefix}drafts/sample/comments/art-1")
        _, text = element(html, "c-c2")
        assert words in text and "نظر شماره 2" not in text
        assert "نظر شماره 2" not in html
        _, late = element(html, "c-c3")
        assert ("late" if prefix else "دیررس") in late
    assert "3 comments" in page(form_site, "en/drafts/sample")


def test_withheld_text_reaches_neither_pages_nor_open_data(form_site):
    for path in form_site.rglob("*"):
        if path.is_file() and path.suffix in {".html", ".csv", ".json", ".xml"}:
            assert "نظر شماره 2" not in path.read_text(encoding="utf-8", errors="ignore"), path
    rows = json.loads((form_site / "data" / "sample" / "comments.json").read_text(encoding="utf-8"))
    withheld = next(r for r in rows if r["id"] == "c2")
    assert withheld["withheld"] == "spam" and withheld["body"] == ""


FORGEJO_URL = "https://git.example.gov.ir"


def _anchor_texts(html: str, kind: str) -> list[str]:
    pattern = rf'class="rz-comment-link rz-comment-link--{kind}" href="[^"]+">([^<]+)</a>'
    return [unescape(text) for text in re.findall(pattern, html)]


def _form_input_ids(root: Path, template: str) -> set[str]:
    import yaml

    form = yaml.safe_load((root / template).read_text(encoding="utf-8"))
    return {item["id"] for item in form["body"] if item.get("type") in ("input", "textarea")}


@pytest.fixture(scope="module")
def forgejo_portal(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A small portal on a self-hosted Forgejo: its forms in .forgejo/, a poll voted by issue."""
    from conftest import add_poll, vote_form_issue

    repo = Repo(tmp_path_factory.mktemp("forgejo") / "portal")
    example_config(repo.root)
    repo.edit(
        "mkdocs.yml", "  rayzani:\n", f"  rayzani:\n    forge: forgejo\n    forge_url: {FORGEJO_URL}/\n"
    )
    for lang in ("fa", "en"):
        repo.edit(f"content/calls/sample.{lang}.md", "channels: [form]", "channels: [issue, form]")
    add_poll(repo)
    vote_form_issue(repo, "vote-sample.yml", ".forgejo")
    site = repo.root / "site"
    assert rayzani(["--root", str(repo.root), "build", "--site-dir", str(site), "--date", BUILD_DATE]) == 0
    return repo.root, site


def test_a_forgejo_portal_links_to_forgejos_own_prefilled_issue_forms(forgejo_portal):
    root, site = forgejo_portal
    comment_form = ".forgejo/ISSUE_TEMPLATE/comment.yml"
    for prefix, forge in (("", "فورجیو"), ("en/", "Forgejo")):
        html = page(site, f"{prefix}drafts/sample")
        anchors = re.findall(r'<h2 id="(art-[^"]+)"', html)
        found = links(html, "issue")
        assert anchors and len(found) == len(anchors) + 1
        for anchor, url in zip([*anchors, None], found, strict=True):
            parsed = urlparse(url)
            assert f"{parsed.scheme}://{parsed.netloc}" == FORGEJO_URL
            assert parsed.path == "/example/rayzani/issues/new"
            # Forgejo names the form by its path and prefills a field given as field:<id>.
            wanted = {"template": [comment_form], "field:draft": ["sample"]}
            assert parse_qs(parsed.query) == wanted | ({"field:article": [anchor]} if anchor else {})
        assert {k.removeprefix("field:") for k in parse_qs(urlparse(found[0]).query)} - {"template"} <= (
            _form_input_ids(root, comment_form)
        )
        texts = _anchor_texts(html, "issue")
        assert texts and all(
            forge in text and "GitHub" not in text and "گیت‌هاب" not in text for text in texts
        )
        _, off = element(page(site, f"{prefix}drafts/sample/comment"), "form-off")
        assert forge in off and "GitHub" not in off and "گیت‌هاب" not in off
        # The poll's vote form: the call's own form file, its call field prefilled.
        vote = re.search(
            r'<a [^>]*id="vote-issue" href="([^"]+)"[^>]*>([^<]+)</a>', page(site, f"{prefix}calls/sample")
        )
        assert vote, "no link to the vote issue form"
        parsed = urlparse(unescape(vote.group(1)))
        assert parse_qs(parsed.query) == {
            "template": [".forgejo/ISSUE_TEMPLATE/vote-sample.yml"],
            "field:call": ["sample"],
        }
        assert forge in unescape(vote.group(2))


def test_a_gitea_portal_with_only_githubs_forms_links_to_them_where_gitea_finds_them(repo):
    from rayzani.project import load_project
    from rayzani.site.context import Site
    from rayzani.site.pages.intake import issue_form_url

    shutil.copytree(REPO / ".github" / "ISSUE_TEMPLATE", repo.root / ".github" / "ISSUE_TEMPLATE")
    (repo.root / ".github" / "ISSUE_TEMPLATE" / "vote.yml").unlink()  # the example's poll is not here
    repo.edit("mkdocs.yml", "  rayzani:\n", f"  rayzani:\n    forge: gitea\n    forge_url: {FORGEJO_URL}\n")
    repo.edit("mkdocs.yml", "  rayzani:\n", "  rayzani:\n    repo: agency/consult\n")
    project = load_project(repo.root, dt.date.fromisoformat(BUILD_DATE))
    assert project.problems == []
    draft = project.portal.drafts["sample"]
    url = issue_form_url(Site(project.portal, project.settings, project.portal.today), draft, None)
    assert url is not None
    parsed = urlparse(url)
    assert parsed.path == "/agency/consult/issues/new"
    assert parse_qs(parsed.query) == {
        "template": [".github/ISSUE_TEMPLATE/comment.yml"],
        "field:draft": ["sample"],
    }


def test_a_forge_the_site_cannot_link_to_fails_validation(repo):
    from rayzani.project import load_project

    repo.edit("mkdocs.yml", "  rayzani:\n", "  rayzani:\n    forge: gitlab\n")
    found = [p.format(repo.root) for p in load_project(repo.root, dt.date.fromisoformat(BUILD_DATE)).problems]
    assert any("extra.rayzani.forge" in line and "github, forgejo, gitea" in line for line in found), found
