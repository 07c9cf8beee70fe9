"""Statistical disclosure control: which cells of the personal-data tables can be published.

A count of people below the threshold (1 to threshold - 1) is "small": published only as
"fewer than N". Hiding it is not enough: the other cells, the total, the portal-wide table (which
adds up the consultations' tables) and the tables earlier builds published all constrain it. So
the tables of one dimension (age, gender or province) are audited together as an attacker would
solve them: an integer program finds the least and the largest value each small cell can take
given everything published. A small cell is protected when that interval is its whole label,
1 to threshold - 1 ("fewer than 5" tells nothing more). Until every small cell is protected,
more cells are hidden ("hidden", a complementary suppression), chosen in an order keyed by a
portal secret, so that the choice itself tells nothing (a rule such as "the smallest other
cell" or "the first zero" would). A table that cannot be protected is withheld whole.

This is secondary suppression audited by linear (integer) programming, the method statistical
offices use for linked tables (Hundepool et al., "Statistical Disclosure Control", ch. 4);
tables are published once and never change afterwards (see stats.py), so two builds give an
attacker nothing that one build does not.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

SHOWN, SMALL, HIDDEN, WITHHELD = "shown", "small", "hidden", "withheld"


@dataclass
class Table:
    """One published table: people per category, adding up to its published total."""

    key: tuple[str, ...]
    counts: dict[str, int]
    state: dict[str, str] = field(default_factory=dict)
    # Fixed tables were published by an earlier build: what they showed stays known.
    fixed: bool = False

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def withheld(self) -> bool:
        return bool(self.state) and all(s == WITHHELD for s in self.state.values())


@dataclass(frozen=True)
class Link:
    """The whole adds up its parts, less the people counted in more than one part."""

    whole: tuple[str, ...]
    parts: tuple[tuple[str, ...], ...]


def initial_state(counts: dict[str, int], threshold: int) -> dict[str, str]:
    return {c: SMALL if 0 < n < threshold else SHOWN for c, n in counts.items()}


class Audit:
    """The attacker's integer program over the tables of one dimension."""

    def __init__(self, tables: dict[tuple[str, ...], Table], links: Sequence[Link], threshold: int):
        self.tables, self.links, self.threshold = tables, links, threshold

    def _unknowns(self) -> list[tuple[tuple[str, ...], str]]:
        return [(t.key, c) for t in self.tables.values() for c, s in t.state.items() if s != SHOWN]

    def interval(self, target: tuple[tuple[str, ...], str]) -> tuple[int, int]:
        """The least and largest value the target cell can take, given what is published."""
        # Imported here: NumPy and SciPy cost a build about 50 MiB and 0.3 s, and most builds
        # (nothing closed yet, or no small cell) never solve a table.
        import numpy as np
        from scipy.optimize import Bounds, LinearConstraint, milp

        cells = self._unknowns()
        index = {cell: i for i, cell in enumerate(cells)}
        overlaps = [link for link in self.links if link.whole in self.tables]
        categories = {c for link in overlaps for c in self.tables[link.whole].counts}
        # One variable per unknown cell, then per (link, category): people counted twice.
        extra = {
            (i, c): len(cells) + n
            for n, (i, c) in enumerate(
                (i, c)
                for i, link in enumerate(overlaps)
                for c in sorted(categories)
                if c in self.tables[link.whole].counts
            )
        }
        size = len(cells) + len(extra)
        lower, upper = np.zeros(size), np.zeros(size)
        for (key, category), i in index.items():
            table = self.tables[key]
            state = table.state[category]
            lower[i], upper[i] = (1, self.threshold - 1) if state == SMALL else (0, table.total)
        rows: list[np.ndarray] = []
        rhs: list[float] = []

        def known(key: tuple[str, ...], category: str) -> int | None:
            table = self.tables[key]
            return table.counts[category] if table.state[category] == SHOWN else None

        for table in self.tables.values():
            row = np.zeros(size)
            for category in table.counts:
                if table.state[category] != SHOWN:
                    row[index[(table.key, category)]] = 1
            if row.any():
                rows.append(row)
                rhs.append(table.total - sum(n for c, n in table.counts.items() if table.state[c] == SHOWN))
        for i, link in enumerate(overlaps):
            whole = self.tables[link.whole]
            parts = [self.tables[p] for p in link.parts if p in self.tables]
            twice = sum(p.total for p in parts) - whole.total
            total_row = np.zeros(size)
            for category in whole.counts:
                j = extra[(i, category)]
                upper[j] = max(twice, 0)
                total_row[j] = 1
                # whole = sum(parts) - twice  ->  sum(parts) - whole - twice = 0
                row = np.zeros(size)
                constant = 0.0
                for key, sign in [(p.key, 1.0) for p in parts] + [(whole.key, -1.0)]:
                    value = known(key, category) if category in self.tables[key].counts else 0
                    if value is None:
                        row[index[(key, category)]] += sign
                    else:
                        constant += sign * value
                row[j] = -1
                rows.append(row)
                rhs.append(-constant)
            rows.append(total_row)
            rhs.append(max(twice, 0))
        i = index[target]
        constraints = [LinearConstraint(np.array(rows), np.array(rhs), np.array(rhs))] if rows else []
        integrality = np.ones(size)
        found = []
        for sign in (1.0, -1.0):
            c = np.zeros(size)
            c[i] = sign
            result = milp(c, constraints=constraints, integrality=integrality, bounds=Bounds(lower, upper))
            if result.x is None:  # infeasible cannot happen for true tables; be safe
                return int(lower[i]), int(upper[i])
            found.append(round(result.x[i]))
        return found[0], found[1]

    def protected(self, target: tuple[tuple[str, ...], str], interval: tuple[int, int] | None = None) -> bool:
        table = self.tables[target[0]]
        low, high = interval or self.interval(target)
        if table.state[target[1]] == SMALL:
            return (low, high) == (1, self.threshold - 1)
        # A withheld table: its small cells must stay as uncertain as their table allows.
        return high - low >= min(self.threshold - 2, table.total)

    def unprotected(self) -> list[tuple[tuple[str, ...], str]]:
        sensitive = [
            (t.key, c)
            for t in self.tables.values()
            for c, n in t.counts.items()
            if 0 < n < self.threshold and t.state[c] != SHOWN
        ]
        return [cell for cell in sensitive if not self.protected(cell)]


