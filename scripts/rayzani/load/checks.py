"""Checks across files: what records, versions and decisions refer to exists and fits."""

from __future__ import annotations

import re
from pathlib import Path

from rayzani.i18n.text import to_ascii_digits
from rayzani.model import DECISION_STATUSES, IDEA_STATUSES, IRAN_TIME, Portal, Submission
from rayzani.problems import Problem


def check_references(portal: Portal, problems: list[Problem]) -> None:
    for call in portal.calls.values():
        if call.slug in portal.drafts and call.draft != call.slug:
            problems.append(
                Problem(
                    call.path,
                    "file name",
                    f"{call.slug!r} is also a draft's slug, so comments filed under it would be ambiguous",
                    "rename the call, or make it the consultation call of that draft",
                )
            )
        if call.draft and call.draft not in portal.drafts:
            problems.append(
                Problem(
                    call.path,
                    "draft",
                    f"names {call.draft!r}, which is not a draft under content/drafts/",
                    "fix the slug or add the draft",
                )
            )
    for target, records in portal.submissions.items():
        draft, target_call = portal.drafts.get(target), portal.calls.get(target)
        if draft is None and target_call is None:
            for record in records:
                problems.append(
                    Problem(
                        record.path,
                        "target",
                        f"{target!r} is neither a draft nor a call",
                        "move the record under the folder of an existing draft or call",
                    )
                )
            continue
        sources: dict[str, Path] = {}
        for record in records:
            if draft and record.version and draft.version_named(record.version) is None:
                problems.append(
                    Problem(
                        record.path,
                        "version",
                        f"{record.version!r} is not a version of draft {target!r}",
                        f"use one of: {', '.join(v.label for v in draft.history())}, or remove it",
                    )
                )
            window = draft.window if draft else target_call.window  # type: ignore[union-attr]
            # Comment periods are Iranian calendar days, as intake counts them.
            if not record.late and record.received.astimezone(IRAN_TIME).date() > window.closes:
                problems.append(
                    Problem(
                        record.path,
                        "late",
                        f"is missing: the comment arrived after the period closed on {window.closes}",
                        "add late: true (it is kept and shown as late)",
                    )
                )
            version = draft.version_of(record) if draft else None
            if record.version and version and version.published > record.received.date():
                problems.append(
                    Problem(
                        record.path,
                        "version",
                        f"is {record.version!r}, published {version.published}, after the comment arrived",
                        "name the version that was current when the comment arrived, or remove version",
                    )
                )
            if record.section and (version is None or record.section not in version.anchors()):
                problems.append(
                    Problem(
                        record.path,
                        "section",
                        f"{record.section!r} is not an anchor of draft {target!r}"
                        + (
                            f" in version {version.label}"
                            if version and draft and len(draft.history()) > 1
                            else ""
                        ),
                        "use an anchor shown on the draft page (art-N or art-N-cK) or remove section",
                    )
                )
            if record.domain and (target_call is None or target_call.domain(record.domain) is None):
                problems.append(
                    Problem(
                        record.path,
                        "domain",
                        f"{record.domain!r} is not a domain of call {target!r}",
                        "use one of the call's domain ids",
                    )
                )
            if record.source in sources:
                problems.append(
                    Problem(
                        record.path,
                        "source",
                        f"{record.source!r} is already recorded in {sources[record.source].name}",
                        "delete the duplicate record",
                    )
                )
            sources.setdefault(record.source, record.path)


def check_changes(portal: Portal, problems: list[Problem]) -> None:
    """A version's `changes` cite articles it has (or removed) and comments made before it."""
    for draft in portal.drafts.values():
        records = {r.id: r for r in portal.comments_on(draft.slug)}
        history = draft.history()
        for index, version in enumerate(history):
            previous = history[index - 1] if index else None
            for change in version.changes:
                if change.anchor not in version.anchors() | (previous.anchors() if previous else set()):
                    problems.append(
                        Problem(
                            version.path,
                            "changes",
                            f"names {change.anchor!r}, which is not an article of version {version.label} "
                            "nor of the version before it",
                            "use the anchor of the changed (or removed) article, e.g. art-3",
                        )
                    )
                for record_id in change.comments:
                    record = records.get(record_id)
                    if record is None:
                        problems.append(
                            Problem(
                                version.path,
                                "changes",
                                f"cites {record_id!r}, which is not a record under submissions/{draft.slug}/",
                                "cite the id of an existing comment on this draft",
                            )
                        )
                    elif history.index(draft.version_of(record)) >= index:
                        problems.append(
                            Problem(
                                version.path,
                                "changes",
                                f"cites {record_id!r}, which was made on version "
                                f"{draft.version_of(record).label}, not on an earlier one",
                                "cite only comments made on an earlier version",
                            )
                        )


