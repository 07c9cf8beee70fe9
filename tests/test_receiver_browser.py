"""A comment sent from the real form page in Chromium, with JavaScript on and off, in both languages:
the receiver's receipt, then the drain and a build, then the comment's card on its article's page.

The portal is served on loopback at its own `site_url` (a portal of its own, not the example: its
keys and secrets are made fresh), so the Origin Chromium sends is the one the receiver allows.
"""

from __future__ import annotations

import re
import secrets
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from browser_support import PREFIX, serve
from conftest import BUILD_DATE, Repo, rayzani
from receiver_support import Served, free_port, open_portal
from receiver_support import serve as serve_receiver

from rayzani.load.config import load_settings
from rayzani.security.sealing import PrivateKey, generate_keys, read_private_key, unseal
from rayzani.security.secrets import EXAMPLE_SITE_URL

PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
TIMEOUT_MS = 30_000


@dataclass
class Portal:
    repo: Repo
    site: Path
    base: str  # the site_url, served on loopback
    receiver: Served

    def build(self) -> None:
        argv = ["--root", str(self.repo.root), "build", "--site-dir", str(self.site), "--date", BUILD_DATE]
        assert rayzani(argv) == 0

    def drain(self) -> None:
        assert rayzani(["--root", str(self.repo.root), "intake", "receiver", "--db", self.receiver.db]) == 0


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    folder = tmp_path_factory.mktemp("receiver-browser")
    receiver_port, site_port = free_port(), free_port()
    repo = open_portal(Repo(folder / "portal"), receiver_port)
    base = f"http://127.0.0.1:{site_port}/{PREFIX}/"
    repo.edit("mkdocs.yml", f"site_url: {EXAMPLE_SITE_URL}", f"site_url: {base}")
    # Not the example's address: its published demo key and secrets would not validate here.
    public, private = generate_keys()
    (repo.root / "keys" / "portal.pub").write_text(public + "\n")
    (repo.root / "keys" / "demo-private.key").write_text(private + "\n")
    (repo.root / "keys" / "demo-id-secret.txt").write_text(secrets.token_hex(32) + "\n")
    portal = Portal(repo, folder / "site", base, None)  # type: ignore[arg-type]
    portal.build()
    with serve(portal.site, site_port) as served_at:
        assert served_at == base
        db = str(folder / "receiver.sqlite")
        portal.receiver = serve_receiver(repo.root, db, receiver_port, rate_limit=0)
        try:
            yield portal
        finally:
            portal.receiver.stop()


CASES = {
    # id: (language, JavaScript on, article, comment)
    "fa-js": ("fa", True, "art-1", "با اسکریپت: لطفاً «ذی‌نفع» را در ماده یک تعریف کنید."),
    "fa-no-js": ("fa", False, "art-2", "بدون اسکریپت: مهلت ماده دو کوتاه است."),
    "en-js": ("en", True, "art-2", "With script: article 2 should name who is responsible."),
    "en-no-js": ("en", False, "art-1", "Without script: please define the terms of article 1."),
}


def fill(page, text: str, name: str) -> None:  # type: ignore[no-untyped-def]
    page.fill("#f-comment", text)
    page.select_option("#f-type", "individual")
    page.fill("#f-name", name)
    page.check('input[name="publish_name"]')
    page.select_option("#f-age", "30-44")
    page.select_option("#f-province", "sistan-baluchestan")
    page.fill("#f-contact", "someone@example.org")


def submit(page, form: str, text: str, name: str) -> str:  # type: ignore[no-untyped-def]
    """Open the form page, fill it as a participant would, send it: the token it sent."""
    page.goto(form)
    fill(page, text, name)
    token = page.input_value('input[name="token"]')
    with page.expect_navigation(url=re.compile(r"/receipt/[0-9a-f]{32}$"), timeout=TIMEOUT_MS):
        page.click('#comment-form button[type="submit"]')
    return token