Cell = tuple[tuple[str, ...], str]


def _rank(secret: bytes, *parts: str) -> bytes:
    """An order nobody without the secret can predict, the same in every build."""
    return hmac.new(secret, "\x1f".join(parts).encode(), hashlib.sha256).digest()


def protect(
    tables: dict[tuple[str, ...], Table], links: Sequence[Link], threshold: int, secret: bytes
) -> None:
    """Hide cells of the tables not fixed until every small cell is protected (in place)."""
    for table in tables.values():
        if not table.state:
            table.state = initial_state(table.counts, threshold)
    audit = Audit(tables, links, threshold)
    while True:
        pending = audit.unprotected()
        if not pending:
            return
        target = pending[0]
        if not _hide_one(audit, target, _candidates(tables, links, target, secret)) and not _withhold(
            tables, target
        ):
            return  # nothing left to hide: every table that may change is withheld


def _candidates(
    tables: dict[tuple[str, ...], Table], links: Sequence[Link], target: Cell, secret: bytes
) -> list[list[Cell]]:
    """Groups of cells to hide together: a category in the target's table and the tables linked to it
    (hiding it in one while the other shows it would give it back), then any single shown cell."""
    linked = {target[0]}
    for link in links:
        if target[0] == link.whole or target[0] in link.parts:
            linked |= {link.whole, *link.parts}
    movable = [t for t in tables.values() if not t.fixed]
    groups: list[list[Cell]] = []
    for category in sorted(tables[target[0]].counts, key=lambda c: _rank(secret, *target[0], c)):
        group = [(t.key, category) for t in movable if t.key in linked and t.state.get(category) == SHOWN]
        if group:
            groups.append(group)
    singles = [(t.key, c) for t in movable for c, s in t.state.items() if s == SHOWN]
    groups += [[cell] for cell in sorted(singles, key=lambda cell: _rank(secret, *cell[0], cell[1]))]
    return groups


def _hide_one(audit: Audit, target: Cell, candidates: list[list[Cell]]) -> bool:
    """Hide the first group that protects the target, else the one that widens it most."""
    low, high = audit.interval(target)
    best, best_width = None, high - low
    for group in candidates:
        for key, category in group:
            audit.tables[key].state[category] = HIDDEN
        low, high = audit.interval(target)
        if audit.protected(target, (low, high)):
            return True
        for key, category in group:
            audit.tables[key].state[category] = SHOWN
        if high - low > best_width:
            best, best_width = group, high - low
    if best is None:
        return False
    for key, category in best:
        audit.tables[key].state[category] = HIDDEN
    return True


def _withhold(tables: dict[tuple[str, ...], Table], target: Cell) -> bool:
    """Withhold a table that may still change: a portal-wide one first, the target's own last."""
    movable = [t for t in tables.values() if not t.fixed and not t.withheld]
    if not movable:
        return False
    own = tables[target[0]]
    table = next((t for t in movable if t.key[0] == "portal"), own if own in movable else movable[-1])
    table.state = {c: WITHHELD for c in table.counts}
    return True
