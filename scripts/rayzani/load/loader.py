"""Read content/ and submissions/ into the validated model, collecting every problem."""

from __future__ import annotations

import collections.abc
import dataclasses
import datetime as dt
import hashlib
import os
import re
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from rayzani.analysis.panels import check_criterion, check_decisions, check_scores, criteria_of, load_panels
from rayzani.analysis.polls import check_poll, check_vote_forms, check_votes, load_vote, poll_of
from rayzani.cache.records import RecordCache
from rayzani.cache.store import Cache, long_lived_objects
from rayzani.i18n.text import never_text, normalise, to_ascii_digits
from rayzani.load import schema as s
from rayzani.load.articles import parse_body
from rayzani.model import (
    ALL_STATUSES,
    AUDIENCES,
    CALL_KINDS,
    CHANNELS,
    DRAFT_KINDS,
    IRAN_TIME,
    LANGS,
    MAX_COMMENT_CHARS,
    PUBLICATION_STATES,
    REDACTION_KINDS,
    RESPONDENT_TYPES,
    VERSION_STAGES,
    WITHHELD_REASONS,
    Author,
    Call,
    Change,
    Decision,
    Domain,
    Draft,
    DraftText,
    Localized,
    Portal,
    Publication,
    Report,
    Submission,
    Version,
    Vote,
    Window,
)
from rayzani.problems import Problem
from rayzani.settings import Settings

# libyaml's loader is about ten times faster than the pure-Python one on our records.
_BaseLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Values(_BaseLoader):  # type: ignore[misc, valid-type]
    """libyaml's safe loader whose values never raise anything but a YAMLError.

    The plain safe constructor raises ValueError for a timestamp that is no real date
    (2026-11-31, hour 25, offset +25:00): such a value stays text, so that the field check
    reports it under its field's name. A list or mapping used as a key is a YAMLError at its line.
    """

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> object:
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, OverflowError):
            return node.value

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        self.check_keys(node)
        return super().construct_mapping(node, deep=deep)

    @staticmethod
    def check_keys(node: yaml.MappingNode) -> None:
        for key_node, _ in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise yaml.constructor.ConstructorError(
                    None, None, "a list or mapping is used as a field name", key_node.start_mark
                )


_Values.add_constructor("tag:yaml.org,2002:timestamp", _Values.construct_yaml_timestamp)


class _Loader(_Values):
    """The safe loader above, refusing what a record never needs and could hide a trick.

    PyYAML keeps the last of two equal keys in silence (a second `decision:` would override the
    first unseen), and aliases let a few lines expand into a huge document ("billion laughs").
    """

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        self.check_keys(node)  # before `key in seen`, which would raise TypeError on a list
        seen: set[object] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, collections.abc.Hashable):
                raise yaml.constructor.ConstructorError(
                    None, None, "a list or mapping is used as a field name", key_node.start_mark
                )
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"the key {key!r} appears twice", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)

    def construct_document(self, node: yaml.Node) -> object:
        # libyaml resolves an alias to the same node object: a node met twice is an alias.
        seen: set[int] = set()
        stack = [node]
        while stack:
            current = stack.pop()
            if id(current) in seen:
                raise yaml.composer.ComposerError(
                    None, None, "aliases (*name) are not allowed in Rayzani files", current.start_mark
                )
            seen.add(id(current))
            if isinstance(current, yaml.SequenceNode):
                stack.extend(current.value)
            elif isinstance(current, yaml.MappingNode):
                stack.extend(n for pair in current.value for n in pair)
        return super().construct_document(node)


F = s.Field


def _version_label(value: Any) -> str | None:
    return s.slug(str(value)) if isinstance(value, str | int) else "must be text"


def _change(value: Any) -> str | None:
    if not isinstance(value, dict) or set(value) != {"article", "comments"}:
        return "must be a mapping with exactly `article:` and `comments:`"
    return s.slug(value["article"]) or s.list_of(s.slug)(value["comments"])


