"""Participation statistics from the records and the unsealed personal data, small cells suppressed.

Personal data (age band, gender, province) is opened only here, only with the portal's private
key, and only to count. Its counts are published only for consultations whose comment period
has closed: while comments still arrive, comparing yesterday's table with today's would tell
which province the author of a newly published comment lives in.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from rayzani.analysis.disclosure import SHOWN, WITHHELD, Link, Table, protect
from rayzani.cache.opened_cache import Opened, box_name, counted, keep_opened, opened_before
from rayzani.cache.store import Cache
from rayzani.model import (
    AGE_BANDS,
    CHANNELS,
    DECISION_STATUSES,
    GENDERS,
    RESPONDENT_TYPES,
    Draft,
    Localized,
    Portal,
)
from rayzani.model.provinces import PROVINCES
from rayzani.security.sealing import PersonalData, opener, read_private_key, unseal
from rayzani.settings import Settings

NOT_STATED = "not-stated"
# Published dimension -> (the sealed key it counts, its categories). The published name is not
# the sealed key, so that a record's field name never appears in the open data.
PERSONAL_DIMENSIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "age": ("age_band", AGE_BANDS),
    "gender": ("gender", GENDERS),
    "province": ("province", tuple(PROVINCES)),
}
# Shown on every comment card already, so counting them discloses nothing new: not suppressed.
RECORD_DIMENSIONS: dict[str, tuple[str, ...]] = {
    "respondent_type": RESPONDENT_TYPES,
    "channel": CHANNELS,
    "decision_status": DECISION_STATUSES,
}

# Why personal breakdowns are missing: no private key at build time, or the period is still open.
PERSONAL_OPEN, PERSONAL_SEALED, PERSONAL_NOT_YET = "open", "sealed", "not-yet"


@dataclass(frozen=True)
class Cell:
    category: str
    count: int
    # disclosure.SHOWN, SMALL ("fewer than N"), HIDDEN (hidden to protect a small one) or WITHHELD.
    state: str = SHOWN

    @property
    def suppressed(self) -> bool:
        return self.state != SHOWN


@dataclass(frozen=True)
class Breakdown:
    """One table: participants (personal dimensions) or comments (the others) per category."""

    dimension: str
    unit: str  # "participants" or "comments"
    cells: tuple[Cell, ...]
    # Names of free-text categories (domains); fixed categories are named by the messages.
    labels: dict[str, Localized]

    @property
    def total(self) -> int:
        return sum(c.count for c in self.cells)

    @property
    def has_suppressed(self) -> bool:
        return any(c.suppressed for c in self.cells)

    @property
    def withheld(self) -> bool:
        return bool(self.cells) and all(c.state == WITHHELD for c in self.cells)


@dataclass(frozen=True)
class Statistics:
    """Statistics of one consultation (scope = its slug) or of the whole portal (scope = "portal")."""

    scope: str
    participants: int
    comments: int
    breakdowns: tuple[Breakdown, ...]
    timeline: tuple[tuple[dt.date, int], ...]
    personal: str
    threshold: int

    def breakdown(self, dimension: str) -> Breakdown | None:
        return next((b for b in self.breakdowns if b.dimension == dimension), None)


def personal_data(
    portal: Portal, settings: Settings, cache: Cache | None = None
) -> dict[tuple[str, str], PersonalData] | None:
    """(target, record id) -> opened personal data; None without the private key. Opened once per portal.

    A rebuild opens only the boxes its cache did not see opened: a serving process keeps them in
    its `Cache`, a new one reads them from the encrypted file (rayzani.cache.opened_cache).
    Without a cache every box is opened.
    """
    cache = cache or Cache.in_memory()
    return cache.per_portal(
        portal, ("personal_data", repr(settings)), lambda: _open_all(portal, settings, cache)
    )


def _open_all(portal: Portal, settings: Settings, cache: Cache) -> dict[tuple[str, str], PersonalData] | None:
    key = read_private_key(portal.root, settings)
    if key is None:
        return None
    before = opened_before(cache, key)
    box = opener(key)
    opened: dict[tuple[str, str], PersonalData] = {}
    boxes: Opened = {}
    for records in portal.submissions.values():
        for record in records:
            if not record.sealed:
                continue
            name = box_name(record.sealed)
            data = before[name] if name in before else counted(unseal(record.sealed, box))
            boxes[name] = data
            if data is not None:
                opened[(record.target, record.id)] = data
    # Only the boxes of current records are kept, so an erased record's data goes with it.
    keep_opened(cache, key, before, boxes)
    return opened


def window_of(portal: Portal, target: str):
    found = portal.target(target)
    return found.window if found else None


def domain_of(portal: Portal, target: str, domain: str | None) -> tuple[str, Localized] | None:
    """The domain a comment counts under: an idea's call domain, or its draft's policy domain."""
    holder = portal.target(target)
    if isinstance(holder, Draft):
        english = holder.texts["en"].domain if "en" in holder.texts else None
        name = Localized(holder.text("fa").domain, english)
        return name.fa, name
    found = holder.domain(domain) if holder and domain else None
    return (found.name.fa, found.name) if found else None


def participant_key(target: str, record_id: str, author_id: str | None) -> str:
    """A person is one chosen identity across the portal; without one, each comment is a person."""
    return author_id or f"{target}/{record_id}"


def compute(
    portal: Portal,
    settings: Settings,
    today: dt.date,
    targets: Iterable[str],
    scope: str,
    cache: Cache | None = None,
) -> Statistics:
    """Statistics over the comments on `targets` as of `today`."""
    cache = cache or Cache.in_memory()
    targets = [t for t in targets if t in portal.submissions or portal.target(t)]
    records = [r for t in targets for r in portal.comments_on(t)]
    opened = personal_data(portal, settings, cache)
    closed = {t for t in targets if (w := window_of(portal, t)) is not None and w.state(today) == "closed"}
    if opened is None:
        personal = PERSONAL_SEALED
    elif not closed:
        personal = PERSONAL_NOT_YET
    else:
        personal = PERSONAL_OPEN

    # One pass over the records (100,000 of them portal-wide): people, categories, domains, days.
    people: set[str] = set()
    types: Counter[str] = Counter()
    channels: Counter[str] = Counter()
    statuses: Counter[str] = Counter()
    domains: Counter[str] = Counter()
    labels: dict[str, Localized] = {}
    domain_keys: dict[tuple[str, str | None], str] = {}  # (target, idea domain) -> counted under
    days: Counter[dt.date] = Counter()
    for record in records:
        target = record.target
        who = participant_key(target, record.id, record.author.id)
        people.add(who)
        types[record.author.type] += 1
        channels[record.channel] += 1
        statuses[record.decision.status] += 1
        where = (target, record.domain)
        key = domain_keys.get(where)
        if key is None:
            found = domain_of(portal, target, record.domain)
            key = domain_keys[where] = found[0] if found else NOT_STATED
            if found:
                labels[key] = found[1]
        domains[key] += 1
        days[record.received.date()] += 1

    breakdowns: list[Breakdown] = []
    if personal == PERSONAL_OPEN:
        tables = personal_tables(portal, settings, today, cache)
        portal_key = ("portal", str(max(w.closes for t in closed if (w := window_of(portal, t)))))
        for dimension in PERSONAL_DIMENSIONS:
            table = tables[dimension][portal_key if scope == "portal" else ("consultation", scope)]
            cells = tuple(Cell(c, n, table.state[c]) for c, n in table.counts.items())
            breakdowns.append(Breakdown(dimension, "participants", cells, {}))
    counted = {"respondent_type": types, "channel": channels, "decision_status": statuses}
    for dimension, categories in RECORD_DIMENSIONS.items():
        values = counted[dimension]
        breakdowns.append(
            Breakdown(dimension, "comments", tuple(Cell(c, values.get(c, 0)) for c in categories), {})
        )
    breakdowns.append(
        Breakdown("domain", "comments", tuple(Cell(k, n) for k, n in domains.most_common()), labels)
    )
    return Statistics(
        scope=scope,
        participants=len(people),
        comments=len(records),
        breakdowns=tuple(breakdowns),
        timeline=_timeline(portal, targets, days, today, by_month=scope == "portal"),
        personal=personal,
        threshold=settings.suppression_threshold,
    )


def _timeline(
    portal: Portal, targets: list[str], counts: Counter[dt.date], today: dt.date, by_month: bool
) -> tuple[tuple[dt.date, int], ...]:
    """Comments per day across the comment window (per month portal-wide), zero days included."""
    windows = [w for t in targets if (w := window_of(portal, t)) is not None]
    days = list(counts)
    if not windows and not days:
        return ()
    first = min([w.opens for w in windows] + days)
    last = max([min(w.closes, today) for w in windows] + days)
    if by_month:
        months_counted: Counter[dt.date] = Counter()
        for day, n in counts.items():
            months_counted[day.replace(day=1)] += n
        counts = months_counted
        months, month = [], first.replace(day=1)
        while month <= last:
            months.append((month, counts.get(month, 0)))
            month = (month + dt.timedelta(days=32)).replace(day=1)
        return tuple(months)
    return tuple(
        (first + dt.timedelta(days=i), counts.get(first + dt.timedelta(days=i), 0))
        for i in range((last - first).days + 1)
    )


def consultation_statistics(
    portal: Portal, settings: Settings, today: dt.date, slug: str, cache: Cache | None = None
) -> Statistics:
    cache = cache or Cache.in_memory()
    key = ("consultation_statistics", repr(settings), today, slug)
    return cache.per_portal(portal, key, lambda: compute(portal, settings, today, [slug], slug, cache))


def portal_statistics(
    portal: Portal, settings: Settings, today: dt.date, cache: Cache | None = None
) -> Statistics:
    """Portal-wide statistics; a cell hidden in any consultation's table is hidden here too."""
    cache = cache or Cache.in_memory()
    key = ("portal_statistics", repr(settings), today)
    return cache.per_portal(portal, key, lambda: _portal_statistics(portal, settings, today, cache))