_TITLE = re.compile(r"^[^—–:]*[—–:]\s*")


def _words(text: str) -> set[str]:
    return set(to_ascii_digits(text).split())


def check_anchor_reuse(portal: Portal, problems: list[Problem]) -> None:
    """An anchor that names another article in the next version: renumbered without a pin.

    Comments point to anchors, so when article 6 becomes article 5 its heading must keep
    `{#art-6}`; otherwise the comments on the old article 5 would be shown under other text.
    Flagged only when both the title and most of the words changed.
    """
    for draft in portal.drafts.values():
        history = draft.history()
        for old, new in zip(history, history[1:], strict=False):
            before = {a.anchor: a for a in old.articles}
            for article in new.articles:
                was = before.get(article.anchor)
                if was is None or _TITLE.sub("", was.heading) == _TITLE.sub("", article.heading):
                    continue
                a, b = _words(was.body), _words(article.body)
                if len(a & b) < 0.25 * min(len(a), len(b)):
                    problems.append(
                        Problem(
                            new.path,
                            f"anchor {article.anchor}",
                            f"names «{article.heading}» here but «{was.heading}» in version {old.label}",
                            f"if the article was renumbered, pin its old anchor: ## {article.heading} "
                            "{#art-<old number>}",
                        )
                    )


def _check_scores(
    portal: Portal, record: Submission, where: str, scores: tuple, problems: list[Problem]
) -> None:
    call = portal.calls.get(record.target)
    criteria = {c.id: c for c in call.criteria} if call and portal.takes_ideas(record.target) else {}
    for criterion, score in scores:
        known = criteria.get(criterion)
        if known is None:
            ids = ", ".join(criteria) or "none: only ideas on a call with `criteria:` are scored"
            problems.append(
                Problem(
                    record.path,
                    f"{where}.scores.{criterion}",
                    "is not a criterion of the call",
                    f"use the call's criteria ids ({ids})",
                )
            )
        elif score > known.out_of:
            problems.append(
                Problem(
                    record.path,
                    f"{where}.scores.{criterion}",
                    f"is {score}, above the criterion's highest score {known.out_of}",
                    f"give a score from 0 to {known.out_of}",
                )
            )


def _published_report(portal: Portal, target: str) -> bool:
    holder = portal.target(target)
    report = holder.report if holder else None
    return report is not None and report.published <= portal.today


def check_decisions(portal: Portal, problems: list[Problem]) -> None:
    """Statuses fit the target, panels and duplicates exist, reported consultations are answered."""
    domains = {d.id for c in portal.calls.values() for d in c.domains}
    for panel in portal.panels.values():
        for slug in panel.drafts:
            if slug not in portal.drafts:
                problems.append(Problem(panel.path, "drafts", f"{slug!r} is not a draft", "fix the slug"))
        for domain in panel.domains:
            if domain not in domains:
                problems.append(
                    Problem(
                        panel.path, "domains", f"{domain!r} is no call's domain", "use a call's domain id"
                    )
                )
    for target, records in portal.submissions.items():
        ideas = portal.takes_ideas(target)
        allowed = IDEA_STATUSES if ideas else DECISION_STATUSES
        ids = {r.id for r in records}
        reported = _published_report(portal, target)
        for record in records:
            for where, decision in (
                ("decision", record.decision),
                *((f"history[{i + 1}]", d) for i, d in enumerate(record.history)),
            ):
                if decision.status not in allowed:
                    kind = "an idea on a call for ideas" if ideas else "a comment"
                    problems.append(
                        Problem(
                            record.path,
                            f"{where}.status",
                            f"is {decision.status!r}, which is not a status for {kind}",
                            f"use one of: {', '.join(allowed)}",
                        )
                    )
                _check_scores(portal, record, where, decision.scores, problems)
                if decision.panel and decision.panel not in portal.panels:
                    problems.append(
                        Problem(
                            record.path,
                            f"{where}.panel",
                            f"{decision.panel!r} is not a panel under content/panels/",
                            "fix the slug or add the panel",
                        )
                    )
                if decision.duplicate_of and (
                    decision.duplicate_of not in ids or decision.duplicate_of == record.id
                ):
                    problems.append(
                        Problem(
                            record.path,
                            f"{where}.duplicate_of",
                            f"{decision.duplicate_of!r} is not another record on {target!r}",
                            "name the id of the earlier record this one repeats",
                        )
                    )
            if reported and record.decision.is_pending:
                problems.append(
                    Problem(
                        record.path,
                        "decision.status",
                        f"is still {record.decision.status} but the report on {target!r} is published",
                        "answer every comment before the report is published (rayzani decide)",
                    )
                )
