"""The shipped nginx configuration (deploy/nginx/rayzani.conf) serves the built site as a browser needs.

nginx runs here with that file as it is, changed only where this machine differs (ports on the
loopback, the certificate made for the test, the site folder, log paths), and with the CSP
snippet written by `python -m rayzani.build.csp` from the built site. Chromium opens the Persian
and English pages a participant reads and must see no CSP violation and no failed request; the
response headers (CSP, HSTS, Referrer-Policy, nosniff, gzip, cache lifetimes) are read as sent.

Skipped when nginx is missing, unless RAYZANI_REQUIRE_NGINX=1 (.ci/run sets it; .ci/install
installs Debian's nginx).
"""

from __future__ import annotations

import gzip
import http.client
import os
import shutil
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_support import CHROMIUM_ARGS, PREFIX, SITE_URL, chromium_path
from conftest import REPO

CONFIG = REPO / "deploy" / "nginx" / "rayzani.conf"
SITE_NAME = "consult.example.gov.ir"
RECEIVER_NAME = "comments.example.gov.ir"
# Home, draft, discussion, report and statistics, in Persian (at /) and English (at /en/).
PAGES = [
    "",
    "drafts/e-participation/",
    "drafts/e-participation/comments/art-7/",
    "drafts/e-participation/report/",
    "statistics/",
]


def _nginx() -> str:
    found = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if Path(p).is_file()), None)
    if not found:
        message = "nginx is missing: .ci/install installs Debian's nginx"
        if os.environ.get("RAYZANI_REQUIRE_NGINX") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return found


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _certificate(folder: Path) -> None:
    """A self-signed certificate for both names, made for this test."""
    folder.mkdir(parents=True)
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        + ["-keyout", str(folder / "privkey.pem"), "-out", str(folder / "fullchain.pem"), "-days", "2"]
        + ["-subj", f"/CN={SITE_NAME}", "-addext", f"subjectAltName=DNS:{SITE_NAME},DNS:{RECEIVER_NAME}"],
        check=True,
        capture_output=True,
    )


def configured(text: str, values: dict[str, str]) -> str:
    """The shipped file with each machine-specific part replaced; a part that is gone fails the test."""
    for old, new in values.items():
        assert old in text, f"the shipped configuration no longer has {old!r}"
        text = text.replace(old, new)
    return text


