"""Read content/ and submissions/ into the validated model, collecting every problem."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml

from rayzani import schema as s
from rayzani.articles import parse_body
from rayzani.model import (
    AUDIENCES,
    CALL_KINDS,
    CHANNELS,
    DECISION_STATUSES,
    DRAFT_KINDS,
    LANGS,
    RESPONDENT_TYPES,
    Author,
    Call,
    Decision,
    Domain,
    Draft,
    DraftText,
    Localized,
    Portal,
    Report,
    Submission,
    Window,
)
from rayzani.problems import Problem
from rayzani.settings import Settings
from rayzani.text import normalise

# libyaml's loader is about ten times faster than the pure-Python one on our records.
_Loader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

F = s.Field
DRAFT_FA_FIELDS = {
    "title": F(s.text, "the draft's title"),
    "kind": F(s.one_of(DRAFT_KINDS), f"one of {', '.join(DRAFT_KINDS)}"),
    "issuing_unit": F(s.text, "the unit that drafted the text"),
    "domain": F(s.text, "the policy domain"),
    "opens": F(s.date, "a date like 2026-11-01"),
    "closes": F(s.date, "a date like 2026-12-01"),
    "version": F(lambda v: None if isinstance(v, str | int) else "must be text", 'a label like "1"'),
    "summary": F(s.text, "a one-paragraph summary"),
    "demo": F(s.boolean, "true or false", required=False),
}
# The translation repeats only what it translates; anything else must agree with Persian.
DRAFT_EN_FIELDS = {
    **{k: F(v.check, v.expected, required=False) for k, v in DRAFT_FA_FIELDS.items()},
    "title": DRAFT_FA_FIELDS["title"],
    "summary": DRAFT_FA_FIELDS["summary"],
}


def _domain(value: Any) -> str | None:
    if not isinstance(value, dict) or set(value) != {"id", "name"}:
        return "must be a mapping with exactly `id:` and `name:`"
    return s.slug(value["id"]) or s.text(value["name"])


CALL_FIELDS = {
    "title": F(s.text, "the call's title"),
    "kind": F(s.one_of(CALL_KINDS), "consultation or crowdsourcing"),
    "asked": F(s.text, "one sentence saying what participants are asked"),
    "audience": F(s.list_of(s.one_of(AUDIENCES)), f"a list of: {', '.join(AUDIENCES)}"),
    "opens": F(s.date, "a date like 2026-11-01"),
    "closes": F(s.date, "a date like 2026-12-01"),
    "draft": F(s.slug, "the slug of a draft under content/drafts/", required=False),
    "domains": F(s.list_of(_domain), "a list of `{id: slug, name: text}`", required=False),
    "channels": F(s.list_of(s.one_of(CHANNELS)), f"a list of: {', '.join(CHANNELS)}"),
    "organiser": F(s.text, "who runs the call"),
    "demo": F(s.boolean, "true or false", required=False),
}
# Fields that are facts about the call, not text: both language files must agree on them.
CALL_SHARED = ("kind", "audience", "opens", "closes", "draft", "channels", "demo")

AUTHOR_FIELDS = {
    "id": F(s.text, "the identity the participant chose, e.g. github:login", required=False),
    "type": F(s.one_of(RESPONDENT_TYPES), f"one of {', '.join(RESPONDENT_TYPES)}"),
    "name": F(s.text, "the display name the participant consented to publish", required=False),
    "organisation": F(s.text, "the organisation's name", required=False),
    "interest": F(s.text, "the declared interest", required=False),
}
DECISION_FIELDS = {
    "status": F(s.one_of(DECISION_STATUSES), f"one of {', '.join(DECISION_STATUSES)}"),
    "reason": F(s.localized, "`fa:` (required) and `en:` (optional) reason texts", required=False),
    "legal_basis": F(s.text, "the article of law the decision relies on", required=False),
    "decided_by": F(s.text, "the unit or panel that decided", required=False),
    "date": F(s.date, "the decision date like 2026-11-20", required=False),
}
SUBMISSION_FIELDS = {
    "id": F(s.slug, "the file name without .yml"),
    "target": F(s.slug, "the folder name (a draft or call slug)"),
    "section": F(s.slug, "an article or clause anchor such as art-3 or art-3-c2", required=False),
    "domain": F(s.slug, "one of the call's domain ids", required=False),
    "received": F(s.timestamp, "a timestamp like 2026-11-02T10:15:00+03:30"),
    "channel": F(s.one_of(CHANNELS), f"one of {', '.join(CHANNELS)}"),
    "source": F(s.text, "the channel's reference, e.g. github:owner/repo#12"),
    "language": F(s.one_of(LANGS), "fa or en"),
    "body": F(s.text, "the comment text"),
    "author": F(lambda v: None if isinstance(v, dict) else "must be a mapping", "a mapping"),
    "sealed": F(s.text, "the base64 sealed box of personal data", required=False),
    "decision": F(lambda v: None if isinstance(v, dict) else "must be a mapping", "a mapping"),
    "demo": F(s.boolean, "true or false", required=False),
}


def split_front_matter(text: str) -> tuple[Any, str]:
    """Return (front matter, body) of a Markdown file that starts with a `---` block."""
    if not text.startswith("---"):
        return None, text
    end = text.find("\n---", 3)
    if end < 0:
        return None, text
    meta = yaml.load(text[3:end], Loader=_Loader)
    return meta, text[end + 4 :].lstrip("\n")


def read_yaml(path: Path) -> Any:
    with path.open("rb") as handle:
        return yaml.load(handle, Loader=_Loader)


def _read_markdown(path: Path, problems: list[Problem]) -> tuple[dict | None, str]:
    try:
        meta, body = split_front_matter(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        problems.append(
            Problem(
                path,
                "front matter",
                f"cannot be read: {error}".splitlines()[0],
                "fix the YAML between the --- lines",
            )
        )
        return None, ""
    if not isinstance(meta, dict):
        problems.append(
            Problem(
                path,
                "front matter",
                "is missing",
                "start the file with a --- block of fields (see docs/reference.md)",
            )
        )
        return None, body
    return meta, body


def _window(meta: dict, path: Path, settings: Settings, problems: list[Problem]) -> Window | None:
    if s.date(meta.get("opens")) or s.date(meta.get("closes")):
        return None  # already reported by the field check
    window = Window(meta["opens"], meta["closes"])
    span = (window.closes - window.opens).days
    if span < settings.min_comment_days:
        problems.append(
            Problem(
                path,
                "closes",
                f"leaves {span} days after opens; drafts must be open at least "
                f"{settings.min_comment_days} calendar days",
                f"set closes to {window.opens + dt.timedelta(days=settings.min_comment_days)} or later",
            )
        )
    return window


REPORT_FIELDS = {"published": F(s.date, "the date the report was published, like 2026-12-20")}


def load_report(base: Path, problems: list[Problem]) -> Report | None:
    """Read `<base>.fa.md` (required once a report exists) and `<base>.en.md`."""
    fa_path, en_path = base.with_name(base.name + ".fa.md"), base.with_name(base.name + ".en.md")
    if not fa_path.is_file():
        if en_path.is_file():
            problems.append(
                Problem(fa_path, "", "is missing while the English report exists", "add the Persian report")
            )
        return None
    meta, body_fa = _read_markdown(fa_path, problems)
    if meta is None:
        return None
    found = s.check_mapping(meta, REPORT_FIELDS, fa_path)
    problems.extend(found)
    if found:
        return None
    body_en = None
    if en_path.is_file():
        meta_en, body_en = _read_markdown(en_path, problems)
        if meta_en is not None:
            problems.extend(s.check_mapping(meta_en, {}, en_path))
    return Report(
        fa_path,
        meta["published"],
        Localized(normalise(body_fa).strip(), normalise(body_en).strip() if body_en else None),
    )


def load_draft(folder: Path, settings: Settings, problems: list[Problem]) -> Draft | None:
    slug = folder.name
    if s.slug(slug):
        problems.append(Problem(folder, "folder name", s.slug(slug) or "", "rename the folder"))
        return None
    fa_path = folder / "index.fa.md"
    if not fa_path.is_file():
        problems.append(
            Problem(
                fa_path,
                "",
                "is missing; every draft needs its Persian text",
                "add index.fa.md with front matter and articles",
            )
        )
        return None
    texts: dict[str, DraftText] = {}
    meta_fa: dict | None = None
    window = None
    for lang, fields in (("fa", DRAFT_FA_FIELDS), ("en", DRAFT_EN_FIELDS)):
        path = folder / f"index.{lang}.md"
        if lang == "en" and not path.is_file():
            continue
        meta, body = _read_markdown(path, problems)
        if meta is None:
            continue
        found = s.check_mapping(meta, fields, path)
        problems.extend(found)
        if found:
            continue
        if lang == "fa":
            meta_fa = meta
            window = _window(meta, path, settings, problems)
        else:
            for key in ("kind", "opens", "closes", "version"):
                if meta_fa and key in meta and meta[key] != meta_fa.get(key):
                    problems.append(
                        Problem(
                            path,
                            key,
                            f"says {meta[key]!r} but index.fa.md says {meta_fa.get(key)!r}",
                            "remove it or make them agree",
                        )
                    )
        parsed = parse_body(normalise(body))
        for anchor in parsed.duplicate_anchors:
            problems.append(
                Problem(
                    path, f"anchor {anchor}", "is used twice", "pin one of them to another id with {#new-id}"
                )
            )
        if not parsed.articles:
            problems.append(
                Problem(
                    path,
                    "body",
                    "has no articles",
                    "write each article as a level-2 heading: ## ماده ۱ — ...",
                )
            )
        base = meta_fa or meta
        texts[lang] = DraftText(
            lang=lang,
            title=normalise(meta["title"]),
            summary=normalise(meta["summary"]),
            issuing_unit=normalise(meta.get("issuing_unit") or base.get("issuing_unit", "")),
            domain=normalise(meta.get("domain") or base.get("domain", "")),
            preamble=parsed.preamble,
            articles=parsed.articles,
        )
    if "fa" not in texts or meta_fa is None or window is None:
        return None
    if "en" in texts:
        fa_anchors = [a.anchors() for a in texts["fa"].articles]
        en_anchors = [a.anchors() for a in texts["en"].articles]
        if fa_anchors != en_anchors:
            problems.append(
                Problem(
                    folder / "index.en.md",
                    "articles",
                    "do not have the same article and clause anchors as index.fa.md",
                    "translate article by article, clause by clause, with the same pins",
                )
            )
    return Draft(
        report=load_report(folder / "report", problems),
        slug=slug,
        path=folder,
        kind=meta_fa["kind"],
        version=str(meta_fa["version"]),
        window=window,
        texts=texts,
        demo=bool(meta_fa.get("demo", False)),
    )


def load_call(slug: str, folder: Path, settings: Settings, problems: list[Problem]) -> Call | None:
    metas: dict[str, dict] = {}
    bodies: dict[str, str] = {}
    for lang in LANGS:
        path = folder / f"{slug}.{lang}.md"
        if not path.is_file():
            other = "Persian" if lang == "fa" else "English"
            problems.append(
                Problem(
                    path,
                    "",
                    f"is missing; every call must be published in {other} too",
                    f"add {path.name} with the same fields, translated",
                )
            )
            continue
        meta, body = _read_markdown(path, problems)
        if meta is None:
            continue
        found = s.check_mapping(meta, CALL_FIELDS, path)
        if meta.get("kind") == "consultation" and not meta.get("draft"):
            found.append(
                Problem(
                    path,
                    "draft",
                    "is missing for a consultation call",
                    "add `draft:` with the slug of the draft it is about",
                )
            )
        if meta.get("kind") == "crowdsourcing" and not meta.get("domains"):
            found.append(
                Problem(
                    path,
                    "domains",
                    "is missing for a crowdsourcing call",
                    "add `domains:` as a list of {id, name}",
                )
            )
        problems.extend(found)
        if not found:
            metas[lang] = meta
            bodies[lang] = normalise(body).strip()
    if set(metas) != set(LANGS):
        return None
    fa, en = metas["fa"], metas["en"]
    en_path = folder / f"{slug}.en.md"
    for key in CALL_SHARED:
        if fa.get(key) != en.get(key):
            problems.append(
                Problem(
                    en_path,
                    key,
                    f"says {en.get(key)!r} but {slug}.fa.md says {fa.get(key)!r}",
                    "make both language files agree",
                )
            )
    fa_domains = [d["id"] for d in fa.get("domains") or []]
    if fa_domains != [d["id"] for d in en.get("domains") or []]:
        problems.append(
            Problem(
                en_path,
                "domains",
                f"do not have the same ids in the same order as {slug}.fa.md",
                "use the same domain ids in both files",
            )
        )
    window = _window(fa, folder / f"{slug}.fa.md", settings, problems)
    if window is None:
        return None
    en_names = {d["id"]: d["name"] for d in en.get("domains") or []}

    def loc(key: str) -> Localized:
        return Localized(normalise(fa[key]), normalise(en[key]))

    return Call(
        report=load_report(folder / f"{slug}.report", problems),
        slug=slug,
        path=folder / f"{slug}.fa.md",
        kind=fa["kind"],
        title=loc("title"),
        asked=loc("asked"),
        organiser=loc("organiser"),
        body=Localized(bodies["fa"], bodies["en"]),
        audience=tuple(fa["audience"]),
        window=window,
        channels=tuple(fa["channels"]),
        draft=fa.get("draft"),
        demo=bool(fa.get("demo", False)),
        domains=tuple(
            Domain(d["id"], Localized(normalise(d["name"]), en_names.get(d["id"])))
            for d in fa.get("domains") or []
        ),
    )


def _localized(value: dict | None) -> Localized | None:
    if not value:
        return None
    return Localized(normalise(value["fa"]), normalise(value["en"]) if value.get("en") else None)


def load_submission(path: Path, problems: list[Problem]) -> Submission | None:
    try:
        data = read_yaml(path)
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        problems.append(
            Problem(
                path,
                "",
                f"is not valid YAML: {str(error).splitlines()[0]}",
                "fix the YAML syntax (a stray colon or bad indentation)",
            )
        )
        return None
    found = s.check_mapping(data, SUBMISSION_FIELDS, path)
    if not found:
        found += s.check_mapping(data["author"], AUTHOR_FIELDS, path, "author.")
        found += s.check_mapping(data["decision"], DECISION_FIELDS, path, "decision.")
    if not found:
        decision = data["decision"]
        if decision["status"] != "pending":
            for key, what in (
                ("reason", "a reason with at least `fa:`"),
                ("decided_by", "the unit or panel that decided"),
                ("date", "the decision date"),
            ):
                if not decision.get(key):
                    found.append(
                        Problem(
                            path,
                            f"decision.{key}",
                            f"is missing for a {decision['status']} decision",
                            f"add {what}, or set status back to pending",
                        )
                    )
        if data["id"] != path.stem:
            found.append(
                Problem(
                    path,
                    "id",
                    f"is {data['id']!r} but the file is {path.name}",
                    f"rename the file to {data['id']}.yml or set id: {path.stem}",
                )
            )
        if data["target"] != path.parent.name:
            found.append(
                Problem(
                    path,
                    "target",
                    f"is {data['target']!r} but the record is in submissions/{path.parent.name}/",
                    "move the file or fix target",
                )
            )
    problems.extend(found)
    if found:
        return None
    a, d = data["author"], data["decision"]
    return Submission(
        id=data["id"],
        path=path,
        target=data["target"],
        received=data["received"],
        channel=data["channel"],
        source=data["source"],
        language=data["language"],
        body=data["body"],
        section=data.get("section"),
        domain=data.get("domain"),
        sealed=data.get("sealed"),
        demo=bool(data.get("demo", False)),
        author=Author(
            id=a.get("id"),
            type=a["type"],
            name=a.get("name"),
            organisation=a.get("organisation"),
            interest=a.get("interest"),
        ),
        decision=Decision(
            status=d["status"],
            reason=_localized(d.get("reason")),
            legal_basis=d.get("legal_basis"),
            decided_by=d.get("decided_by"),
            date=d.get("date"),
        ),
    )


def _check_references(portal: Portal, root: Path, problems: list[Problem]) -> None:
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
        draft, call = portal.drafts.get(target), portal.calls.get(target)
        if draft is None and call is None:
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
        anchors = draft.anchors() if draft else set()
        sources: dict[str, Path] = {}
        for record in records:
            if record.section and record.section not in anchors:
                problems.append(
                    Problem(
                        record.path,
                        "section",
                        f"{record.section!r} is not an anchor of draft {target!r}",
                        "use an anchor shown on the draft page (art-N or art-N-cK) or remove section",
                    )
                )
            if record.domain and (call is None or call.domain(record.domain) is None):
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


def load_portal(root: Path, settings: Settings) -> tuple[Portal, list[Problem]]:
    """Load and validate the whole repository; every problem is returned, none raised."""
    problems: list[Problem] = []
    portal = Portal(root=root)
    drafts_dir, calls_dir = root / "content" / "drafts", root / "content" / "calls"
    for folder in sorted(p for p in drafts_dir.glob("*") if p.is_dir()):
        draft = load_draft(folder, settings, problems)
        if draft:
            portal.drafts[draft.slug] = draft
    slugs = sorted({p.name.split(".")[0] for p in calls_dir.glob("*.md")})
    for slug in slugs:
        if s.slug(slug):
            problems.append(Problem(calls_dir / slug, "file name", s.slug(slug) or "", "rename the file"))
            continue
        call = load_call(slug, calls_dir, settings, problems)
        if call:
            portal.calls[slug] = call
    for path in sorted((root / "submissions").glob("*/*")):
        if path.suffix != ".yml":
            if path.name != ".gitkeep":
                problems.append(
                    Problem(path, "", "is not a .yml record", "rename it to <id>.yml or remove it")
                )
            continue
        record = load_submission(path, problems)
        if record:
            portal.submissions.setdefault(record.target, []).append(record)
    for records in portal.submissions.values():
        records.sort(key=lambda r: (r.received, r.id))
    _check_references(portal, root, problems)
    return portal, problems
