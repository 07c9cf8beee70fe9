"""Polls: one vote per participant, late and duplicate votes shown as not counted, vote records checked."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from conftest import CLOSED_DATE, REPO, today
from html_query import element

from rayzani.project import load_project


def page(site: Path, url: str) -> str:
    return (site / url / "index.html").read_text(encoding="utf-8")


def expected_counts(day) -> tuple[Counter, int, int]:
    """Count the example's vote records by hand: first vote per person within the period."""
    portal = load_project(REPO, day).portal
    call = portal.calls["e-participation"]
    counted, seen, late, duplicates = Counter(), set(), 0, 0
    for vote in sorted(portal.votes["e-participation"], key=lambda v: v.received):
        if vote.received.date() > day:
            continue  # not yet cast on that day
        if vote.received.date() > call.window.closes:
            late += 1
        elif vote.author.id in seen:
            duplicates += 1
        else:
            seen.add(vote.author.id)
            counted[vote.option] += 1
    return counted, late, duplicates


def rows(html: str) -> dict[str, int]:
    _, table = element(html, "poll-results")
    return {name: int(n) for name, n in re.findall(r"(Two weeks|Thirty days|Forty-five days) (\d+)", table)}


def test_a_polls_results_count_one_vote_per_participant(example_site):
    counted, late, duplicates = expected_counts(today())
    assert duplicates == 1 and late == 0  # the example has one participant who voted twice by this date
    html = page(example_site, "en/calls/e-participation/poll")
    assert rows(html) == {"Two weeks": counted["two-weeks"], "Thirty days": counted["thirty-days"],
                          "Forty-five days": counted["forty-five-days"]}  # fmt: skip
    total = sum(counted.values())
    _, table = element(html, "poll-results")
    assert f"Total {total}" in table
    share = round(100 * counted["thirty-days"] / total)
    assert re.search(rf"Thirty days {counted['thirty-days']} {share}%", table)
    _, rejected = element(html, "poll-rejected")
    assert "Votes not counted (1)" in rejected and "1 duplicate" in rejected
    _, link = element(page(example_site, "en/calls/e-participation"), "poll-link")
    assert f"({total} votes counted)" in link
    attrs, _ = element(page(example_site, "en/drafts/e-participation"), "poll-link")
    assert attrs["href"] == "../../calls/e-participation/poll/"
    # The Persian page says the same in Persian digits.
    _, fa_table = element(page(example_site, "calls/e-participation/poll"), "poll-results")
    assert f"جمع {'۰۱۲۳۴۵۶۷۸۹'[total]}" in fa_table


def test_late_votes_are_shown_as_not_counted_after_the_period(closed_site):
    import datetime as dt

    counted, late, duplicates = expected_counts(dt.date.fromisoformat(CLOSED_DATE))
    assert late == 1
    html = page(closed_site, "en/calls/e-participation/poll")
    assert sum(rows(html).values()) == sum(counted.values())
    _, rejected = element(html, "poll-rejected")
    assert f"Votes not counted ({late + duplicates})" in rejected and "1 late" in rejected


POLL = """\
poll:
  question: {question}
  options:
    - {{id: agree, name: {yes}}}
    - {{id: disagree, name: {no}}}
"""

VOTE = """\
id: {id}
target: sample
vote: {option}
received: 2026-11-06T10:00:00+03:30
channel: form
source: form:{id}
author: {author}
"""


def with_poll(repo, en_no: str = "disagree") -> None:
    repo.edit(
        "content/calls/sample.fa.md",
        "channels:",
        POLL.format(question="آری یا نه؟", yes="آری", no="نه") + "channels:",
    )
    en = POLL.format(question="Agree?", yes="Agree", no="Disagree").replace("id: disagree,", f"id: {en_no},")
    repo.edit("content/calls/sample.en.md", "channels:", en + "channels:")


def problems(repo) -> list[str]:
    return [p.format(repo.root) for p in load_project(repo.root, today()).problems]


