"""Interface text is text where text is wanted: a title with `'`, `&`, `<` reads exactly the same in
the feeds, calls.json, share links and the pages' <title>, never escaped twice (`&amp;#39;`)."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from conftest import BUILD_DATE, CALL, DRAFT_FA, REPO, Repo, example_config, rayzani

from rayzani.intake.records import Rejection
from rayzani.intake.replies import rejected_reply, rejection_text
from rayzani.project import load_project
from rayzani.site.generate import generate_files

CALL_TITLE = "Citizens' Charter & <Rights> — منشور «حقوق» شهروندی"
DRAFT_TITLE = "آیین‌نامه 'ویژه' & <مقررات> Rules"
ATOM = "{http://www.w3.org/2005/Atom}"


class Head(HTMLParser):
    """The text of <title> and the share links (as the browser reads them: entities decoded)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title, self.links, self._in_title = "", [], False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_title = tag == "title"
        href = dict(attrs).get("href") or ""
        if tag == "a" and href.startswith("https://t.me/share/"):
            self.links.append(href)

    def handle_endtag(self, tag: str) -> None:
        self._in_title = False if tag == "title" else self._in_title

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data


def head(path: Path) -> Head:
    parsed = Head()
    parsed.feed(path.read_text(encoding="utf-8"))
    return parsed


@pytest.fixture(scope="module")
def titled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Repo, Path]:
    """The small portal, with the example's theme, whose call and draft titles hold `'`, `&` and `<`."""
    repo = Repo(tmp_path_factory.mktemp("titled") / "portal")
    example_config(repo.root)
    shutil.copytree(REPO / "overrides", repo.root / "overrides", dirs_exist_ok=True)
    shutil.copy(REPO / "keys" / "demo-private.key", repo.root / "keys" / "demo-private.key")
    for lang, asked, organiser in (("fa", "نظر دهید", "وزارت"), ("en", "Comment", "Ministry")):
        call = CALL.format(title=json.dumps(CALL_TITLE), asked=asked, organiser=organiser, body="…")
        repo.write(f"content/calls/sample.{lang}.md", call)
    draft = repo.root / "content/drafts/sample/index.fa.md"
    draft.write_text(DRAFT_FA.replace("آیین‌نامه آزمایشی", json.dumps(DRAFT_TITLE), 1), encoding="utf-8")
    repo.write("content/drafts/sample/report.fa.md", "---\npublished: 2026-12-20\n---\nدغدغه‌های کلیدی.\n")
    site = tmp_path_factory.mktemp("titled-site")
    assert rayzani(["--root", str(repo.root), "build", "--site-dir", str(site), "--date", BUILD_DATE]) == 0
    return repo, site


def test_feeds_carry_titles_exactly(titled):
    repo, site = titled
    for lang in ("fa", "en"):
        rss = ET.parse(site / f"feeds/{lang}/open-calls.rss.xml").getroot()
        assert [i.findtext("title") for i in rss.findall("channel/item")] == [CALL_TITLE]
        atom = ET.parse(site / f"feeds/{lang}/consultations.atom.xml").getroot()
        assert [e.findtext(f"{ATOM}title") for e in atom.findall(f"{ATOM}entry")] == [CALL_TITLE]
    # The report's entry is interface text with the title in it ("Report: ..."): still the exact title.
    project = load_project(repo.root)
    files = dict(generate_files(project.portal, project.settings, dt.date(2026, 12, 20), "https://x.example/"))
    atom = ET.fromstring(files["feeds/en/reports.atom.xml"])
    assert [e.findtext(f"{ATOM}title") for e in atom.findall(f"{ATOM}entry")] == [f"Report: {DRAFT_TITLE}"]
    rss = ET.fromstring(files["feeds/fa/reports.rss.xml"])
    assert [i.findtext("title") for i in rss.findall("channel/item")] == [f"گزارش: {DRAFT_TITLE}"]


def test_calls_json_holds_the_titles_exactly(titled):
    _, site = titled
    (call,) = json.loads((site / "calls.json").read_text(encoding="utf-8"))["calls"]
    assert call["title"] == {"fa": CALL_TITLE, "en": CALL_TITLE}
    assert call["draft"]["title"] == {"fa": DRAFT_TITLE, "en": DRAFT_TITLE}


def test_page_titles_and_share_texts_show_the_title_as_text(titled):
    _, site = titled
    call = head(site / "en/calls/sample/index.html")
    assert call.title.startswith(f"{CALL_TITLE} - "), call.title
    # The share dialog's text is the message with the title in it, URL-quoted once.
    shared = [parse_qs(urlparse(link).query)["text"][0] for link in call.links]
    assert shared and all(CALL_TITLE in text and "&#" not in text and "&amp;" not in text for text in shared)
    draft = head(site / "drafts/sample/index.html")
    assert draft.title.startswith(f"{DRAFT_TITLE} - "), draft.title
    # A discussion page is HTML Rayzani sets into MkDocs' frame: its title is escaped there, once.
    discussion = head(site / "drafts/sample/comments/art-1/index.html")
    assert discussion.title.startswith("نظرها: ماده ۱ | " + DRAFT_TITLE + " - "), discussion.title


def test_intake_reply_escapes_what_a_participant_typed_and_the_terminal_shows_it_as_typed():
    typed = "<img src=x onerror=alert(1)> & 'art-9'"
    refused = Rejection("unknown-section", "article", typed)
    # The reply is Markdown on the forge, which renders HTML: the value is escaped, once.
    reply = rejected_reply(refused)
    assert "<img" not in reply and "&lt;img src=x onerror=alert(1)&gt; &amp; &#39;art-9&#39;" in reply
    assert "&amp;lt;" not in reply
    # The terminal (and the workflow's log) prints text.
    shown = rejection_text(refused, "en")
    assert shown == f"“{typed}” is not an article or clause of this draft (such as art-3 or art-3-c2)."


