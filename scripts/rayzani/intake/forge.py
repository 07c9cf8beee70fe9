"""The small interface intake needs from a forge, so GitHub, Forgejo and Gitea fit the same code."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class FormIssue:
    """An issue as intake sees it: who opened it, when, its body and labels."""

    number: int
    title: str
    body: str
    author: str  # the forge login, public on the forge anyway
    created: dt.datetime  # timezone-aware
    labels: tuple[str, ...]


@dataclass(frozen=True)
class IssueComment:
    """A comment on an issue and the login of who wrote it."""

    author: str
    body: str


class ForgeError(Exception):
    """A forge request that failed in a way intake can carry on from (e.g. adding a label)."""


class Forge(Protocol):
    """What intake does on a forge. Adapters: `github_forge.GitHubForge`, `forgejo_forge.ForgejoForge`."""

    repo: str  # owner/name
    kind: str  # "github", "forgejo"...: the prefix of record sources (github:owner/name#12)

    @property
    def account(self) -> str:
        """The login intake writes as (the authenticated user): only its markers count."""
        ...

    def form_issues(self, label: str, since: dt.datetime | None = None) -> Iterator[FormIssue]:
        """Open issues carrying `label` (the form adds it), updated since the cursor if given."""
        ...

    def comments(self, number: int) -> list[IssueComment]:
        """The issue's comments with their authors, oldest first."""
        ...

    def reply(self, number: int, text: str) -> None:
        """Comment on the issue."""
        ...

    def add_label(self, number: int, label: str) -> None:
        """Add a label to the issue (creating it on the repository if needed); ForgeError if refused."""
        ...


def marker(kind: str, value: str = "") -> str:
    """An invisible tag at the end of intake's replies, so a re-run can see what it said."""
    return f"<!-- rayzani:{kind}{' ' + value if value else ''} -->"


def has_marker(forge: Forge, number: int, tag: str) -> bool:
    """Whether intake's own account already wrote `tag` on the issue.

    Anyone can post an invisible `<!-- rayzani:… -->` comment; counting it would let a stranger
    stop a reply or a decision notice. Only comments by the account intake writes as count.
    """
    account = forge.account.casefold()  # logins are case-insensitive
    return any(c.author.casefold() == account and tag in c.body for c in forge.comments(number))