DRAFT_FA_FIELDS = {
    "title": F(s.text, "the draft's title"),
    "kind": F(s.one_of(DRAFT_KINDS), f"one of {', '.join(DRAFT_KINDS)}"),
    "issuing_unit": F(s.text, "the unit that drafted the text"),
    "domain": F(s.text, "the policy domain"),
    "opens": F(s.date, "a date like 2026-11-01"),
    "closes": F(s.date, "a date like 2026-12-01"),
    "version": F(_version_label, 'a label like "1" (lowercase letters, digits, hyphens)'),
    "summary": F(s.text, "a one-paragraph summary"),
    "demo": F(s.boolean, "true or false", required=False),
    "published": F(s.date, "the date this version was published, like 2026-11-22", required=False),
    "changes": F(s.list_of(_change), "a list of `{article: art-N, comments: [record ids]}`", required=False),
    "stage": F(s.one_of(VERSION_STAGES), f"one of {', '.join(VERSION_STAGES)}", required=False),
}
# The translation repeats only what it translates; anything else must agree with Persian.
DRAFT_EN_FIELDS = {
    **{
        k: F(v.check, v.expected, required=False)
        for k, v in DRAFT_FA_FIELDS.items()
        if k not in ("changes", "stage")
    },
    "title": DRAFT_FA_FIELDS["title"],
    "summary": DRAFT_FA_FIELDS["summary"],
}


# An earlier published text: content/drafts/<slug>/versions/<label>.fa.md (and .en.md).
VERSION_FIELDS = {
    "published": F(s.date, "the date this version was published, like 2026-11-10"),
    "title": F(s.text, "the title this version had", required=False),
    "summary": F(s.text, "the summary this version had", required=False),
    "changes": DRAFT_FA_FIELDS["changes"],
    "stage": DRAFT_FA_FIELDS["stage"],
}
VERSION_EN_FIELDS = {
    k: F(VERSION_FIELDS[k].check, VERSION_FIELDS[k].expected, False) for k in ("title", "summary")
}


CALL_FIELDS = {
    "title": F(s.text, "the call's title"),
    "kind": F(s.one_of(CALL_KINDS), "consultation or crowdsourcing"),
    "asked": F(s.text, "one sentence saying what participants are asked"),
    "audience": F(s.list_of(s.one_of(AUDIENCES)), f"a list of: {', '.join(AUDIENCES)}"),
    "opens": F(s.date, "a date like 2026-11-01"),
    "closes": F(s.date, "a date like 2026-12-01"),
    "draft": F(s.slug, "the slug of a draft under content/drafts/", required=False),
    "domains": F(s.list_of(s.named_id), "a list of `{id: slug, name: text}`", required=False),
    "channels": F(s.list_of(s.one_of(CHANNELS)), f"a list of: {', '.join(CHANNELS)}"),
    "organiser": F(s.text, "who runs the call"),
    "demo": F(s.boolean, "true or false", required=False),
    "criteria": F(
        s.list_of(check_criterion), "a list of `{id: slug, name: text, out_of: whole number}`", required=False
    ),
    "poll": F(check_poll, "`{question: text, options: [{id: slug, name: text}, ...]}`", required=False),
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
    "status": F(s.one_of(ALL_STATUSES), f"one of {', '.join(ALL_STATUSES)}"),
    "reason": F(s.localized, "`fa:` (required) and `en:` (optional) reason texts", required=False),
    "legal_basis": F(s.text, "the article of law the decision relies on", required=False),
    "decided_by": F(s.text, "the unit or panel that decided", required=False),
    "date": F(s.date, "the decision date like 2026-11-20", required=False),
    "panel": F(s.slug, "the slug of a panel under content/panels/", required=False),
    "duplicate_of": F(s.slug, "the id of the record this one repeats", required=False),
    "scores": F(check_scores, "a mapping `criterion id: score` (an idea's scores)", required=False),
}
SUBMISSION_FIELDS = {
    "history": F(
        s.list_of(lambda v: None if isinstance(v, dict) else "must be a mapping"),
        "a list of earlier decisions, oldest first, each shaped like `decision:`",
        required=False,
    ),
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
    "version": F(_version_label, "the label of the draft version commented on, e.g. 1", required=False),
    "publication": F(
        lambda v: None if isinstance(v, dict) else "must be a mapping",
        "a mapping `{state: withheld, reason: spam}`",
        required=False,
    ),
    "redactions": F(
        s.list_of(s.one_of(REDACTION_KINDS)), f"a list of: {', '.join(REDACTION_KINDS)}", required=False
    ),
    "late": F(s.boolean, "true or false", required=False),
    "text_sha256": F(
        lambda v: None if isinstance(v, str) and re.fullmatch("[0-9a-f]{64}", v) else "must be 64 hex digits",
        "the SHA-256 of the body as recorded (after redaction), in hex",
        required=False,
    ),
}
PUBLICATION_FIELDS = {
    "state": F(s.one_of(PUBLICATION_STATES), f"one of {', '.join(PUBLICATION_STATES)}"),
    "reason": F(
        s.one_of(WITHHELD_REASONS), f"one of {', '.join(WITHHELD_REASONS)} (for withheld)", required=False
    ),
}


