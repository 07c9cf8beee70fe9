"""Decide what every page shows, and render it: the model in, Markdown pages out.

Page keys are URL paths relative to a language's root ("drafts/x/"); the same key is
written once per language as `<key>index.<lang>.md`, which mkdocs-static-i18n publishes at
`/<key>` (Persian) and `/en/<key>` (English). Links between generated pages are relative,
so they work in both languages and under any site prefix.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

from markupsafe import Markup

from rayzani.build.framing import Framed
from rayzani.cache.store import Cache
from rayzani.i18n.dates import format_date
from rayzani.i18n.text import localise_digits
from rayzani.model import (
    DECISION_STATUSES,
    LIFECYCLE,
    Article,
    Call,
    Criterion,
    Decision,
    Draft,
    Panel,
    Portal,
    Report,
    Submission,
    Version,
    Window,
    lifecycle_state,
)
from rayzani.render.environment import render, translate
from rayzani.render.sanitize import render_comment
from rayzani.settings import Settings
from rayzani.site.share import share_links

_LABEL_END = re.compile(r"\s*[—–:\-]\s")


def link(from_key: str, to_key: str, fragment: str = "") -> str:
    """Relative URL from one page to another (both keys end with '/' or are '')."""
    rel = posixpath.relpath("/" + to_key, "/" + from_key) if to_key != from_key else "."
    url = "./" if rel == "." else rel + "/"
    return url + (f"#{fragment}" if fragment else "")


def draft_key(slug: str) -> str:
    return f"drafts/{slug}/"


def call_key(slug: str) -> str:
    return f"calls/{slug}/"


def discussion_key(slug: str, anchor: str, page: int = 1) -> str:
    return f"drafts/{slug}/comments/{anchor}/" + (f"{page}/" if page > 1 else "")


def versions_key(slug: str) -> str:
    return f"drafts/{slug}/versions/"


def version_key(slug: str, label: str) -> str:
    return f"drafts/{slug}/versions/{label}/"


def changes_key(slug: str, label: str) -> str:
    """The redline from the version before `label` to `label`."""
    return f"drafts/{slug}/changes/{label}/"


def article_label(article: Article) -> str:
    """'ماده ۳' from 'ماده ۳ — گزارش جامع': the part of the heading that names it."""
    return _LABEL_END.split(article.heading, maxsplit=1)[0]


def section_label(draft: Draft | Version, section: str | None, lang: str) -> str:
    """How a section is named in the text it belongs to (a version's, for an old comment)."""
    if not section:
        return translate("general", lang)
    for fa_article, article in zip(draft.articles, draft.text(lang).articles, strict=False):
        if section == fa_article.anchor:
            return article_label(article)
        for clause in fa_article.clauses:
            if clause.anchor == section:
                word = "بند" if lang == "fa" else "clause"
                sep = "، " if lang == "fa" else ", "
                return f"{article_label(article)}{sep}{word} {localise_digits(clause.position, lang)}"
    return section


@dataclass
class StateView:
    state: str
    label: str
    detail: str


def state_view(window: Window, today: dt.date, lang: str, report: Report | None = None) -> StateView:
    """Upcoming, open (days left), closed awaiting the report, or report published."""
    state = lifecycle_state(window, report, today)
    if state == "reported" and report is not None:
        detail = translate("report_published_on", lang, date=format_date(report.published, lang))
    elif state == "open":
        left = window.days_left(today)
        detail = translate("day_left", lang) if left == 1 else translate("days_left", lang, n=left)
    elif state == "upcoming":
        detail = translate("opens_on", lang, date=format_date(window.opens, lang))
    else:
        detail = translate("closes_on", lang, date=format_date(window.closes, lang))
    return StateView(state, translate(f"lifecycle_{state}", lang), detail)


@dataclass
class CommentView:
    """What a comment card shows; personal data never enters this view."""

    html_id: str
    permalink: str
    lang: str
    dir: str
    author: str | None
    respondent_type: str
    organisation: str | None
    interest: str | None
    received: dt.datetime
    channel: str
    section: str
    body: Markup
    status: str
    reason: str | None
    reason_lang: str
    reason_dir: str
    legal_basis: str | None
    decided_by: str | None
    decided_on: dt.date | None
    demo: bool
    # The draft version the comment was made on, shown when the draft has several.
    version: str | None = None
    # (text, link) of each change in a later version that the comment led to.
    led_to: list[tuple[str, str]] = field(default_factory=list)
    # The text the comment was made on: its article in that version's text.
    version_url: str | None = None
    withheld: str | None = None  # the reason category; the text, name and affiliation are hidden
    late: bool = False
    # The panel that decided, named in the page's language (else decided_by is shown).
    panel: str | None = None
    duplicate_of: str | None = None
    # Earlier answers, oldest first: a changed decision is shown with what it replaced.
    history: list[DecisionView] = field(default_factory=list)
    # An idea's scores as (criterion name, "score / out of"), by its call's criteria.
    scores: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class DecisionView:
    status: str
    reason: str | None
    reason_lang: str
    decided_by: str | None
    decided_on: dt.date | None


def decision_view(decision: Decision, lang: str, panels: Mapping[str, Panel]) -> DecisionView:
    panel = panels.get(decision.panel or "")
    return DecisionView(
        status=decision.status,
        reason=decision.reason.get(lang) if decision.reason else None,
        reason_lang=lang if decision.reason and decision.reason.has(lang) else "fa",
        decided_by=panel.name.get(lang) if panel else decision.decided_by,
        decided_on=decision.date,
    )


def comment_view(
    record: Submission,
    permalink: str,
    section: str,
    lang: str,
    version: str | None = None,
    led_to: list[tuple[str, str]] | None = None,
    panels: Mapping[str, Panel] | None = None,
    criteria: tuple[Criterion, ...] = (),
) -> CommentView:
    decision = record.decision
    panels = panels or {}
    panel = panels.get(decision.panel or "")
    reason = decision.reason.get(lang) if decision.reason else None
    reason_lang = lang if decision.reason and decision.reason.has(lang) else "fa"
    withheld = record.publication.reason if record.publication.withheld else None
    return CommentView(
        html_id=f"c-{record.id}",
        permalink=permalink,
        lang=record.language,
        dir="rtl" if record.language == "fa" else "ltr",
        author=None if withheld else record.author.name,
        respondent_type=record.author.type,
        organisation=None if withheld else record.author.organisation,
        interest=None if withheld else record.author.interest,
        received=record.received,
        channel=record.channel,
        section=section,
        body=Markup("") if withheld else Markup(render_comment(record.body)),
        status=decision.status,
        reason=reason,
        reason_lang=reason_lang,
        reason_dir="rtl" if reason_lang == "fa" else "ltr",
        legal_basis=decision.legal_basis,
        decided_by=decision.decided_by,
        decided_on=decision.date,
        demo=record.demo,
        version=version,
        led_to=led_to or [],
        withheld=withheld,
        late=record.late,
        panel=panel.name.get(lang) if panel else None,
        duplicate_of=decision.duplicate_of,
        history=[decision_view(d, lang, panels) for d in record.history],
        scores=[
            (c.name.get(lang), f"{localise_digits(score, lang)} / {localise_digits(c.out_of, lang)}")
            for c in criteria
            for cid, score in decision.scores
            if cid == c.id
        ],
    )


def draft_comment_view(
    draft: Draft,
    record: Submission,
    from_key: str,
    permalink: str,
    lang: str,
    panels: Mapping[str, Panel] | None = None,
) -> CommentView:
    """A comment on a draft: its section named as in the version it was made on, and what it led to."""
    version = draft.version_of(record)
    several = len(draft.history()) > 1
    led_to = [
        (
            translate(
                "led_to_change",
                lang,
                version=localise_digits(v.label, lang),
                article=section_label(v, anchor, lang),
            ),
            link(from_key, changes_key(draft.slug, v.label), f"change-{anchor}"),
        )
        for v, anchor in draft.led_to(record.id)
    ]
    view = comment_view(
        record,
        permalink,
        section_label(version, record.section, lang),
        lang,
        version=version.label if several else None,
        led_to=led_to,
        panels=panels,
    )
    if several:
        article = version.article_of(record.section)
        view.version_url = link(
            from_key, version_key(draft.slug, version.label), article.anchor if article else ""
        )
    return view


@dataclass
class ArticleView:
    anchor: str
    heading: str
    body: Markup
    comment_count: int
    comments: list[CommentView]
    discussion: str
    label: str


@dataclass
class Discussion:
    """The comments of one article (or the general ones), in the order they arrived."""

    anchor: str
    records: list[Submission] = field(default_factory=list)

    def page_of(self, index: int, per_page: int) -> int:
        return index // per_page + 1

    def pages(self, per_page: int) -> int:
        return max(1, -(-len(self.records) // per_page))


def discussions(draft: Draft, records: list[Submission]) -> dict[str, Discussion]:
    by_anchor = {a.anchor: Discussion(a.anchor) for a in draft.articles}
    by_anchor["general"] = Discussion("general")
    for record in records:
        article = draft.article_of(record.section)
        anchor = article.anchor if article else "general"
        # An article a later version removed keeps its own discussion (and its permalinks).
        by_anchor.setdefault(anchor, Discussion(anchor)).records.append(record)
    return by_anchor


def permalinks(draft: Draft, groups: dict[str, Discussion], per_page: int) -> dict[str, str]:
    """Page key of every comment: stable while comments are added in order of arrival."""
    keys = {}
    for group in groups.values():
        for index, record in enumerate(group.records):
            keys[record.id] = discussion_key(draft.slug, group.anchor, group.page_of(index, per_page))
    return keys


def _article_markdown(article: Article, fa_article: Article) -> Markup:
    """The article's Markdown with an anchor at the start of each clause."""
    lines = article.body.splitlines()
    for clause, fa_clause in zip(article.clauses, fa_article.clauses, strict=False):
        number, _, rest = lines[clause.line].partition(" ")
        lines[clause.line] = f'{number} <span class="rz-clause" id="{fa_clause.anchor}"></span>{rest}'
    return Markup("\n".join(lines))


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

    def permalinks(self, draft: Draft) -> dict[str, str]:
        """Page key of every comment on the draft, computed once per portal."""
        per_page = self.settings.comments_per_page
        return self.store.per_portal(
            self.portal,
            ("permalinks", draft.slug, per_page),
            lambda: permalinks(draft, self.discussions(draft), per_page),
        )

    def pending(self, target: str) -> int:
        """Comments on a target still awaiting an answer, counted once per portal (withheld ones
        included: they are answered too)."""
        return self.store.per_portal(
            self.portal,
            ("pending", target),
            lambda: sum(r.decision.is_pending for r in self.portal.comments_on(target)),
        )

    def cached_html(self, inputs: object, render_html: Callable[[], str]) -> str:
        return self.store.html(inputs, render_html)

    def url(self, key: str, lang: str) -> str:
        """Absolute address of a page in a language (root-relative when site_url is unset)."""
        base = self.site_url.rstrip("/") + "/" if self.site_url else "/"
        return base + ("en/" if lang == "en" else "") + key

    def file_link(self, from_key: str, lang: str, path: str) -> str:
        """Link from a page to a data file at the site root (data files are not per language)."""
        if self.site_url:
            return self.site_url.rstrip("/") + "/" + path
        return "../" * (from_key.count("/") + (lang == "en")) + path


def draft_page(site: Site, draft: Draft, lang: str) -> str:
    from rayzani.site.pages.intake import comment_links  # imported here: pages_intake builds on this module

    key = draft_key(draft.slug)
    records = site.portal.comments_on(draft.slug)
    groups = site.discussions(draft)
    where = site.permalinks(draft)
    text = draft.text(lang)
    inline = site.settings.inline_comments

    def views(group: Discussion) -> list[CommentView]:
        return [
            draft_comment_view(draft, r, key, link(key, where[r.id], f"c-{r.id}"), lang, site.portal.panels)
            for r in group.records[:inline]
        ]

    articles = [
        ArticleView(
            anchor=fa_article.anchor,
            heading=article.heading,
            body=_article_markdown(article, fa_article),
            comment_count=len(groups[fa_article.anchor].records),
            comments=views(groups[fa_article.anchor]),
            discussion=link(key, discussion_key(draft.slug, fa_article.anchor)),
            label=article_label(article),
        )
        for article, fa_article in zip(text.articles, draft.articles, strict=True)
    ]
    general = groups["general"]
    # Articles a later version removed: their comments keep a discussion page of their own.
    removed = [
        (
            translate(
                "removed_article_note",
                lang,
                article=section_label(_last_version_with(draft, anchor), anchor, lang),
                version=localise_digits(_last_version_with(draft, anchor).label, lang),
            ),
            link(key, discussion_key(draft.slug, anchor)),
            len(group.records),
        )
        for anchor, group in groups.items()
        if anchor != "general" and anchor not in {a.anchor for a in draft.articles}
    ]
    return render(
        "draft.md.j2",
        lang,
        draft=draft,
        text=text,
        articles=articles,
        translated=draft.has_translation(lang) or lang == "fa",
        state=state_view(draft.window, site.today, lang, draft.report),
        calls=[(c, link(key, call_key(c.slug))) for c in site.portal.calls_about(draft.slug)],
        general=views(general),
        general_count=len(general.records),
        general_link=link(key, discussion_key(draft.slug, "general")),
        total=len(records),
        pending=site.pending(draft.slug),
        home=link(key, ""),
        versions=link(key, versions_key(draft.slug)) if len(draft.history()) > 1 else None,
        report=link(key, report_key_of(site, draft)) if report_key_of(site, draft) else None,
        removed=removed,
        comment_links=comment_links(site, draft, key, lang),
        share_links=share_links(
            site.url(key, lang), lang, translate("share_text_call", lang, title=text.title)
        ),
    )


def discussion_pages(site: Site, draft: Draft, lang: str) -> Iterator[tuple[str, Framed]]:
    groups = site.discussions(draft)
    per_page = site.settings.comments_per_page
    text_articles = {fa.anchor: a for fa, a in zip(draft.articles, draft.text(lang).articles, strict=True)}
    for anchor, group in groups.items():
        if not group.records:
            continue
        removed = draft.article_of(anchor) if anchor not in text_articles else None
        if anchor in text_articles:
            label = article_label(text_articles[anchor])
        elif removed is not None:
            label = section_label(_last_version_with(draft, anchor), anchor, lang)
        else:
            label = translate("general_comments", lang)
        total = group.pages(per_page)
        for page in range(1, total + 1):
            key = discussion_key(draft.slug, anchor, page)
            chunk = group.records[(page - 1) * per_page : page * per_page]

            def cards(key: str = key, chunk: list[Submission] = chunk) -> str:
                views = [
                    draft_comment_view(draft, r, key, link(key, key, f"c-{r.id}"), lang, site.portal.panels)
                    for r in chunk
                ]
                return render("comment_list.html.j2", lang, comments=views)

            heading = translate("discussion_of", lang, article=label)
            body = render(
                "discussion.html.j2",
                lang,
                draft=draft,
                text=draft.text(lang),
                label=label,
                cards=Markup(site.cached_html(("discussion", key, lang, *_names(chunk)), cards)),
                page=page,
                pages=total,
                count=len(group.records),
                back=link(key, draft_key(draft.slug), anchor if anchor in text_articles else "")
                if removed is None
                else link(key, version_key(draft.slug, _last_version_with(draft, anchor).label), anchor),
                previous=link(key, discussion_key(draft.slug, anchor, page - 1)) if page > 1 else None,
                next=link(key, discussion_key(draft.slug, anchor, page + 1)) if page < total else None,
            )
            yield key, Framed(f"{heading.striptags()} | {draft.text(lang).title}", body)


def _names(records: list[Submission]) -> list[tuple[str, str | None]]:
    """What a card is rendered from, beside the build's context: the record file, by its digest.

    A record as published also depends on the build date and the content (panels, the draft),
    which are in the cache's context; a record without a digest is named by all its fields.
    """
    return [(r.id, r.digest or repr(r)) for r in records]


def _last_version_with(draft: Draft, anchor: str) -> Version:
    return next(v for v in reversed(draft.history()) if anchor in v.anchors())


def report_key_of(site: Site, subject: Draft | Call) -> str | None:
    """The page of the report on a draft or call, once published (a call shares its draft's)."""
    if subject.report and subject.report.published <= site.today:
        return (draft_key if isinstance(subject, Draft) else call_key)(subject.slug) + "report/"
    draft = site.portal.drafts.get(subject.draft or "") if isinstance(subject, Call) else None
    return report_key_of(site, draft) if draft else None


def call_page(site: Site, call: Call, lang: str) -> str:
    key = call_key(call.slug)
    ideas = site.portal.comments_on(call.slug) if call.slug not in site.portal.drafts else []
    by_domain = [
        (
            domain,
            [
                comment_view(
                    r,
                    link(key, key, f"c-{r.id}"),
                    domain.name.get(lang),
                    lang,
                    panels=site.portal.panels,
                    criteria=call.criteria,
                )
                for r in ideas
                if r.domain == domain.id
            ],
        )
        for domain in call.domains
    ]
    unfiled = [
        comment_view(
            r,
            link(key, key, f"c-{r.id}"),
            translate("general", lang),
            lang,
            panels=site.portal.panels,
            criteria=call.criteria,
        )
        for r in ideas
        if not r.domain
    ]
    draft = site.portal.drafts.get(call.draft or "")
    from rayzani.site.pages.intake import idea_links  # imported here: pages_intake builds on this module
    from rayzani.site.pages.panels import idea_tables  # likewise
    from rayzani.site.pages.polls import call_tally, poll_key, vote_ways  # likewise

    domain_table, group_table = idea_tables(call, ideas, lang)

    return render(
        "call.md.j2",
        lang,
        call=call,
        report=link(key, report_key_of(site, call)) if report_key_of(site, call) else None,
        state=state_view(call.window, site.today, lang, site.portal.report_of(call.slug)),
        draft=draft,
        draft_link=link(key, draft_key(draft.slug)) if draft else None,
        by_domain=by_domain,
        unfiled=unfiled,
        idea_count=len(ideas),
        domain_table=domain_table,
        group_table=group_table,
        pending=site.pending(call.slug) if ideas else 0,
        share_links=share_links(
            site.url(key, lang), lang, translate("share_text_call", lang, title=call.title.get(lang))
        ),
        idea_links=idea_links(site, call, lang),
        poll_link=link(key, poll_key(call.slug)) if call.poll else None,
        poll_counted=call_tally(site, call).counted if call.poll else 0,
        vote_ways=vote_ways(site, call, key, lang),
    )


@dataclass
class Listing:
    """One consultation (a draft, or a call for ideas) as listed on the home page."""

    title: str
    summary: str
    url: str
    kind: str
    unit: str
    window: Window
    state: StateView
    comments: int
    demo: bool
    domains: tuple[str, ...] = ()  # policy domains, for the archive's grouping
    pending: int = 0  # comments or ideas still awaiting an answer


def listings(site: Site, from_key: str, lang: str) -> list[Listing]:
    items = [
        Listing(
            d.text(lang).title,
            d.text(lang).summary,
            link(from_key, draft_key(d.slug)),
            f"kind_{d.kind}",
            d.text(lang).issuing_unit,
            d.window,
            state_view(d.window, site.today, lang, d.report),
            len(site.portal.comments_on(d.slug)),
            d.demo,
            (d.text(lang).domain,),
            site.pending(d.slug),
        )
        for d in site.portal.drafts.values()
    ]
    items += [
        Listing(
            c.title.get(lang),
            c.asked.get(lang),
            link(from_key, call_key(c.slug)),
            f"kind_{c.kind}",
            c.organiser.get(lang),
            c.window,
            state_view(c.window, site.today, lang, site.portal.report_of(c.slug)),
            len(site.portal.comments_on(c.slug)),
            c.demo,
            tuple(d.name.get(lang) for d in c.domains),
            site.pending(c.slug),
        )
        for c in site.portal.calls.values()
        if c.kind == "crowdsourcing"
    ]
    return items


def home_page(site: Site, lang: str) -> str:
    items = listings(site, "", lang)
    by_state: dict[str, list[Listing]] = {state: [] for state in LIFECYCLE}
    for item in items:
        by_state[item.state.state].append(item)
    by_state["open"].sort(key=lambda i: i.window.closes)
    by_state["upcoming"].sort(key=lambda i: i.window.opens)
    by_state["closed"].sort(key=lambda i: i.window.closes, reverse=True)
    by_state["reported"].sort(key=lambda i: i.window.closes, reverse=True)
    return render(
        "home.md.j2",
        lang,
        sections=by_state,
        days=site.settings.min_comment_days,
        consultations=link("", "consultations/"),
        about=link("", "about/"),
        feeds={
            "rss": site.file_link("", lang, f"feeds/{lang}/open-calls.rss.xml"),
            "atom": site.file_link("", lang, f"feeds/{lang}/open-calls.atom.xml"),
            "reports": site.file_link("", lang, f"feeds/{lang}/reports.rss.xml"),
            "json": site.file_link("", lang, "calls.json"),
        },
    )


def consultations_page(site: Site, lang: str) -> str:
    items = sorted(listings(site, "consultations/", lang), key=lambda i: i.window.opens, reverse=True)
    # The same consultations grouped four ways, as plain sections: no script needed to filter.
    groups = [
        ("state", [(t, [i for i in items if i.state.state == s]) for s, t in _state_names(lang)]),
        ("agency", _grouped(items, lambda i: (i.unit,))),
        ("kind", _grouped(items, lambda i: (translate(i.kind, lang),))),
        ("domain", _grouped(items, lambda i: i.domains)),
    ]
    groups = [(by, [(name, found) for name, found in named if found]) for by, named in groups]
    return render("consultations.md.j2", lang, items=items, groups=groups)


def _state_names(lang: str) -> list[tuple[str, str]]:
    return [
        (state, translate(f"lifecycle_{state}", lang)) for state in ("open", "upcoming", "closed", "reported")
    ]


def _grouped(
    items: list[Listing], keys: Callable[[Listing], tuple[str, ...]]
) -> list[tuple[str, list[Listing]]]:
    groups: dict[str, list[Listing]] = {}
    for item in items:
        for key in keys(item):
            groups.setdefault(key, []).append(item)
    return sorted(groups.items())


def about_page(site: Site, lang: str) -> str:
    # The answers first, then what is still open: the order a reader asks about them.
    statuses = [*DECISION_STATUSES[1:], DECISION_STATUSES[0]]
    return render("about.md.j2", lang, days=site.settings.min_comment_days, statuses=statuses)


def core_pages(site: Site, lang: str) -> Iterator[tuple[str, str | Framed]]:
    """Home, archive, about, every draft with its discussions, every call."""
    yield "", home_page(site, lang)
    yield "consultations/", consultations_page(site, lang)
    yield "about/", about_page(site, lang)
    for draft in site.portal.drafts.values():
        yield draft_key(draft.slug), draft_page(site, draft, lang)
        yield from discussion_pages(site, draft, lang)
    for call in site.portal.calls.values():
        yield call_key(call.slug), call_page(site, call, lang)