class Nginx:
    def __init__(self, root: Path, site: Path) -> None:
        self.root, self.port, self.http_port = root, _free_port(), _free_port()
        served = root / "www"
        served.mkdir()
        (served / PREFIX).symlink_to(site, target_is_directory=True)
        _certificate(root / "tls")
        csp = subprocess.run(
            [sys.executable, "-m", "rayzani.build.csp", "--site-dir", str(site)],
            check=True,
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": str(REPO / "scripts")},
        ).stdout
        (root / "rayzani-csp.conf").write_text(csp, encoding="utf-8")
        (root / "logs").mkdir()
        shipped = configured(
            CONFIG.read_text(encoding="utf-8"),
            {
                "listen 443 ssl http2;": f"listen 127.0.0.1:{self.port} ssl http2;",
                "listen [::]:443 ssl http2;": "",
                "listen 80;": f"listen 127.0.0.1:{self.http_port};",
                "listen [::]:80;": "",
                f"/etc/letsencrypt/live/{SITE_NAME}/": f"{root}/tls/",
                f"/etc/letsencrypt/live/{RECEIVER_NAME}/": f"{root}/tls/",
                "root /srv/rayzani/site;": f"root {served};",
                "/etc/nginx/snippets/rayzani-csp.conf": str(root / "rayzani-csp.conf"),
                "/var/log/nginx/": f"{root}/logs/",
            },
        )
        (root / "rayzani.conf").write_text(shipped, encoding="utf-8")
        temp = {name: root / "temp" / name for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")}
        for folder in temp.values():
            folder.mkdir(parents=True)
        lines = [
            # Workers run as the test's user; as root (CI) they would be nobody, who cannot read
            # the test's temporary folders.
            "user root;" if os.geteuid() == 0 else "",
            f"pid {root}/nginx.pid;",
            f"error_log {root}/logs/error.log warn;",
            "events { worker_connections 256; }",
            "http {",
            "    include /etc/nginx/mime.types;",
            "    default_type application/octet-stream;",
            f"    access_log {root}/logs/access.log;",
            *(f"    {name}_temp_path {folder};" for name, folder in temp.items()),
            f"    include {root}/rayzani.conf;",
            "}",
        ]
        (root / "nginx.conf").write_text("\n".join(lines) + "\n", encoding="utf-8")
        self.command = [_nginx(), "-p", str(root), "-c", str(root / "nginx.conf")]

    def __enter__(self) -> Nginx:
        check = subprocess.run([*self.command, "-t"], capture_output=True, text=True, check=False)
        assert check.returncode == 0, check.stderr
        self.process = subprocess.Popen([*self.command, "-g", "daemon off;"], stderr=subprocess.PIPE)
        for _ in range(200):  # until it listens (bounded), or it stopped
            if self.process.poll() is not None:
                pytest.fail(
                    f"nginx stopped: {self.process.stderr.read().decode() if self.process.stderr else ''}"
                )
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    return self
            time.sleep(0.05)
        pytest.fail("nginx did not listen")

    def __exit__(self, *exc: object) -> None:
        self.process.terminate()
        self.process.wait(timeout=20)

    @property
    def base(self) -> str:
        return f"https://127.0.0.1:{self.port}/{PREFIX}/"

    def get(self, path: str, host: str = SITE_NAME, method: str = "GET", body: bytes | None = None):  # type: ignore[no-untyped-def]
        """One request (TLS unverified: the certificate is the test's own), gzip accepted."""
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        connection = http.client.HTTPSConnection("127.0.0.1", self.port, context=context, timeout=30)
        headers = {"Host": host, "Accept-Encoding": "gzip"}
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        data = response.read()
        connection.close()
        return response, data


@pytest.fixture(scope="module")
def nginx(tmp_path_factory: pytest.TempPathFactory, closed_site: Path) -> Iterator[Nginx]:
    """nginx with the shipped configuration, serving the example after its report was published."""
    with Nginx(tmp_path_factory.mktemp("nginx"), closed_site) as server:
        yield server


@pytest.fixture(scope="module")
def at_site_url(nginx, browser):  # type: ignore[no-untyped-def]
    """Chromium for which the portal's own address (site_url's host) is this nginx: pages are then
    served from the origin they are built for, so 'self' in the policy means what it will mean."""
    host = SITE_URL.split("/")[2]
    rules = f"--host-resolver-rules=MAP {host} 127.0.0.1:{nginx.port}"
    launched = browser.browser_type.launch(executable_path=chromium_path(), args=[*CHROMIUM_ARGS, rules])
    yield launched
    launched.close()


def _asset(site: Path, pattern: str) -> str:
    found = sorted(site.glob(pattern))
    assert found, pattern
    return "/" + PREFIX + "/" + found[0].relative_to(site).as_posix()


def test_pages_are_compressed_and_carry_the_security_headers(nginx, closed_site):
    response, data = nginx.get(f"/{PREFIX}/drafts/e-participation/")
    assert response.status == 200
    headers = {name.lower(): value for name, value in response.getheaders()}
    assert headers["content-encoding"] == "gzip" and b"<html" in gzip.decompress(data)
    assert headers["strict-transport-security"].startswith("max-age=31536000")
    assert headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert headers["x-content-type-options"] == "nosniff"
    policy = headers["content-security-policy"]
    assert (
        "frame-ancestors 'none'" in policy
        and "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    )
    assert "script-src 'self' 'sha256-" in policy
    assert headers["cache-control"] == "public, max-age=300"


@pytest.mark.parametrize(
    ("pattern", "cache"),
    [
        ("assets/stylesheets/main.*.min.css", "public, max-age=31536000, immutable"),
        ("assets/javascripts/bundle.*.min.js", "public, max-age=31536000, immutable"),
        ("assets/stylesheets/rayzani.css", "public, max-age=300"),
        ("data/*/comments.csv", "public, max-age=300"),
        ("data/*/comments.json", "public, max-age=300"),
        ("search/index-fa.json", "public, max-age=300"),  # each language's own index
        ("feeds/en/*.xml", "public, max-age=300"),
        ("sitemap.xml", "public, max-age=300"),
        ("assets/images/favicon.svg", "public, max-age=86400"),
    ],
)
def test_every_text_file_is_compressed_and_kept_as_long_as_it_can_be(nginx, closed_site, pattern, cache):
    response, data = nginx.get(_asset(closed_site, pattern))
    assert response.status == 200
    assert response.getheader("Content-Encoding") == "gzip", pattern
    assert response.getheader("Cache-Control") == cache, pattern
    assert response.getheader("Strict-Transport-Security") and response.getheader("X-Content-Type-Options")
    assert (
        gzip.decompress(data) == (closed_site / _asset(closed_site, pattern)[len(PREFIX) + 2 :]).read_bytes()
    )
    if pattern.endswith(".csv"):
        assert response.getheader("Content-Type").startswith("text/csv")


def test_http_is_sent_to_https_and_the_receiver_refuses_big_bodies_before_proxying(nginx):
    connection = http.client.HTTPConnection("127.0.0.1", nginx.http_port, timeout=30)
    connection.request("GET", f"/{PREFIX}/", headers={"Host": SITE_NAME})
    response = connection.getresponse()
    assert response.status == 301 and response.getheader("Location") == f"https://{SITE_NAME}/{PREFIX}/"
    connection.close()
    response, _ = nginx.get("/submit", host=RECEIVER_NAME, method="POST", body=b"x" * 300_000)
    assert response.status == 413
    response, _ = nginx.get("/anything-else", host=RECEIVER_NAME)
    assert response.status == 404 and response.getheader("Strict-Transport-Security")


def _failed(response) -> bool:  # type: ignore[no-untyped-def]
    """An error answer, except Material's probe for a sitemap beside each `rel=alternate` link
    (the language and feed alternates): the site publishes one sitemap, at its root, and Material
    falls back without it. The site's own sitemap.xml must still be served."""
    probe = response.url.endswith("/sitemap.xml") and response.url != SITE_URL + "sitemap.xml"
    return response.status >= 400 and not (probe and response.status == 404)


@pytest.mark.parametrize("lang", ["fa", "en"])
@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.strip("/") or "home")
def test_pages_load_in_chromium_with_no_csp_violation_and_no_failed_request(at_site_url, lang, page):
    context = at_site_url.new_context(ignore_https_errors=True)
    # Every violation the page reports, from the first script on.
    context.add_init_script(
        "window.__violations = [];"
        "document.addEventListener('securitypolicyviolation', e =>"
        " window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));"
    )
    problems: list[str] = []
    tab = context.new_page()
    tab.on("console", lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None)
    tab.on("requestfailed", lambda r: problems.append(f"failed: {r.url} {r.failure}"))
    tab.on("response", lambda r: problems.append(f"{r.status}: {r.url}") if _failed(r) else None)
    url = SITE_URL + ("en/" if lang == "en" else "") + page
    try:
        response = tab.goto(url, wait_until="networkidle")
        assert response is not None and response.status == 200, url
        assert response.headers["content-security-policy"]
        # Material's scripts ran: the search box and palette are set up by its inline code.
        assert tab.evaluate("typeof window.__md_scope") == "object", "Material's inline script was blocked"
        assert tab.evaluate("document.documentElement.dir") == ("rtl" if lang == "fa" else "ltr")
        tab.locator("body").press("/")  # opens search: its worker and index load under the policy
        tab.wait_for_load_state("networkidle")
        problems += tab.evaluate("window.__violations")
    finally:
        context.close()
    assert problems == [], url
