"""How to vote, as the site shows it: links to this call's vote forms while it is open, and the
web vote form, whose fields a form service exports straight into `rayzani intake form`."""

from __future__ import annotations

import csv
import re
import shutil
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import yaml
from conftest import BUILD_DATE, VOTE_ENDPOINT, Repo, rayzani, today
from html_query import element

from rayzani.project import load_project
from rayzani.receive.app import EXTRA

PAGES = ("calls/{slug}/", "calls/{slug}/poll/")


def page(site: Path, url: str) -> str:
    return (site / url / "index.html").read_text(encoding="utf-8")


def vote_link(html: str, kind: str) -> str | None:
    """The href of the "vote on GitHub" (issue) or "vote with the web form" (form) link, if any."""
    found = re.search(rf'<a [^>]*id="vote-{kind}" href="([^"]+)"', html)
    return unescape(found.group(1)) if found else None


def assert_issue_form_link(url: str | None, form: str, slug: str) -> None:
    assert url is not None, "no link to the vote issue form"
    parsed = urlparse(url)
    assert parsed.netloc == "github.com" and parsed.path == "/example/rayzani/issues/new"
    assert parse_qs(parsed.query) == {"template": [form], "call": [slug]}


def test_open_call_and_poll_pages_link_to_this_calls_vote_issue_form(example_site):
    for prefix in ("", "en/"):
        for url in PAGES:
            html = page(example_site, prefix + url.format(slug="e-participation"))
            assert_issue_form_link(vote_link(html, "issue"), "vote.yml", "e-participation")
            # The example has no form endpoint, so no web vote form is offered.
            assert vote_link(html, "form") is None
        # A call without a poll shows no way to vote.
        assert 'id="vote-ways"' not in page(example_site, f"{prefix}calls/seventh-plan-policies")
    _, text = element(page(example_site, "en/calls/e-participation/poll"), "vote-ways")
    assert text.startswith("Vote:")
    _, text = element(page(example_site, "en/calls/e-participation/vote"), "form-off")
    assert "has not been set up" in text and "Vote on GitHub" in text


def test_a_closed_poll_says_voting_is_closed_and_links_to_no_vote_form(closed_site):
    for prefix, words in (
        ("en/", "Voting closed on 15 December 2026"),
        ("", "رأی‌گیری در ۲۴ آذر ۱۴۰۵ پایان یافت"),
    ):
        for url in (*PAGES, "calls/{slug}/vote/"):
            html = page(closed_site, prefix + url.format(slug="e-participation"))
            assert "template=vote" not in html and vote_link(html, "form") is None
            _, text = element(html, "vote-ways")
            assert words in text, text


def test_before_the_call_opens_the_poll_says_when_voting_opens(voting_portal, tmp_path):
    repo, _ = voting_portal
    site = tmp_path / "site"
    assert rayzani(["--root", str(repo.root), "build", "--site-dir", str(site), "--date", "2026-10-25"]) == 0
    for prefix, words in (
        ("en/", "Voting has not opened yet: you can vote from 1 November 2026 to 1 December 2026"),
        ("", "رأی‌گیری هنوز آغاز نشده است؛ از ۱۰ آبان ۱۴۰۵ تا ۱۰ آذر ۱۴۰۵"),
    ):
        for url in (*PAGES, "calls/{slug}/vote/"):
            html = page(site, prefix + url.format(slug="sample"))
            assert "template=vote" not in html and vote_link(html, "form") is None
            assert 'id="vote-form"' not in html
            _, text = element(html, "vote-ways")
            assert words in text, text


def test_two_vote_forms_for_one_poll_are_a_problem(voting_portal, tmp_path):
    built, _ = voting_portal
    root = tmp_path / "portal"
    shutil.copytree(built.root, root, ignore=shutil.ignore_patterns("site"))
    folder = root / ".github" / "ISSUE_TEMPLATE"
    shutil.copy(folder / "vote-sample.yml", folder / "vote.yml")
    found = [p.format(root) for p in load_project(root, today()).problems]
    assert found == [
        ".github/ISSUE_TEMPLATE/vote.yml: body.call.attributes.value: is 'sample', whose poll already has "
        "the form vote-sample.yml. Fix: delete one of the two forms"
    ], found


def test_the_links_name_the_form_file_of_this_call_and_its_web_vote_form(voting_portal):
    _, site = voting_portal
    for prefix in ("", "en/"):
        for url in PAGES:
            html = page(site, prefix + url.format(slug="sample"))
            assert_issue_form_link(vote_link(html, "issue"), "vote-sample.yml", "sample")
            form = vote_link(html, "form")
            assert form is not None
            assert (site / prefix / url.format(slug="sample") / form / "index.html").resolve() == (
                site / prefix / "calls/sample/vote/index.html"
            ).resolve()


