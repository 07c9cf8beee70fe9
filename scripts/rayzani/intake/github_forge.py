"""The GitHub adapter of the forge interface, on PyGithub (`--api-url` for GitHub Enterprise)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from github import Auth, Github
from github.Issue import Issue
from github.Repository import Repository

from rayzani.intake.forge import FormIssue

GITHUB_API = "https://api.github.com"


class GitHubForge:
    kind = "github"

    def __init__(self, repo: str, token: str | None, api_url: str = GITHUB_API, write_pause: float = 1.0):
        # GitHub asks integrations to pause about a second between content-creating requests
        # (secondary rate limits); tests against a local server pass 0.
        self.repo = repo
        self._github = Github(
            auth=Auth.Token(token) if token else None,
            base_url=api_url.rstrip("/"),
            seconds_between_writes=write_pause,
            seconds_between_requests=min(write_pause, 0.25),
            per_page=100,
        )
        self._repo: Repository = self._github.get_repo(repo)
        self._issues: dict[int, Issue] = {}  # listed issues, so replying needs no extra request

    def _issue(self, number: int) -> Issue:
        if number not in self._issues:
            self._issues[number] = self._repo.get_issue(number)
        return self._issues[number]

    def form_issues(self, label: str, since: dt.datetime | None = None) -> Iterator[FormIssue]:
        kwargs = {"since": since} if since else {}
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

    def comments(self, number: int) -> list[str]:
        return [c.body or "" for c in self._issue(number).get_comments()]

    def reply(self, number: int, text: str) -> None:
        self._issue(number).create_comment(text)

    def add_label(self, number: int, label: str) -> None:
        self._issue(number).add_to_labels(label)