def safe_load(stream: Any, loader_class: type = _Loader) -> Any:
    """Parse one YAML document with the strict safe loader above (the only YAML entry point).

    Raises only yaml.YAMLError (and UnicodeDecodeError), never a bare ValueError or TypeError,
    so that every caller that reports a YAMLError as a problem covers every broken file.
    """
    loader = loader_class(stream)
    try:
        return loader.get_single_data()
    except (ValueError, TypeError, OverflowError, RecursionError) as error:
        raise yaml.constructor.ConstructorError(None, None, f"cannot be read ({error})") from None
    finally:
        loader.dispose()


class _ConfigLoader(_Values):
    """Reads mkdocs.yml even if someone adds MkDocs-specific tags (!ENV, !!python/name): they become None.

    An impossible date is an error at its line here: no field check follows, and MkDocs,
    which reads the same file, would stop on it with a traceback.
    """

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> object:
        try:
            return s.read_timestamp(node.value)
        except ValueError as error:
            raise yaml.constructor.ConstructorError(
                None, None, f"{node.value} is not a real date or time ({error})", node.start_mark
            ) from None


_ConfigLoader.add_constructor("tag:yaml.org,2002:timestamp", _ConfigLoader.construct_yaml_timestamp)


_ConfigLoader.add_multi_constructor("!", lambda loader, suffix, node: None)
_ConfigLoader.add_multi_constructor("tag:yaml.org,2002:python/", lambda *a: None)


def read_config_yaml(path: Path) -> Any:
    """mkdocs.yml, read as safely as a record but keeping the tags MkDocs adds."""
    with path.open("rb") as handle:
        return safe_load(handle, _ConfigLoader)


def yaml_problem(path: Path, error: Exception, fix: str, first_line: int = 1) -> Problem:
    """A Problem naming the line YAML stopped at (`first_line` is the file line of the text's line 1)."""
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    where = f"line {mark.line + first_line}" if mark is not None else ""
    what = getattr(error, "problem", None) or str(error).splitlines()[0]
    return Problem(path, where, f"is not valid YAML: {what}", fix)


def split_front_matter(text: str) -> tuple[Any, str]:
    """Return (front matter, body) of a Markdown file that starts with a `---` block."""
    if not text.startswith("---"):
        return None, text
    end = text.find("\n---", 3)
    if end < 0:
        return None, text
    meta = safe_load(text[3:end])
    return meta, text[end + 4 :].lstrip("\n")


def read_yaml(path: Path) -> Any:
    with path.open("rb") as handle:
        return safe_load(handle)


_UNREADABLE = object()


def read_yaml_or_problem(path: Path, problems: list[Problem], fix: str) -> Any:
    """The file's YAML, or `_UNREADABLE` with a problem naming the file and `fix`."""
    try:
        return read_yaml(path)
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        problems.append(yaml_problem(path, error, fix))
        return _UNREADABLE


def check_characters(value: Any, path: Path, field: str = "") -> list[Problem]:
    """A problem for every text in a hand-written value that holds a character that is never text.

    Intake strips them (text.normalise); a file written by hand is refused instead, naming the
    field and the character, so that the editor sees what was pasted.
    """
    if isinstance(value, str):
        found = never_text(value)
        if found is None:
            return []
        return [
            Problem(
                path,
                field or "(top level)",
                f"contains the invisible character {found[1]} at position {found[0] + 1}",
                "delete it (retype the text around it if it was pasted)",
            )
        ]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in check_characters(v, path, _key_path(field, k))]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in check_characters(v, path, f"{field}[{i + 1}]")]
    return []


def _key_path(field: str, key: object) -> str:
    shown = str(key)
    if never_text(shown):  # the key itself is where the character hides
        shown = repr(key)
    return f"{field}.{shown}" if field else shown


def _check_body_characters(body: str, path: Path, first_line: int) -> list[Problem]:
    """Characters that are never text in a Markdown body, one problem per line, naming the line."""
    found = []
    for number, line in enumerate(body.split("\n"), start=first_line):
        for problem in check_characters(line, path, f"body, line {number}"):
            found.append(problem)
    return found


