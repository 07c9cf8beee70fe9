"""The footer, the trust pages (privacy, accessibility) and the open-data page, read from built HTML."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import yaml
from conftest import BUILD_DATE, REPO, Repo
from html_query import element

from rayzani.cli import main as rayzani
from rayzani.i18n.dates import format_date
from rayzani.i18n.messages import text
from rayzani.site.files.open_data import COMMENT_FIELDS, STATISTICS_FIELDS

FOOTER_LINKS = {
    "footer-accessibility": "accessibility/",
    "footer-privacy": "privacy/",
    "footer-open-data": "open-data/",
}
LANG_ROOT = {"fa": "", "en": "en/"}


class Links(HTMLParser):
    """Every element's attributes by id, the `<html lang>`, and the rows of tables by table id."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.by_id: dict[str, dict[str, str | None]] = {}
        self.lang = ""
        self.rows: dict[str, list[list[str]]] = {}
        self.values: dict[str, list[tuple[str, str]]] = {}  # table id: (tr data-path, data value)
        self._table = ""
        self._cell: list[str] | None = None
        self._path = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.by_id[str(a["id"])] = a
        if tag == "html":
            self.lang = a.get("lang") or ""
        elif tag == "table":
            self._table = a.get("id") or ""
            self.rows[self._table] = []
            self.values[self._table] = []
        elif tag == "tr" and self._table:
            self.rows[self._table].append([])
            self._path = a.get("data-path") or ""
        elif tag in ("td", "th") and self._table:
            self._cell = []
        elif tag == "data" and self._table:
            self.values[self._table].append((self._path, a.get("value") or ""))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.rows[self._table][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "table":
            self._table = ""

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def parsed(path: Path) -> Links:
    links = Links()
    links.feed(path.read_text(encoding="utf-8"))
    return links


def page(site: Path, lang: str, key: str) -> Path:
    return site / LANG_ROOT[lang] / key / "index.html"


def settings_of(root: Path) -> dict:
    return yaml.safe_load((root / "mkdocs.yml").read_text(encoding="utf-8"))["extra"]["rayzani"]


def published_files(site: Path) -> dict[str, int]:
    """Every data file of the site (certificates are personal documents, on their own pages)."""
    found = [p for p in (site / "data").rglob("*") if p.is_file() and "certificates" not in p.parts]
    found += [p for p in (site / "feeds").rglob("*") if p.is_file()] + [site / "calls.json"]
    return {p.relative_to(site).as_posix(): p.stat().st_size for p in found}


def test_every_page_has_the_footer_links_in_its_language_and_they_lead_to_the_pages(example_site):
    pages = sorted(example_site.rglob("*.html"))
    assert len(pages) > 50
    for path in pages:
        links = parsed(path)
        relative = path.relative_to(example_site).as_posix()
        lang = "en" if relative.startswith("en/") else "fa"
        footer = links.by_id.get("rz-footer")
        assert footer is not None, f"{relative} has no footer"
        assert footer["lang"] == (links.lang if relative != "404.html" else "fa"), relative
        for link_id, key in FOOTER_LINKS.items():
            href = str(links.by_id[link_id]["href"])
            resolved = urlsplit(urljoin(f"https://host/rayzani/{relative}", href)).path
            assert resolved == f"/rayzani/{LANG_ROOT[lang]}{key}", (relative, href)
            assert (example_site / LANG_ROOT[lang] / key / "index.html").is_file()


@pytest.mark.parametrize("lang", ["fa", "en"])
def test_footer_gives_the_contact_and_email_and_post_as_ways_to_respond(example_site, example_root, lang):
    settings = settings_of(example_root)
    html = page(example_site, lang, "drafts/e-participation/").read_text(encoding="utf-8")
    _, contact = element(html, "footer-contact")
    assert settings["contact"]["email"] in contact and settings["contact"]["phone"] in contact
    _, ways = element(html, "footer-other-ways")
    assert settings["contact"]["email"] in ways
    assert settings["contact"]["address"][lang] in ways
    assert text("by_email_or_post_how", lang) in ways
    _, footer = element(html, "rz-footer")
    assert settings["agency"][lang] in footer


@pytest.mark.parametrize("lang", ["fa", "en"])
def test_privacy_notice_shows_the_settings_and_what_is_sealed(example_site, example_root, lang):
    settings = settings_of(example_root)
    html = page(example_site, lang, "privacy/").read_text(encoding="utf-8")
    _, body = element(html, "privacy-retention")
    assert body == settings["retention"][lang]
    _, contact = element(html, "privacy-contact")
    assert settings["contact"]["email"] in contact and settings["contact"]["address"][lang] in contact
    assert settings["agency"][lang] in element(html, "privacy-intro")[1]
    rows = {row[0]: row[1] for row in parsed(page(example_site, lang, "privacy/")).rows["privacy-fields"][1:]}
    for field in ("form_age_band", "form_gender", "form_province", "form_contact"):
        assert rows[text(field, lang)] == text("kept_sealed", lang)
    assert rows[text("form_name", lang)] == text("kept_public_consent", lang)
    assert rows[text("form_comment", lang)] == text("kept_public", lang)
    threshold = str(settings.get("suppression_threshold", 5))
    _, suppression = element(html, "privacy-suppression")
    assert text("privacy_suppression", lang, n=int(threshold)) == suppression


@pytest.mark.parametrize("lang", ["fa", "en"])
def test_accessibility_statement_shows_the_standard_known_issues_and_date(example_site, example_root, lang):
    statement = settings_of(example_root)["accessibility"]
    html = page(example_site, lang, "accessibility/").read_text(encoding="utf-8")
    _, standard = element(html, "accessibility-standard")
    assert "WCAG" in standard and "AA" in standard
    _, issues = element(html, "known-issues")
    assert statement["known_issues"]
    for issue in statement["known_issues"]:
        assert issue[lang] in issues
    _, reviewed = element(html, "accessibility-date")
    assert format_date(statement["reviewed"], lang) in reviewed
    assert bool(re.search("[0-9]", reviewed)) == (lang == "en")  # Persian digits on Persian pages
    _, contact = element(html, "accessibility-contact")
    assert settings_of(example_root)["contact"]["email"] in contact


@pytest.mark.parametrize("lang", ["fa", "en"])
def test_open_data_page_lists_every_published_file_with_its_measured_size(example_site, lang):
    links = parsed(page(example_site, lang, "open-data/"))
    listed = dict(links.values["data-files"])
    assert listed.keys() == published_files(example_site).keys()
    for path, size in published_files(example_site).items():
        assert int(listed[path]) == size, path
    sizes = [row[3] for row in links.rows["data-files"][1:]]
    assert all(re.search("[0-9]", s) for s in sizes) == (lang == "en")  # localised digits


@pytest.mark.parametrize("lang", ["fa", "en"])
def test_open_data_column_docs_are_the_csv_headers(example_site, lang):
    links = parsed(page(example_site, lang, "open-data/"))
    documented = [row[0] for row in links.rows["columns-comments"][1:]]
    for table in (example_site / "data").glob("*/comments.csv"):
        header = next(csv.reader(table.read_text(encoding="utf-8-sig").splitlines()))
        assert documented == header, table
    stats = (example_site / "data" / "statistics.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert [row[0] for row in links.rows["columns-statistics"][1:]] == stats.split(",")
    package = json.loads((example_site / "data" / "datapackage.json").read_text(encoding="utf-8"))
    described = {f["name"]: f["description"] for r in package["resources"] for f in r["schema"]["fields"]}
    for name, _kind, meaning in (*COMMENT_FIELDS, *STATISTICS_FIELDS):
        assert text(f"data_column_{name}", "en") == meaning == described[name]
    meanings = {row[0]: row[2] for row in links.rows["columns-comments"][1:]}
    assert meanings["withheld"] == text("data_column_withheld", lang)


def test_datapackage_and_open_data_page_carry_the_licence(example_site, example_root):
    licence = settings_of(example_root)["data_licence"]
    package = json.loads((example_site / "data" / "datapackage.json").read_text(encoding="utf-8"))
    assert package["licenses"] == [licence]
    for lang in ("fa", "en"):
        html = page(example_site, lang, "open-data/").read_text(encoding="utf-8")
        _, said = element(html, "data-licence")
        assert licence["title"] in said and licence["name"] in said
        assert f'href="{licence["path"]}" rel="license"' in html
        _, citation = element(html, "data-citation")
        assert settings_of(example_root)["agency"][lang] in citation
        assert format_date(dt.date.fromisoformat(BUILD_DATE), lang) in citation


@pytest.mark.parametrize(
    ("key", "slug"),
    [
        ("drafts/e-participation/", "e-participation"),
        ("calls/e-participation/", "e-participation"),  # a call for comments: its draft's data
        ("calls/seventh-plan-policies/", "seventh-plan-policies"),
    ],
)
@pytest.mark.parametrize("lang", ["fa", "en"])
def test_consultation_pages_link_their_csv_and_json_while_open(example_site, key, slug, lang):
    links = parsed(page(example_site, lang, key))
    assert "data-links" in links.by_id
    html = page(example_site, lang, key).read_text(encoding="utf-8")
    for fmt in ("csv", "json"):
        path = f"data/{slug}/comments.{fmt}"
        found = re.search(rf'href="([^"]+)" data-path="{re.escape(path)}"', html)
        assert found and found.group(1).endswith(path)
        size = re.search(rf'data-path="{re.escape(path)}">.*?<data value="(\d+)">', html, re.S)
        assert size and int(size.group(1)) == (example_site / path).stat().st_size
    more = str(links.by_id["data-links-more"]["href"])
    assert (
        urljoin(f"https://host/{LANG_ROOT[lang]}{key}", more) == f"https://host/{LANG_ROOT[lang]}open-data/"
    )


TRUST_SETTINGS_START = "    # The footer, the trust pages"


def portal_with(tmp_path: Path, settings: str) -> Repo:
    """The small portal, with the example's theme and settings less the trust ones, plus `settings`."""
    repo = Repo(tmp_path / "portal")
    example = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    (repo.root / "mkdocs.yml").write_text(example[: example.index(TRUST_SETTINGS_START)] + settings)
    shutil.copytree(REPO / "overrides", repo.root / "overrides")
    shutil.copy(REPO / "keys" / "demo-private.key", repo.root / "keys" / "demo-private.key")
    return repo


def test_unset_settings_are_said_plainly_and_settings_stay_text(tmp_path):
    hostile = '<b id="bold">x</b> & "q"'
    repo = portal_with(tmp_path, f"    agency: {{fa: '{hostile}', en: '{hostile}'}}\n")
    site = tmp_path / "site"
    assert rayzani(["--root", str(repo.root), "build", "--site-dir", str(site), "--date", BUILD_DATE]) == 0
    for lang in ("fa", "en"):
        privacy = page(site, lang, "privacy/").read_text(encoding="utf-8")
        assert element(privacy, "privacy-retention")[1] == text("retention_unset", lang)
        assert element(privacy, "privacy-contact")[1] == text("contact_unset", lang)
        assert 'id="bold"' not in privacy and "&lt;b id=&#34;bold&#34;&gt;x&lt;/b&gt; &amp;" in privacy
        statement = page(site, lang, "accessibility/").read_text(encoding="utf-8")
        assert element(statement, "known-issues")[1] == text("known_issues_unset", lang)
        assert element(statement, "accessibility-date")[1] == text("accessibility_date_unset", lang)
        open_data = page(site, lang, "open-data/").read_text(encoding="utf-8")
        assert element(open_data, "data-licence")[1] == text("licence_unset", lang)
        home = page(site, lang, "").read_text(encoding="utf-8")
        assert text("other_ways_unset", lang) in element(home, "footer-other-ways")[1]
        assert 'id="bold"' not in home
    assert "licenses" not in json.loads((site / "data" / "datapackage.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("settings", "field"),
    [
        ("    contact: {email: not-an-address}\n", "extra.rayzani.contact.email"),
        ("    contact: {email: a@b.ir, fax: '1'}\n", "extra.rayzani.contact.fax"),
        ("    retention: {fa: دو سال}\n", "extra.rayzani.retention"),
        ("    accessibility: {reviewed: 1405-08-10}\n", "extra.rayzani.accessibility.reviewed"),
        (
            "    data_licence: {name: CC-BY-4.0, title: CC BY, path: 'javascript:x'}\n",
            "extra.rayzani.data_licence.path",
        ),
    ],
)
def test_a_wrong_trust_setting_is_a_validation_problem_naming_its_field(tmp_path, capsys, settings, field):
    repo = portal_with(tmp_path, settings)
    assert rayzani(["--root", str(repo.root), "validate"]) != 0
    assert field in capsys.readouterr().err


def test_the_privacy_notice_names_the_portals_own_forge(tmp_path):
    # A self-hosted portal's participants comment on its Forgejo, not on GitHub.
    repo = portal_with(tmp_path, "    forge: forgejo\n")
    site = tmp_path / "site"
    assert rayzani(["--root", str(repo.root), "build", "--site-dir", str(site), "--date", BUILD_DATE]) == 0
    for lang, name in (("fa", "فورجیو"), ("en", "Forgejo")):
        privacy = page(site, lang, "privacy/").read_text(encoding="utf-8")
        assert name in privacy and "GitHub" not in privacy and "گیت‌هاب" not in privacy, lang
