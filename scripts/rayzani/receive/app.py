"""The receiver's web application (Starlette): `POST /submit`, the receipt, `GET /healthz`.

A posted form is checked exactly as intake checks a form export's row (`form_incoming`, then
`RecordWriter.check`: normalisation, limits, redaction, target and period, late marking), its
personal fields are sealed to the portal's public key, and the submission is committed to the
store before the participant gets the `303` to the receipt. Nothing typed is lost: a refusal
answers in the form's language with the reason and the text in the form again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import re
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from rayzani import urls
from rayzani.cache.store import Cache
from rayzani.intake.form_export import FIELDS, form_incoming
from rayzani.intake.receiver import FORM, receiver_incoming, stored_fields
from rayzani.intake.records import RecordWriter
from rayzani.intake.replies import rejection_text
from rayzani.load.config import read_mkdocs_config
from rayzani.model import IRAN_TIME, Portal
from rayzani.problems import Problem
from rayzani.project import load_project
from rayzani.receive import MAX_BODY, RATE_LIMIT
from rayzani.receive.challenge import Challenges
from rayzani.receive.pages import LANGS, notice_page, receipt_page, refused_page, say
from rayzani.receive.store import ReferenceTaken, Store, Stored, new_reference
from rayzani.settings import Settings

log = logging.getLogger("rayzani.receive")

RELOAD_EVERY = 10.0  # seconds between looks at whether the portal's content changed
HONEYPOT = "website"
PROOF = "altcha"  # the proof-of-work solution the form's script adds
EXTRA = ("lang", "token", HONEYPOT, PROOF)
_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")
_SUBMISSION_ID = re.compile(r"[0-9a-f]{32}")
HEADERS = {
    # The receiver's pages load nothing and may be framed by nobody; forms post back to it only.
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


class PortalInvalid(RuntimeError):
    def __init__(self, problems: list[Problem], root: Path):
        self.problems = problems
        super().__init__("\n".join(p.format(root) for p in problems))


@dataclass
class Options:
    rate_limit: int = RATE_LIMIT
    trust_proxy: bool = False
    max_body: int = MAX_BODY
    allow_origins: tuple[str, ...] = ()
    site_url: str | None = None  # instead of mkdocs.yml's (`rayzani serve`: the local pages)
    challenges: Challenges = field(default_factory=Challenges.from_environment)


def origin(url: str) -> str:
    parts = urlsplit(url.strip())
    return f"{parts.scheme}://{parts.netloc}".lower() if parts.scheme and parts.netloc else ""


@dataclass
class Loaded:
    settings: Settings
    portal: Portal
    writer: RecordWriter
    site_url: str


def load(root: Path, site_url: str | None = None, cache: Cache | None = None) -> Loaded:
    """The portal as intake sees it (it must validate: a comment is checked against it).

    `cache` is the store the receiver keeps for its life, so that a reload after a change
    parses only the records that changed.
    """
    project = load_project(root, cache=cache)
    if project.problems:
        raise PortalInvalid(project.problems, root)
    configured = str(read_mkdocs_config(project.config).get("site_url") or "")
    url = site_url if site_url is not None else configured
    writer = RecordWriter(root, project.settings, project.portal, url)
    writer.public_key  # noqa: B018 (read now: a receiver that cannot seal must not start)
    return Loaded(project.settings, project.portal, writer, writer.site_url)


def _signature(root: Path) -> tuple:
    """Changes when the content, the records or the settings change (a folder's time changes
    when a file in it is added, removed or replaced)."""
    found: list[tuple[str, int]] = []
    for folder in ("content", "submissions"):
        for path, _, _ in os.walk(root / folder):
            found.append((path, os.stat(path).st_mtime_ns))
    config = root / "mkdocs.yml"
    return (config.stat().st_mtime_ns if config.exists() else 0, tuple(sorted(found)))


class PortalState:
    """The portal, read again when its files change (drafts open, articles change)."""

    def __init__(self, root: Path, site_url: str | None):
        self.root, self.site_url = root, site_url
        self._lock = threading.Lock()
        self._signature = _signature(root)
        self.cache = Cache.for_checkout(root)  # one store for the receiver's life
        self.loaded = load(root, site_url, self.cache)
        self._checked = time.monotonic()

    def current(self) -> Loaded:
        with self._lock:
            if time.monotonic() - self._checked >= RELOAD_EVERY:
                self._checked = time.monotonic()
                signature = _signature(self.root)
                if signature != self._signature:
                    try:
                        self.loaded = load(self.root, self.site_url, self.cache)
                        self._signature = signature
                    except PortalInvalid as invalid:
                        # Keep receiving against the portal as it last validated.
                        log.warning("portal does not validate; still using the earlier one (%d problems)",
                                    len(invalid.problems))  # fmt: skip
            return self.loaded


class RateLimit:
    """At most `per_minute` submissions per client address in any 60 seconds (0: no limit)."""

    def __init__(self, per_minute: int):
        self.per_minute = per_minute
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, client: str) -> bool:
        if self.per_minute <= 0:
            return True
        now = time.monotonic()
        with self._lock:
            if len(self._seen) > 50_000:  # forget addresses quiet for a minute
                self._seen = {k: q for k, q in self._seen.items() if q and q[-1] > now - 60}
            times = self._seen.setdefault(client, deque())
            while times and times[0] <= now - 60:
                times.popleft()
            if len(times) >= self.per_minute:
                return False
            times.append(now)
            return True


@dataclass
class Refused:
    reason: str  # plain text is escaped by the page; interface text comes as Markup
    status: int = 422


def content_key(fields: dict) -> str:
    """What makes two deliveries the same submission: what was said, where, by whom (a pid)."""
    said = [fields.get(k) for k in ("target", "section", "domain", "vote", "body", "author_id")]
    return hashlib.sha256(json.dumps(said, ensure_ascii=False).encode()).hexdigest()


@dataclass
class Receiver:
    state: PortalState
    store: Store
    options: Options = field(default_factory=Options)

    def __post_init__(self) -> None:
        self.limit = RateLimit(self.options.rate_limit)
        loaded = self.state.loaded
        self.allowed = {origin(loaded.site_url), origin(loaded.settings.form_endpoint)}
        self.allowed |= {origin(o) for o in self.options.allow_origins}
        self.allowed.discard("")

    def client(self, request: Request) -> str:
        if self.options.trust_proxy:
            # The proxy appends the address it saw: the last entry is the one nobody could forge.
            forwarded = request.headers.get("x-forwarded-for", "").split(",")[-1].strip()
            if forwarded:
                return forwarded
        return request.client.host if request.client else ""

    def same_site(self, request: Request) -> bool:
        sent = request.headers.get("origin")
        if sent and sent != "null":
            return sent.lower() in self.allowed
        referer = request.headers.get("referer")
        return referer is not None and origin(referer) in self.allowed

    def accept(self, posted: dict[str, str], lang: str) -> Stored | Refused:
        """Check, seal and store one posted form (in a worker thread: the store blocks)."""
        loaded = self.state.current()
        sent = posted.get("token", "")
        token = sent if _TOKEN.fullmatch(sent) else None
        proof = self.options.challenges.verify(posted.get(PROOF, ""))
        for _ in range(10):
            sid, reference = secrets.token_hex(16), new_reference()
            received = dt.datetime.now(IRAN_TIME)
            incoming = form_incoming(lambda name: posted.get(name, "").strip(), sid, FORM, received)
            outcome = loaded.writer.check(receiver_incoming(incoming, sid, reference))
            if outcome.status != "accepted" or outcome.record is None:
                rejection = outcome.rejection
                return Refused(rejection_text(rejection, lang) if rejection else say("receiver_failed", lang))
            fields = {**stored_fields(outcome), "held": proof is None}
            item = Stored(
                sid, reference, received, lang, token, content_key(fields), fields,
                loaded.writer.landing(outcome.record), proof=proof,
            )  # fmt: skip
            try:
                return self.store.add(item)[0]
            except ReferenceTaken:
                continue
        raise RuntimeError("no free reference number")

    def back(self, posted: dict[str, str], lang: str) -> str:
        loaded = self.state.loaded
        slug = posted.get("draft", "")
        kind = loaded.portal.kind_of(slug)
        if kind == "draft":
            return urls.absolute(loaded.site_url, urls.draft_key(slug), lang)
        if kind == "call":
            return urls.absolute(loaded.site_url, urls.vote_form_key(slug), lang)
        return urls.absolute(loaded.site_url, urls.home_key(), lang)


def _html(text: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(text, status, headers=HEADERS)


def _language(request: Request) -> str:
    return "en" if "/en/" in request.headers.get("referer", "") else "fa"


async def _body(request: Request, limit: int) -> bytes | None:
    declared = request.headers.get("content-length", "")
    if declared and (not declared.isdigit() or int(declared) > limit):
        return None
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _parse(body: bytes) -> dict[str, str]:
    """The form's fields (the first value of each; others ignored), or ValueError."""
    text = body.decode("utf-8")
    pairs = parse_qsl(text, keep_blank_values=True, max_num_fields=100, errors="strict")
    posted: dict[str, str] = {}
    for name, value in pairs:
        if (name in FIELDS or name in EXTRA) and name not in posted:
            posted[name] = value
    return posted


