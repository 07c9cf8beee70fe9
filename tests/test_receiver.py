"""The web-form receiver, served by uvicorn on a loopback port, storing in a real SQLite file."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from pathlib import Path

import pytest
import yaml
from conftest import BUILD_DATE, Repo, rayzani
from receiver_support import Served, comment, free_port, open_portal, serve, site_origin

from rayzani.load.config import load_settings
from rayzani.receive.store import SQLiteStore
from rayzani.security.sealing import read_private_key, unseal
from rayzani.security.secrets import EXAMPLE_SITE_URL

TOKEN = "0123456789abcdef0123456789abcdef"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    port = free_port()
    repo = open_portal(Repo(tmp_path_factory.mktemp("receiver") / "portal"), port)
    running = serve(repo.root, str(repo.root / "receiver.sqlite"), port, rate_limit=0)
    yield repo, running
    running.stop()


def rows(db: str) -> list[tuple]:
    with sqlite3.connect(db) as connection:
        return connection.execute("SELECT id, reference, token, state, fields FROM received").fetchall()


def test_a_persian_comment_is_sealed_stored_and_answered_with_a_persian_receipt(served):
    repo, receiver = served
    sent = comment(
        "لطفاً ماده یک را روشن‌تر کنید. شماره من ۰۹۱۲۳۴۵۶۷۸۹ است.",
        token=TOKEN + "01", age_band="30-44", gender="female", province="sistan-baluchestan",
        contact="secret.person@example.org",
    )  # fmt: skip
    answer = receiver.post(sent)
    receipt = receiver.receipt(answer)
    assert receipt.status == 200 and '<html lang="fa" dir="rtl">' in receipt.text
    reference = re.search(r'id="reference" dir="ltr">([۰-۹]{4}-[۰-۹]{4})<', receipt.text)
    assert reference, receipt.text
    # A Jalali date in Persian digits (Azar, Dey, ... with a year of the 1400s).
    assert re.search(r'id="received"[^>]*>[۰-۹]+ [^<]+ ۱۴[۰-۹]{2}<', receipt.text)
    landing = r'id="landing" href="https://[^"]+/drafts/sample/comments/art-1/#c-web-\d{4}-\d{4}"'
    assert re.search(landing, receipt.text)
    assert 'id="redacted"' in receipt.text  # the phone number was taken out of the text
    assert receipt.headers["content-security-policy"].startswith("default-src 'none'")
    # Nothing personal reaches the database in clear, nor the phone number in the text.
    data = b"".join(p.read_bytes() for p in Path(receiver.db).parent.glob("receiver.sqlite*"))
    for secret in ("secret.person", "sistan-baluchestan", "female", "30-44", "09123456789", "۰۹۱۲۳۴۵۶۷۸۹"):
        assert secret.encode() not in data, secret
    (row,) = [r for r in rows(receiver.db) if r[2] == TOKEN + "01"]
    assert "[redacted phone]" in row[4] and '"sealed": "' in row[4]


def test_an_english_form_gets_an_english_receipt_with_a_gregorian_date(served):
    _, receiver = served
    receipt = receiver.receipt(receiver.post(comment("Please define the terms in article 2.", lang="en",
                                                     article="art-2"), token=TOKEN + "02"))  # fmt: skip
    assert '<html lang="en" dir="ltr">' in receipt.text
    assert re.search(r'id="reference" dir="ltr">\d{4}-\d{4}<', receipt.text)
    assert re.search(r'id="received"[^>]*>\d{1,2} [A-Z][a-z]+ 20\d\d<', receipt.text)
    assert re.search(r'href="https://[^"]+/en/drafts/sample/comments/art-2/#c-web-', receipt.text)


def test_a_resent_post_is_received_once(served):
    _, receiver = served
    before = len(rows(receiver.db))
    # With the script's token: a double click and a browser's retry are one submission...
    first = receiver.post(comment("یک نظر که دو بار فرستاده شد.", token=TOKEN + "03"))
    again = receiver.post(comment("یک نظر که دو بار فرستاده شد.", token=TOKEN + "03"))
    assert first.status == again.status == 303 and first.headers["location"] == again.headers["location"]
    # ...but the same form sent back with an edited text is a new comment, never a lost one.
    edited = receiver.post(comment("یک نظر که دو بار فرستاده شد، با اصلاح.", token=TOKEN + "03"))
    assert edited.headers["location"] != first.headers["location"]
    # Without JavaScript: the same text on the same article within the window is one submission.
    plain = [receiver.post(comment("نظری بدون اسکریپت.")) for _ in range(3)]
    assert len({p.headers["location"] for p in plain}) == 1
    elsewhere = receiver.post(comment("نظری بدون اسکریپت.", article="art-2"))
    assert elsewhere.headers["location"] != plain[0].headers["location"]
    assert len(rows(receiver.db)) == before + 4


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"article": "art-99"}, "art-99"),
        ({"comment": "   \u200b  "}, None),
        ({"comment": "ب" * 20_001}, None),
        ({"draft": "no-such-draft"}, "no-such-draft"),
    ],
    ids=["unknown-article", "empty", "too-long", "unknown-draft"],
)
def test_a_refused_comment_comes_back_with_the_reason_and_the_text_kept(served, fields, reason):
    _, receiver = served
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)> "quoted" & </textarea>'
    sent = comment(f"متن من {hostile}", display_name="<b>name</b>", publish_name="yes") | fields
    before = len(rows(receiver.db))
    answer = receiver.post(sent)
    assert answer.status == 422 and '<html lang="fa" dir="rtl">' in answer.text
    assert 'id="reason"' in answer.text and (reason is None or reason in answer.text)
    for raw in ("<script>alert", "<img src=x", "<b>name"):
        assert raw not in answer.text
    kept = re.search(r'<textarea id="f-comment"[^>]*>(.*?)</textarea>', answer.text, re.S).group(1)
    if "comment" not in fields:
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in kept and "&lt;/textarea&gt;" in kept
    else:
        assert kept.replace("&#34;", '"') == fields["comment"]
    assert 'value="&lt;b&gt;name&lt;/b&gt;"' in answer.text
    assert 'name="publish_name" value="yes" checked' in answer.text
    assert re.search(r'name="token" value="[A-Za-z0-9_-]{16,}"', answer.text)  # the form sent again is one
    assert len(rows(receiver.db)) == before


def test_an_english_refusal_is_in_english(served):
    _, receiver = served
    answer = receiver.post(comment("", lang="en"))
    assert answer.status == 422 and '<html lang="en" dir="ltr">' in answer.text
    assert "Your comment was not recorded" in answer.text


def test_foreign_origins_oversize_bodies_and_other_encodings_are_refused(served):
    _, receiver = served
    before = len(rows(receiver.db))
    assert receiver.post(comment(), origin="https://evil.example").status == 403
    assert receiver.post(comment(), origin="null").status == 403
    assert receiver.post(comment(), origin=False).status == 403  # neither Origin nor Referer
    assert receiver.post(comment("از ارجاع‌دهنده"), origin=False,
                         Referer=f"{site_origin()}/drafts/sample/comment/").status == 303  # fmt: skip
    assert receiver.post(comment("x" * 300_000)).status == 413
    raw = {"Origin": site_origin(), "Content-Type": "application/x-www-form-urlencoded"}
    assert receiver.request("POST", "/submit", b"comment=%ff%fe&draft=sample", raw).status == 400
    multipart = raw | {"Content-Type": "multipart/form-data; boundary=x"}
    assert receiver.request("POST", "/submit", b"--x--", multipart).status == 400
    # CORS stays closed: no preflight is answered and no Access-Control header is ever sent.
    preflight = receiver.request("OPTIONS", "/submit", headers={"Origin": "https://evil.example",
                                                                "Access-Control-Request-Method": "POST"})
    assert preflight.status == 405 and not any(k.startswith("access-control") for k in preflight.headers)
    assert receiver.request("GET", "/receipt/" + "0" * 32).status == 404
    assert receiver.request("GET", "/receipt/../../etc/passwd").status == 404
    assert len(rows(receiver.db)) == before + 1
    assert receiver.request("GET", "/healthz").text == "ok\n"


def test_the_honeypot_refuses_a_robot_and_keeps_the_text(served):
    _, receiver = served
    answer = receiver.post(comment("متن یک ربات", website="http://spam.example"))
    assert answer.status == 422 and "متن یک ربات" in answer.text


def test_the_rate_limit_counts_per_client_and_reads_the_proxy_only_when_trusted(tmp_path):
    port = free_port()
    repo = open_portal(Repo(tmp_path / "portal"), port)
    receiver = serve(repo.root, str(tmp_path / "r.sqlite"), port, rate_limit=3)
    try:
        answers = [receiver.post(comment(f"نظر {n}"), X_Forwarded_For=f"10.0.0.{n}") for n in range(4)]
        assert [a.status for a in answers] == [303, 303, 303, 429]  # the header is not believed
        assert answers[3].headers["retry-after"] == "60" and "نظر 3" in answers[3].text
    finally:
        receiver.stop()
    port = free_port()
    repo.edit("mkdocs.yml", str(receiver.port), str(port))
    receiver = serve(repo.root, str(tmp_path / "r.sqlite"), port, rate_limit=3, trust_proxy=True)
    try:
        first = [receiver.post(comment(f"نظر الف {n}"), X_Forwarded_For=f"1.1.1.1, 10.0.0.{n % 2}")
                 for n in range(4)]  # fmt: skip
        assert [a.status for a in first] == [303, 303, 303, 303]  # two clients, two each
        assert receiver.post(comment("نظر ب"), X_Forwarded_For="10.0.0.0").status == 303
        assert receiver.post(comment("نظر پ"), X_Forwarded_For="10.0.0.0").status == 429
    finally:
        receiver.stop()


def test_drained_comments_become_records_once_even_after_a_crash_and_show_their_reference(
    tmp_path, monkeypatch, capsys
):
    port = free_port()
    repo = open_portal(Repo(tmp_path / "portal"), port)
    db = str(tmp_path / "receiver.sqlite")
    receiver = serve(repo.root, db, port)
    try:
        receipts = [
            receiver.receipt(receiver.post(comment(f"نظر شماره {n} برای ماده {n}.", article=f"art-{n}",
                                                   token=f"{TOKEN}{n:02d}", province="fars")))
            for n in (1, 2)
        ]  # fmt: skip
    finally:
        receiver.stop()
    references = [re.search(r'id="reference" dir="ltr">([^<]+)<', r.text).group(1) for r in receipts]

    # A drain killed between writing the first record and marking it drained...
    marked = SQLiteStore.mark

    def crash(self, sid, state, record_id):  # type: ignore[no-untyped-def]
        raise KeyboardInterrupt("killed")

    monkeypatch.setattr(SQLiteStore, "mark", crash)
    with pytest.raises(KeyboardInterrupt):
        rayzani(["--root", str(repo.root), "intake", "receiver", "--db", db])
    assert len(list((repo.root / "submissions" / "sample").glob("web-*.yml"))) == 1
    # ...is run again: the record written is found (its source), nothing is written twice.
    monkeypatch.setattr(SQLiteStore, "mark", marked)
    capsys.readouterr()
    assert rayzani(["--root", str(repo.root), "intake", "receiver", "--db", db]) == 0
    assert "1 new, 1 duplicate" in capsys.readouterr().out
    assert rayzani(["--root", str(repo.root), "intake", "receiver", "--db", db]) == 0
    assert "0 new, 0 duplicate" in capsys.readouterr().out
    records = sorted((repo.root / "submissions" / "sample").glob("web-*.yml"))
    assert len(records) == 2
    (first,) = [r for r in (yaml.safe_load(p.read_text(encoding="utf-8")) for p in records)
                if r["section"] == "art-1"]  # fmt: skip
    digits = str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789")
    assert {yaml.safe_load(p.read_text(encoding="utf-8"))["reference"] for p in records} == {
        r.translate(digits) for r in references
    }
    assert first["channel"] == "form" and first["source"].startswith("form:web:")
    settings, _ = load_settings(repo.root / "mkdocs.yml")
    assert unseal(first["sealed"], read_private_key(repo.root, settings)).province == "fars"
    assert {s for (_, _, _, s, _) in rows(db)} == {"drained"}

    # The built site shows the comment, with its reference, on its article's page.
    site = tmp_path / "site"
    assert rayzani(["--root", str(repo.root), "build", "--site-dir", str(site), "--date", BUILD_DATE]) == 0
    html = (site / "drafts" / "sample" / "comments" / "art-1" / "index.html").read_text(encoding="utf-8")
    card = html[html.index(f'id="c-{first["id"]}"'):]
    card = card[: card.index("</article>")]
    assert "نظر شماره 1 برای ماده 1." in card and f"شماره پیگیری <bdi>{references[0]}</bdi>" in card


def test_rayzani_serve_points_the_form_at_its_own_receiver_and_links_the_local_pages(tmp_path):
    from rayzani.build.serve import start_receiver, watch

    repo = open_portal(Repo(tmp_path / "portal"), None)
    receiver_addr = f"127.0.0.1:{free_port()}"
    observer, handler = watch(repo.root, dt.date.today(), f"http://{receiver_addr}/submit")
    observer.stop()
    form = (repo.root / "build" / "docs" / "drafts" / "sample" / "comment" / "index.fa.md").read_text("utf-8")
    assert f'action="http://{receiver_addr}/submit"' in form and 'name="token"' in form
    running = start_receiver(repo.root, "127.0.0.1:8000", receiver_addr, str(tmp_path / "local.sqlite"))
    try:
        local = Served(running, str(tmp_path / "local.sqlite"), running.port)
        receipt = local.receipt(local.post(comment("از سایت محلی"), origin="http://127.0.0.1:8000"))
        path = EXAMPLE_SITE_URL.split("://", 1)[1].split("/", 1)[1]
        assert f'href="http://127.0.0.1:8000/{path}drafts/sample/comments/art-1/#c-web-' in receipt.text
    finally:
        running.stop()


def test_a_record_lost_after_its_drain_is_written_again_by_the_next_one(served, capsys):
    # A drain on a throwaway runner wrote the record, marked it drained, and its push failed:
    # the next drain, on a checkout without that record, writes it again (never twice).
    repo, receiver = served
    answer = receiver.post(comment("نظری که بار نخست به مخزن نرسید.", article="art-2"))
    reference = re.search(r'id="reference" dir="ltr">([^<]+)<', receiver.receipt(answer).text)
    assert answer.status == 303 and reference
    drain = ["--root", str(repo.root), "intake", "receiver", "--db", receiver.db]
    assert rayzani(drain) == 0
    (written,) = [p for p in (repo.root / "submissions" / "sample").glob("web-*.yml")
                  if "بار نخست به مخزن" in p.read_text(encoding="utf-8")]  # fmt: skip
    kept = written.read_text(encoding="utf-8")
    written.unlink()
    capsys.readouterr()
    assert rayzani(drain) == 0
    assert "1 new" in capsys.readouterr().out
    assert written.read_text(encoding="utf-8") == kept
    assert rayzani(drain) == 0
    assert "0 new, 0 duplicate" in capsys.readouterr().out


def test_concurrent_posts_write_nothing_into_submissions_before_the_drain(served):
    # The receiver checks each post with the one writer in worker threads: a check must never
    # write a record, however the threads interleave (a shared "checking" flag once let it).
    from concurrent.futures import ThreadPoolExecutor

    repo, receiver = served
    folder = repo.root / "submissions" / "sample"
    before = set(folder.glob("*.yml"))
    private = {"age_band": "30-44", "gender": "female", "province": "fars", "contact": "a@example.org"}
    text = "نظر هم‌زمان شماره {n} درباره این ماده، با چند جمله برای اندازه‌ای واقعی. " * 20
    forms = [comment(text.format(n=n), token=f"{n:032x}", **private) for n in range(300)]
    with ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(lambda f: receiver.post(f, solve=False), forms))
    refused = [re.findall(r'id="reason">([^<]*)', a.text) for a in answers if a.status != 303]
    assert not refused, refused[:3]
    assert set(folder.glob("*.yml")) == before