def test_the_404_page_is_the_persian_one_with_the_home_pages_as_language_links(titled):
    """mkdocs-static-i18n renders 404.html once per language into one file; the theme keeps the first."""
    _, site = titled
    page = (site / "404.html").read_text(encoding="utf-8")
    assert '<html lang="fa" dir="rtl"' in page
    links = re.findall(r'<a href="([^"]*)" hreflang="(fa|en)"', page)
    assert links and {href for href, _ in links} == {"/rayzani/", "/rayzani/en/"}, links


# Message keys that code builds from a value (`f"type_{v}"`, `"withheld_" ~ reason`), by the prefix
# they start with, and where: a key with one of these prefixes counts as used. Each prefix must
# still be built somewhere (test below), so this list cannot outlive the code that needed it.
BUILT_KEY_PREFIXES = {
    "admin_": "build/admin.py, label(): Decap's field and collection labels",
    "age_": "site/pages/intake.py, receive/pages.py, site/figures.py: age bands",
    "archive_by_": "consultations.md.j2: the archive's groupings",
    "audience_": "call.md.j2: who a call invites",
    "change_": "changes.md.j2: kinds of change between versions",
    "channel_": "_comment.html.j2, call.md.j2, site/figures.py, site/pages/reports.py",
    "chart_": "site/figures.py: chart titles per dimension",
    "comment_whole_": "_lead.html.j2: the whole-draft buttons per channel",
    "data_column_": "site/pages/open_data.py: the open data's columns",
    "dim_": "site/figures.py: dimensions",
    "feed_": "site/files/feeds.py: feed titles and descriptions",
    "file_feed_": "site/pages/open_data.py: the feeds' entries",
    "forge_": "site/pages/intake.py, forge_name(): the forge's name in its issue forms' links",
    "gender_": "site/pages/intake.py, receive/pages.py, site/figures.py",
    "intake_reject_": "intake/replies.py: why an issue was not recorded, per code",
    "kind_": "draft.md.j2, call.md.j2, site/pages/home.py, site/files/feeds.py",
    "language_": "site/pages/open_data.py: a file's language",
    "level_": "hall_of_fame.md.j2, profile.md.j2",
    "lifecycle_": "site/views.py, site/pages/home.py: a consultation's state",
    "network_": "site/share.py: share links",
    "points_event_": "hall_of_fame.md.j2: the points rule",
    "poll_rejected_": "poll.md.j2: why votes were not counted",
    "redacted_": "intake/replies.py: what was taken out of a comment",
    "stage_": "versions.md.j2: a version's stage",
    "status_": "_comment.html.j2 and others: decision statuses and idea stages",
    "type_": "_comment.html.j2, site/pages/intake.py, receive/pages.py, editing/worksheet.py",
    "unit_": "site/figures.py: what a chart counts",
    "vote_": "_vote_ways.html.j2, poll_vote_form.md.j2: voting not open yet, or over",
    "withheld_": "_comment.html.j2, site/pages/panels.py: why a text is withheld",
    "ws_": "editing/worksheet.py: the decision worksheet's headings",
}
# A refusal's fix is its key with this ending (intake/form_export.py, `f"{key}_fix"`): such a key
# is used when the key it ends is.
BUILT_KEY_SUFFIX = "_fix"
_CODE_SUFFIXES = (".py", ".j2", ".html", ".js")


def interface_code() -> str:
    """Every file that says interface text: the package's code and templates, and the theme's."""
    files = [p for folder in ("scripts/rayzani", "overrides") for p in sorted((REPO / folder).rglob("*"))]
    return "\n".join(p.read_text(encoding="utf-8") for p in files if p.suffix in _CODE_SUFFIXES)


def unused_keys(keys: list[str], code: str) -> list[str]:
    """The keys no code says: neither quoted whole, nor built from a listed prefix or the suffix."""
    quoted = set(re.findall(r"[\"']([\w.-]+)[\"']", code))

    def used(key: str) -> bool:
        if key in quoted or key.startswith(tuple(BUILT_KEY_PREFIXES)):
            return True
        stem = key.removesuffix(BUILT_KEY_SUFFIX)
        return stem != key and stem in keys and used(stem)

    return [key for key in keys if not used(key)]


def test_every_interface_message_is_said_somewhere():
    from rayzani.i18n.messages import messages

    code = interface_code()
    assert re.search(r"\}" + BUILT_KEY_SUFFIX + r"[\"']", code), f"nothing ends a key with {BUILT_KEY_SUFFIX}"
    unused = unused_keys(list(messages()), code)
    assert unused == [], f"defined in messages/*.yml but used by no code or template: {unused}"


def test_the_unused_message_check_finds_a_key_nobody_says():
    code = 'translate("said", lang) {{ t("type_" ~ who) }} Refusal("export_said")'
    keys = ["said", "type_individual", "export_said", "export_said_fix", "export_gone", "export_gone_fix"]
    assert unused_keys([*keys, "never_said"], code) == ["export_gone", "export_gone_fix", "never_said"]


@pytest.mark.parametrize("prefix", sorted(BUILT_KEY_PREFIXES))
def test_every_listed_key_prefix_is_still_built_by_code(prefix):
    """`f"type_{...}"`, `"type_" ~ value`, `'admin_' + key`, or passed on to be joined (`"type_",`)."""
    built = re.compile(r"f?[\"']" + re.escape(prefix) + r"(?:\{|[\"']\s*[~+,])")
    assert built.search(interface_code()), f"no code builds a message key from {prefix!r}: remove it"
