"""Validation problems as values: a file, a field, what is wrong and how to fix it."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    path: Path
    field: str
    message: str
    fix: str

    def format(self, root: Path | None = None) -> str:
        shown = self.path
        if root is not None:
            with contextlib.suppress(ValueError):
                # Resolve the folders only: a linked record is named where it is, not where it points.
                shown = (self.path.parent.resolve() / self.path.name).relative_to(root.resolve())
        where = f"{shown}: {self.field}" if self.field else str(shown)
        return f"{where}: {self.message}. Fix: {self.fix}"


class ValidationFailed(Exception):
    """Raised by commands that cannot go on while problems remain."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} validation problem(s)")
        self.problems = problems
