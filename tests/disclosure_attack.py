"""The attacker of the statistics: every published table solved together as an integer program.

Written from the published CSV alone, the way someone outside the portal would: each hidden cell
is an unknown (1 to threshold - 1 when shown as small, else 0 to its table's total), each table
adds up to its total, and the portal's table adds up the consultations' tables less the people
who took part in several (at least zero each, as many in all as the totals say).
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

Cell = tuple[str, str, str, str]  # (build, scope, dimension, category)


def intervals(builds: dict[str, list[dict[str, str]]], threshold: int) -> dict[Cell, tuple[int, int]]:
    """For every unpublished personal cell of every build: the least and largest value it can take."""
    unknown: list[Cell] = []
    known: dict[Cell, int] = {}
    small: set[Cell] = set()
    totals: dict[tuple[str, str, str], int] = {}
    categories: dict[tuple[str, str], set[str]] = defaultdict(set)
    for build, rows in builds.items():
        for r in rows:
            if r["unit"] != "participants":
                continue
            if r["category"] == "total":
                totals[(build, r["scope"], r["dimension"])] = int(r["count"])
                continue
            cell = (build, r["scope"], r["dimension"], r["category"])
            categories[(build, r["dimension"])].add(r["category"])
            if r["suppressed"] == "true":
                unknown.append(cell)
                if r["suppression"] == "small":
                    small.add(cell)
            else:
                known[cell] = int(r["count"])
    # The same consultation in two builds is the same people: one unknown for both.
    name = {c: (c[1], c[2], c[3]) if c[1] != "portal" else c for c in unknown}
    variables = sorted(set(name.values()))
    overlap = [
        (build, dimension, category)
        for (build, dimension), cats in categories.items()
        if (build, "portal", dimension) in totals
        for category in sorted(cats)
    ]
    index = {v: i for i, v in enumerate(variables)}
    index.update({("twice", *o): len(variables) + i for i, o in enumerate(overlap)})
    size = len(index)
    lower, upper = np.zeros(size), np.full(size, np.inf)
    for cell in unknown:
        i = index[name[cell]]
        total = totals[cell[:3]]
        if cell in small:
            lower[i], upper[i] = max(lower[i], 1), min(upper[i], threshold - 1)
        else:
            upper[i] = min(upper[i], total)
    for cell, value in known.items():  # shown in one build, hidden in another: still known
        if cell[1] != "portal" and (cell[1], cell[2], cell[3]) in index:
            lower[index[(cell[1], cell[2], cell[3])]] = upper[index[(cell[1], cell[2], cell[3])]] = value
    rows, rhs = [], []

    def term(cell: Cell) -> tuple[int | None, float]:
        return (None, known[cell]) if cell in known else (index[name[cell]], 0.0)

    for (build, scope, dimension), total in totals.items():
        row, constant = np.zeros(size), 0.0
        for category in categories[(build, dimension)]:
            i, value = term((build, scope, dimension, category))
            if i is None:
                constant += value
            else:
                row[i] += 1
        rows.append(row)
        rhs.append(total - constant)
    for build, dimension, category in overlap:
        scopes = {s for (b, s, d) in totals if b == build and d == dimension and s != "portal"}
        twice = sum(totals[(build, s, dimension)] for s in scopes) - totals[(build, "portal", dimension)]
        j = index[("twice", build, dimension, category)]
        upper[j] = twice
        row, constant = np.zeros(size), 0.0
        for scope, sign in [(s, 1.0) for s in scopes] + [("portal", -1.0)]:
            i, value = term((build, scope, dimension, category))
            if i is None:
                constant += sign * value
            else:
                row[i] += sign
        row[j] = -1
        rows.append(row)
        rhs.append(-constant)
    for build, dimension in {(b, d) for b, d, _ in overlap}:
        row = np.zeros(size)
        for o in overlap:
            if o[:2] == (build, dimension):
                row[index[("twice", *o)]] = 1
        scopes = {s for (b, s, d) in totals if b == build and d == dimension and s != "portal"}
        rows.append(row)
        rhs.append(sum(totals[(build, s, dimension)] for s in scopes) - totals[(build, "portal", dimension)])
    constraints = [LinearConstraint(np.array(rows), np.array(rhs), np.array(rhs))]
    found: dict[Cell, tuple[int, int]] = {}
    for cell in unknown:
        i = index[name[cell]]
        ends = []
        for sign in (1.0, -1.0):
            c = np.zeros(size)
            c[i] = sign
            result = milp(c, constraints=constraints, integrality=np.ones(size), bounds=Bounds(lower, upper))
            assert result.x is not None, "the published tables contradict each other"
            ends.append(round(result.x[i]))
        found[cell] = (ends[0], ends[1])
    return found


def disclosed(builds: dict[str, list[dict[str, str]]], threshold: int) -> list[tuple[Cell, tuple[int, int]]]:
    """The small cells the attacker narrows beyond their label ("fewer than N": 1 to N - 1)."""
    small = {
        (b, r["scope"], r["dimension"], r["category"])
        for b, rows in builds.items()
        for r in rows
        if r.get("suppression") == "small"
    }
    found = intervals(builds, threshold)
    return [(c, span) for c, span in found.items() if c in small and span != (1, threshold - 1)]