class FormFields(HTMLParser):
    """The controls of one form: every named field, its type and value, and what labels it."""

    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.label_depth = form_id, False, 0
        self.fields: list[dict[str, str | None]] = []
        self.labelled: set[str] = set()  # ids named by <label for>
        self.legends: list[str] = []
        self._legend: list[str] | None = None
        self.scripts = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("id") == self.form_id:
            self.inside, self.form = True, a
        if not self.inside:
            return
        if tag == "script":
            self.scripts += 1
        elif tag == "label":
            self.label_depth += 1
            if a.get("for"):
                self.labelled.add(a["for"])
        elif tag == "legend":
            self._legend = []
        elif tag in {"input", "select", "textarea"} and a.get("name"):
            self.fields.append({"tag": tag, **a, "in_label": "yes" if self.label_depth else None})

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "label" and self.inside:
            self.label_depth -= 1
        elif tag == "legend" and self._legend is not None:
            self.legends.append(" ".join("".join(self._legend).split()))
            self._legend = None

    def handle_data(self, data):
        if self._legend is not None:
            self._legend.append(data)


def vote_form(html: str) -> FormFields:
    parser = FormFields("vote-form")
    parser.feed(html)
    assert parser.fields, "no vote form"
    return parser


def test_the_web_vote_form_posts_every_field_to_the_endpoint_without_script(voting_portal):
    _, site = voting_portal
    html = page(site, "en/calls/sample/vote")
    form = vote_form(html)
    assert form.form["action"] == VOTE_ENDPOINT and form.form["method"] == "post"
    assert form.scripts == 0 and "onsubmit" not in html
    names = {f["name"] for f in form.fields}
    # The receiver's fields as on the comment form: the form's language, the script's token and
    # proof of work (empty without JavaScript), and the honeypot a person never fills.
    assert names == {"draft", "vote", "participant_id", "respondent_type", "age_band", "gender", "province",
                     "lang", "token", "altcha", "website"}  # fmt: skip
    assert {f["name"]: f.get("value") for f in form.fields if f.get("type") == "hidden"} == {
        "draft": "sample", "lang": "en", "token": "", "altcha": "",
    }  # fmt: skip
    (draft,) = [f for f in form.fields if f["name"] == "draft"]
    assert draft["type"] == "hidden" and draft["value"] == "sample"
    radios = [f for f in form.fields if f["name"] == "vote"]
    assert [(r["type"], r["value"], r["in_label"]) for r in radios] == [
        ("radio", "agree", "yes"),
        ("radio", "disagree", "yes"),
    ]
    assert form.legends[0] == "Agree?"  # the question is the choice's legend
    # Every other visible field has a label of its own.
    for field in form.fields:
        if field.get("type") not in {"hidden", "radio"}:
            assert field["id"] in form.labelled, field
    (pid,) = [f for f in form.fields if f["name"] == "participant_id"]
    assert "required" in pid
    _, why = element(html, pid["aria-describedby"])
    assert "counted once" in why and "hash" in why and "never published" in why
    persian = page(site, "calls/sample/vote")
    assert vote_form(persian).legends[0] == "موافقید؟" and "فرستادن رأی" in persian


def test_the_vote_forms_fields_import_as_a_vote_that_the_results_page_counts(voting_portal, tmp_path):
    built, site = voting_portal
    repo = Repo.__new__(Repo)
    repo.root = tmp_path / "portal"
    shutil.copytree(built.root, repo.root)
    form = vote_form(page(site, "en/calls/sample/vote"))
    # The receiver's own fields (language, token, proof of work, honeypot) are not a form export's.
    names = list(dict.fromkeys(f["name"] for f in form.fields if f["name"] not in EXTRA))
    answers = {
        "draft": "sample",
        "vote": "disagree",
        "participant_id": "Voter@Example.org",
        "respondent_type": "ngo",
        "age_band": "30-44",
        "gender": "female",
        "province": "tehran",
    }
    assert set(names) == set(answers)
    export = tmp_path / "export.csv"
    with export.open("w", encoding="utf-8", newline="") as handle:
        # A form service stores the posted fields under their names, with its own row id and time.
        writer = csv.writer(handle)
        writer.writerow([*names, "row_id", "submitted_at"])
        writer.writerow([*(answers[n] for n in names), "17", "2026-11-20 10:00:00"])
    assert rayzani(["--root", str(repo.root), "intake", "form", str(export)]) == 0
    path = repo.root / "submissions" / "sample" / "form-17.yml"
    text = path.read_text(encoding="utf-8")
    record = yaml.safe_load(text)
    assert record["vote"] == "disagree" and record["channel"] == "form" and record["author"]["type"] == "ngo"
    # The email counts the person once, as a hash; it is written nowhere in clear.
    assert record["author"]["id"].startswith("pid:") and "example.org" not in text.lower()
    assert record["sealed"] and "tehran" not in text and "female" not in text
    rebuilt = tmp_path / "site"
    assert rayzani(["--root", str(repo.root), "build", "--site-dir", str(rebuilt), "--date", BUILD_DATE]) == 0
    _, table = element(page(rebuilt, "en/calls/sample/poll"), "poll-results")
    assert "Agree 0 0%" in table and "Disagree 1 100%" in table and "Total 1" in table
