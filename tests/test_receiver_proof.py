"""The receiver's proof of work: where JavaScript runs, a solved puzzle; without, held for an editor."""

from __future__ import annotations

import base64
import json
import sqlite3

import pytest
import yaml
from conftest import Repo, rayzani
from receiver_support import comment, free_port, open_portal, serve, site_origin


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    port = free_port()
    repo = open_portal(Repo(tmp_path_factory.mktemp("proof") / "portal"), port)
    running = serve(repo.root, str(repo.root / "receiver.sqlite"), port, rate_limit=0)
    yield repo, running
    running.stop()


def held(db: str, location: str) -> bool:
    sid = location.rsplit("/", 1)[-1]
    with sqlite3.connect(db) as connection:
        (fields,) = connection.execute("SELECT fields FROM received WHERE id = ?", (sid,)).fetchone()
    return bool(json.loads(fields)["held"])


def test_the_puzzle_is_offered_to_the_portals_pages_only(served):
    _, receiver = served
    own = receiver.request("GET", "/challenge", headers={"Origin": site_origin()})
    puzzle = json.loads(own.text)
    assert own.headers["access-control-allow-origin"] == site_origin()
    assert own.headers["cache-control"] == "no-store"
    assert puzzle["algorithm"] == "SHA-256" and 0 < puzzle["maxNumber"] <= 100_000
    assert "expires=" in puzzle["salt"]
    foreign = receiver.request("GET", "/challenge", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in foreign.headers


def test_a_solved_form_is_received_as_it_is_and_an_unsolved_one_is_held(served):
    _, receiver = served
    solved = receiver.post(comment("نظری با مرورگری که اسکریپت دارد."))
    unsolved = receiver.post(comment("نظری از مرورگری بی اسکریپت."), solve=False)
    assert solved.status == unsolved.status == 303
    assert not held(receiver.db, solved.headers["location"])
    assert held(receiver.db, unsolved.headers["location"])
    # The participant is told, in the form's language, why it waits for an editor.
    assert "id=\"held\"" in receiver.receipt(unsolved).text
    assert "id=\"held\"" not in receiver.receipt(solved).text


def test_a_forged_an_expired_or_a_replayed_solution_is_held(served):
    _, receiver = served
    proof = receiver.solution()
    first = receiver.post(comment("نخستین نظر با این راه‌حل.", altcha=proof))
    replayed = receiver.post(comment("نظر دیگری با همان راه‌حل.", altcha=proof))
    assert not held(receiver.db, first.headers["location"])
    assert held(receiver.db, replayed.headers["location"])

    solved = json.loads(base64.b64decode(receiver.solution()))
    wrong = base64.b64encode(json.dumps({**solved, "number": solved["number"] + 1}).encode()).decode()
    forged = receiver.post(comment("نظری با عدد نادرست.", altcha=wrong))
    assert held(receiver.db, forged.headers["location"])
    for junk in ("not base64!", base64.b64encode(b"[1, 2]").decode(), "x" * 5000):
        answer = receiver.post(comment(f"نظری با راه‌حل بی‌معنا {len(junk)}.", altcha=junk))
        assert answer.status == 303 and held(receiver.db, answer.headers["location"])


def test_a_refusal_does_not_spend_the_solution_and_the_form_carries_it_again(served):
    _, receiver = served
    proof = receiver.solution()
    refused = receiver.post(comment("", altcha=proof))
    assert refused.status == 422
    assert f'name="altcha" value="{proof}"' in refused.text
    corrected = receiver.post(comment("نظر پس از اصلاح.", altcha=proof))
    assert not held(receiver.db, corrected.headers["location"])


def test_a_held_comment_is_recorded_held_and_the_portal_still_validates(served):
    repo, receiver = served
    answer = receiver.post(comment("نظری که ویراستار بررسی می‌کند.", article="art-2"), solve=False)
    assert answer.status == 303
    assert rayzani(["--root", str(repo.root), "intake", "receiver", "--db", receiver.db]) == 0
    (path,) = [p for p in (repo.root / "submissions" / "sample").glob("web-*.yml")
               if "ویراستار بررسی" in p.read_text(encoding="utf-8")]  # fmt: skip
    record = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert record["publication"] == {"state": "held", "reason": "unverified"}
    assert rayzani(["--root", str(repo.root), "validate"]) == 0
