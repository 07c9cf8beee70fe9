"""Every address of the site, made in one place: a table of patterns and the functions that fill them.

A page key is a URL path relative to a language's root ("drafts/x/"): the same key is written
once per language and published at `/<key>` (Persian) and `/en/<key>` (English). A data file's
path (CSV, JSON, feeds, PDFs) is relative to the site root: data files exist once, for both
languages. Pages, feeds, the sitemap, intake's replies and certificates all ask this module, so
changing a pattern here moves a page everywhere it is named.

Links between generated pages are relative (`link`), so they work in both languages and under
any site prefix; `absolute` gives the address under the portal's `site_url`.
"""

from __future__ import annotations

import posixpath
from urllib.parse import urlencode

from rayzani.model import Call, Draft

# Page keys end with "/" (or are "" for the home page); file paths do not. Placeholders are
# filled by the functions below; a pattern may be changed, its placeholders may not. A page
# under another names it in braces ("{draft}" is the draft's own key), so that moving a
# draft's page moves its discussions, versions and forms with it.
PATTERNS: dict[str, str] = {
    "home": "",
    "archive": "consultations/",
    "about": "about/",
    "draft": "drafts/{slug}/",
    # Page 1 of an article's discussion, and page N (N > 1) under it.
    "discussion": "{draft}comments/{anchor}/",
    "discussion_page": "{discussion}{page}/",
    "versions": "{draft}versions/",
    "version": "{versions}{label}/",
    # The redline from the version before `label` to `label`.
    "changes": "{draft}changes/{label}/",
    "comment_form": "{draft}comment/",
    "article_comment_form": "{comment_form}{anchor}/",
    "call": "calls/{slug}/",
    "poll": "{call}poll/",
    "vote_form": "{call}vote/",
    # A report lives under its draft's or call's page.
    "report": "{subject}report/",
    "statistics": "statistics/",
    "dashboard": "dashboard/",
    "panels": "panels/",
    "panel": "panels/{slug}/",
    "hall_of_fame": "hall-of-fame/",
    "hall_of_fame_of": "{hall_of_fame}{target}/",
    "profile": "participants/{slug}/",
    "certificate": "certificates/{code}/",
    "verify": "certificates/verify/",
    # The trust pages every footer links.
    "privacy": "privacy/",
    "accessibility": "accessibility/",
    "open_data": "open-data/",
    # The id of a comment's card on every page that shows it.
    "comment_anchor": "c-{id}",
    # Files at the site root.
    "certificate_pdf": "data/certificates/{code}.pdf",
    "report_pdf": "data/{slug}/report-{lang}.pdf",
    "comments_data": "data/{slug}/comments.{format}",
    "statistics_csv": "data/statistics.csv",
    "datapackage": "data/datapackage.json",
    "feed": "feeds/{lang}/{feed}.{kind}.xml",
    "calls_json": "calls.json",
    # The forge's new-issue page with an issue form chosen and prefilled (`issue_form` below).
    "issue_form": "{forge_url}/{repo}/issues/new?{query}",
    # Each comment's reference and where it is, for search, in shards named by the reference's
    # first two digits ("12"), per language (rayzani.site.files.search_references).
    "search_reference_shard": "search/references/{lang}/{shard}.json",
}


def fill(name: str, **values: object) -> str:
    return PATTERNS[name].format(**values)


def home_key() -> str:
    return fill("home")


def archive_key() -> str:
    return fill("archive")


def about_key() -> str:
    return fill("about")


def draft_key(slug: str) -> str:
    return fill("draft", slug=slug)


def discussion_key(slug: str, anchor: str, page: int = 1) -> str:
    """Page `page` of the comments on one article of a draft (anchor "general": the general ones)."""
    first = fill("discussion", draft=draft_key(slug), anchor=anchor)
    return first if page <= 1 else fill("discussion_page", discussion=first, page=page)


def versions_key(slug: str) -> str:
    return fill("versions", draft=draft_key(slug))


def version_key(slug: str, label: str) -> str:
    return fill("version", versions=versions_key(slug), label=label)


def changes_key(slug: str, label: str) -> str:
    return fill("changes", draft=draft_key(slug), label=label)


def comment_form_key(slug: str, anchor: str | None = None) -> str:
    """The web comment form of a draft, or of one of its articles (that article chosen)."""
    form = fill("comment_form", draft=draft_key(slug))
    return fill("article_comment_form", comment_form=form, anchor=anchor) if anchor else form


def call_key(slug: str) -> str:
    return fill("call", slug=slug)


def poll_key(slug: str) -> str:
    return fill("poll", call=call_key(slug))


def vote_form_key(slug: str) -> str:
    return fill("vote_form", call=call_key(slug))


