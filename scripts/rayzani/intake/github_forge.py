"""The GitHub adapter of the forge interface, on PyGithub (`--api-url` for GitHub Enterprise)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from github import Auth, Github, GithubException, GithubRetry
from github.Issue import Issue
from github.Repository import Repository
from urllib3.util import Retry

from rayzani.intake.forge import ForgeError, FormIssue, IssueComment

GITHUB_API = "https://api.github.com"
# The login of comments written with a workflow's GITHUB_TOKEN, which cannot read GET /user.
ACTIONS_BOT = "github-actions[bot]"


class GitHubForge:
    kind = "github"

    def __init__(
        self,
        repo: str,
        token: str | None,
        api_url: str = GITHUB_API,
        write_pause: float = 1.0,
        account: str | None = None,
    ):
        # GitHub asks integrations to pause about a second between content-creating requests
        # (secondary rate limits); tests against a local server pass 0.
        self.repo = repo
        self._github = Github(
            auth=Auth.Token(token) if token else None,
            base_url=api_url.rstrip("/"),
            seconds_between_writes=write_pause,
            seconds_between_requests=min(write_pause, 0.25),
            per_page=100,
            # PyGithub retries POSTs on any 5xx by default: a reply GitHub wrote before it failed
            # would be written twice. Reads are retried; a write is retried by the next run,
            # which first looks for intake's own marker.
            retry=GithubRetry(allowed_methods=Retry.DEFAULT_ALLOWED_METHODS),
        )
        self._repo: Repository = self._github.get_repo(repo)
        self._issues: dict[int, Issue] = {}  # listed issues, so replying needs no extra request
        self._comments: dict[int, list[IssueComment]] = {}  # read once per run, until a reply
        self._account = account

    @property
    def account(self) -> str:
        """The authenticated user (GET /user), unless given: the author of intake's own replies."""
        if self._account is None:
            self._account = self._github.get_user().login
        return self._account

    def _issue(self, number: int) -> Issue:
        if number not in self._issues:
            self._issues[number] = self._repo.get_issue(number)
        return self._issues[number]

    def form_issues(self, label: str, since: dt.datetime | None = None) -> Iterator[FormIssue]:
        kwargs: dict[str, Any] = {"since": since} if since else {}
        for issue in self._repo.get_issues(
            state="open", labels=[label], sort="created", direction="asc", **kwargs
        ):
            if issue.pull_request is not None:
                continue  # GitHub lists pull requests among issues
            self._issues[issue.number] = issue
            yield FormIssue(
                number=issue.number,
                title=issue.title or "",
                body=issue.body or "",
                author=issue.user.login if issue.user else "ghost",
                created=issue.created_at,
                labels=tuple(lab.name for lab in issue.labels),
            )

    def comments(self, number: int) -> list[IssueComment]:
        if number not in self._comments:
            self._comments[number] = [
                IssueComment(c.user.login if c.user else "ghost", c.body or "")
                for c in self._issue(number).get_comments()
            ]
        return self._comments[number]

    def reply(self, number: int, text: str) -> None:
        self._comments.pop(number, None)
        self._issue(number).create_comment(text)

    def add_label(self, number: int, label: str) -> None:
        try:
            self._issue(number).add_to_labels(label)
        except GithubException as error:
            raise ForgeError(f"GitHub answered {error.status} to labelling #{number} {label!r}") from error
