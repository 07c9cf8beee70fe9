"""Pages of a draft's history: the list of versions, each version's text, and the redlines."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from markupsafe import Markup

from rayzani import urls
from rayzani.analysis.redline import ArticleDiff, Segment, compare, preamble_diff
from rayzani.i18n.text import localise_digits
from rayzani.model import Draft, Version
from rayzani.render.environment import render, translate
from rayzani.site.context import Site
from rayzani.site.views import CommentView, article_label, article_markdown, draft_comment_view


@dataclass
class VersionRow:
    label: str
    version: Version
    text_url: str
    changes_url: str | None
    changed: int  # articles changed, added or removed compared with the version before
    cited: int  # comments the version's changes cite
    current: bool


def _changed(diffs: tuple[ArticleDiff, ...]) -> int:
    return sum(1 for d in diffs if d.status != "unchanged")


def versions_page(site: Site, draft: Draft, lang: str) -> str:
    key = urls.versions_key(draft.slug)
    history = draft.history()
    rows = []
    for index, version in enumerate(history):
        previous = history[index - 1] if index else None
        rows.append(
            VersionRow(
                label=version.label,
                version=version,
                text_url=urls.link(key, urls.version_key(draft.slug, version.label)),
                changes_url=urls.link(key, urls.changes_key(draft.slug, version.label)) if previous else None,
                changed=_changed(compare(previous.text("fa"), version.text("fa"))) if previous else 0,
                cited=len({c for change in version.changes for c in change.comments}),
                current=index == len(history) - 1,
            )
        )
    return render(
        "versions.md.j2",
        lang,
        draft=draft,
        rows=list(reversed(rows)),
        draft_link=urls.link(key, urls.draft_key(draft.slug)),
    )


@dataclass
class VersionArticle:
    anchor: str
    heading: str
    body: Markup
    discussion: str | None  # the article's comments, wherever they were made
    comments: int


def version_text_page(site: Site, draft: Draft, version: Version, lang: str) -> str:
    """A version's full text at a stable address, so that old comments keep pointing to it."""
    key = urls.version_key(draft.slug, version.label)
    groups = site.discussions(draft)
    text = version.text(lang)
    history = draft.history()
    index = history.index(version)
    articles = [
        VersionArticle(
            anchor=fa.anchor,
            heading=article.heading,
            body=article_markdown(article, fa),
            discussion=urls.link(key, urls.discussion_key(draft.slug, fa.anchor))
            if fa.anchor in groups
            else None,
            comments=len(groups[fa.anchor].records) if fa.anchor in groups else 0,
        )
        for article, fa in zip(text.articles, version.articles, strict=True)
    ]
    return render(
        "version.md.j2",
        lang,
        draft=draft,
        version=version,
        text=text,
        translated=lang in version.texts or lang == "fa",
        articles=articles,
        current=index == len(history) - 1,
        draft_link=urls.link(key, urls.draft_key(draft.slug)),
        versions_link=urls.link(key, urls.versions_key(draft.slug)),
        changes_link=urls.link(key, urls.changes_key(draft.slug, version.label)) if index else None,
        next_changes=urls.link(key, urls.changes_key(draft.slug, history[index + 1].label))
        if index + 1 < len(history)
        else None,
    )


@dataclass
class ChangeView:
    """One article's redline with the comments its change answers."""

    anchor: str
    status: str
    renumbered: bool
    label: str
    heading: tuple[Segment, ...]
    blocks: tuple[tuple[Segment, ...], ...]
    comments: list[CommentView]


def changes_page(site: Site, draft: Draft, version: Version, lang: str) -> str:
    key = urls.changes_key(draft.slug, version.label)
    history = draft.history()
    previous = history[history.index(version) - 1]
    records = {r.id: r for r in site.portal.comments_on(draft.slug)}
    where = site.permalinks(draft)
    cited = {c.anchor: c.comments for c in version.changes}
    # Compare in the page's language when both versions are translated; else in Persian.
    lang_text = lang if lang in version.texts and lang in previous.texts else "fa"
    changes = []
    for diff in compare(previous.text(lang_text), version.text(lang_text)):
        label: str
        if diff.status == "removed":
            label = translate(
                "article_of_version",
                lang,
                article=_label(previous, diff.anchor, lang_text),
                version=localise_digits(previous.label, lang),
            )
        elif diff.renumbered:
            label = translate(
                "article_formerly",
                lang,
                article=_label(version, diff.anchor, lang_text),
                old=_label(previous, diff.anchor, lang_text),
            )
        else:
            label = _label(version, diff.anchor, lang_text)
        changes.append(
            ChangeView(
                anchor=diff.anchor,
                status=diff.status,
                renumbered=diff.renumbered,
                label=label,
                heading=diff.heading,
                blocks=_localise_markers(diff.blocks, lang_text),
                comments=[
                    draft_comment_view(
                        draft, records[i], key, urls.comment_link(key, where[i], i), lang, site.portal.panels
                    )
                    for i in cited.get(diff.anchor, ())
                    if i in records
                ],
            )
        )
    return render(
        "changes.md.j2",
        lang,
        draft=draft,
        version=version,
        previous=previous,
        lang_text=lang_text,
        text_dir="rtl" if lang_text == "fa" else "ltr",
        preamble=_localise_markers(
            preamble_diff(previous.text(lang_text), version.text(lang_text)), lang_text
        ),
        changes=[c for c in changes if c.status != "unchanged"],
        unchanged=[c for c in changes if c.status == "unchanged"],
        draft_link=urls.link(key, urls.draft_key(draft.slug)),
        versions_link=urls.link(key, urls.versions_key(draft.slug)),
        old_link=urls.link(key, urls.version_key(draft.slug, previous.label)),
        new_link=urls.link(key, urls.version_key(draft.slug, version.label)),
    )


_MARKER = re.compile(r"^(\d+)\. ")


def _localise_markers(blocks: tuple[tuple[Segment, ...], ...], lang: str) -> tuple[tuple[Segment, ...], ...]:
    """A clause's list number ("2. ") in the reader's digits, as the draft page shows it."""
    out = []
    for block in blocks:
        first = block[0] if block else None
        if first and (marker := _MARKER.match(first.text)):
            number = marker.group(1)
            first = Segment(first.op, localise_digits(number, lang) + first.text[len(number) :])
            block = (first, *block[1:])
        out.append(block)
    return tuple(out)


def _label(version: Version, anchor: str, lang: str) -> str:
    for fa, article in zip(version.articles, version.text(lang).articles, strict=True):
        if fa.anchor == anchor:
            return article_label(article)
    return anchor


def version_pages(site: Site, lang: str) -> Iterator[tuple[str, str]]:
    """For every draft with more than one version: its versions, their texts, their redlines."""
    for draft in site.portal.drafts.values():
        history = draft.history()
        if len(history) < 2:
            continue
        yield urls.versions_key(draft.slug), versions_page(site, draft, lang)
        for index, version in enumerate(history):
            yield urls.version_key(draft.slug, version.label), version_text_page(site, draft, version, lang)
            if index:
                yield urls.changes_key(draft.slug, version.label), changes_page(site, draft, version, lang)
