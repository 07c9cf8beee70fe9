"""Typesetting a PDF fetches nothing outside the site's own theme files.

A report that names an image on another server, or a file of the build machine, is built into
its PDFs: the server records no request, the PDF holds no image, and the theme's font is still
embedded (the one kind of file a PDF may load).
"""

from __future__ import annotations

import http.server
import io
import shutil
import struct
import threading
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import CLOSED_DATE, REPO, Repo, example_config, rayzani
from pypdf import PdfReader

from rayzani.site.files.pdf import font_face_css, html_to_pdf


def png() -> bytes:
    """A valid 1x1 PNG: had it been fetched, the PDF would hold an image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0\xff\0\0"))
        + chunk(b"IEND", b"")
    )


@pytest.fixture
def recorder() -> Iterator[tuple[str, list[str]]]:
    """A local HTTP server that answers every path with an image and records what was asked."""
    asked: list[str] = []
    image = png()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - stdlib name
            asked.append(self.path)
            content_type = "text/css" if self.path.endswith(".css") else "image/png"
            body = b"body { color: red }" if content_type == "text/css" else image
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", asked
    finally:
        server.shutdown()
        server.server_close()


def images_and_fonts(pdf: Path | bytes) -> tuple[int, set[str]]:
    reader = PdfReader(pdf if isinstance(pdf, Path) else io.BytesIO(pdf))
    images, fonts = 0, set()
    for page in reader.pages:
        images += len(page.images)
        for font in (page["/Resources"].get("/Font") or {}).values():
            fonts.add(str(font.get_object().get("/BaseFont")))
    return images, fonts


def outside_file(tmp_path: Path) -> Path:
    """A readable image outside the portal: a file:// reference to it must not be read."""
    secret = tmp_path / "outside" / "secret.png"
    secret.parent.mkdir()
    secret.write_bytes(png())
    return secret


def test_report_pdfs_fetch_no_foreign_image_and_no_local_file(tmp_path, recorder):
    base, asked = recorder
    secret = outside_file(tmp_path)
    repo = Repo(tmp_path / "portal")
    example_config(repo.root)
    shutil.copytree(REPO / "overrides", repo.root / "overrides", dirs_exist_ok=True)
    shutil.copy(REPO / "keys" / "demo-private.key", repo.root / "keys" / "demo-private.key")
    summary = (
        f"Key concerns.\n\n![tracker]({base}/tracker.png)\n\n![local]({secret.as_uri()})\n\n"
        "![passwd](file:///etc/passwd)\n"
    )
    repo.write("content/drafts/sample/report.fa.md", f"---\npublished: 2026-12-05\n---\n{summary}")
    site = tmp_path / "site"
    assert rayzani(["--root", str(repo.root), "build", "--site-dir", str(site), "--date", CLOSED_DATE]) == 0
    pdfs = sorted((site / "data" / "sample").glob("report-*.pdf"))
    assert [p.name for p in pdfs] == ["report-en.pdf", "report-fa.pdf"]
    assert asked == []
    for pdf in pdfs:
        images, fonts = images_and_fonts(pdf)
        assert images == 0, pdf.name
        assert any("Vazirmatn" in f for f in fonts), fonts


def test_html_to_pdf_loads_only_theme_files(tmp_path, recorder):
    base, asked = recorder
    secret = outside_file(tmp_path)
    root = tmp_path / "portal"
    shutil.copytree(REPO / "overrides", root / "overrides", dirs_exist_ok=True)
    html = f"""<!DOCTYPE html><html><head><meta charset="utf-8">
<link rel="stylesheet" href="{base}/linked.css">
<style>{font_face_css(root)}
@import url("{base}/imported.css");
html {{ font-family: "Vazirmatn"; }}
body {{ background: url("{base}/background.png"); }}</style></head>
<body><p>سلام</p><img src="{base}/image.png"><img src="{secret.as_uri()}"><img src="file:///etc/passwd">
<img src="../outside/secret.png"><object data="{base}/object.png"></object></body></html>"""
    pdf = html_to_pdf(html, root)
    assert asked == []
    images, fonts = images_and_fonts(pdf)
    assert images == 0
    assert any("Vazirmatn" in f for f in fonts), fonts