def subject_key(subject: Draft | Call) -> str:
    """The page of a draft or a call."""
    return draft_key(subject.slug) if isinstance(subject, Draft) else call_key(subject.slug)


def report_key(subject: str) -> str:
    """The report on the draft or call whose page key is `subject`."""
    return fill("report", subject=subject)


def statistics_key() -> str:
    return fill("statistics")


def dashboard_key() -> str:
    return fill("dashboard")


def panels_key(slug: str | None = None) -> str:
    return fill("panel", slug=slug) if slug else fill("panels")


def hall_of_fame_key(target: str | None = None) -> str:
    """The hall of fame of the whole portal, or of one consultation."""
    overall = fill("hall_of_fame")
    return fill("hall_of_fame_of", hall_of_fame=overall, target=target) if target else overall


def profile_key(slug: str) -> str:
    return fill("profile", slug=slug)


def certificate_key(code: str) -> str:
    return fill("certificate", code=code)


def verify_key() -> str:
    return fill("verify")


def privacy_key() -> str:
    return fill("privacy")


def accessibility_key() -> str:
    return fill("accessibility")


def open_data_key() -> str:
    return fill("open_data")


def language_key(lang: str, key: str) -> str:
    """A page key as a path from the site root: English pages live under `en/`."""
    return ("en/" if lang == "en" else "") + key


def comment_anchor(record_id: str) -> str:
    return fill("comment_anchor", id=record_id)


def certificate_pdf(code: str) -> str:
    return fill("certificate_pdf", code=code)


def report_pdf(slug: str, lang: str) -> str:
    return fill("report_pdf", slug=slug, lang=lang)


def comments_data(slug: str, format: str) -> str:
    """A consultation's comments and decisions as open data (format: csv or json)."""
    return fill("comments_data", slug=slug, format=format)


def statistics_csv() -> str:
    return fill("statistics_csv")


def datapackage() -> str:
    return fill("datapackage")


def feed_path(lang: str, feed: str, kind: str) -> str:
    """The stable address of a feed (kind: rss or atom)."""
    return fill("feed", lang=lang, feed=feed, kind=kind)


def calls_json() -> str:
    return fill("calls_json")


def relative_to(path: str, folder_of: str) -> str:
    """A file's path as seen from the folder of another file (a data package names its resources so)."""
    return posixpath.relpath(path, posixpath.dirname(folder_of))


def link(from_key: str, to_key: str, fragment: str = "") -> str:
    """Relative URL from one page to another (both keys end with '/' or are '')."""
    rel = posixpath.relpath("/" + to_key, "/" + from_key) if to_key != from_key else "."
    url = "./" if rel == "." else rel + "/"
    return url + (f"#{fragment}" if fragment else "")


def comment_link(from_key: str, page_key: str, record_id: str) -> str:
    """Relative URL of a comment's card on the page that holds it."""
    return link(from_key, page_key, comment_anchor(record_id))


def file_link(from_key: str, lang: str, path: str) -> str:
    """Relative URL from a page to a data file: English pages (under /en/) climb one level more."""
    return "../" * (from_key.count("/") + (lang == "en")) + path


def _base(site_url: str) -> str:
    return site_url.rstrip("/") + "/" if site_url else "/"


def absolute(site_url: str, key: str, lang: str, fragment: str = "") -> str:
    """Address of a page in a language under the portal's `site_url` (root-relative when unset)."""
    return _base(site_url) + ("en/" if lang == "en" else "") + key + (f"#{fragment}" if fragment else "")


def absolute_file(site_url: str, path: str) -> str:
    """Address of a data file under `site_url` (data files are not per language)."""
    return _base(site_url) + path


def search_reference_shard(lang: str, shard: str) -> str:
    return fill("search_reference_shard", lang=lang, shard=shard)


def site_path(key: str, lang: str, fragment: str = "") -> str:
    """A page's path under the site root, as the search index names it ("en/drafts/x/#c-1")."""
    return absolute("", key, lang, fragment).lstrip("/")


def issue_form(forge_url: str, repo: str, forge: str, folder: str, form: str, values: dict[str, str]) -> str:
    """The forge's new-issue page with the issue form `form` (a file in `folder`) prefilled.

    GitHub names the form by its file name and takes each field's value by its id
    (`template=comment.yml&draft=…`). Forgejo and Gitea name it by its path in the repository
    and take a field's value as `field:<id>` (`template=.forgejo/ISSUE_TEMPLATE/comment.yml&
    field:draft=…`); they find no form by a GitHub-style link.
    """
    if forge in ("forgejo", "gitea"):
        query = {"template": f"{folder}/{form}", **{f"field:{k}": v for k, v in values.items()}}
    else:
        query = {"template": form, **values}
    return fill("issue_form", forge_url=forge_url.rstrip("/"), repo=repo, query=urlencode(query))
