"""The content model every part of Rayzani reads: drafts, calls, submissions, decisions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from rayzani.model.vocabulary import (  # noqa: F401 (the model's vocabulary, read from here)
    AGE_BANDS,
    ALL_STATUSES,
    AUDIENCES,
    CALL_KINDS,
    CHANNELS,
    DECISION_STATUSES,
    DRAFT_KINDS,
    GENDERS,
    IDEA_STATUSES,
    IRAN_TIME,
    LANGS,
    LIFECYCLE,
    MAX_COMMENT_CHARS,
    OPEN_STATUSES,
    PUBLICATION_STATES,
    REDACTION_KINDS,
    RESPONDENT_TYPES,
    STATES,
    VERSION_STAGES,
    WITHHELD_REASONS,
)


@dataclass(frozen=True)
class Localized:
    """A text in Persian (always) and English (when given)."""

    fa: str
    en: str | None = None

    def get(self, lang: str) -> str:
        return self.en if lang == "en" and self.en else self.fa

    def has(self, lang: str) -> bool:
        return lang == "fa" or bool(self.en)


@dataclass(frozen=True)
class Clause:
    anchor: str
    position: int
    line: int  # index of the clause's first line in its article's body


@dataclass(frozen=True)
class Article:
    """One article (ماده) of a draft, with its clauses and its Markdown text."""

    anchor: str
    heading: str
    body: str
    clauses: tuple[Clause, ...] = ()

    def anchors(self) -> list[str]:
        return [self.anchor, *(c.anchor for c in self.clauses)]


@dataclass(frozen=True)
class DraftText:
    """The text of a draft in one language."""

    lang: str
    title: str
    summary: str
    issuing_unit: str
    domain: str
    preamble: str
    articles: tuple[Article, ...]


@dataclass(frozen=True)
class Window:
    """A comment period, inclusive of both days."""

    opens: dt.date
    closes: dt.date

    def state(self, today: dt.date) -> str:
        if today < self.opens:
            return "upcoming"
        return "open" if today <= self.closes else "closed"

    def days_left(self, today: dt.date) -> int:
        """Calendar days a participant still has, counting today."""
        return max(0, (self.closes - today).days + 1)

    def length(self) -> int:
        return (self.closes - self.opens).days + 1


@dataclass(frozen=True)
class Report:
    """The editors' report after a consultation closes: key concerns in their own words."""

    path: Path
    published: dt.date
    summary: Localized


def lifecycle_state(window: Window, report: Report | None, today: dt.date) -> str:
    """One of LIFECYCLE; a report counts only from its `published` date on."""
    state = window.state(today)
    if state == "closed" and report is not None and report.published <= today:
        return "reported"
    return state


@dataclass(frozen=True)
class Change:
    """An article a version changed in answer to comments: the version side of "led to"."""

    anchor: str  # the article's anchor in this version, or in the previous one if removed
    comments: tuple[str, ...]  # ids of the records (on the same draft) that led to it


@dataclass(frozen=True)
class Version:
    """One published text of a draft: the one put to consultation, a revision, the approved one."""

    label: str
    published: dt.date
    texts: dict[str, DraftText]
    path: Path
    changes: tuple[Change, ...] = ()
    stage: str | None = None  # one of VERSION_STAGES, when the editors say

    def text(self, lang: str) -> DraftText:
        return self.texts.get(lang, self.texts["fa"])

    @property
    def articles(self) -> tuple[Article, ...]:
        return self.texts["fa"].articles

    def anchors(self) -> set[str]:
        return set(self._by_anchor)

    def article_of(self, section: str | None) -> Article | None:
        return self._by_anchor.get(section or "")

    @cached_property
    def _by_anchor(self) -> dict[str, Article]:
        """Article of every article and clause anchor (looked up once per comment)."""
        return {anchor: article for article in self.articles for anchor in article.anchors()}


