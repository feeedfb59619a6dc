"""The API's JSON parser: bounded size and depth, no NUL bytes or lone surrogates.

DRF's own parser reads any size, lets Python's decoder overflow its stack on
deeply nested input (a 500), and passes ``"\\u0000"`` and ``"\\ud800"`` on to
the database. This one refuses all three with 400 before a view sees the data.
Numbers too large for a float (``1e400``) are refused as well.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from lianban.common.input_guard import is_clean

#: Deepest nesting of objects and lists accepted (the API's payloads need 3).
MAX_DEPTH = 20


def max_json_bytes() -> int:
    """The largest JSON body accepted (``LIANBAN_MAX_JSON_KB``)."""
    return int(getattr(settings, "LIANBAN_MAX_JSON_KB", 256)) * 1024


def _depth_ok(raw: str, limit: int) -> bool:
    """True when no bracket nests deeper than ``limit`` (strings skipped), without parsing."""
    depth = 0
    in_string = escaped = False
    for char in raw:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > limit:
                return False
        elif char in "]}":
            depth -= 1
    return True


def _refuse_constant(name: str) -> Any:
    raise ParseError(_("JSON must not contain %(name)s.") % {"name": name})


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ParseError(_("The number %(number)s is too large.") % {"number": text[:40]})
    return value


def check_value(value: Any) -> None:
    """Raise ParseError when a parsed value carries a NUL byte or a lone surrogate in a key or a string."""
    stack = [value]
    while stack:
        current = stack.pop()
        if isinstance(current, str):
            if not is_clean(current):
                raise ParseError(
                    _("The request contains characters that are not allowed (a NUL byte or an invalid character).")
                )
        elif isinstance(current, Mapping):
            stack.extend(current.keys())
            stack.extend(current.values())
        elif isinstance(current, list):
            stack.extend(current)


class BoundedJSONParser(JSONParser):
    """JSON with a size limit, a depth limit and clean strings (400 otherwise)."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Mapping[str, Any] | None = None) -> Any:
        """Parse the body, or raise ParseError (400) with the reason."""
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        limit = max_json_bytes()
        data = stream.read(limit + 1) if stream is not None else b""
        if len(data) > limit:
            raise ParseError(_("The JSON body is larger than %(kb)d KB.") % {"kb": limit // 1024})
        try:
            raw = data.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise ParseError(_("The body is not valid UTF-8.")) from exc
        if not _depth_ok(raw, MAX_DEPTH):
            raise ParseError(_("JSON nested deeper than %(depth)d levels is not accepted.") % {"depth": MAX_DEPTH})
        try:
            value = json.loads(raw, parse_constant=_refuse_constant, parse_float=_finite_float)
        except json.JSONDecodeError as exc:
            raise ParseError(
                _("The body is not valid JSON (line %(line)d, column %(column)d).")
                % {"line": exc.lineno, "column": exc.colno}
            ) from exc
        except (ValueError, RecursionError) as exc:
            raise ParseError(_("The body is not valid JSON.")) from exc
        check_value(value)
        return value
