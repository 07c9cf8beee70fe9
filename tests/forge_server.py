"""A local HTTP server that answers like the GitHub REST API, for intake tests (stdlib only).

It keeps issues, comments and labels in memory and returns them in GitHub's JSON shape,
paginating lists with `Link: <...>; rel="next"` headers as GitHub does. `GET /user` answers with
the authenticated account (`account`), which writes every comment posted through the API;
`comment` adds one by someone else. `fail` makes matching requests answer with an error, and
`delay` slows every answer, so that runs started together overlap.
"""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse


@dataclass
class FakeIssue:
    number: int
    title: str
    body: str
    login: str
    created_at: str  # "2026-11-20T10:00:00Z"
    labels: list[str] = field(default_factory=list)
    comments: list[dict] = field(default_factory=list)
    state: str = "open"
    pull_request: bool = False


class FakeGitHub:
    """GitHub's REST API for one repository, enough for PyGithub's issues, comments and labels."""

    def __init__(self, owner: str, name: str, page_size: int = 2):
        self.owner, self.name = owner, name
        self.page_size = page_size  # small, so that a handful of issues spans several pages
        self.issues: dict[int, FakeIssue] = {}
        self.requests: list[tuple[str, str]] = []
        self.auth: set[str] = set()
        self.account = "rayzani-bot"  # the token's user, as GET /user tells it
        self.faults: list[tuple[str, re.Pattern[str], int]] = []
        self.delay = 0.0
        self._lock = threading.Lock()  # the server is threaded: one write at a time
        handler = type("Handler", (_Handler,), {"api": self})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeGitHub:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def add(self, issue: FakeIssue) -> FakeIssue:
        self.issues[issue.number] = issue
        return issue

    def replies(self, number: int) -> list[str]:
        return [c["body"] for c in self.issues[number].comments]

    def fail(self, method: str, path: str, status: int = 500) -> None:
        """Answer `status` to every `method` request whose path (without query) matches `path`."""
        self.faults.append((method, re.compile(path), status))

    def comment(self, number: int, body: str, login: str) -> dict:
        """A comment written on the issue by `login` (another user, or the intake's account)."""
        issue = self.issues[number]
        with self._lock:
            data = self.comment_json(issue, body, login)
            issue.comments.append(data)
        return data

    def comment_json(self, issue: FakeIssue, body: str, login: str) -> dict:
        base = f"{self.url}{self.repo_path}"
        number = 5000 + sum(len(i.comments) for i in self.issues.values())
        return {
            "id": number,
            "body": body,
            "user": self.user(login),
            "created_at": "2026-11-23T08:00:00Z",
            "updated_at": "2026-11-23T08:00:00Z",
            "url": f"{base}/issues/comments/{number}",
            "html_url": f"https://github.com/{self.owner}/{self.name}/issues/{issue.number}#c{number}",
            "issue_url": f"{base}/issues/{issue.number}",
        }

    # JSON in GitHub's shape -------------------------------------------------------------
    @property
    def repo_path(self) -> str:
        return f"/repos/{self.owner}/{self.name}"

    def user(self, login: str) -> dict:
        return {
            "login": login,
            "id": abs(hash(login)) % 10**6,
            "type": "User",
            "url": f"{self.url}/users/{login}",
        }

    def label(self, name: str) -> dict:
        return {"id": abs(hash(name)) % 10**6, "name": name, "color": "ededed", "default": False}

    def issue_json(self, issue: FakeIssue) -> dict:
        url = f"{self.url}{self.repo_path}/issues/{issue.number}"
        data = {
            "id": 1000 + issue.number,
            "number": issue.number,
            "title": issue.title,
            "body": issue.body,
            "user": self.user(issue.login),
            "labels": [self.label(name) for name in issue.labels],
            "state": issue.state,
            "locked": False,
            "comments": len(issue.comments),
            "created_at": issue.created_at,
            "updated_at": issue.created_at,
            "url": url,
            "html_url": f"https://github.com/{self.owner}/{self.name}/issues/{issue.number}",
            "comments_url": f"{url}/comments",
            "repository_url": f"{self.url}{self.repo_path}",
        }
        if issue.pull_request:
            data["pull_request"] = {"url": f"{self.url}{self.repo_path}/pulls/{issue.number}"}
        return data

    def repo_json(self) -> dict:
        return {
            "id": 42,
            "name": self.name,
            "full_name": f"{self.owner}/{self.name}",
            "owner": self.user(self.owner),
            "private": False,
            "url": f"{self.url}{self.repo_path}",
            "html_url": f"https://github.com/{self.owner}/{self.name}",
            "default_branch": "main",
        }


