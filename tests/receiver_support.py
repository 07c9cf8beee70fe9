"""A small portal open for comment today, the receiver on a loopback port, and plain HTTP to it."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import http.client
import json
import re
import shutil
import socket
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from conftest import REPO, Repo, example_config

from rayzani.receive.app import Options, PortalState, Receiver, Running, application
from rayzani.receive.store import open_store
from rayzani.security.secrets import EXAMPLE_SITE_URL

DATED = ("content/drafts/sample/index.fa.md", "content/calls/sample.fa.md", "content/calls/sample.en.md")


def site_origin() -> str:
    scheme, rest = EXAMPLE_SITE_URL.split("://", 1)
    return f"{scheme}://{rest.split('/', 1)[0]}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def open_portal(repo: Repo, port: int | None) -> Repo:
    """The sample draft open today (the real day: the receiver stamps the real time), with the
    demo private key for the test to open the sealed boxes, and the form posting to `port`."""
    today = dt.datetime.now(dt.timezone(dt.timedelta(hours=3, minutes=30))).date()
    opens = min(dt.date(2026, 11, 1), today - dt.timedelta(days=10))
    closes = today + dt.timedelta(days=25)
    for path in DATED:
        repo.edit(path, "opens: 2026-11-01\ncloses: 2026-12-01", f"opens: {opens}\ncloses: {closes}")
    # The example's settings and theme (a build of this portal is read in the tests).
    example_config(repo.root)
    shutil.copytree(REPO / "overrides", repo.root / "overrides", dirs_exist_ok=True)
    shutil.copy(REPO / "keys" / "demo-private.key", repo.root / "keys" / "demo-private.key")
    if port is not None:  # else, as the example, none (`rayzani serve` gives its own)
        repo.edit("mkdocs.yml", 'form_endpoint: ""', f'form_endpoint: "http://127.0.0.1:{port}/submit"')
    return repo


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    text: str


@dataclass
class Served:
    """A receiver running on a loopback port."""

    running: Running
    db: str
    port: int

    def request(self, method: str, path: str, body: bytes = b"", headers: dict | None = None) -> Answer:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, text)
        finally:
            connection.close()

    def solution(self) -> str:
        """What the site's form script sends: a puzzle from GET /challenge, solved."""
        answer = self.request("GET", "/challenge", headers={"Origin": site_origin()})
        assert answer.status == 200, answer
        return solve(json.loads(answer.text))

    def post(
        self, fields: dict[str, str], origin: str | None = None, solve: bool = True, **headers: str
    ) -> Answer:
        """Post a form; as with JavaScript on (a solved proof of work) unless `solve=False`."""
        if solve and "altcha" not in fields:
            fields = {**fields, "altcha": self.solution()}
        sent = {"Content-Type": "application/x-www-form-urlencoded"}
        if origin is not False:
            sent["Origin"] = origin or site_origin()
        sent.update({k.replace("_", "-"): v for k, v in headers.items()})
        return self.request("POST", "/submit", urlencode(fields).encode(), sent)

    def receipt(self, answer: Answer) -> Answer:
        assert answer.status == 303, (answer.status, answer.text[:500])
        location = answer.headers["location"]
        assert re.fullmatch(r"receipt/[0-9a-f]{32}", location), location
        return self.request("GET", f"/{location}")

    def stop(self) -> None:
        self.running.stop()


def solve(puzzle: dict) -> str:
    """Solve an ALTCHA puzzle as the site's script does: the number whose SHA-256 with the salt
    is the challenge."""
    for number in range(puzzle["maxNumber"] + 1):
        if hashlib.sha256(f"{puzzle['salt']}{number}".encode()).hexdigest() == puzzle["challenge"]:
            found = {k: puzzle[k] for k in ("algorithm", "challenge", "salt", "signature")}
            return base64.b64encode(json.dumps({**found, "number": number}).encode()).decode()
    raise AssertionError("no solution")


def serve(root: Path, db: str, port: int, **options) -> Served:  # noqa: ANN003
    receiver = Receiver(PortalState(root, None), open_store(db), Options(**options))
    return Served(Running(application(receiver), "127.0.0.1", port), db, port)


def comment(text: str = "نظر آزمایشی درباره ماده یک.", **fields: str) -> dict[str, str]:
    base = {
        "draft": "sample",
        "lang": "fa",
        "article": "art-1",
        "comment": text,
        "respondent_type": "individual",
        "display_name": "",
        "organisation": "",
        "interest": "",
        "age_band": "",
        "gender": "",
        "province": "",
        "contact": "",
        "token": "",
        "website": "",
    }
    return base | fields