@dataclass(frozen=True)
class Draft:
    slug: str
    path: Path
    kind: str
    version: str
    window: Window
    texts: dict[str, DraftText]
    demo: bool = False
    report: Report | None = None
    # Every published text, oldest first; the last one is the current text (`texts`).
    versions: tuple[Version, ...] = ()

    def text(self, lang: str) -> DraftText:
        return self.current.text(lang)

    @cached_property
    def current(self) -> Version:
        """The text under consultation now: the last version."""
        return self.history()[-1]

    def history(self) -> tuple[Version, ...]:
        """The versions, oldest first (a draft loaded without any is its own only version)."""
        return self.versions or (Version(self.version, self.window.opens, self.texts, self.path),)

    def version_named(self, label: str) -> Version | None:
        return next((v for v in self.history() if v.label == label), None)

    def version_of(self, record: Submission) -> Version:
        """The version a comment was made on: its `version`, else the one current when received."""
        if record.version:
            named = self.version_named(record.version)
            if named:
                return named
        day = record.received.date()
        current = [v for v in self.history() if v.published <= day]
        return current[-1] if current else self.history()[0]

    def led_to(self, record_id: str) -> list[tuple[Version, str]]:
        """(version, article anchor) of every change the comment led to."""
        return [(v, c.anchor) for v in self.history() for c in v.changes if record_id in c.comments]

    def has_translation(self, lang: str) -> bool:
        return lang in self.texts

    @property
    def articles(self) -> tuple[Article, ...]:
        return self.current.articles

    def anchors(self) -> set[str]:
        return self.current.anchors()

    def article_of(self, section: str | None) -> Article | None:
        """The article an anchor belongs to; an anchor a later version removed finds its old article."""
        return self._by_anchor.get(section or "")

    @cached_property
    def _by_anchor(self) -> dict[str, Article]:
        found: dict[str, Article] = {}
        for version in reversed(self.history()):  # the newest text first
            for article in version.articles:
                for anchor in article.anchors():
                    found.setdefault(anchor, article)
        return found


@dataclass(frozen=True)
class Domain:
    id: str
    name: Localized


@dataclass(frozen=True)
class Criterion:
    """A criterion a call for ideas scores ideas by, from 0 to `out_of`."""

    id: str
    name: Localized
    out_of: int


@dataclass(frozen=True)
class Poll:
    """Options a call puts to a vote (the consensus level of participation)."""

    question: Localized
    options: tuple[Domain, ...]  # an id and a bilingual name each, shaped like a call's domains

    def option(self, option_id: str) -> Domain | None:
        return next((o for o in self.options if o.id == option_id), None)


def option_label(option: Domain) -> str:
    """How an issue form lists a poll option: "دو هفته / Two weeks", like the form's other choices."""
    return f"{option.name.fa} / {option.name.get('en')}"


@dataclass(frozen=True)
class Call:
    slug: str
    path: Path
    kind: str
    title: Localized
    asked: Localized
    organiser: Localized
    body: Localized
    audience: tuple[str, ...]
    window: Window
    channels: tuple[str, ...]
    draft: str | None = None
    domains: tuple[Domain, ...] = ()
    demo: bool = False
    report: Report | None = None
    poll: Poll | None = None
    criteria: tuple[Criterion, ...] = ()

    def domain(self, domain_id: str) -> Domain | None:
        return next((d for d in self.domains if d.id == domain_id), None)


def subject_title(subject: Draft | Call, lang: str) -> str:
    """A draft's or a call's title in `lang` (Persian when it has no such translation)."""
    return subject.text(lang).title if isinstance(subject, Draft) else subject.title.get(lang)


@dataclass(frozen=True)
class Author:
    type: str
    name: str | None = None
    # An identity the participant chose to give ("github:login", or a pseudonymous id the
    # form issued): the only thing that links one person's contributions across channels.
    id: str | None = None
    organisation: str | None = None
    interest: str | None = None


@dataclass(frozen=True)
class Decision:
    status: str
    reason: Localized | None = None
    legal_basis: str | None = None
    decided_by: str | None = None
    date: dt.date | None = None
    # The review panel (content/panels/<slug>.yml) that decided, when a panel did.
    panel: str | None = None
    # For a duplicate: the id of the record it repeats (same target).
    duplicate_of: str | None = None
    # An idea's scores, (criterion id, score) in the order given, by the criteria its call defines.
    scores: tuple[tuple[str, float], ...] = ()

    @property
    def is_pending(self) -> bool:
        """True while the participant has no answer yet (pending, or an idea still in review)."""
        return self.status in OPEN_STATUSES


@dataclass(frozen=True)
class Member:
    name: Localized
    title: Localized | None = None


@dataclass(frozen=True)
class Panel:
    """A review panel: who sits on it and which drafts and call domains it judges."""

    slug: str
    path: Path
    name: Localized
    chair: Member
    secretary: Member
    members: tuple[Member, ...] = ()
    drafts: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    demo: bool = False


@dataclass(frozen=True)
class Publication:
    """Whether a comment's text is shown; a withheld comment is still listed and counted."""

    state: str = "published"
    reason: str | None = None  # one of WITHHELD_REASONS when withheld (or held)

    @property
    def withheld(self) -> bool:
        """Not shown: withheld by an editor, or held until one checks it."""
        return self.state in ("withheld", "held")

    @property
    def held(self) -> bool:
        return self.state == "held"