def _read_markdown(path: Path, problems: list[Problem]) -> tuple[dict | None, str]:
    try:
        text = path.read_text(encoding="utf-8")
        meta, body = split_front_matter(text)
    except UnicodeDecodeError as error:
        problems.append(Problem(path, "", f"is not UTF-8 text: {error}", "save the file as UTF-8"))
        return None, ""
    except yaml.YAMLError as error:
        problems.append(yaml_problem(path, error, "fix the YAML between the --- lines"))
        return None, ""
    problems.extend(check_characters(meta, path))
    problems.extend(_check_body_characters(body, path, text.count("\n") - body.count("\n") + 1))
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
        # The translation needs no front matter; if it has one, it may only repeat `published`.
        text_en = en_path.read_text(encoding="utf-8")
        meta_en, body_en = _read_markdown(en_path, problems) if text_en.startswith("---") else ({}, text_en)
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
        meta, body = _read_markdown(fa_path, problems)
        if meta is None:
            continue
        found = s.check_mapping(meta, VERSION_FIELDS, fa_path)
        problems.extend(found)
        if found:
            continue
        texts = {"fa": _draft_text(fa_path, "fa", meta, body, meta_fa, problems)}
        en_path = fa_path.with_name(f"{label}.en.md")
        if en_path.is_file():
            meta_en, body_en = _read_markdown(en_path, problems)
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


def _localized(value: dict | None) -> Localized | None:
    if not value:
        return None
    return Localized(normalise(value["fa"]), normalise(value["en"]) if value.get("en") else None)


def _check_publication(value: dict | None, path: Path) -> list[Problem]:
    if value is None:
        return []
    found = s.check_mapping(value, PUBLICATION_FIELDS, path, "publication.")
    if not found and (value["state"] == "withheld") != bool(value.get("reason")):
        fix = "add a reason" if value["state"] == "withheld" else "remove the reason"
        found.append(
            Problem(path, "publication.reason", "must be given exactly when the state is withheld", fix)
        )
    return found


def load_submission(path: Path, problems: list[Problem]) -> Submission | Vote | None:
    if path.is_symlink() or not path.is_file():
        # A link could make validation read (and echo in its messages) a file outside the repository.
        problems.append(Problem(path, "", "is not a plain file", "replace it with the record itself"))
        return None
    data = read_yaml_or_problem(path, problems, "fix the YAML syntax (a stray colon or bad indentation)")
    if data is _UNREADABLE:
        return None
    if isinstance(data, dict) and "vote" in data:  # a vote in a call's poll, not a comment to answer
        vote, found = load_vote(data, path, AUTHOR_FIELDS)
        problems.extend(found)
        return vote
    found = check_characters(data, path) + s.check_mapping(data, SUBMISSION_FIELDS, path)
    if not found:
        found += s.check_mapping(data["author"], AUTHOR_FIELDS, path, "author.")
        found += s.check_mapping(data["decision"], DECISION_FIELDS, path, "decision.")
        found += _check_publication(data.get("publication"), path)
        if len(data["body"]) > MAX_COMMENT_CHARS:  # the limit every intake channel applies
            found.append(
                Problem(
                    path,
                    "body",
                    f"is {len(data['body'])} characters long, more than {MAX_COMMENT_CHARS}",
                    "ask the participant to shorten it, or split it into comments on separate articles",
                )
            )
    if not found:
        for index, entry in enumerate(data.get("history") or []):
            found += s.check_mapping(entry, DECISION_FIELDS, path, f"history[{index + 1}].")
    if not found:
        found += _check_decision(data["decision"], path, "decision")
        for index, entry in enumerate(data.get("history") or []):
            found += _check_decision(entry, path, f"history[{index + 1}]")
        found += _check_history_order(data, path)
        found += _check_decided_after_received(data, path)
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
        body=_clean(data["body"]),
        section=data.get("section"),
        domain=data.get("domain"),
        sealed=data.get("sealed"),
        demo=bool(data.get("demo", False)),
        version=str(data["version"]) if data.get("version") is not None else None,
        publication=Publication(**data["publication"]) if data.get("publication") else Publication(),
        redactions=tuple(data.get("redactions") or ()),
        late=bool(data.get("late", False)),
        text_sha256=data.get("text_sha256"),
        author=Author(
            id=a.get("id"),
            type=a["type"],
            name=_clean(a.get("name")),
            organisation=_clean(a.get("organisation")),
            interest=_clean(a.get("interest")),
        ),
        decision=_decision(d),
        history=tuple(_decision(entry) for entry in data.get("history") or ()),
    )


