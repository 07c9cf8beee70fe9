"""The Forgejo/Gitea adapter of the forge interface, on their REST API v1 (httpx).

Lists are read page by page (`page`, `limit`) for as long as the answer's `Link` header names a
`rel="next"` page; the next address is built here, never taken from the header, so the token is
only ever sent to `--api-url`. Labels are set by id: the repository's labels are read once per
run and a missing one is created. Reads are retried on 5xx, 429 and broken connections, with
`Retry-After` honoured; a POST is retried only on 429 (the server refused it unread), never on
a 5xx, after which the reply may exist: the next run looks for intake's own marker first.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote

import httpx

from rayzani.intake.forge import ForgeError, FormIssue, IssueComment
from rayzani.intake.pull_request import PullRequest

PAGE_SIZE = 50  # Forgejo's default MAX_RESPONSE_ITEMS: a larger `limit` is cut to it anyway
RETRIES = 4
MAX_WAIT = 120.0  # seconds: a longer Retry-After fails the run, which the next one repeats
LABEL_COLOUR = "#ededed"

# What to do about each refusal, for the person running intake.
_FIXES = {
    401: "the token in FORGEJO_TOKEN is missing, wrong or expired: make a new access token",
    403: (
        "the token lacks a scope: give it write:issue, read:repository and read:user "
        "(or pass --account), and make sure its user may write issues in the repository"
    ),
    404: "no such repository or issue here: check --repo OWNER/NAME and that --api-url ends in /api/v1",
}


class ForgejoFailure(Exception):
    """The forge refused or failed a request: status, its message, and what to do."""

    def __init__(self, method: str, path: str, status: int, message: str):
        self.status, self.message = status, message
        self.fix = _FIXES.get(status, "try again later; a later run carries on where this one stopped")
        super().__init__(f"Forgejo answered {status} to {method} {path}: {message}; {self.fix}")


def _message(response: httpx.Response) -> str:
    try:
        data = response.json()
    except ValueError:
        return response.text[:200].strip() or response.reason_phrase
    return str(data.get("message") or data) if isinstance(data, dict) else str(data)[:200]


def _wait(response: httpx.Response | None, attempt: int) -> float:
    """Seconds before the next attempt: the server's Retry-After (seconds or a date), else backoff."""
    header = response.headers.get("Retry-After", "") if response is not None else ""
    if header.strip().isdigit():
        return float(header)
    if header:
        try:
            return max(0.0, (parsedate_to_datetime(header) - dt.datetime.now(dt.UTC)).total_seconds())
        except (TypeError, ValueError):
            pass
    return min(2.0**attempt, 30.0)


