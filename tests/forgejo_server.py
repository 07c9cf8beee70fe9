"""A local HTTP server that answers like the Forgejo/Gitea REST API v1, for intake tests (stdlib only).

Written from Forgejo's and Gitea's API documentation (their swagger description): issues,
comments, repository labels with ids, the authenticated user and pull requests (with `.diff`),
in their JSON shapes. Lists take `page` and `limit` (cut to `page_size`, the server's
MAX_RESPONSE_ITEMS) and answer with `X-Total-Count` and a `Link` header (`next`, `last`);
issues come newest first, as Forgejo lists them. An issue's comments are not paginated: the
whole list comes at once, as the real endpoint does. Requests need `Authorization: token
<token>` (401 otherwise) and the scopes they act under (403 with Forgejo's message otherwise);
an unknown repository, issue or pull request is 404; an unknown label id is 422. `fail` makes
matching requests answer with an error (429 with `Retry-After`), a given number of times.
It has the same helpers as `forge_server.FakeGitHub`, so one test can run against both.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse

from forge_server import FakeIssue

ALL_SCOPES = frozenset({"read:issue", "write:issue", "read:repository", "read:user"})


@dataclass
class FakePull:
    number: int
    title: str
    body: str
    login: str
    created_at: str
    base: str = "a" * 40
    head: str = "b" * 40
    diff: str = ""


@dataclass
class Fault:
    method: str
    path: re.Pattern[str]
    status: int
    times: int | None  # None: every time
    retry_after: str | None = None


@dataclass
class FakeForgejo:
    """Forgejo's API for one repository (`owner/name`), served on a loopback port."""

    owner: str
    name: str
    page_size: int = 2  # small, so that a handful of issues spans several pages
    token: str = "test-token"
    account: str = "rayzani-bot"  # the token's user, as GET /user tells it
    scopes: set[str] = field(default_factory=lambda: set(ALL_SCOPES))
    issues: dict[int, FakeIssue] = field(default_factory=dict)
    pulls: dict[int, FakePull] = field(default_factory=dict)
    labels: dict[str, int] = field(default_factory=dict)  # name to id
    requests: list[tuple[str, str]] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()  # the server is threaded: one write at a time
        for name in ("comment", "idea", "vote"):
            self.new_label(name)
        handler = type("Handler", (_Handler,), {"api": self})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.root = f"http://127.0.0.1:{self.server.server_port}"
        self.url = f"{self.root}/api/v1"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeForgejo:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    # What a test sets up and reads ---------------------------------------------------------
    def add(self, issue: FakeIssue) -> FakeIssue:
        for name in issue.labels:
            if name not in self.labels:
                self.new_label(name)
        self.issues[issue.number] = issue
        return issue

    def add_pull(self, pull: FakePull) -> FakePull:
        """A pull request: in Forgejo also an issue of the same number, which takes comments."""
        self.pulls[pull.number] = pull
        self.add(
            FakeIssue(pull.number, pull.title, pull.body, pull.login, pull.created_at, pull_request=True)
        )
        return pull

    def new_label(self, name: str) -> int:
        self.labels[name] = 100 + 7 * len(self.labels)  # ids that are neither names nor positions
        return self.labels[name]

    def replies(self, number: int) -> list[str]:
        return [c["body"] for c in self.issues[number].comments]

    def fail(
        self,
        method: str,
        path: str,
        status: int = 500,
        times: int | None = None,
        retry_after: str | None = None,
    ) -> None:
        """Answer `status` to `method` requests whose path (after /api/v1) matches, `times` times."""
        self.faults.append(Fault(method, re.compile(path), status, times, retry_after))

    def comment(self, number: int, body: str, login: str) -> dict:
        """A comment written on the issue by `login` (another user, or the intake's account)."""
        issue = self.issues[number]
        with self._lock:
            number_ = 9000 + sum(len(i.comments) for i in self.issues.values())
            data = {
                "id": number_,
                "html_url": f"{self.html}/issues/{issue.number}#issuecomment-{number_}",
                "pull_request_url": "",
                "issue_url": f"{self.html}/issues/{issue.number}",
                "user": self.user(login),
                "original_author": "",
                "original_author_id": 0,
                "body": body,
                "assets": [],
                "created_at": "2026-11-23T08:00:00+03:30",
                "updated_at": "2026-11-23T08:00:00+03:30",
            }
            issue.comments.append(data)
        return data

    # JSON in Forgejo's shape ---------------------------------------------------------------
    @property
    def html(self) -> str:
        return f"{self.root}/{self.owner}/{self.name}"

    @property
    def repo_path(self) -> str:
        return f"/repos/{self.owner}/{self.name}"

    def user(self, login: str) -> dict:
        return {
            "id": 1 + sum(map(ord, login)),
            "login": login,
            "login_name": "",
            "full_name": "",
            "email": f"{login}@noreply.forge.example",
            "avatar_url": f"{self.root}/avatars/{login}",
            "html_url": f"{self.root}/{login}",
            "is_admin": False,
            "restricted": False,
        }

    def label_json(self, name: str) -> dict:
        return {
            "id": self.labels[name],
            "name": name,
            "exclusive": False,
            "is_archived": False,
            "color": "ededed",
            "description": "",
            "url": f"{self.url}{self.repo_path}/labels/{self.labels[name]}",
        }

    def issue_json(self, issue: FakeIssue) -> dict:
        html = f"{self.html}/{'pulls' if issue.pull_request else 'issues'}/{issue.number}"
        return {
            "id": 3000 + issue.number,
            "url": f"{self.url}{self.repo_path}/issues/{issue.number}",
            "html_url": html,
            "number": issue.number,
            "user": self.user(issue.login),
            "original_author": "",
            "original_author_id": 0,
            "title": issue.title,
            "body": issue.body,
            "ref": "",
            "assets": [],
            "labels": [self.label_json(name) for name in issue.labels],
            "milestone": None,
            "assignee": None,
            "assignees": None,
            "state": issue.state,
            "is_locked": False,
            "comments": len(issue.comments),
            "created_at": issue.created_at,
            "updated_at": issue.created_at,
            "closed_at": None,
            "due_date": None,
            "pull_request": {"merged": False, "merged_at": None, "draft": False, "html_url": html}
            if issue.pull_request
            else None,
            "repository": {"id": 42, "name": self.name, "owner": self.owner, "full_name": self.repo_full},
            "pin_order": 0,
        }

    @property
    def repo_full(self) -> str:
        return f"{self.owner}/{self.name}"

    def pull_json(self, pull: FakePull) -> dict:
        issue = self.issue_json(self.issues[pull.number])
        branch = {"label": "", "ref": "", "sha": "", "repo_id": 42}
        return {
            **{k: issue[k] for k in ("id", "url", "number", "user", "title", "body", "labels", "state")},
            "html_url": issue["html_url"],
            "diff_url": f"{issue['html_url']}.diff",
            "patch_url": f"{issue['html_url']}.patch",
            "mergeable": True,
            "merged": False,
            "merged_at": None,
            "merge_base": pull.base,
            "base": branch | {"label": "main", "ref": "main", "sha": pull.base},
            "head": branch | {"label": "proposal", "ref": "proposal", "sha": pull.head},
            "created_at": pull.created_at,
            "updated_at": pull.created_at,
        }


