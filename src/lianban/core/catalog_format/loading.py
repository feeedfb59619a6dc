"""Catalog file text → plain data, keeping line numbers and literal scalars.

YAML is read with a subclass of PyYAML's safe loader. Where the contract wants
text (codes, names, conditions…) a plain YAML scalar keeps its literal text, so
``code: 2024`` or ``code: NO`` mean the strings "2024" and "NO", not a number
and ``false``: every plain scalar that YAML would resolve to something other
than a string is wrapped in :class:`Plain`, with its literal text. YAML 1.2
numbers such as ``1e3`` are read as numbers too.

JSON is read with the standard library's decoder in pure-Python mode so that
every object and array knows the line it starts on (for messages).
"""

from __future__ import annotations

import bisect
import codecs
import json
import json.decoder
import json.scanner
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import yaml

from lianban.core.text import Text, tx

__all__ = [
    "YAML12_FLOAT",
    "DataMap",
    "DataSeq",
    "LoadError",
    "Plain",
    "decode_text",
    "line_of",
    "load_document",
    "position_of",
    "unplain",
]


@dataclass(frozen=True, slots=True)
class Plain:
    """A YAML plain scalar that resolved to a non-string (number, bool, null, date)."""

    value: Any
    raw: str


class DataMap(dict[str, Any]):
    """A mapping read from a file, with the line it starts on and each key's line."""

    line: int | None = None

    def __init__(self) -> None:
        """An empty mapping, lines to be filled in."""
        super().__init__()
        self.key_lines: dict[str, int] = {}


class DataSeq(list[Any]):
    """A list read from a file, with the line it starts on and each element's line."""

    line: int | None = None

    def __init__(self, values: list[Any], lines: list[int | None]) -> None:
        """The values, each with the line it starts on."""
        super().__init__(values)
        self.item_lines = lines


class LoadError(ValueError):
    """A file that cannot be read: the ``reason``, at ``line`` when known.

    As a string: ``line 3: not valid YAML: …`` (or just the reason).
    """

    def __init__(self, reason: Text, line: int | None = None) -> None:
        """The reason the file cannot be read, and where."""
        super().__init__(f"line {line}: {reason}" if line else reason)
        self.reason = reason
        self.line = line


def unplain(value: Any) -> Any:
    """The resolved value of a plain scalar (other values unchanged)."""
    return value.value if isinstance(value, Plain) else value


# ---------------------------------------------------------------------------- YAML

#: YAML 1.2 floats PyYAML (YAML 1.1) leaves as strings: 1e3, 1.5E-3, .5e2.
YAML12_FLOAT = re.compile(r"^[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)[eE][-+]?[0-9]+$")


class _Loader(yaml.SafeLoader):
    """Safe loader that keeps line numbers, refuses duplicate keys, keeps raw text."""


def _construct_map(loader: _Loader, node: yaml.MappingNode) -> DataMap:
    result = DataMap()
    result.line = node.start_mark.line + 1
    # Keys written in this mapping must be unique; keys merged in with `<<: *anchor`
    # may be overridden by them (YAML merge semantics).
    own = {id(key_node) for key_node, _ in node.value}
    loader.flatten_mapping(node)
    written: set[str] = set()
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if isinstance(key, Plain):
            key = key.raw
        if not isinstance(key, str):
            raise yaml.constructor.ConstructorError(
                None, None, f"a key must be text, found {key!r}", key_node.start_mark
            )
        if id(key_node) in own:
            if key in written:
                raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
            written.add(key)
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _construct_seq(loader: _Loader, node: yaml.SequenceNode) -> DataSeq:
    result = DataSeq(
        [loader.construct_object(child, deep=True) for child in node.value],
        [child.start_mark.line + 1 for child in node.value],
    )
    result.line = node.start_mark.line + 1
    return result


def _plain(constructor: Callable[[yaml.SafeLoader, yaml.ScalarNode], Any]) -> Callable[[_Loader, yaml.ScalarNode], Any]:
    def construct(loader: _Loader, node: yaml.ScalarNode) -> Any:
        value = constructor(loader, node)
        return Plain(value, node.value) if node.style is None else value

    return construct


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_Loader.add_constructor("tag:yaml.org,2002:omap", _construct_map)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)
_Loader.add_implicit_resolver("tag:yaml.org,2002:float", YAML12_FLOAT, list("-+0123456789."))
for _tag, _ctor in (
    ("bool", yaml.SafeLoader.construct_yaml_bool),
    ("int", yaml.SafeLoader.construct_yaml_int),
    ("float", yaml.SafeLoader.construct_yaml_float),
    ("null", yaml.SafeLoader.construct_yaml_null),
    ("timestamp", yaml.SafeLoader.construct_yaml_timestamp),
):
    _Loader.add_constructor(f"tag:yaml.org,2002:{_tag}", _plain(_ctor))


def _load_yaml(text: str) -> Any:
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        context = exc.context if exc.context and not exc.context.startswith("while ") else ""
        what = " ".join(part for part in (context, exc.problem) if part)
        reason = tx("not valid %(format)s: %(problem)s", format="YAML", problem=what)
        raise LoadError(reason, mark.line + 1 if mark else None) from exc
    except yaml.YAMLError as exc:
        raise LoadError(tx("not valid %(format)s: %(problem)s", format="YAML", problem=str(exc))) from exc


# ---------------------------------------------------------------------------- JSON


