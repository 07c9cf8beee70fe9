"""What only a browser shows of a redline: marks styled, screen-reader labels hidden, right to left."""

from __future__ import annotations

import functools
import html
import json
import os
import re
import shutil
import subprocess
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

# The page is read inside a same-origin frame and what the browser computed is written back
# into the probe page, which Chromium's --dump-dom prints once the page has settled.
PROBE = """<!doctype html><html><body>
<iframe id="f" src="/drafts/e-participation/changes/2/" style="width:1400px;height:1000px"></iframe>
<script>
document.getElementById("f").addEventListener("load", () => {
  const d = document.getElementById("f").contentDocument, w = d.defaultView;
  const box = d.querySelector(".rz-redline"), ins = box.querySelector("ins"), del = box.querySelector("del");
  const label = box.querySelector(".rz-sr").getBoundingClientRect();
  const style = (e) => w.getComputedStyle(e);
  document.body.setAttribute("data-probe", JSON.stringify({
    label: [label.width, label.height],
    ins: [style(ins).backgroundColor, style(ins).textDecorationLine],
    del: [style(del).backgroundColor, style(del).textDecorationLine],
    direction: style(box).direction,
    beside: d.querySelector(".rz-led-by").getBoundingClientRect().top
      < d.querySelector(".rz-change__text").getBoundingClientRect().bottom,
    scripts_needed: d.querySelectorAll(".rz-redline script").length,
  }));
});
</script></body></html>"""


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


class _Handler(SimpleHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        if self.path == "/__probe.html":
            body = PROBE.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()

    def log_message(self, *args) -> None:
        pass


def test_redline_marks_are_styled_and_labels_hidden_in_rtl(example_site):
    browser = chromium()
    if browser is None:
        if os.environ.get("RAYZANI_REQUIRE_BROWSER"):
            pytest.fail("Chromium is required (RAYZANI_REQUIRE_BROWSER is set)")
        pytest.skip("no Chromium on this machine")
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Handler, directory=str(example_site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/__probe.html"
        dom = subprocess.run(
            [
                browser,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--virtual-time-budget=10000",
                "--window-size=1500,1100",
                "--dump-dom",
                url,
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        ).stdout
    finally:
        server.shutdown()
    found = re.search(r'data-probe="([^"]*)"', dom)
    assert found, dom[-2000:]
    probe = json.loads(html.unescape(found.group(1)))
    assert probe["label"][0] <= 1 and probe["label"][1] <= 1, "screen-reader labels must not show"
    assert probe["ins"][1] == "underline" and probe["del"][1] == "line-through", "marks not only by colour"
    assert probe["ins"][0] not in ("rgba(0, 0, 0, 0)", "transparent")
    assert probe["del"][0] not in ("rgba(0, 0, 0, 0)", "transparent")
    assert probe["direction"] == "rtl"
    assert probe["beside"], "on a wide screen the comments sit beside the change"
    assert probe["scripts_needed"] == 0