@pytest.mark.parametrize("case", list(CASES))
def test_a_comment_sent_from_the_form_page_gets_a_receipt_and_appears_with_its_reference(
    browser, portal, case
):
    lang, javascript, article, text = CASES[case]
    name = f"Participant {case}"
    prefix = "" if lang == "fa" else "en/"
    form = f"{portal.base}{prefix}drafts/sample/comment/{article}/"
    context = browser.new_context(java_script_enabled=javascript, locale="fa-IR" if lang == "fa" else "en-GB")
    try:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        token = submit(page, form, text, name)
        # The form's script sets a fresh token; without JavaScript the field stays empty.
        assert re.fullmatch(r"[0-9a-f]{32}", token) if javascript else token == "", token

        html = page.locator("html")
        assert (html.get_attribute("lang"), html.get_attribute("dir")) == (
            ("fa", "rtl") if lang == "fa" else ("en", "ltr")
        )
        shown = page.locator("#reference").inner_text().strip()
        digits = "[۰-۹]" if lang == "fa" else "[0-9]"
        assert re.fullmatch(f"{digits}{{4}}-{digits}{{4}}", shown), shown
        reference = shown.translate(str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789"))
        receipt = page.url
        landing = page.locator("#landing").get_attribute("href")
        assert landing == f"{portal.base}{prefix}drafts/sample/comments/{article}/#c-web-{reference}"

        # With JavaScript the form solved the receiver's proof of work; without, it is held.
        assert page.locator("#held").count() == (0 if javascript else 1)
        with sqlite3.connect(portal.receiver.db) as connection:
            (stored,) = connection.execute(
                "SELECT token FROM received WHERE reference = ?", (reference,)
            ).fetchall()
        if javascript:
            assert stored == (token,)  # the token is what makes a resent form one submission
        else:
            # Documented: without JavaScript (no token) the same text on the same article within
            # the window is one submission, so the form sent again gets the same receipt.
            assert stored == (None,)
            submit(page, form, text, name)
            assert page.url == receipt
            assert page.locator("#reference").inner_text().strip() == shown

        portal.drain()
        record_path = portal.repo.root / "submissions" / "sample" / f"web-{reference}.yml"
        record = yaml.safe_load(record_path.read_text(encoding="utf-8"))
        assert (record["reference"], record["section"], record["language"]) == (reference, article, lang)
        settings, _ = load_settings(portal.repo.root / "mkdocs.yml")
        key = read_private_key(portal.repo.root, settings)
        assert isinstance(key, PrivateKey)
        private = unseal(record["sealed"], key)
        assert (private.age_band, private.province, private.contact) == (
            "30-44", "sistan-baluchestan", "someone@example.org",
        )  # fmt: skip
        if not javascript:
            same = list(record_path.parent.glob("web-*.yml"))
            assert [p for p in same if text in p.read_text(encoding="utf-8")] == [record_path]
            assert record["publication"] == {"state": "held", "reason": "unverified"}
            portal.build()
            page.goto(landing)
            held = page.locator(f"article.rz-comment#c-web-{reference}")
            assert text not in held.inner_text() and name not in held.inner_text()
            assert held.locator(".rz-withheld").count() == 1
            # An editor checks it and publishes it (in the records pull request).
            content = record_path.read_text(encoding="utf-8")
            record_path.write_text(content.replace("state: held", "state: published").replace(
                "  reason: unverified\n", ""), encoding="utf-8")
        else:
            assert "publication" not in record
        portal.build()

        # The receipt's link leads to the article's page, where the card carries the reference.
        page.goto(landing)
        page.reload()  # the browser may keep the page as it was before the rebuild
        card = page.locator(f"article.rz-comment#c-web-{reference}")
        assert card.count() == 1
        assert card.locator(".rz-comment__body").inner_text().strip() == text
        assert card.locator(".rz-author").inner_text().strip() == name
        label = (
            f"شماره پیگیری {reference.translate(PERSIAN_DIGITS)}"
            if lang == "fa"
            else f"Reference {reference}"
        )
        assert label in card.inner_text()
        # The number reads as on the receipt, first group first (left), even inside Persian text,
        # where the bidi algorithm would otherwise swap the groups around the hyphen.
        shown_number = reference.translate(PERSIAN_DIGITS) if lang == "fa" else reference
        left_first = card.locator(".rz-reference").evaluate(
            """(el, number) => {
                 const walk = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
                 for (let t = walk.nextNode(); t; t = walk.nextNode()) {
                   const at = t.data.indexOf(number);
                   if (at < 0) continue;
                   const r = document.createRange();
                   r.setStart(t, at); r.setEnd(t, at + 4); const first = r.getBoundingClientRect().left;
                   r.setStart(t, at + 5); r.setEnd(t, at + 9);
                   return first < r.getBoundingClientRect().left;
                 }
                 return null; }""",
            shown_number,
        )
        assert left_first is True, card.locator(".rz-reference").inner_text()
    finally:
        context.close()