@dataclass(frozen=True)
class Submission:
    """One comment or idea, as recorded in `submissions/<target>/<id>.yml`."""

    id: str
    path: Path
    target: str
    received: dt.datetime
    channel: str
    source: str
    language: str
    body: str
    author: Author
    decision: Decision
    section: str | None = None
    domain: str | None = None
    sealed: str | None = None
    demo: bool = False
    # The label of the draft version the comment was made on (absent: the version current
    # when it was received; see Draft.version_of).
    version: str | None = None
    publication: Publication = Publication()
    # What intake removed from the text before recording it (email, phone, national-id).
    redactions: tuple[str, ...] = ()
    # Received after the comment period closed: kept and answered, but marked.
    late: bool = False
    # SHA-256 of the text as received (before normalisation and redaction): later edits show.
    text_sha256: str | None = None
    # Earlier decisions on this record, oldest first: a published answer is never silently changed.
    history: tuple[Decision, ...] = ()
    # SHA-256 of the record file as read: names the HTML rendered from it (rayzani.cache.render_cache).
    digest: str | None = None
    # The reference number the web receiver gave the participant on its receipt (1234-5678).
    reference: str | None = None

    @property
    def withheld(self) -> bool:
        """The one withheld rule: kept, listed and counted, but its text and who wrote it shown nowhere."""
        return self.publication.withheld

    @property
    def withheld_reason(self) -> str | None:
        """Why the text is withheld (one of WITHHELD_REASONS, or "held"), or None when it is published."""
        if not self.withheld:
            return None
        return self.publication.reason or self.publication.state

    @property
    def shown_text(self) -> str:
        """The text as the public sees it: empty when withheld."""
        return "" if self.withheld else self.body

    @property
    def shown_author(self) -> Author:
        """The author as the public sees them: only the respondent type when withheld."""
        return Author(type=self.author.type) if self.withheld else self.author


@dataclass(frozen=True)
class Vote:
    """One participant's vote in a call's poll, recorded like a comment (`vote:` instead of a decision)."""

    id: str
    path: Path
    target: str
    option: str
    received: dt.datetime
    channel: str
    source: str
    author: Author
    late: bool = False
    demo: bool = False
    # SHA-256 of the option (and any words) as received: a re-delivered, edited ballot shows.
    text_sha256: str | None = None
    reference: str | None = None  # as on a comment: the web receiver's receipt number
    publication: Publication = Publication()  # held: not counted until an editor checks it


@dataclass
class Portal:
    """Everything the site is built from, validated."""

    drafts: dict[str, Draft] = field(default_factory=dict)
    calls: dict[str, Call] = field(default_factory=dict)
    submissions: dict[str, list[Submission]] = field(default_factory=dict)
    panels: dict[str, Panel] = field(default_factory=dict)
    # Votes per call (kept apart: they are not comments to answer); pages count those cast by the build date.
    votes: dict[str, list[Vote]] = field(default_factory=dict)
    # The issue form (file name under .github/ISSUE_TEMPLATE/) each call's poll is voted in, per call slug.
    vote_forms: dict[str, str] = field(default_factory=dict)
    # The folder whose issue forms the portal's forge shows (its first one holding any), from the
    # repository's root: Forgejo and Gitea name a form by its path there.
    issue_form_folder: str = ".github/ISSUE_TEMPLATE"
    # The repository it was read from: where the private key file and the theme's fonts are.
    root: Path = Path(".")
    # The day it stands on (load_portal's build date): decisions dated later are not yet published.
    today: dt.date = field(default_factory=dt.date.today)

    def target(self, slug: str) -> Draft | Call | None:
        """What a slug names: its draft, else its call (a consultation call may share its draft's slug)."""
        return self.drafts.get(slug) or self.calls.get(slug)

    def kind_of(self, slug: str) -> str | None:
        """"draft", "call", or None for a slug that names neither."""
        found = self.target(slug)
        return "draft" if isinstance(found, Draft) else "call" if found else None

    def takes_ideas(self, target: str) -> bool:
        """True for a call for ideas: its records are judged by idea stages, not comment statuses."""
        found = self.target(target)
        return isinstance(found, Call) and found.kind == "crowdsourcing"

    def initial_status(self, target: str) -> str:
        return "received" if self.takes_ideas(target) else "pending"

    def comments_on(self, target: str) -> list[Submission]:
        return self.submissions.get(target, [])

    def calls_about(self, draft_slug: str) -> list[Call]:
        return [c for c in self.calls.values() if c.draft == draft_slug]

    def report_of(self, slug: str) -> Report | None:
        """The report on a draft or call; a consultation call shares its draft's report."""
        found = self.target(slug)
        if not isinstance(found, Call):
            return found.report if found else None
        return found.report or (self.report_of(found.draft) if found.draft else None)
