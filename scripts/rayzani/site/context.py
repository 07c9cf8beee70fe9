"""The `Site` every page function receives: the portal, the settings, the build date, and the work
several pages share over all records (discussions, permalinks, pending counts), done once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from rayzani import urls
from rayzani.analysis.discussions import Discussion, Place, discussions, places
from rayzani.cache.store import Cache
from rayzani.model import Call, Draft, Portal, subject_title
from rayzani.settings import Settings


@dataclass
class Site:
    """Everything page functions need beside the page's own subject."""

    portal: Portal
    settings: Settings
    today: dt.date
    # The published site's address (mkdocs.yml `site_url`), for feeds and share links.
    site_url: str = ""
    # The build's store (cards kept from earlier builds, results computed once per portal);
    # None: a store that keeps nothing on disk, so everything is rendered afresh.
    cache: Cache | None = None

    def __post_init__(self) -> None:
        if self.cache is None:
            self.cache = Cache.in_memory()

    @property
    def store(self) -> Cache:
        """The build's store (never None once made)."""
        assert self.cache is not None
        return self.cache

    def discussions(self, draft: Draft) -> dict[str, Discussion]:
        """The draft's comments by article, grouped once per portal (a dozen pages need them)."""
        return self.store.per_portal(
            self.portal,
            ("discussions", draft.slug),
            lambda: discussions(draft, self.portal.comments_on(draft.slug)),
        )

    def places(self, draft: Draft) -> dict[str, Place]:
        """Discussion and page of every comment on the draft, computed once per portal."""
        per_page = self.settings.comments_per_page
        return self.store.per_portal(
            self.portal,
            ("places", draft.slug, per_page),
            lambda: places(self.discussions(draft), per_page),
        )

    def permalinks(self, draft: Draft) -> dict[str, str]:
        """Page key of every comment on the draft, computed once per portal."""
        return self.store.per_portal(
            self.portal,
            ("permalinks", draft.slug, self.settings.comments_per_page),
            lambda: {
                rid: urls.discussion_key(draft.slug, p.anchor, p.page)
                for rid, p in self.places(draft).items()
            },
        )

    def title_of(self, slug: str, lang: str) -> str:
        """The title of the draft or call a slug names (KeyError for neither)."""
        return subject_title(self.portal.target(slug) or self.portal.calls[slug], lang)

    def comment_link(self, from_key: str, target: str, record_id: str) -> str:
        """Relative URL of a comment on a draft (its discussion page) or a call (the call's page)."""
        draft = self.portal.drafts.get(target)
        if draft is None:
            return urls.comment_link(from_key, urls.call_key(target), record_id)
        page = self.permalinks(draft).get(record_id, urls.discussion_key(draft.slug, "general"))
        return urls.comment_link(from_key, page, record_id)

    def pending(self, target: str) -> int:
        """Comments on a target still awaiting an answer, counted once per portal (withheld ones
        included: they are answered too)."""
        return self.store.per_portal(
            self.portal,
            ("pending", target),
            lambda: sum(r.decision.is_pending for r in self.portal.comments_on(target)),
        )

    def report_key(self, subject: Draft | Call) -> str | None:
        """The page of the report on a draft or call, once published (a call shares its draft's)."""
        if subject.report and subject.report.published <= self.today:
            return urls.report_key(urls.subject_key(subject))
        draft = self.portal.drafts.get(subject.draft or "") if isinstance(subject, Call) else None
        return self.report_key(draft) if draft else None

    def cached_html(self, inputs: object, render_html: Callable[[], str]) -> str:
        return self.store.html(inputs, render_html)

    def url(self, key: str, lang: str) -> str:
        """Absolute address of a page in a language (root-relative when site_url is unset)."""
        return urls.absolute(self.site_url, key, lang)

    def file_link(self, from_key: str, lang: str, path: str) -> str:
        """Link from a page to a data file at the site root (data files are not per language)."""
        if self.site_url:
            return urls.absolute_file(self.site_url, path)
        return urls.file_link(from_key, lang, path)