def _portal_statistics(portal: Portal, settings: Settings, today: dt.date, cache: Cache) -> Statistics:
    targets = sorted(set(portal.drafts) | set(portal.calls) | set(portal.submissions))
    return compute(portal, settings, today, targets, "portal", cache)


def personal_tables(
    portal: Portal, settings: Settings, today: dt.date, cache: Cache | None = None
) -> dict[str, dict[tuple[str, ...], Table]]:
    """Every personal-data table published up to `today`, protected together, per dimension."""
    cache = cache or Cache.in_memory()
    key = ("personal_tables", repr(settings), today)
    return cache.per_portal(portal, key, lambda: _personal_tables(portal, settings, today, cache))


def _personal_tables(
    portal: Portal, settings: Settings, today: dt.date, cache: Cache
) -> dict[str, dict[tuple[str, ...], Table]]:
    """Tables as each build since the first consultation closed published them, then today's.

    A consultation's table counts the people who commented in its period (late comments never
    change it), so it is fixed once the period closes. The portal's table changes only when
    another consultation closes; every earlier version of it may have been kept by someone, so
    each is rebuilt, in the order of closing, and audited with the tables published after it.
    """
    opened = personal_data(portal, settings, cache) or {}
    secret = disclosure_secret(portal, settings)
    closes: dict[str, dt.date] = {}
    for target in sorted(set(portal.drafts) | set(portal.calls) | set(portal.submissions)):
        window = window_of(portal, target)
        if window is not None and window.state(today) == "closed":
            closes[target] = window.closes
    # People per consultation, in the period only; a person's first sealed box wins.
    people: dict[str, dict[str, PersonalData | None]] = {}
    for target in closes:
        found: dict[str, PersonalData | None] = {}
        for record in portal.comments_on(target):
            if record.late:
                continue
            who = participant_key(target, record.id, record.author.id)
            if found.get(who) is None:
                found[who] = opened.get((target, record.id))
        people[target] = found
    threshold = settings.suppression_threshold
    result: dict[str, dict[tuple[str, ...], Table]] = {}
    for dimension in PERSONAL_DIMENSIONS:

        def count(found: Iterable[PersonalData | None], dimension: str = dimension) -> dict[str, int]:
            return category_counts(dimension, found)

        tables: dict[tuple[str, ...], Table] = {}
        links: list[Link] = []
        for day in sorted(set(closes.values())):
            for target in (t for t, d in closes.items() if d == day):
                key = ("consultation", target)
                tables[key] = Table(key, count(people[target].values()))
            so_far = [t for t, d in closes.items() if d <= day]
            portal_people: dict[str, PersonalData | None] = {}
            for target in so_far:
                for who, data in people[target].items():
                    if portal_people.get(who) is None:
                        portal_people[who] = data
            whole = ("portal", str(day))
            tables[whole] = Table(whole, count(portal_people.values()))
            links.append(Link(whole, tuple(("consultation", t) for t in so_far)))
            protect(tables, links, threshold, secret)
            for table in tables.values():
                table.fixed = True
        result[dimension] = tables
    return result


def category_counts(dimension: str, found: Iterable[PersonalData | None]) -> dict[str, int]:
    """People per category of one personal dimension, "not stated" last."""
    sealed_key, categories = PERSONAL_DIMENSIONS[dimension]
    values = Counter(
        getattr(d, sealed_key) if d and getattr(d, sealed_key) in categories else NOT_STATED for d in found
    )
    return {c: values.get(c, 0) for c in (*categories, NOT_STATED)}


def disclosure_secret(portal: Portal, settings: Settings) -> bytes:
    """A key for the order of complementary cells, derived from the private key (only builds hold it)."""
    key = read_private_key(portal.root, settings)
    material = bytes(key) if key is not None else b""
    return hashlib.blake2b(material, digest_size=32, person=b"rayzani-sdc").digest()
