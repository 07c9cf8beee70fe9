"""The one grouping of a draft's comments into discussions: one per article (and the general one),
each in pages of `comments_per_page`, in the order the comments arrived.

Which discussion and page a comment lands on is its permanent address: the site's pages, the
link intake sends the participant, the concerns and the reports all take it from here. It stays
stable while comments are added in order of arrival.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, insort
from dataclasses import dataclass, field

from rayzani.model import Draft, Portal, Submission

GENERAL = "general"


def anchor_of(draft: Draft | None, section: str | None) -> str:
    """The discussion a comment on `section` belongs to: its article's anchor, or "general".

    An article a later version removed keeps its own discussion (and its permalinks)."""
    article = draft.article_of(section) if draft else None
    return article.anchor if article else GENERAL


def page_of(position: int, per_page: int) -> int:
    """The page (from 1) holding the comment at `position` (from 0) of its discussion."""
    return position // per_page + 1


def page_count(comments: int, per_page: int) -> int:
    """Pages of a discussion: at least one, even an empty one."""
    return max(1, -(-comments // per_page))


@dataclass(frozen=True)
class Place:
    """Where a comment is shown: the discussion (article anchor) and its page."""

    anchor: str
    page: int


@dataclass
class Discussion:
    """The comments of one article (or the general ones), in the order they arrived."""

    anchor: str
    records: list[Submission] = field(default_factory=list)

    def pages(self, per_page: int) -> int:
        return page_count(len(self.records), per_page)

    def page(self, number: int, per_page: int) -> list[Submission]:
        """The comments on page `number` (from 1)."""
        return self.records[(number - 1) * per_page : number * per_page]


def discussions(draft: Draft, records: list[Submission]) -> dict[str, Discussion]:
    """The draft's articles in the text's order, then the general discussion, then those of
    articles a later version removed (in the order their first comment arrived)."""
    by_anchor = {a.anchor: Discussion(a.anchor) for a in draft.articles}
    by_anchor[GENERAL] = Discussion(GENERAL)
    for record in records:
        anchor = anchor_of(draft, record.section)
        by_anchor.setdefault(anchor, Discussion(anchor)).records.append(record)
    return by_anchor


def places(groups: dict[str, Discussion], per_page: int) -> dict[str, Place]:
    """The place of every comment of the grouped discussions, by record id."""
    return {
        record.id: Place(group.anchor, page_of(index, per_page))
        for group in groups.values()
        for index, record in enumerate(group.records)
    }


class Arrivals:
    """The same grouping kept up to date while comments are recorded one by one (intake).

    Each discussion is a sorted list of (received, record id), so that placing a comment is a
    binary search, not a regrouping of every comment on the draft.
    """

    def __init__(self, portal: Portal):
        self.portal = portal
        self._lists: dict[tuple[str, str], list[tuple[dt.datetime, str]]] = {}
        self._list_of: dict[tuple[str, str], tuple[str, str]] = {}
        for target, records in portal.submissions.items():
            for r in records:  # the loader gives them in arrival order
                self._join(target, r.section, r.received, r.id, ordered=True)

    def _join(
        self, target: str, section: str | None, received: dt.datetime, record_id: str, ordered: bool
    ) -> None:
        key = (target, anchor_of(self.portal.drafts.get(target), section))
        found = self._lists.setdefault(key, [])
        if ordered:
            found.append((received, record_id))
        else:
            insort(found, (received, record_id))
        self._list_of[(target, record_id)] = key

    def add(self, target: str, section: str | None, received: dt.datetime, record_id: str) -> None:
        """A comment recorded now: it takes its place by the time it was received."""
        self._join(target, section, received, record_id, ordered=False)

    def landing(
        self, target: str, section: str | None, received: dt.datetime, record_id: str, per_page: int
    ) -> Place:
        """Where a comment not recorded yet would be shown, as the discussions stand now."""
        key = (target, anchor_of(self.portal.drafts.get(target), section))
        index = bisect_left(self._lists.get(key, []), (received, record_id))
        return Place(key[1], page_of(index, per_page))

    def place(self, target: str, record_id: str, received: dt.datetime, per_page: int) -> Place | None:
        """Where a comment on a draft is shown, or None for a comment this grouping never met."""
        key = self._list_of.get((target, record_id))
        if key is None:
            return None
        found = self._lists[key]
        index = next(
            i for i in range(bisect_left(found, (received, "")), len(found)) if found[i][1] == record_id
        )
        return Place(key[1], page_of(index, per_page))
