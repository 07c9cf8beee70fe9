"""The Content-Security-Policy a built site passes, for the web server that serves it.

Material writes a few small inline scripts into every page (the colour palette, the hash target,
`__md_scope`, whose text carries the page's depth) and Rayzani's theme adds one; a comment
form's page has `style="..."` attributes. Rather than allow every inline script
(`'unsafe-inline'`, which would let an injected script run), the policy lists the SHA-256 of each
inline script the site holds, and of each style attribute (`'unsafe-hashes'`). JSON data blocks
(`<script type="application/json">`) never run and need no hash. The set changes only when the
theme, Material or `site_url` changes, so it is written again then:

    python -m rayzani.build.csp --site-dir site --form-action https://comments.example.gov.ir \
        > /etc/nginx/snippets/rayzani-csp.conf

`--nginx` (the default) writes the `add_header` line the shipped nginx configuration includes;
`--header` writes the policy alone.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import sys
from html.parser import HTMLParser
from pathlib import Path

# Script types a browser runs; any other type (application/json, text/template) is data.
_RUNNABLE = {"", "text/javascript", "application/javascript", "module"}


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


class _Inline(HTMLParser):
    """Collects the text of runnable inline scripts and the values of style attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.scripts: set[str] = set()
        self.styles: set[str] = set()
        self._open: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if "style" in values:
            self.styles.add(values["style"])
        if tag == "script" and "src" not in values and values.get("type", "").lower() in _RUNNABLE:
            self._open = []

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._open.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._open is not None:
            self.scripts.add("".join(self._open))
            self._open = None


def inline_hashes(site: Path) -> tuple[list[str], list[str]]:
    """(script hashes, style-attribute hashes) of every HTML page under `site`, sorted."""
    scripts: set[str] = set()
    styles: set[str] = set()
    for page in sorted(site.rglob("*.html")):
        parser = _Inline()
        parser.feed(page.read_text(encoding="utf-8"))
        parser.close()
        scripts |= {_sha256(text) for text in parser.scripts}
        styles |= {_sha256(text) for text in parser.styles}
    return sorted(scripts), sorted(styles)


def policy(site: Path, form_actions: list[str]) -> str:
    """The site's policy: its own files only, its inline code by hash, forms to the receiver."""
    scripts, styles = inline_hashes(site)
    style_src = ["'self'"] + (["'unsafe-hashes'", *styles] if styles else [])
    directives = [
        "default-src 'self'",
        "script-src " + " ".join(["'self'", *scripts]),
        "style-src " + " ".join(style_src),
        # Material's icons are inline SVG and data: URLs in its stylesheet.
        "img-src 'self' data:",
        "font-src 'self'",
        # The forms' script fetches its proof-of-work puzzle from the receiver.
        "connect-src " + " ".join(["'self'", *form_actions]),
        "worker-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action " + " ".join(["'self'", *form_actions]),
        "frame-ancestors 'none'",
    ]
    return "; ".join(directives)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rayzani.build.csp", description=__doc__)
    parser.add_argument("--site-dir", type=Path, default=Path("site"), help="the built site")
    parser.add_argument(
        "--form-action",
        action="append",
        default=[],
        metavar="ORIGIN",
        help="where the site's forms post (the receiver's origin, from form_endpoint); repeatable",
    )
    parser.add_argument("--header", action="store_true", help="print the policy alone, not the nginx line")
    args = parser.parse_args(argv)
    if not (args.site_dir / "index.html").is_file():
        print(f"{args.site_dir} holds no built site: run rayzani build first.", file=sys.stderr)
        return 2
    for origin in args.form_action:
        if not origin.startswith("https://") or any(c in origin for c in " ;\"'"):
            print(f"--form-action takes an https origin, not {origin!r}.", file=sys.stderr)
            return 2
    text = policy(args.site_dir, args.form_action)
    if args.header:
        print(text)
    else:
        print(
            "# Written by python -m rayzani.build.csp from the built site: write it again after an upgrade."
        )
        print(f'add_header Content-Security-Policy "{text}" always;')
    return 0


if __name__ == "__main__":
    sys.exit(main())