def _time(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def _login(user: Any) -> str:
    return str(user.get("login") or "ghost") if isinstance(user, dict) else "ghost"


def _has_next(response: httpx.Response) -> bool:
    return any(link.get("rel") == "next" for link in response.links.values())


class ForgejoForge:
    kind = "forgejo"

    def __init__(
        self,
        repo: str,
        token: str | None,
        api_url: str,
        account: str | None = None,
        write_pause: float = 0.0,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.repo = repo
        owner, _, name = repo.partition("/")
        self._base = f"/repos/{quote(owner, safe='')}/{quote(name, safe='')}"
        headers = {"Accept": "application/json", "User-Agent": "rayzani-intake"}
        if token:
            headers["Authorization"] = f"token {token}"
        self._http = httpx.Client(
            base_url=api_url.rstrip("/"),
            headers=headers,
            timeout=httpx.Timeout(30.0, connect=10.0),
            transport=transport,
            follow_redirects=False,  # a redirect would carry the token elsewhere
        )
        self._sleep = sleep
        self._write_pause = write_pause
        self._account = account
        self._label_ids: dict[str, int] | None = None  # read once per run
        self._comments: dict[int, list[IssueComment]] = {}  # read once per run, until a reply

    def close(self) -> None:
        self._http.close()

    # Requests --------------------------------------------------------------------------
    def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        for attempt in range(RETRIES + 1):
            response: httpx.Response | None = None
            try:
                response = self._http.request(method, path, **kwargs)
            except httpx.TransportError as error:
                # A write whose connection broke may have been written: not repeated blind.
                if method != "GET" and not isinstance(error, httpx.ConnectError):
                    raise ForgejoFailure(method, path, 0, f"connection lost ({error})") from error
                if attempt == RETRIES:
                    raise ForgejoFailure(method, path, 0, f"cannot connect ({error})") from error
            else:
                retry = response.status_code == 429 or (method == "GET" and response.status_code >= 500)
                if response.status_code < 400:
                    return response
                if not retry or attempt == RETRIES:
                    raise ForgejoFailure(method, path, response.status_code, _message(response))
            wait = _wait(response, attempt)
            if wait > MAX_WAIT:
                assert response is not None
                raise ForgejoFailure(method, path, response.status_code, f"asked to wait {wait:.0f} s")
            self._sleep(wait)
        raise AssertionError("unreachable")

    def _pages(self, path: str, params: dict[str, str] | None = None) -> Iterator[Any]:
        """Every item of a list, page by page while the answer's Link names a next page."""
        page, seen = 1, 0
        while True:
            response = self._request("GET", path, params={**(params or {}), "page": page, "limit": PAGE_SIZE})
            items = response.json()
            if not isinstance(items, list):
                raise ForgejoFailure("GET", path, response.status_code, "the answer is not a list")
            yield from items
            seen += len(items)
            total = response.headers.get("X-Total-Count", "")
            if not items or not _has_next(response) or (total.isdigit() and seen >= int(total)):
                return
            page += 1

    # The forge interface ---------------------------------------------------------------
    @property
    def account(self) -> str:
        """The authenticated user (GET /user), unless given: the author of intake's own replies."""
        if self._account is None:
            self._account = _login(self._request("GET", "/user").json())
        return self._account

    def form_issues(self, label: str, since: dt.datetime | None = None) -> Iterator[FormIssue]:
        params = {"state": "open", "type": "issues", "labels": label}
        if since:
            params["since"] = since.isoformat()
        # Read the whole list first: labelling issues while paging must not shift the pages.
        found = [item for item in self._pages(f"{self._base}/issues", params) if not item.get("pull_request")]
        issues = [
            FormIssue(
                number=int(item["number"]),
                title=str(item.get("title") or ""),
                body=str(item.get("body") or ""),
                author=_login(item.get("user")),
                created=_time(item["created_at"]),
                labels=tuple(str(lab.get("name")) for lab in item.get("labels") or []),
            )
            for item in found
        ]
        yield from sorted(issues, key=lambda i: (i.created, i.number))

    def comments(self, number: int) -> list[IssueComment]:
        if number not in self._comments:
            self._comments[number] = [
                IssueComment(_login(c.get("user")), str(c.get("body") or ""))
                for c in self._pages(f"{self._base}/issues/{number}/comments")
            ]
        return self._comments[number]

    def reply(self, number: int, text: str) -> None:
        self._comments.pop(number, None)
        self._request("POST", f"{self._base}/issues/{number}/comments", json={"body": text})
        if self._write_pause:
            self._sleep(self._write_pause)

    def _label_id(self, label: str) -> int:
        if self._label_ids is None:
            labels = self._pages(f"{self._base}/labels")
            self._label_ids = {str(lab["name"]): int(lab["id"]) for lab in labels}
        if label not in self._label_ids:
            created = self._request(
                "POST", f"{self._base}/labels", json={"name": label, "color": LABEL_COLOUR}
            ).json()
            self._label_ids[label] = int(created["id"])
        return self._label_ids[label]

    def add_label(self, number: int, label: str) -> None:
        try:
            ids = [self._label_id(label)]
            self._request("POST", f"{self._base}/issues/{number}/labels", json={"labels": ids})
        except ForgejoFailure as failure:
            self._label_ids = None  # a label deleted meanwhile: read them again next time
            raise ForgeError(f"{failure} (labelling #{number} {label!r})") from failure

    # Proposals ---------------------------------------------------------------------------
    def pull_request(self, number: int) -> PullRequest:
        data = self._request("GET", f"{self._base}/pulls/{number}").json()
        return PullRequest(
            repo=self.repo,
            number=int(data["number"]),
            title=str(data.get("title") or ""),
            body=str(data.get("body") or ""),
            author=_login(data.get("user")),
            opened=_time(data["created_at"]),
            url=str(data.get("html_url") or ""),
            base=str((data.get("base") or {}).get("sha") or ""),
            head=str((data.get("head") or {}).get("sha") or ""),
            forge=self.kind,
        )

    def pull_diff(self, number: int) -> str:
        """The pull request's unified diff against its merge base, as the forge computes it."""
        path = f"{self._base}/pulls/{number}.diff"
        return self._request("GET", path, headers={"Accept": "text/plain"}).text