def as_of(record: Submission, today: dt.date, initial: str = "pending") -> Submission:
    """The record as published on `today`: decisions dated later are not public yet."""
    answers = [*record.history, record.decision]
    if all(d.date is None or d.date <= today for d in answers):
        return record
    public = [d for d in answers if d.date is None or d.date <= today]
    current = public[-1] if public else Decision(status=initial)
    return dataclasses.replace(record, decision=current, history=tuple(public[:-1]))


def _clean(text: str | None) -> str | None:
    """Public text from a record, with Persian letters and no bidi or invisible controls."""
    return normalise(text) if text else text


def _decision(d: dict) -> Decision:
    return Decision(
        status=d["status"],
        reason=_localized(d.get("reason")),
        legal_basis=_clean(d.get("legal_basis")),
        decided_by=_clean(d.get("decided_by")),
        date=d.get("date"),
        panel=d.get("panel"),
        duplicate_of=d.get("duplicate_of"),
        scores=tuple((d.get("scores") or {}).items()),
    )


def _check_decision(decision: dict, path: Path, where: str) -> list[Problem]:
    """Every change after the record arrived (an answer, or an idea put under review) needs its reason,
    its author and its date; only the status intake writes (pending, received) stands alone."""
    if decision["status"] in ("pending", "received"):
        return []
    found = []
    for key, what in (
        ("reason", "a reason with at least `fa:`"),
        ("date", "the decision date"),
    ):
        if not decision.get(key):
            found.append(
                Problem(
                    path,
                    f"{where}.{key}",
                    f"is missing for a {decision['status']} decision",
                    f"add {what}, or set status back to pending",
                )
            )
    if not decision.get("decided_by") and not decision.get("panel"):
        found.append(
            Problem(
                path,
                f"{where}.decided_by",
                f"is missing for a {decision['status']} decision",
                "name the unit that decided, or the deciding panel's slug under `panel:`",
            )
        )
    if decision["status"] == "duplicate" and not decision.get("duplicate_of"):
        found.append(
            Problem(path, f"{where}.duplicate_of", "is missing for a duplicate", "add the id it repeats")
        )
    return found


def _check_history_order(data: dict, path: Path) -> list[Problem]:
    """History runs oldest first and ends before the current decision."""
    entries = [*(data.get("history") or []), data["decision"]]
    dates = [e.get("date") for e in entries]
    for index in range(1, len(dates)):
        if dates[index - 1] and dates[index] and dates[index] < dates[index - 1]:
            field_name = "decision.date" if index == len(dates) - 1 else f"history[{index + 1}].date"
            return [
                Problem(
                    path,
                    field_name,
                    f"is {dates[index]}, before the earlier decision of {dates[index - 1]}",
                    "keep history oldest first; use `rayzani decide` to change a decision",
                )
            ]
    return []


def _check_decided_after_received(data: dict, path: Path) -> list[Problem]:
    """No decision (current or earlier) is dated before the Iranian day the comment arrived."""
    arrived = data["received"].astimezone(IRAN_TIME).date()
    entries = [*(data.get("history") or []), data["decision"]]
    for index, entry in enumerate(entries):
        if entry.get("date") and entry["date"] < arrived:
            where = "decision.date" if index == len(entries) - 1 else f"history[{index + 1}].date"
            return [
                Problem(
                    path,
                    where,
                    f"is {entry['date']}, before the comment was received on {arrived} (Iran time)",
                    f"correct the date to {arrived} or later; a decision answers a comment already received",
                )
            ]
    return []


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
            window = draft.window if draft else call.window  # type: ignore[union-attr]
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
                        + (f" in version {version.label}" if version and len(draft.history()) > 1 else ""),
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


def _check_changes(portal: Portal, problems: list[Problem]) -> None:
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


def _check_anchor_reuse(portal: Portal, problems: list[Problem]) -> None:
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


def _read_issue_forms(root: Path, problems: list[Problem]) -> dict[Path, Any]:
    """The issue forms intake reads (GitHub takes .yml and .yaml), to check them against the content."""
    folder = root / ".github" / "ISSUE_TEMPLATE"
    forms: dict[Path, Any] = {}
    for path in sorted([*folder.glob("*.yml"), *folder.glob("*.yaml")]):
        if path.stem == "config":
            continue
        data = read_yaml_or_problem(
            path, problems, "fix the YAML syntax; GitHub shows no form for a file it cannot read"
        )
        if data is not _UNREADABLE:
            forms[path] = data
    return forms