class _Handler(BaseHTTPRequestHandler):
    api: FakeGitHub

    def log_message(self, *args: object) -> None:  # keep test output clean
        pass

    def _send(self, status: int, payload: object, headers: dict[str, str] | None = None) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def _page(self, items: list[dict], path: str, query: dict[str, list[str]]) -> None:
        size = min(int(query.get("per_page", ["30"])[0]), self.api.page_size)
        page = int(query.get("page", ["1"])[0])
        chunk = items[(page - 1) * size : page * size]
        headers = {}
        if page * size < len(items):
            params = {k: v[0] for k, v in query.items()} | {"page": str(page + 1)}
            headers["Link"] = f'<{self.api.url}{path}?{urlencode(params)}>; rel="next"'
        self._send(200, chunk, headers)

    def _json_body(self) -> dict | list:
        length = int(self.headers.get("Content-Length") or 0)
        return json.loads(self.rfile.read(length) or b"{}")

    def _fault(self, method: str) -> bool:
        """Answer an injected error instead of the request, if one matches."""
        time.sleep(self.api.delay)
        path = urlparse(self.path).path
        for wanted, pattern, status in self.api.faults:
            if wanted == method and pattern.fullmatch(path):
                self._send(status, {"message": "Server Error (injected)"})
                return True
        return False

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self.api.requests.append(("GET", self.path))
        self.api.auth.add(self.headers.get("Authorization", ""))
        if self._fault("GET"):
            return
        url = urlparse(self.path)
        query = parse_qs(url.query)
        base = self.api.repo_path
        if url.path == "/user":
            return self._send(200, self.api.user(self.api.account))
        if url.path == base:
            return self._send(200, self.api.repo_json())
        if url.path == f"{base}/issues":
            wanted = set(query.get("labels", [""])[0].split(",")) - {""}
            state = query.get("state", ["open"])[0]
            issues = [
                self.api.issue_json(i)
                for i in sorted(self.api.issues.values(), key=lambda i: i.number)
                if (state == "all" or i.state == state) and wanted <= set(i.labels)
            ]
            return self._page(issues, url.path, query)
        match = re.fullmatch(rf"{base}/issues/(\d+)(/comments)?", url.path)
        if match and int(match.group(1)) in self.api.issues:
            issue = self.api.issues[int(match.group(1))]
            if match.group(2):
                return self._page(issue.comments, url.path, query)
            return self._send(200, self.api.issue_json(issue))
        self._send(404, {"message": "Not Found"})

    def do_POST(self) -> None:  # noqa: N802
        self.api.requests.append(("POST", self.path))
        if self._fault("POST"):
            return
        base = self.api.repo_path
        match = re.fullmatch(rf"{base}/issues/(\d+)/(comments|labels)", urlparse(self.path).path)
        if not match or int(match.group(1)) not in self.api.issues:
            return self._send(404, {"message": "Not Found"})
        issue = self.api.issues[int(match.group(1))]
        data = self._json_body()
        if match.group(2) == "comments":
            assert isinstance(data, dict)
            return self._send(201, self.api.comment(issue.number, data["body"], self.api.account))
        # GitHub takes either a bare list of names or {"labels": [...]}; PyGithub sends the list.
        for name in data if isinstance(data, list) else data.get("labels", []):
            if name not in issue.labels:
                issue.labels.append(name)
        self._send(200, [self.api.label(n) for n in issue.labels])
