"""Headless Chromium for tests: Debian's browser driven by Playwright, the site served on localhost."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
ARTIFACTS = REPO / "artifacts" / "screenshots"
# The example's site_url is https://example.github.io/rayzani/: serve it under the same path.
PREFIX = "rayzani"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    """The system Chromium, or skip (fail in CI, where RAYZANI_REQUIRE_BROWSER=1)."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    try:
        import playwright  # noqa: F401
    except ImportError:
        found = None
    if not found:
        message = "Debian's chromium and the playwright package are needed for browser tests"
        if os.environ.get("RAYZANI_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return found


def axe_script() -> str:
    """axe-core from the npm registry, installed by .ci/run into node_modules/."""
    candidates = [os.environ.get("RAYZANI_AXE", ""), str(REPO / "node_modules/axe-core/axe.min.js")]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return Path(candidate).read_text(encoding="utf-8")
    message = "axe-core is missing: run `npm ci` in the repository"
    if os.environ.get("RAYZANI_REQUIRE_BROWSER") == "1":
        pytest.fail(message)
    pytest.skip(message)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass


@contextmanager
def serve(site: Path, port: int = 0) -> Iterator[str]:
    """Serve a built site at http://127.0.0.1:<port>/rayzani/ as GitHub Pages would (on `port`,
    else on any free one)."""
    with tempfile.TemporaryDirectory() as parent:
        (Path(parent) / PREFIX).symlink_to(site, target_is_directory=True)
        handler = functools.partial(_QuietHandler, directory=parent)
        server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}/{PREFIX}/"
        finally:
            server.shutdown()
            server.server_close()


def screenshot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


# mkdocs.yml's site_url: absolute links and the search index use it.
SITE_URL = "https://example.github.io/rayzani/"


def answer_site_url_locally(context, base: str) -> None:  # type: ignore[no-untyped-def]
    """Requests to the portal's own address (site_url) are answered from the local copy at `base`,
    so that a page does everything it does in production without leaving localhost."""

    def from_local_copy(route) -> None:  # type: ignore[no-untyped-def]
        route.fulfill(response=route.fetch(url=route.request.url.replace(SITE_URL, base)))

    context.route(f"{SITE_URL}**", from_local_copy)