SCOPE_OF = (  # (method, path pattern, scope the token needs)
    ("GET", r"/user", "read:user"),
    ("GET", r"/repos/[^/]+/[^/]+/pulls/.*", "read:repository"),
    ("GET", r"/repos/.*", "read:issue"),
    ("POST", r"/repos/.*", "write:issue"),
)


class _Handler(BaseHTTPRequestHandler):
    api: FakeForgejo

    def log_message(self, *args: object) -> None:  # keep test output clean
        pass

    def _send(self, status: int, payload: object, headers: dict[str, str] | None = None) -> None:
        body = payload.encode() if isinstance(payload, str) else json.dumps(payload).encode()
        self.send_response(status)
        kind = "text/plain" if isinstance(payload, str) else "application/json"
        self.send_header("Content-Type", f"{kind}; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def _error(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        self._send(status, {"message": message, "url": f"{self.api.root}/api/swagger"}, headers)

    def _not_found(self) -> None:
        self._send(404, {"errors": ["The target couldn't be found."], "message": "not found", "url": ""})

    def _page(self, items: list[dict], path: str, query: dict[str, list[str]]) -> None:
        size = min(int(query.get("limit", [str(self.api.page_size)])[0]), self.api.page_size)
        page = max(1, int(query.get("page", ["1"])[0]))
        last = max(1, -(-len(items) // size))
        links = []
        params = {k: v[0] for k, v in query.items()}
        if page < last:
            links.append(f'<{self.api.url}{path}?{urlencode(params | {"page": str(page + 1)})}>; rel="next"')
            links.append(f'<{self.api.url}{path}?{urlencode(params | {"page": str(last)})}>; rel="last"')
        headers = {"X-Total-Count": str(len(items))} | ({"Link": ",".join(links)} if links else {})
        self._send(200, items[(page - 1) * size : page * size], headers)

    def _body(self) -> dict:
        length = int(self.headers.get("Content-Length") or 0)
        data = json.loads(self.rfile.read(length) or b"{}")
        return data if isinstance(data, dict) else {}

    def _refused(self, method: str) -> tuple[str, dict[str, list[str]]] | None:
        """Authentication, scopes and injected faults; the path (after /api/v1) and query otherwise."""
        self.api.requests.append((method, self.path))
        url = urlparse(self.path)
        if not url.path.startswith("/api/v1/"):
            self._not_found()
            return None
        path = url.path[len("/api/v1") :]
        with self.api._lock:
            for fault in self.api.faults:
                if fault.method == method and fault.path.fullmatch(path) and fault.times != 0:
                    if fault.times is not None:
                        fault.times -= 1
                    retry = {"Retry-After": fault.retry_after} if fault.retry_after else {}
                    self._error(fault.status, f"injected {fault.status}", retry)
                    return None
        if self.headers.get("Authorization", "") != f"token {self.api.token}":
            self._error(401, "user does not exist [uid: 0, name: ]")
            return None
        needed = next((s for m, p, s in SCOPE_OF if m == method and re.fullmatch(p, path)), None)
        if (
            needed
            and needed not in self.api.scopes
            and needed.replace("read:", "write:") not in self.api.scopes
        ):
            self._error(403, f"token does not have at least one of required scope(s): [{needed}]")
            return None
        return path, parse_qs(url.query)

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        got = self._refused("GET")
        if got is None:
            return
        path, query = got
        base = self.api.repo_path
        if path == "/user":
            return self._send(200, self.api.user(self.api.account))
        if path == f"{base}/labels":
            return self._page([self.api.label_json(n) for n in self.api.labels], path, query)
        if path == f"{base}/issues":
            wanted = set(query.get("labels", [""])[0].split(",")) - {""}
            state = query.get("state", ["open"])[0]
            kind = query.get("type", [""])[0]
            issues = [
                self.api.issue_json(i)
                for i in sorted(self.api.issues.values(), key=lambda i: -i.number)  # newest first
                if (state == "all" or i.state == state)
                and wanted <= set(i.labels)
                and kind in ("", "pulls" if i.pull_request else "issues")
            ]
            return self._page(issues, path, query)
        match = re.fullmatch(rf"{base}/issues/(\d+)(/comments)?", path)
        if match and int(match[1]) in self.api.issues:
            issue = self.api.issues[int(match[1])]
            if match[2]:
                return self._send(200, issue.comments, {"X-Total-Count": str(len(issue.comments))})
            return self._send(200, self.api.issue_json(issue))
        match = re.fullmatch(rf"{base}/pulls/(\d+)(\.diff)?", path)
        if match and int(match[1]) in self.api.pulls:
            pull = self.api.pulls[int(match[1])]
            return self._send(200, pull.diff) if match[2] else self._send(200, self.api.pull_json(pull))
        self._not_found()

    def do_POST(self) -> None:  # noqa: N802
        got = self._refused("POST")
        if got is None:
            return
        path, _ = got
        base = self.api.repo_path
        data = self._body()
        if path == f"{base}/labels":
            name = str(data.get("name") or "")
            if not name or not re.fullmatch(r"#?[0-9a-fA-F]{6}", str(data.get("color") or "")):
                return self._error(422, "Color: invalid color")
            with self.api._lock:
                if name not in self.api.labels:
                    self.api.new_label(name)
            return self._send(201, self.api.label_json(name))
        match = re.fullmatch(rf"{base}/issues/(\d+)/(comments|labels)", path)
        if not match or int(match[1]) not in self.api.issues:
            return self._not_found()
        issue = self.api.issues[int(match[1])]
        if match[2] == "comments":
            if not isinstance(data.get("body"), str):
                return self._error(422, "Body: Required")
            return self._send(201, self.api.comment(issue.number, data["body"], self.api.account))
        by_id = {i: n for n, i in self.api.labels.items()}
        ids = data.get("labels")
        if not isinstance(ids, list) or any(i not in by_id for i in ids):
            return self._error(422, f"label does not exist [id: {ids}]")
        for label_id in ids:
            if by_id[label_id] not in issue.labels:
                issue.labels.append(by_id[label_id])
        self._send(200, [self.api.label_json(n) for n in issue.labels])
