"""One search index per language, fetched only when a reader opens search.

Material fetches `search/search_index.json` on every page as soon as it loads, and
mkdocs-static-i18n writes there one index of every language's pages (255 KB for the example):
every page view paid for both languages' indexes, searched or not. After the last language is
built, the merged index is split by language into `search/index-<lang>.json`, and Material's
own address is left with the settings and no document. The Rayzani worker
(`overrides/assets/javascripts/workers/rayzani-search.js`) fetches the page's language's index
when the reader opens search. The index holds the pages only, so its size does not grow with
the comments: a comment is found by its reference through the shard files of
`rayzani.site.files.search_references`, which the worker fetches one at a time.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import event_priority

from rayzani.site.files.search_references import reference_shard_pattern

MATERIAL_INDEX = "search/search_index.json"
LANGUAGE_INDEX = "search/index-{lang}.json"


def language_index(lang: str) -> str:
    return LANGUAGE_INDEX.format(lang=lang)


def reference_shards(lang: str) -> str:
    """A language's reference shards under the site root, `{shard}` for the worker to fill."""
    return reference_shard_pattern(lang)


def language_of(location: str, prefixes: dict[str, str], default: str) -> str:
    """The language of an indexed page, from its location's folder ("en/..." is English)."""
    for lang, prefix in prefixes.items():
        if prefix and location.startswith(prefix):
            return lang
    return default


def split_index(site_dir: Path, prefixes: dict[str, str], default: str) -> None:
    """Write each language's index beside Material's, and leave Material's empty of documents.

    `prefixes` maps each language to its folder under the site root ("en/"; "" for the default).
    """
    merged_path = site_dir / MATERIAL_INDEX
    if not merged_path.is_file():
        return
    merged = json.loads(merged_path.read_text(encoding="utf-8"))
    docs: dict[str, list[dict[str, Any]]] = {lang: [] for lang in prefixes}
    for doc in merged.get("docs", []):
        docs.setdefault(language_of(str(doc.get("location", "")), prefixes, default), []).append(doc)
    for lang, entries in docs.items():
        index = {"config": merged.get("config", {}), "docs": entries}
        write_json(site_dir / language_index(lang), index)
    write_json(merged_path, {"config": merged.get("config", {}), "docs": []})


def write_json(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def language_prefixes(config: MkDocsConfig) -> tuple[dict[str, str], str]:
    """Each built language's folder under the site root, and the default language."""
    plugin = config.plugins.get("i18n")
    languages = getattr(getattr(plugin, "config", None), "languages", None)
    if not languages:
        lang = str(config.theme.get("language") or "en")
        return {lang: ""}, lang
    prefixes = {
        language.locale: ((language.link or "").strip("/") + "/").lstrip("/")
        for language in languages
        if language.build
    }
    default = next(language.locale for language in languages if language.default)
    prefixes[default] = ""
    return prefixes, default


@event_priority(-200)  # after mkdocs-static-i18n (-100) has built every language and merged the index
def on_post_build(config: MkDocsConfig) -> None:
    plugin = config.plugins.get("i18n")
    if plugin is not None and getattr(plugin, "building", False):
        return  # a later language's build, inside the default one's: the index is not merged yet
    prefixes, default = language_prefixes(config)
    split_index(Path(config.site_dir), prefixes, default)
