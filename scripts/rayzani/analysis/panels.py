"""Review panels as content, and the checks that tie decisions to panels, duplicates and reports."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from rayzani.i18n.text import normalise
from rayzani.load import schema as s
from rayzani.model import (
    DECISION_STATUSES,
    IDEA_STATUSES,
    Criterion,
    Localized,
    Member,
    Panel,
    Portal,
    Submission,
)
from rayzani.problems import Problem

F = s.Field


def _member(value: Any) -> str | None:
    if not isinstance(value, dict) or not set(value) <= {"name", "title"} or "name" not in value:
        return "must be a mapping with `name: {fa, en}` and optional `title: {fa, en}`"
    return s.localized(value["name"]) or (s.localized(value["title"]) if "title" in value else None)


PANEL_FIELDS = {
    "name": F(s.localized, "`fa:` and `en:` names of the panel"),
    "chair": F(_member, "`{name: {fa, en}, title: {fa, en}}`"),
    "secretary": F(_member, "`{name: {fa, en}, title: {fa, en}}`"),
    "members": F(s.list_of(_member, allow_empty=True), "a list of `{name, title}`", required=False),
    "drafts": F(s.list_of(s.slug), "slugs of the drafts the panel reviews", required=False),
    "domains": F(s.list_of(s.slug), "domain ids of the calls for ideas it judges", required=False),
    "demo": F(s.boolean, "true or false", required=False),
}


def check_criterion(value: Any) -> str | None:
    """One entry of a call's `criteria:`: what ideas are scored by, and the highest score."""
    if not isinstance(value, dict) or set(value) != {"id", "name", "out_of"}:
        return "must be a mapping with exactly `id:`, `name:` and `out_of:`"
    if not isinstance(value["out_of"], int) or isinstance(value["out_of"], bool) or value["out_of"] < 1:
        return "has an `out_of:` that is not a whole number of at least 1"
    return s.slug(value["id"]) or s.text(value["name"])


def check_scores(value: Any) -> str | None:
    if not isinstance(value, dict) or not value:
        return "must be a mapping of criterion ids to scores"
    for key, score in value.items():
        if s.slug(key) or not isinstance(score, int | float) or isinstance(score, bool) or score < 0:
            return f"has {key!r}: {score!r}; write `criterion-id: score` with a score of 0 or more"
    return None


def criteria_of(fa: dict, en: dict, en_path: Path, problems: list[Problem]) -> tuple[Criterion, ...]:
    """A call's criteria from its two language files: same ids and maxima, names in each language."""
    fa_list, en_list = fa.get("criteria") or [], en.get("criteria") or []
    if [(c["id"], c["out_of"]) for c in fa_list] != [(c["id"], c["out_of"]) for c in en_list]:
        problems.append(
            Problem(
                en_path,
                "criteria",
                "do not have the same ids and `out_of:` in the same order as the Persian file",
                "use the same criteria in both files, names translated",
            )
        )
        return ()
    return tuple(
        Criterion(c["id"], Localized(normalise(c["name"]), normalise(e["name"])), c["out_of"])
        for c, e in zip(fa_list, en_list, strict=True)
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


def _localized(value: dict | None) -> Localized | None:
    if not value:
        return None
    return Localized(normalise(value["fa"]), normalise(value["en"]) if value.get("en") else None)


def _to_member(value: dict) -> Member:
    return Member(_localized(value["name"]) or Localized(""), _localized(value.get("title")))


def load_panels(folder: Path, problems: list[Problem], read_yaml: Callable[[Path], Any]) -> dict[str, Panel]:
    panels: dict[str, Panel] = {}
    for path in sorted(folder.glob("*.yml")):
        if s.slug(path.stem):
            problems.append(Problem(path, "file name", s.slug(path.stem) or "", "rename the file"))
            continue
        try:
            data = read_yaml(path)
        except yaml.YAMLError as error:
            problems.append(Problem(path, "", f"is not valid YAML: {str(error).splitlines()[0]}", "fix it"))
            continue
        found = s.check_mapping(data, PANEL_FIELDS, path)
        problems.extend(found)
        if found:
            continue
        panels[path.stem] = Panel(
            slug=path.stem,
            path=path,
            name=_localized(data["name"]) or Localized(""),
            chair=_to_member(data["chair"]),
            secretary=_to_member(data["secretary"]),
            members=tuple(_to_member(m) for m in data.get("members") or ()),
            drafts=tuple(data.get("drafts") or ()),
            domains=tuple(data.get("domains") or ()),
            demo=bool(data.get("demo", False)),
        )
    return panels


def _published_report(portal: Portal, target: str, today: dt.date | None) -> bool:
    holder = portal.drafts.get(target) or portal.calls.get(target)
    report = holder.report if holder else None
    return report is not None and (today is None or report.published <= today)


def check_decisions(portal: Portal, problems: list[Problem], today: dt.date | None = None) -> None:
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
        reported = _published_report(portal, target, today)
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