class _JsonDecoder(json.JSONDecoder):
    """The standard decoder, in pure Python, recording lines and refusing duplicate keys."""

    def __init__(self, text: str) -> None:
        super().__init__()
        starts = [0] + [match.end() for match in re.finditer("\n", text)]

        def line_at(position: int) -> int:
            return bisect.bisect_right(starts, position)

        def parse_object(
            s_and_end: tuple[str, int],
            strict: bool,
            scan_once: Callable[[str, int], tuple[Any, int]],
            object_hook: Any,
            object_pairs_hook: Any,
            memo: dict[str, str] | None = None,
        ) -> tuple[DataMap, int]:
            positions: list[int] = []

            def scan(s: str, index: int) -> tuple[Any, int]:
                positions.append(index)
                return scan_once(s, index)

            pairs, end = json.decoder.JSONObject(s_and_end, strict, scan, None, list, memo)  # type: ignore[attr-defined]
            result = DataMap()
            result.line = line_at(s_and_end[1] - 1)
            for (key, value), position in zip(pairs, positions, strict=True):
                if key in result:
                    raise json.JSONDecodeError(f"duplicate key {key!r}", s_and_end[0], position)
                result[key] = value
                result.key_lines[key] = line_at(position)
            return result, end

        def parse_array(
            s_and_end: tuple[str, int], scan_once: Callable[[str, int], tuple[Any, int]]
        ) -> tuple[DataSeq, int]:
            positions: list[int] = []

            def scan(s: str, index: int) -> tuple[Any, int]:
                positions.append(index)
                return scan_once(s, index)

            values, end = json.decoder.JSONArray(s_and_end, scan)  # type: ignore[attr-defined]
            result = DataSeq(values, [line_at(p) for p in positions[: len(values)]])
            result.line = line_at(s_and_end[1] - 1)
            return result, end

        self.parse_object = parse_object
        self.parse_array = parse_array
        self.scan_once = json.scanner.py_make_scanner(self)  # type: ignore[attr-defined]


def _load_json(text: str) -> Any:
    try:
        return _JsonDecoder(text).decode(text)
    except json.JSONDecodeError as exc:
        raise LoadError(tx("not valid %(format)s: %(problem)s", format="JSON", problem=exc.msg), exc.lineno) from exc


# ------------------------------------------------------------------------- entry


def load_document(text: str, filename: str) -> Any:
    """Parse a catalog file's text into plain data.

    A ``.json`` file is read as JSON; any other file as YAML, except that text
    starting with ``{`` is tried as JSON first (JSON is YAML, but JSON's own
    reader is exact about strings and numbers).

    Raises:
        ValueError: with the position, when the text is not valid YAML/JSON.
    """
    try:
        if filename.lower().endswith(".json"):
            return _load_json(text)
        if text.lstrip().startswith("{"):
            try:
                return _load_json(text)
            except ValueError:
                pass
        return _load_yaml(text)
    except RecursionError as exc:
        raise LoadError(tx("nested too deeply")) from exc
    except LoadError:
        raise
    except ValueError as exc:
        # e.g. an integer with more digits than Python converts
        raise LoadError(tx("cannot be read: %(problem)s", problem=str(exc))) from exc


_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))  # fmt: skip


def decode_text(content: bytes) -> str:
    """A catalog file's bytes as text: UTF-8 (with or without BOM), or UTF-16/32 with a BOM.

    Raises:
        ValueError: when the bytes are not text in one of those encodings.
    """
    for bom, encoding in _BOMS:
        if content.startswith(bom):
            try:
                return content.decode(encoding)
            except UnicodeDecodeError as exc:
                raise LoadError(
                    tx("is not %(encoding)s text (byte %(byte)s)", encoding=encoding.upper(), byte=exc.start)
                ) from exc
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LoadError(tx("is not %(encoding)s text (byte %(byte)s)", encoding="UTF-8", byte=exc.start)) from exc


# ------------------------------------------------------------------------ places


def position_of(data: Any, path: str) -> tuple[int, ...]:
    """Where ``path`` is inside an entry, as a sortable tuple following the file's order."""
    result: list[int] = []
    node = data
    for part in _path_parts(path):
        if isinstance(part, str):
            keys = list(node) if isinstance(node, dict) else []
            result.append(keys.index(part) if part in keys else len(keys))
            node = node.get(part) if isinstance(node, dict) else None
        else:
            result.append(part)
            node = node[part] if isinstance(node, list) and part < len(node) else None
    return tuple(result)


def line_of(data: Any, path: str) -> int | None:
    """The line of ``path`` (``materials[2].when``) inside loaded data, as close as known."""
    line: int | None = getattr(data, "line", None)
    node = data
    for part in _path_parts(path):
        if isinstance(part, str) and isinstance(node, DataMap) and part in node:
            line = node.key_lines.get(part, line)
            node = node[part]
        elif isinstance(part, int) and isinstance(node, DataSeq) and part < len(node):
            line = node.item_lines[part] if part < len(node.item_lines) else line
            node = node[part]
        else:
            break
        line = getattr(node, "line", None) if isinstance(node, DataMap) else line
    return line


def _path_parts(path: str) -> list[str | int]:
    parts: list[str | int] = []
    for chunk in path.split(" (")[0].split("."):
        name, _, rest = chunk.partition("[")
        if name:
            parts.append(name)
        for index in rest.split("["):
            index = index.rstrip("]")
            if index.isdigit():
                parts.append(int(index))
    return parts