def application(receiver: Receiver) -> Starlette:
    async def submit(request: Request) -> Response:
        lang = _language(request)
        if not receiver.same_site(request):
            return _html(notice_page(lang, "receiver_foreign"), 403)
        body = await _body(request, receiver.options.max_body)
        if body is None:
            return _html(notice_page(lang, "receiver_too_large"), 413)
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        try:
            if kind != "application/x-www-form-urlencoded":
                raise ValueError(kind)
            posted = _parse(body)
        except ValueError:  # UnicodeDecodeError is one
            return _html(notice_page(lang, "receiver_bad_form"), 400)
        chosen = posted.get("lang")
        lang = chosen if isinstance(chosen, str) and chosen in LANGS else lang
        back = receiver.back(posted, lang)
        if not receiver.limit.allow(receiver.client(request)):
            return _refused(Refused(say("receiver_rate_limited", lang), 429), posted, lang, back)
        if posted.get(HONEYPOT):
            return _refused(Refused(say("receiver_honeypot", lang)), posted, lang, back)
        try:
            result = await run_in_threadpool(receiver.accept, posted, lang)
        except Exception as error:  # noqa: BLE001 - answered, and logged without what was posted
            where = error.__traceback__
            while where and where.tb_next:
                where = where.tb_next
            line = f"{where.tb_frame.f_code.co_filename}:{where.tb_lineno}" if where else "?"
            log.error("submission not stored: %s at %s", type(error).__name__, line)
            return _html(notice_page(lang, "receiver_failed", back), 503)
        if isinstance(result, Refused):
            return _refused(result, posted, lang, back)
        return RedirectResponse(f"receipt/{result.id}", 303, headers=HEADERS)

    def _refused(refused: Refused, posted: dict[str, str], lang: str, back: str) -> Response:
        draft = receiver.state.loaded.portal.drafts.get(posted.get("draft", ""))
        page = refused_page(lang, refused.reason, posted, draft, secrets.token_urlsafe(18), back)
        response = _html(page, refused.status)
        if refused.status == 429:
            response.headers["Retry-After"] = "60"
        return response

    async def receipt(request: Request) -> Response:
        sid = request.path_params["sid"]
        stored = await run_in_threadpool(receiver.store.get, sid) if _SUBMISSION_ID.fullmatch(sid) else None
        if stored is None:
            return _html(notice_page(_language(request), "receiver_not_found"), 404)
        return _html(receipt_page(stored, receiver.state.loaded.site_url))

    async def challenge(request: Request) -> Response:
        # Read by the site's script from the portal's pages: open to them (and only them), and
        # never cached, since each puzzle is spent once.
        headers = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff", "Vary": "Origin"}
        sent = request.headers.get("origin", "").lower()
        if sent in receiver.allowed:
            headers["Access-Control-Allow-Origin"] = sent
        return JSONResponse(receiver.options.challenges.issue(), headers=headers)

    async def healthz(request: Request) -> Response:
        try:
            alive = await run_in_threadpool(receiver.store.alive)
        except Exception as error:  # noqa: BLE001
            log.error("store not reachable: %s", type(error).__name__)
            alive = False
        return PlainTextResponse("ok\n" if alive else "store unavailable\n", 200 if alive else 503)

    return Starlette(
        routes=[
            Route("/submit", submit, methods=["POST"]),
            Route("/receipt/{sid}", receipt, methods=["GET"]),
            Route("/challenge", challenge, methods=["GET"]),
            Route("/healthz", healthz, methods=["GET"]),
        ]
    )


class Running:
    """A receiver served by uvicorn in a thread (`rayzani serve`, and the tests)."""

    def __init__(self, app: Starlette, host: str, port: int):
        import uvicorn

        self.server = uvicorn.Server(server_config(app, host, port))
        self.thread = threading.Thread(target=self.server.run, name="rayzani-receiver", daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the receiver did not start on {host}:{port}")
            time.sleep(0.02)

    @property
    def port(self) -> int:
        return self.server.servers[0].sockets[0].getsockname()[1]

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)


def server_config(app: Starlette, host: str, port: int):  # noqa: ANN201 (uvicorn imported late)
    import uvicorn

    return uvicorn.Config(
        app,
        host=host,
        port=port,
        proxy_headers=False,  # X-Forwarded-For is read by the receiver, only with --trust-proxy
        server_header=False,
        log_level="info",
        access_log=True,  # method, path and status only: a form's fields are in the body
        limit_concurrency=200,
        timeout_keep_alive=5,
        h11_max_incomplete_event_size=16 * 1024,
        lifespan="off",
    )
