"""What the Forgejo workflows ask of a Forgejo or Gitea forge besides intake: a records pull request
(opened once per branch) and a reply on a pull request.

GitHub's workflows do this with the `gh` command; a Forgejo runner has no such tool, so this
module speaks the forge's REST API (`/api/v1`) with the standard library. Every value (title,
body, branch) goes into the JSON request body, never into a shell. A write is sent once: a
failure is reported and the next run of the workflow tries again (it finds the pull request
if the first one was in fact opened).

    python -m rayzani.intake.forge_pulls open --api-url URL --repo OWNER/NAME --head BRANCH \
        [--base main] --title TEXT --body TEXT
    python -m rayzani.intake.forge_pulls comment --api-url URL --repo OWNER/NAME --number N \
        --body-file FILE

The token is read from `FORGEJO_TOKEN`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TIMEOUT = 30.0  # seconds for one request
PAGE = 50  # Gitea's default maximum page size
MAX_PAGES = 200  # a bound: 10,000 open pull requests is far more than a portal has


class ForgeError(Exception):
    """The forge refused or failed a request; the message says which and with what status."""


@dataclass(frozen=True)
class Forge:
    api_url: str  # https://forge.example/api/v1
    repo: str  # owner/name
    token: str

    def _request(self, method: str, path: str, payload: dict[str, Any] | None = None) -> Any:
        return self._exchange(method, path, payload)[0]

    def _exchange(self, method: str, path: str, payload: dict[str, Any] | None = None) -> tuple[Any, Any]:
        """(the parsed answer, its headers)."""
        owner, name = self.repo.split("/", 1)
        quoted = f"{urllib.parse.quote(owner, safe='')}/{urllib.parse.quote(name, safe='')}"
        url = f"{self.api_url.rstrip('/')}/repos/{quoted}{path}"
        data = json.dumps(payload).encode("utf-8") if payload is not None else None
        request = urllib.request.Request(url, data=data, method=method)
        request.add_header("Authorization", f"token {self.token}")
        request.add_header("Accept", "application/json")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
                body, headers = response.read(), response.headers
        except urllib.error.HTTPError as error:
            detail = _message(error.read())
            raise ForgeError(f"{method} {path}: {error.code} {detail}".strip()) from None
        except (urllib.error.URLError, TimeoutError) as error:
            raise ForgeError(f"{method} {path}: {error}") from None
        return (json.loads(body) if body else None), headers

    def open_pulls(self) -> Iterator[dict[str, Any]]:
        """Every open pull request, page by page (`page` and `limit`). The server may cap a page
        below `limit` (its MAX_RESPONSE_ITEMS), so a short page is not the last: the end is an
        empty page, or X-Total-Count items seen."""
        seen = 0
        for page in range(1, MAX_PAGES + 1):
            batch, headers = self._exchange("GET", f"/pulls?state=open&page={page}&limit={PAGE}")
            if not batch:
                return
            yield from batch
            seen += len(batch)
            total = headers.get("X-Total-Count", "")
            if total.isdigit() and seen >= int(total):
                return

    def pull_for(self, head: str) -> dict[str, Any] | None:
        """The open pull request from this repository's branch `head`, if there is one."""
        for pull in self.open_pulls():
            source = pull.get("head") or {}
            same_repo = ((source.get("repo") or {}).get("full_name") or self.repo) == self.repo
            if source.get("ref") == head and same_repo:
                return pull
        return None

    def open_pull(self, head: str, base: str, title: str, body: str) -> tuple[dict[str, Any], bool]:
        """The pull request from `head` into `base`, opened unless one is open; (it, opened now)."""
        found = self.pull_for(head)
        if found is not None:
            return found, False
        payload = {"head": head, "base": base, "title": title, "body": body}
        return self._request("POST", "/pulls", payload), True

    def comment(self, number: int, body: str) -> dict[str, Any]:
        """Reply on issue or pull request `number` (a pull request is an issue in this API)."""
        return self._request("POST", f"/issues/{number}/comments", {"body": body})


def _message(body: bytes) -> str:
    """The forge's own error message (`{"message": ...}`), else nothing: never the request."""
    try:
        parsed = json.loads(body)
    except ValueError:
        return ""
    return str(parsed.get("message", "")) if isinstance(parsed, dict) else ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rayzani.intake.forge_pulls", description=__doc__)
    parser.add_argument("step", choices=["open", "comment"])
    parser.add_argument("--api-url", required=True, help="the forge's REST API, e.g. https://forge/api/v1")
    parser.add_argument("--repo", required=True, help="OWNER/NAME")
    parser.add_argument("--head", help="open: the branch holding the records")
    parser.add_argument("--base", default="main", help="open: the branch to merge into")
    parser.add_argument("--title", help="open: the pull request's title")
    parser.add_argument("--body", default="", help="open: the pull request's description")
    parser.add_argument("--number", type=int, help="comment: the pull request's number")
    parser.add_argument("--body-file", type=Path, help="comment: the reply, as Markdown")
    args = parser.parse_args(argv)
    token = os.environ.get("FORGEJO_TOKEN", "")
    if not token or "/" not in args.repo:
        print("Set FORGEJO_TOKEN and pass --repo OWNER/NAME.", file=sys.stderr)
        return 2
    forge = Forge(args.api_url, args.repo, token)
    try:
        if args.step == "open":
            if not args.head or not args.title:
                parser.error("open needs --head and --title")
            pull, opened = forge.open_pull(args.head, args.base, args.title, args.body)
            state = "Opened" if opened else "Already open:"
            print(f"{state} pull request #{pull.get('number')} from {args.head}.")
            return 0
        if args.number is None or args.body_file is None:
            parser.error("comment needs --number and --body-file")
        forge.comment(args.number, args.body_file.read_text(encoding="utf-8"))
        print(f"Replied on #{args.number}.")
        return 0
    except ForgeError as error:
        print(f"The forge refused: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