def _record_entries(folder: Path) -> list[tuple[str, os.DirEntry[str]]]:
    """("<target>/<name>", entry) of every entry one level inside submissions/, in order.

    Names and directory entries, not Paths: at 100,000 records, making Path objects cost more
    than reading the records back from the record cache.
    """
    if not folder.is_dir():
        return []
    found = []
    with os.scandir(folder) as top:
        for target in sorted(top, key=lambda e: e.name):
            if target.is_dir():
                with os.scandir(target.path) as entries:
                    inside = ((f"{target.name}/{e.name}", e) for e in entries)
                    found.extend(sorted(inside, key=lambda pair: pair[0]))
            else:  # a file beside the target folders: reported, not skipped
                found.append((target.name, target))
    return found


def _read_record(
    folder: Path, name: str, entry: os.DirEntry[str], problems: list[Problem], cache: RecordCache
) -> Submission | Vote | None:
    """load_submission, or what it gave last time for the same file (see RecordCache)."""
    try:
        info = entry.stat(follow_symlinks=False)
    except OSError:
        info = None
    plain = info is not None and stat.S_ISREG(info.st_mode)
    path = folder / name
    kept = cache.get(name, info, path) if plain and info else None
    if kept is not None:
        record, found = kept
    else:
        found = []
        record = load_submission(path, found)
        try:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError:  # unreadable: load_submission reported it, and nothing is kept
            digest = None
        if isinstance(record, Submission) and digest:
            record = dataclasses.replace(record, digest=digest)
        if plain and info and digest:
            cache.put(name, info, digest, (record, found))
    problems.extend(found)
    return record


def _load_records(root: Path, portal: Portal, today: dt.date, problems: list[Problem], cache: Cache) -> None:
    """Every record under submissions/ into the portal, as it stands on `today`."""
    records = RecordCache(cache)
    folder = root / "submissions"
    for name, entry in _record_entries(folder):
        if "/" not in name:
            if name != ".gitkeep":
                problems.append(
                    Problem(
                        folder / name,
                        "",
                        "is directly in submissions/, where no record is read",
                        "move it into the folder of the draft or call it is about: submissions/<slug>/",
                    )
                )
            continue
        if not name.endswith(".yml"):
            if entry.name != ".gitkeep":
                problems.append(
                    Problem(folder / name, "", "is not a .yml record", "rename it to <id>.yml or remove it")
                )
            continue
        record = _read_record(folder, name, entry, problems, records)
        if isinstance(record, Vote):
            portal.votes.setdefault(record.target, []).append(record)
            continue
        if record:
            record = as_of(record, today, portal.initial_status(record.target))
            portal.submissions.setdefault(record.target, []).append(record)
    records.save()


def _checked_reader(problems: list[Problem]) -> Callable[[Path], Any]:
    """read_yaml for hand-written content files, reporting characters that are never text."""

    def read(path: Path) -> Any:
        data = read_yaml(path)
        problems.extend(check_characters(data, path))
        return data

    return read


def load_portal(
    root: Path, settings: Settings, today: dt.date | None = None, cache: Cache | None = None
) -> tuple[Portal, list[Problem]]:
    """Load and validate the whole repository as it stands on `today` (default: the real today).

    Every problem is returned, none raised. A decision dated after `today` is not yet
    published: the record shows the answer it had on that day (the build date sets "today").
    Records read before are taken from `cache` (default: this checkout's cache folder).
    """
    with long_lived_objects():
        return _load_portal(root, settings, today, cache or Cache.for_checkout(root))


def _load_portal(
    root: Path, settings: Settings, today: dt.date | None, cache: Cache
) -> tuple[Portal, list[Problem]]:
    today = today or dt.date.today()
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
    _load_records(root, portal, today, problems, cache)
    for listed in portal.submissions.values():
        listed.sort(key=lambda r: (r.received, r.id))
    portal.panels = load_panels(root / "content" / "panels", problems, _checked_reader(problems))
    _check_references(portal, root, problems)
    check_decisions(portal, problems, today)
    check_votes(portal, problems)
    portal.vote_forms = check_vote_forms(_read_issue_forms(root, problems), portal, problems)
    _check_changes(portal, problems)
    _check_anchor_reuse(portal, problems)
    return portal, problems
