"""The one YAML layer: the strict reader of every file, and the round-trip writer and editor of records.

Reading uses libyaml (about ten times faster than pure Python on our records) behind checks that
refuse what a record never needs. Writing uses ruamel.yaml in round-trip mode, so that editing a
record keeps an editor's comments, key order and quoting, with PyYAML's scalar layout, so that a
new record is written byte for byte as it always was.
"""

from __future__ import annotations

import collections.abc
import datetime as dt
import io
from pathlib import Path
from typing import Any

import yaml
import yaml.emitter
import yaml.resolver
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.emitter import RoundTripEmitter
from ruamel.yaml.resolver import BaseResolver

from rayzani.load.schema import read_timestamp
from rayzani.problems import Problem

# libyaml's loader is about ten times faster than the pure-Python one on our records.
_BaseLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Values(_BaseLoader):
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
        # Past _Values.construct_mapping: its key check has just been done above.
        return super(_Values, self).construct_mapping(node, deep=deep)

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
            return read_timestamp(node.value)
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


UNREADABLE = object()


def read_yaml_or_problem(path: Path, problems: list[Problem], fix: str) -> Any:
    """The file's YAML, or `UNREADABLE` with a problem naming the file and `fix`."""
    try:
        return read_yaml(path)
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        problems.append(yaml_problem(path, error, fix))
        return UNREADABLE




class _Resolver(BaseResolver):
    """PyYAML's implicit types (YAML 1.1, as the reader above resolves them), for ruamel.yaml.

    ruamel.yaml's own YAML 1.1 rules also take `y` and `n` for booleans; these are exactly the
    reader's, so the writer quotes a text precisely when the reader would otherwise take it for
    something else (`no`, `2:30`, `1e3`).
    """

    def __init__(self, version: Any = None, loader: Any = None, loadumper: Any = None) -> None:
        super().__init__(loader or loadumper)

    @property
    def processing_version(self) -> tuple[int, int]:
        return (1, 1)


for _first, _pairs in yaml.resolver.Resolver.yaml_implicit_resolvers.items():
    for _tag, _regexp in _pairs:
        _Resolver.add_implicit_resolver_base(_tag, _regexp, [_first])


class _Emitter(RoundTripEmitter):
    """ruamel.yaml's round-trip emitter (comments, order, quoting) with PyYAML's scalar layout.

    ruamel.yaml folds long lines earlier than PyYAML (leaving a space at the end of the line),
    moves a long value to the next line and picks literal blocks and quotes by other rules.
    Every record so far was written by PyYAML: with its choices, a record read and written back
    keeps every line it did not change, and a new record is what intake has always written.
    """

    analyze_scalar = yaml.emitter.Emitter.analyze_scalar
    choose_scalar_style = yaml.emitter.Emitter.choose_scalar_style
    write_plain = yaml.emitter.Emitter.write_plain
    write_single_quoted = yaml.emitter.Emitter.write_single_quoted
    write_double_quoted = yaml.emitter.Emitter.write_double_quoted


def _literal_when_multiline(representer: Any, value: str) -> Any:
    # Multi-line text as a literal block, so that a record reads like the comment it holds.
    return representer.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)


def _timestamp(representer: Any, value: Any) -> Any:
    return representer.represent_scalar("tag:yaml.org,2002:timestamp", value.isoformat(" "))


def _null(representer: Any, value: None) -> Any:
    return representer.represent_scalar("tag:yaml.org,2002:null", "null")


def _round_trip() -> YAML:
    """A ruamel.yaml instance for records: made per call, since an instance keeps state while it works."""
    handler = YAML(typ="rt", pure=True)
    handler.Emitter = _Emitter
    handler.Resolver = _Resolver
    handler.width = 100
    handler.allow_unicode = True
    handler.preserve_quotes = True
    handler.allow_duplicate_keys = False
    handler.indent(mapping=2, sequence=2, offset=0)
    handler.representer.add_representer(str, _literal_when_multiline)
    handler.representer.add_representer(dt.datetime, _timestamp)
    handler.representer.add_representer(type(None), _null)
    return handler


def dump_record(record: dict[str, Any]) -> str:
    """The YAML text of a new record, keys in the order given."""
    stream = io.StringIO()
    _round_trip().dump(record, stream)
    return stream.getvalue()


def load_for_edit(text: str) -> CommentedMap:
    """A record as an editable mapping that remembers its comments, order and quoting.

    Raises yaml.YAMLError (through the strict reader, which also refuses duplicate keys and
    aliases) for a file the loader would refuse, so an edit never starts from a broken record.
    """
    safe_load(text)
    data = _round_trip().load(text)
    if not isinstance(data, CommentedMap):
        raise yaml.constructor.ConstructorError(None, None, "is not a mapping of fields")
    return data


def dump_edited(data: CommentedMap) -> str:
    """The text of a record edited with load_for_edit: unchanged lines stay as they were."""
    stream = io.StringIO()
    _round_trip().dump(data, stream)
    return stream.getvalue()


def editable(value: Any) -> Any:
    """A plain value (dicts, lists) as the round-trip layer's mapping and sequence types."""
    if isinstance(value, dict):
        mapping = CommentedMap()
        for key, item in value.items():
            mapping[key] = editable(item)
        return mapping
    if isinstance(value, list):
        return CommentedSeq(editable(item) for item in value)
    return value


def _trailing_comment(mapping: CommentedMap) -> Any:
    """The comment lines ruamel.yaml keeps after a mapping's last value (before the next key)."""
    if not mapping:
        return None
    entry = mapping.ca.items.get(list(mapping)[-1])
    return entry[2] if entry and len(entry) > 2 else None


def replace_value(record: CommentedMap, key: str, value: Any) -> Any:
    """Set `record[key]` to a plain value, keeping the comment lines that followed the old value.

    ruamel.yaml files the comment lines between a block and the next key under the block's last
    entry: they belong where they stand in the file, not to the value being replaced. Returns
    the old value, without them and without the comment on its key's line (both stay in place).
    """
    old = record[key]
    new = editable(value)
    if isinstance(old, CommentedMap) and isinstance(new, CommentedMap) and new:
        _move_trailing_comment(old, new)
        old.ca.comment = None
    record[key] = new
    return old


def _move_trailing_comment(source: Any, target: Any) -> None:
    trailing = _trailing_comment(source) if isinstance(source, CommentedMap) else None
    if trailing is not None and isinstance(target, CommentedMap) and target:
        source.ca.items[list(source)[-1]][2] = None
        target.ca.items.setdefault(list(target)[-1], [None, None, None, None])[2] = trailing


def append_after(record: CommentedMap, key: str, after: str, item: Any) -> None:
    """Append `item` to the list under `key`, first placing an empty list right after `after`.

    The comment lines that followed the block before it stay where they were: just above the
    next key of the record.
    """
    if key not in record:
        record.insert(list(record).index(after) + 1, key, CommentedSeq())
        _move_trailing_comment(record[after], item)
    elif record[key]:
        _move_trailing_comment(record[key][-1], item)
    record[key].append(item)
