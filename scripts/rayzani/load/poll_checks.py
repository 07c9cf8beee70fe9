"""Checks of polls: each vote counts in a call's poll, and each vote issue form offers exactly its options."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rayzani.load.yaml_io import UNREADABLE, read_yaml_or_problem
from rayzani.model import IRAN_TIME, Portal, option_label
from rayzani.problems import Problem
from rayzani.settings import FORM_FOLDERS


def shown_forms_folder(root: Path, forge: str) -> str:
    """The folder (from the root) whose issue forms `forge` shows: the first of its folders that
    holds a form, as the forge itself picks."""
    folders = FORM_FOLDERS.get(forge, FORM_FOLDERS["github"])
    found = (f for f in folders if any(p.stem != "config" for p in (root / f).glob("*.y*ml")))
    return next(found, folders[0])


def read_issue_forms(root: Path, problems: list[Problem], folder_name: str = ".github") -> dict[Path, Any]:
    """The issue forms intake reads (GitHub takes .yml and .yaml), to check them against the content.

    `folder_name` is the forge's folder: `.github`, or `.forgejo` for Forgejo and Gitea.
    """
    folder = root / folder_name / "ISSUE_TEMPLATE"
    forms: dict[Path, Any] = {}
    for path in sorted([*folder.glob("*.yml"), *folder.glob("*.yaml")]):
        if path.stem == "config":
            continue
        data = read_yaml_or_problem(
            path, problems, "fix the YAML syntax; the forge shows no form for a file it cannot read"
        )
        if data is not UNREADABLE:
            forms[path] = data
    return forms


def check_votes(portal: Portal, problems: list[Problem]) -> None:
    """Every vote is on a call with a poll, names one of its options, was recorded once, and says if late."""
    sources = {r.source: r.path for records in portal.submissions.values() for r in records}
    for target, votes in portal.votes.items():
        call = portal.calls.get(target)
        for vote in votes:
            if vote.source in sources:
                problems.append(
                    Problem(
                        vote.path,
                        "source",
                        f"{vote.source!r} is already recorded in {sources[vote.source].name}",
                        "delete the duplicate record",
                    )
                )
            sources.setdefault(vote.source, vote.path)
            if call is None or call.poll is None:
                problems.append(
                    Problem(
                        vote.path,
                        "vote",
                        f"is a vote, but {target!r} is not a call with a poll",
                        "add `poll:` to the call, or move the record to the call that holds the poll",
                    )
                )
            elif call.poll.option(vote.option) is None:
                ids = ", ".join(o.id for o in call.poll.options)
                problems.append(
                    Problem(
                        vote.path,
                        "vote",
                        f"is {vote.option!r}, not an option of the poll",
                        f"use one of: {ids}",
                    )
                )
            # Like a comment: intake marks a vote after the close (an Iranian calendar day), so an
            # unmarked one was written by hand or altered, and the page would not say why it is not counted.
            if (
                call is not None
                and not vote.late
                and vote.received.astimezone(IRAN_TIME).date() > call.window.closes
            ):
                problems.append(
                    Problem(
                        vote.path,
                        "late",
                        f"is missing: the vote arrived after the call closed on {call.window.closes}",
                        "add late: true (it is kept and shown as a late vote, not counted)",
                    )
                )


def check_vote_forms(forms: dict[Path, Any], portal: Portal, problems: list[Problem]) -> dict[str, str]:
    """A vote issue form offers exactly its call's poll options: no ballot is refused for a stale label.

    A vote form is an issue form with a `vote` dropdown; its `call` input names the call by its
    default `value`. The dropdown's options are the poll's `option_label`s, in the poll's order.
    Returns the file name of each call's form, for the site's "vote on GitHub" links.
    """
    served: dict[str, str] = {}
    for path, data in forms.items():
        fields = {
            item.get("id"): item
            for item in (data.get("body") or [] if isinstance(data, dict) else [])
            if isinstance(item, dict)
        }
        vote = fields.get("vote")
        if vote is None:
            continue
        attributes = vote.get("attributes") or {}
        if vote.get("type") != "dropdown" or attributes.get("multiple"):
            problems.append(
                Problem(
                    path,
                    "body.vote",
                    "must be a single-choice dropdown",
                    "write `type: dropdown` without `multiple`",
                )
            )
            continue
        slug = str(((fields.get("call") or {}).get("attributes") or {}).get("value") or "").strip()
        call = portal.calls.get(slug)
        if call is None or call.poll is None:
            polls = ", ".join(c.slug for c in portal.calls.values() if c.poll) or "none"
            problems.append(
                Problem(
                    path,
                    "body.call.attributes.value",
                    f"is {slug!r}, which is not a call with a poll (calls with a poll: {polls})",
                    "set it to the slug of the call whose poll this form votes in, or delete the form",
                )
            )
            continue
        expected = [option_label(o) for o in call.poll.options]
        given = [str(o.get("label") if isinstance(o, dict) else o) for o in attributes.get("options") or []]
        if given != expected:
            problems.append(
                Problem(
                    path,
                    "body.vote.attributes.options",
                    f"do not match the poll of {call.slug!r}",
                    "list exactly these options, in this order: " + "; ".join(f'"{e}"' for e in expected),
                )
            )
            continue
        if call.slug in served:
            # A link can open one form only; two forms for one poll would drift apart.
            problems.append(
                Problem(
                    path,
                    "body.call.attributes.value",
                    f"is {call.slug!r}, whose poll already has the form {served[call.slug]}",
                    "delete one of the two forms",
                )
            )
            continue
        served[call.slug] = path.name
    return served
