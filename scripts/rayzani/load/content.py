"""Drafts (with their earlier versions and report), calls (with their poll and criteria) and panels."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from rayzani.i18n.text import normalise
from rayzani.load import schema as s
from rayzani.load.articles import parse_body
from rayzani.load.fields import (
    CALL_FIELDS,
    CALL_SHARED,
    DRAFT_EN_FIELDS,
    DRAFT_FA_FIELDS,
    PANEL_FIELDS,
    REPORT_FIELDS,
    VERSION_EN_FIELDS,
    VERSION_FIELDS,
)
from rayzani.load.markdown import read_markdown
from rayzani.model import (
    LANGS,
    Call,
    Change,
    Criterion,
    Domain,
    Draft,
    DraftText,
    Localized,
    Member,
    Panel,
    Poll,
    Report,
    Version,
    Window,
)
from rayzani.problems import Problem
from rayzani.settings import Settings


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



def load_report(base: Path, problems: list[Problem]) -> Report | None:
    """Read `<base>.fa.md` (required once a report exists) and `<base>.en.md`."""
    fa_path, en_path = base.with_name(base.name + ".fa.md"), base.with_name(base.name + ".en.md")
    if not fa_path.is_file():
        if en_path.is_file():
            problems.append(
                Problem(fa_path, "", "is missing while the English report exists", "add the Persian report")
            )
        return None
    meta, body_fa = read_markdown(fa_path, problems)
    if meta is None:
        return None
    found = s.check_mapping(meta, REPORT_FIELDS, fa_path)
    problems.extend(found)
    if found:
        return None
    body_en = None
    if en_path.is_file():
        # The translation needs no front matter; if it has one, it may only repeat `published`.
        text_en = en_path.read_text(encoding="utf-8")
        meta_en, body_en = read_markdown(en_path, problems) if text_en.startswith("---") else ({}, text_en)
        if meta_en:
            problems.extend(s.check_mapping(meta_en, {"published": REPORT_FIELDS["published"]}, en_path))
            if meta_en.get("published") not in (None, meta["published"]):
                problems.append(
                    Problem(en_path, "published", "differs from report.fa.md", "remove it or make them agree")
                )
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
        meta, body = read_markdown(path, problems)
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
            for key in ("kind", "opens", "closes", "version", "published"):
                if meta_fa and key in meta and meta[key] != meta_fa.get(key):
                    problems.append(
                        Problem(
                            path,
                            key,
                            f"says {meta[key]!r} but index.fa.md says {meta_fa.get(key)!r}",
                            "remove it or make them agree",
                        )
                    )
        texts[lang] = _draft_text(path, lang, meta, body, meta_fa or meta, problems)
    if "fa" not in texts or meta_fa is None or window is None:
        return None
    _check_translation(texts, folder / "index.en.md", problems)
    current = Version(
        label=str(meta_fa["version"]),
        published=meta_fa.get("published") or window.opens,
        texts=texts,
        path=fa_path,
        changes=_changes(meta_fa),
        stage=meta_fa.get("stage"),
    )
    return Draft(
        versions=(*load_versions(folder, meta_fa, texts, problems), current),
        report=load_report(folder / "report", problems),
        slug=slug,
        path=folder,
        kind=meta_fa["kind"],
        version=str(meta_fa["version"]),
        window=window,
        texts=texts,
        demo=bool(meta_fa.get("demo", False)),
    )


def _draft_text(
    path: Path, lang: str, meta: dict, body: str, base: dict, problems: list[Problem]
) -> DraftText:
    """Parse one language's text into articles; `base` supplies what a file does not repeat."""
    parsed = parse_body(normalise(body))
    for anchor in parsed.duplicate_anchors:
        problems.append(
            Problem(path, f"anchor {anchor}", "is used twice", "pin one of them to another id with {#new-id}")
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
    return DraftText(
        lang=lang,
        title=normalise(meta.get("title") or base["title"]),
        summary=normalise(meta.get("summary") or base["summary"]),
        issuing_unit=normalise(meta.get("issuing_unit") or base.get("issuing_unit", "")),
        domain=normalise(meta.get("domain") or base.get("domain", "")),
        preamble=parsed.preamble,
        articles=parsed.articles,
    )


def _check_translation(texts: dict[str, DraftText], en_path: Path, problems: list[Problem]) -> None:
    if "en" in texts and [a.anchors() for a in texts["fa"].articles] != [
        a.anchors() for a in texts["en"].articles
    ]:
        problems.append(
            Problem(
                en_path,
                "articles",
                f"do not have the same article and clause anchors as {en_path.name.replace('.en.', '.fa.')}",
                "translate article by article, clause by clause, with the same pins",
            )
        )


def _changes(meta: dict) -> tuple[Change, ...]:
    return tuple(Change(c["article"], tuple(c["comments"])) for c in meta.get("changes") or [])


def load_versions(
    folder: Path, meta_fa: dict, current: dict[str, DraftText], problems: list[Problem]
) -> list[Version]:
    """Earlier published texts from `versions/<label>.fa.md` (and `.en.md`), oldest first.

    The dates must increase up to the current text (index.fa.md), whose `published` date
    defaults to `opens`.
    """
    versions: list[Version] = []
    label_now = str(meta_fa["version"])
    for fa_path in sorted((folder / "versions").glob("*.fa.md")):
        label = fa_path.name.removesuffix(".fa.md")
        if s.slug(label) or label == label_now:
            why = s.slug(label) or f"is the label of the current text (index.fa.md says version {label_now})"
            problems.append(Problem(fa_path, "file name", why, "name it after an earlier version: 1.fa.md"))
            continue
        meta, body = read_markdown(fa_path, problems)
        if meta is None:
            continue
        found = s.check_mapping(meta, VERSION_FIELDS, fa_path)
        problems.extend(found)
        if found:
            continue
        texts = {"fa": _draft_text(fa_path, "fa", meta, body, meta_fa, problems)}
        en_path = fa_path.with_name(f"{label}.en.md")
        if en_path.is_file():
            meta_en, body_en = read_markdown(en_path, problems)
            found = [] if meta_en is None else s.check_mapping(meta_en, VERSION_EN_FIELDS, en_path)
            problems.extend(found)
            if meta_en is not None and not found:
                now = current.get("en")
                base = {"title": now.title, "summary": now.summary} if now else {}
                texts["en"] = _draft_text(en_path, "en", meta_en, body_en, {**meta_fa, **base}, problems)
                _check_translation(texts, en_path, problems)
        versions.append(Version(label, meta["published"], texts, fa_path, _changes(meta), meta.get("stage")))
    for path in sorted((folder / "versions").glob("*")):
        if (
            not path.name.endswith((".fa.md", ".en.md"))
            or not path.with_name(path.name[:-6] + ".fa.md").is_file()
        ):
            problems.append(
                Problem(path, "", "is not an earlier version's text", "name it <label>.fa.md or .en.md")
            )
    versions.sort(key=lambda v: v.published)
    published_now = meta_fa.get("published") or meta_fa["opens"]
    dates = [v.published for v in versions] + [published_now]
    if len(set(dates)) != len(dates) or dates != sorted(dates):
        problems.append(
            Problem(
                folder / "index.fa.md",
                "published",
                "must be later than every earlier version's published date, and no two versions "
                f"may share a date (found {', '.join(str(d) for d in dates)})",
                "give each version in versions/ its own date, before the current text's `published`",
            )
        )
    return versions


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
        meta, body = read_markdown(path, problems)
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

    poll = poll_of(fa, en, en_path, problems)
    return Call(
        poll=poll,
        criteria=criteria_of(fa, en, en_path, problems),
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


def poll_of(fa: dict, en: dict, en_path: Path, problems: list[Problem]) -> Poll | None:
    """The call's poll from its two language files (already checked field by field)."""
    if not fa.get("poll") and not en.get("poll"):
        return None
    fa_ids = [o["id"] for o in (fa.get("poll") or {}).get("options", [])]
    en_ids = [o["id"] for o in (en.get("poll") or {}).get("options", [])]
    if fa_ids != en_ids:
        problems.append(
            Problem(
                en_path,
                "poll.options",
                "do not have the same ids in the same order as the Persian file",
                "use the same option ids in both files",
            )
        )
        return None
    en_names = {o["id"]: normalise(o["name"]) for o in en["poll"]["options"]}
    return Poll(
        question=Localized(normalise(fa["poll"]["question"]), normalise(en["poll"]["question"])),
        options=tuple(
            Domain(o["id"], Localized(normalise(o["name"]), en_names[o["id"]])) for o in fa["poll"]["options"]
        ),
    )


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
