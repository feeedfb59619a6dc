"""Bounded input fields of the API: every text, number, map and list has a limit.

The pages cap what a person can type (``lianban.cases.form_fields``); the
API applies the same caps, so no payload can store more than a page could.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from django.utils.translation import gettext_lazy

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from lianban.cases.form_fields import MAX_TEXTAREA
from lianban.core.planner import MAX_NUMBER

#: Longest code (thing, material, question or field key) accepted.
MAX_CODE = 64
#: Most entries in a map of answers or form values.
MAX_ENTRIES = 200
#: Most rows in a list payload (checks, promises, licences).
MAX_ROWS = 200
#: Largest database id.
MAX_ID = 2**63 - 1


def code_field(**kwargs: Any) -> serializers.CharField:
    """A catalog code (thing, material): short text."""
    return serializers.CharField(max_length=MAX_CODE, **kwargs)


def id_field(**kwargs: Any) -> serializers.IntegerField:
    """A database id."""
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


@extend_schema_field(
    {
        "type": "object",
        "maxProperties": MAX_ENTRIES,
        "additionalProperties": {
            "oneOf": [
                {"type": "string", "maxLength": MAX_TEXTAREA},
                {"type": "number", "minimum": -int(MAX_NUMBER), "maximum": int(MAX_NUMBER)},
                {"type": "boolean"},
            ],
            "nullable": True,
        },
    }
)
class ScalarMapField(serializers.DictField):
    """``key → text, number, yes/no or null``: at most 200 keys of 64 characters, texts of 2000, bounded numbers."""

    default_error_messages = {
        "not_a_dict": gettext_lazy("must be an object of key → value"),
        "too_many": gettext_lazy("at most {n} entries"),
        "key": gettext_lazy("keys are at most {n} characters"),
        "value": gettext_lazy("{k}: text (at most {n} characters), a number or true/false"),
        "number": gettext_lazy("{k}: a number between -{n} and {n}"),
    }

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        """The validated map, or a ValidationError naming the entry."""
        value = super().to_internal_value(data)
        if len(value) > MAX_ENTRIES:
            self.fail("too_many", n=MAX_ENTRIES)
        for key, item in value.items():
            if len(key) > MAX_CODE:
                self.fail("key", n=MAX_CODE)
            if item is None or isinstance(item, bool):
                continue
            if isinstance(item, int | float):
                if (isinstance(item, float) and not math.isfinite(item)) or abs(item) > MAX_NUMBER:
                    self.fail("number", k=key[:MAX_CODE], n=f"{MAX_NUMBER:g}")
                continue
            if not isinstance(item, str) or len(item) > MAX_TEXTAREA:
                self.fail("value", k=key[:MAX_CODE], n=MAX_TEXTAREA)
        return value


def bounded_rows(rows: Sequence[dict[str, Any]], key: Callable[[dict[str, Any]], Any]) -> list[dict[str, Any]]:
    """``rows`` with one row per ``key`` (the last one wins), in the order of each key's last row."""
    last: dict[Any, dict[str, Any]] = {}
    for row in rows:
        last.pop(key(row), None)
        last[key(row)] = row
    return list(last.values())