def test_a_valid_vote_is_counted_and_not_taken_for_a_comment(repo):
    with_poll(repo)
    repo.write(
        "submissions/sample/v1.yml",
        VOTE.format(id="v1", option="agree", author="{id: form:p1, type: individual}"),
    )
    assert problems(repo) == []
    portal = load_project(repo.root, today()).portal
    assert [v.id for v in portal.votes["sample"]] == ["v1"]
    assert [r.id for r in portal.comments_on("sample")] == ["c1"]


@pytest.mark.parametrize(
    ("option", "author", "en_no", "expected"),
    [
        (
            "maybe",
            "{id: form:p1, type: individual}",
            "disagree",
            "v1.yml: vote: is 'maybe', not an option of the poll",
        ),
        ("agree", "{type: individual}", "disagree", "v1.yml: author.id: is missing on a vote"),
        (
            "agree",
            "{id: form:p1, type: individual}",
            "nah",
            "sample.en.md: poll.options: do not have the same ids",
        ),
    ],
)
def test_vote_rules_name_the_file_and_field(repo, option, author, en_no, expected):
    with_poll(repo, en_no)
    repo.write("submissions/sample/v1.yml", VOTE.format(id="v1", option=option, author=author))
    found = problems(repo)
    assert any(expected in line for line in found), found


def test_a_vote_on_a_call_without_a_poll_is_a_problem(repo):
    repo.write(
        "submissions/sample/v1.yml",
        VOTE.format(id="v1", option="agree", author="{id: form:p1, type: individual}"),
    )
    found = problems(repo)
    assert any("v1.yml: vote: is a vote, but 'sample' is not a call with a poll" in line for line in found), (
        found
    )


def test_a_vote_recorded_twice_or_not_yet_cast_is_still_checked(repo):
    with_poll(repo)
    author = "{id: form:p1, type: individual}"
    repo.write("submissions/sample/v1.yml", VOTE.format(id="v1", option="agree", author=author))
    second = VOTE.format(id="v2", option="agree", author=author).replace("source: form:v2", "source: form:v1")
    repo.write("submissions/sample/v2.yml", second.replace("2026-11-06", "2026-11-29"))
    found = problems(repo)
    assert any("v2.yml: source: 'form:v1' is already recorded in v1.yml" in line for line in found), found


def test_a_vote_after_the_close_must_be_marked_late_like_a_comment(repo):
    with_poll(repo)
    author = "{id: form:p1, type: individual}"
    # The sample call closes 2026-12-01; 00:30 on the 2nd in Iran is still the 1st in UTC.
    late = VOTE.format(id="v1", option="agree", author=author).replace(
        "2026-11-06T10:00:00+03:30", "2026-12-01T21:30:00+00:00"
    )
    repo.write("submissions/sample/v1.yml", late)
    found = problems(repo)
    assert any("v1.yml: late: is missing: the vote arrived after the call closed on 2026-12-01" in line
               for line in found), found  # fmt: skip
    repo.write("submissions/sample/v1.yml", late + "late: true\n")
    assert problems(repo) == []
    # The last day itself, in Iran time, is within the period.
    on_time = late.replace("2026-12-01T21:30:00+00:00", "2026-12-01T23:59:00+03:30")
    repo.write("submissions/sample/v1.yml", on_time)
    assert problems(repo) == []


def test_a_held_vote_is_kept_and_counted_only_once_an_editor_publishes_it(repo):
    from rayzani.analysis.polls import tally

    with_poll(repo)
    for n, option in ((1, "agree"), (2, "disagree")):
        repo.write(
            f"submissions/sample/v{n}.yml",
            VOTE.format(id=f"v{n}", option=option, author=f"{{id: form:p{n}, type: individual}}"),
        )
    path = repo.root / "submissions/sample/v2.yml"
    path.write_text(path.read_text(encoding="utf-8") + "publication: {state: held, reason: unverified}\n")
    assert problems(repo) == []
    portal = load_project(repo.root, today()).portal
    counted = tally(portal.calls["sample"], portal.votes["sample"])
    assert (counted.counts["agree"], counted.counts["disagree"], counted.rejected["held"]) == (1, 0, 1)
    path.write_text(path.read_text(encoding="utf-8").replace("state: held", "state: bogus"))
    assert any("v2.yml: publication.state" in p for p in problems(repo))
