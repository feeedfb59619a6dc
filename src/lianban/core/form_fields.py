"""The one merged application form: values checked by each field's definition.

Every field of a plan is a :class:`lianban.core.catalog.FieldDef` from the
catalog's ``fields`` section (a key without one is a required text field
labelled with its key). This module turns what a person typed, or what an API
client sent, into the value a case stores, and says what is wrong otherwise,
naming the field by its label (a :class:`lianban.core.text.Text`, translated
by the interfaces).

It also decides prefilled values (``prefill``) and masks personal values for
people who need not see them in full.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from stdnum.cn import ric, uscc
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidLength
from stdnum.exceptions import ValidationError as StdnumError

from lianban.core.catalog import NUMERIC_FIELD_TYPES, FieldDef, undefined_field
from lianban.core.masking import mask
from lianban.core.text import Text, tx

__all__ = [
    "MAX_NUMBER",
    "MAX_VALUE_LENGTH",
    "clean_form",
    "clean_value",
    "definition_dict",
    "definition_from_dict",
    "form_definitions",
    "frozen_definition",
    "masked_form",
    "prefill_value",
]

#: Largest magnitude a number field takes (numbers beyond lose digits as floats).
MAX_NUMBER = 10**15
#: Longest text any field accepts, whatever its definition says.
MAX_VALUE_LENGTH = 10_000

_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(r"0\d{2,3}-?\d{7,8}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")
_DIGITS = re.compile(r"\d{12,30}")
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}")

#: Masking kind of each personal field type (other personal fields keep only their first character).
MASK_KINDS = {"id_number": "id_number", "uscc": "id_number", "phone": "phone", "email": "email",
              "bank_account": "bank_account"}  # fmt: skip

Lookup = Callable[[str], FieldDef]


def definition_dict(definition: FieldDef, *, defined: bool = True) -> dict[str, Any]:
    """How interfaces show a field: its definition with every default applied."""
    return {
        "key": definition.key,
        "label": definition.label,
        "type": definition.type,
        "required": definition.required,
        "help": definition.help or "",
        "options": list(definition.options) if definition.options is not None else None,
        "min": definition.min,
        "max": definition.max,
        "max_length": definition.length_limit,
        "prefill": definition.prefill,
        "personal": definition.is_personal,
        "defined": defined,
    }


def definition_from_dict(entry: Mapping[str, Any]) -> FieldDef:
    """A definition as :func:`definition_dict` wrote it (defaults applied: see :func:`frozen_definition`)."""
    options = entry.get("options")
    return FieldDef(
        key=str(entry["key"]),
        label=str(entry.get("label") or entry["key"]),
        type=str(entry.get("type") or "text"),
        required=bool(entry.get("required", True)),
        help=entry.get("help") or None,
        options=tuple(options) if isinstance(options, list | tuple) else None,
        min=entry.get("min"),
        max=entry.get("max"),
        max_length=entry.get("max_length"),
        prefill=entry.get("prefill"),
        personal=bool(entry.get("personal", False)),
    )


def frozen_definition(definition: FieldDef) -> FieldDef:
    """``definition`` with the type's defaults written out, as a frozen plan keeps it.

    Behaves exactly as ``definition`` (same :attr:`~FieldDef.length_limit` and
    :attr:`~FieldDef.is_personal`), and ``definition_from_dict(definition_dict(d))``
    gives it back unchanged.
    """
    return replace(
        definition,
        help=definition.help or None,
        max_length=definition.length_limit,
        personal=definition.is_personal,
    )


def _normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def _bound_text(value: int | float | str) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _empty(raw: object) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _number(f: FieldDef, raw: object) -> tuple[int | float | None, Text | None]:
    label = f.label
    if isinstance(raw, bool) or not isinstance(raw, str | int | float):
        return None, tx("%(field)s must be a number.", field=label)
    try:
        value = Decimal(_normalise(raw).replace(",", "")) if isinstance(raw, str) else Decimal(repr(raw))
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite() or abs(value) > MAX_NUMBER:
        return None, tx("%(field)s must be a number.", field=label)
    whole = value == value.to_integral_value()
    if f.type == "integer" and not whole:
        return None, tx("%(field)s must be a whole number.", field=label)
    if f.type == "amount" and (value < 0 or value != value.quantize(Decimal("0.01"))):
        return None, tx("%(field)s must be an amount in yuan: 0 or more, at most 2 decimals.", field=label)
    number: int | float = int(value) if whole else float(value)
    if f.min is not None and not isinstance(f.min, str) and number < f.min:
        return None, tx("%(field)s must be at least %(min)s.", field=label, min=_bound_text(f.min))
    if f.max is not None and not isinstance(f.max, str) and number > f.max:
        return None, tx("%(field)s must be at most %(max)s.", field=label, max=_bound_text(f.max))
    return number, None


def _date(f: FieldDef, raw: object) -> tuple[str | None, Text | None]:
    text = _normalise(raw).replace("/", "-") if isinstance(raw, str) else ""
    try:
        day = date.fromisoformat(text) if _ISO.fullmatch(text) else None
    except ValueError:
        day = None
    if day is None:
        return None, tx("%(field)s must be a date such as 2026-12-01.", field=f.label)
    if isinstance(f.min, str) and day.isoformat() < f.min:
        return None, tx("%(field)s must be on or after %(min)s.", field=f.label, min=f.min)
    if isinstance(f.max, str) and day.isoformat() > f.max:
        return None, tx("%(field)s must be on or before %(max)s.", field=f.label, max=f.max)
    return day.isoformat(), None


def _boolean(f: FieldDef, raw: object) -> tuple[bool | None, Text | None]:
    if isinstance(raw, bool):
        return raw, None
    if isinstance(raw, str) and _normalise(raw).lower() in ("true", "false"):
        return _normalise(raw).lower() == "true", None
    return None, tx("%(field)s: choose yes or no.", field=f.label)


def _identity(f: FieldDef, text: str) -> tuple[str | None, Text | None]:
    module = ric if f.type == "id_number" else uscc
    compact = str(module.compact("".join(ch for ch in text if ch not in " -\t").upper()))
    try:
        module.validate(compact)
    except InvalidLength:
        return None, tx("%(field)s must have 18 characters.", field=f.label)
    except InvalidChecksum:
        return None, tx("%(field)s: the check digit does not match; check for a typing error.", field=f.label)
    except InvalidComponent:
        if f.type == "id_number":
            return None, tx("%(field)s: the region or the date of birth is not valid.", field=f.label)
        return None, tx("%(field)s: part of the code is not valid.", field=f.label)
    except StdnumError:
        return None, tx("%(field)s may only contain digits and capital letters.", field=f.label)
    return compact, None


def clean_value(definition: FieldDef, raw: object) -> tuple[Any, Text | None]:
    """The value a case stores for one field, and what is wrong (None when fine).

    An empty value is None: a problem when the field is required. Text, dates,
    codes are stored as text; numbers as numbers; yes/no as true/false.
    """
    f = definition
    if f.type != "boolean" and _empty(raw):
        if f.required:
            return None, tx("Please fill in %(field)s.", field=f.label)
        return None, None
    if f.type == "boolean":
        if _empty(raw):
            return (None, tx("Please fill in %(field)s.", field=f.label)) if f.required else (None, None)
        return _boolean(f, raw)
    if f.type in NUMERIC_FIELD_TYPES:
        return _number(f, raw)
    if f.type == "date":
        return _date(f, raw)
    if (
        isinstance(raw, bool)
        or not isinstance(raw, str | int | float)
        or (isinstance(raw, float) and not math.isfinite(raw))
    ):
        return None, tx("%(field)s must be text.", field=f.label)
    text = _normalise(raw) if isinstance(raw, str) else str(raw)
    if len(text) > MAX_VALUE_LENGTH:
        return None, tx("%(field)s is too long (at most %(limit)s characters).", field=f.label, limit=MAX_VALUE_LENGTH)
    if f.type == "choice":
        if text in (f.options or ()):
            return text, None
        return None, tx("%(field)s: choose one of %(options)s.", field=f.label, options="、".join(f.options or ()))
    if f.type == "phone":
        compact = re.sub(r"[\s()（）]", "", text)
        if _MOBILE.fullmatch(compact) or _LANDLINE.fullmatch(compact):
            return compact, None
        return None, tx("%(field)s must be an 11-digit mobile number or a landline with its area code.", field=f.label)
    if f.type == "email":
        if len(text) <= 254 and _EMAIL.fullmatch(text):
            return text, None
        return None, tx("%(field)s must be an e-mail address.", field=f.label)
    if f.type in ("id_number", "uscc"):
        return _identity(f, text)
    if f.type == "bank_account":
        digits = re.sub(r"[\s-]", "", text)
        if _DIGITS.fullmatch(digits):
            return digits, None
        return None, tx("%(field)s must be 12 to 30 digits.", field=f.label)
    limit = f.length_limit
    if limit is not None and len(text) > limit:
        return None, tx("%(field)s is too long (at most %(limit)s characters).", field=f.label, limit=limit)
    return text, None


def _lookup(definitions: Mapping[str, FieldDef] | Lookup) -> Lookup:
    if callable(definitions):
        return definitions
    return lambda key: definitions.get(key) or undefined_field(key)


def clean_form(
    definitions: Mapping[str, FieldDef] | Lookup, keys: Sequence[str], form: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, Text]]:
    """The values of a form for the plan's field ``keys``, and the problems by key (in key order).

    An empty optional field is left out of the values; a key of ``form`` that
    is not one of ``keys`` is a problem.
    """
    lookup = _lookup(definitions)
    values: dict[str, Any] = {}
    problems: dict[str, Text] = {}
    for key in keys:
        value, problem = clean_value(lookup(key), form.get(key))
        if problem is not None:
            problems[key] = problem
        elif value is not None:
            values[key] = value
    for key in form:
        if key not in keys:
            problems[str(key)] = tx("%(field)s is not a field of this application.", field=str(key))
    return values, problems


def prefill_value(definition: FieldDef, applicant: Mapping[str, Any] | None, answers: Mapping[str, Any]) -> str:
    """The starting value of a field as the form shows it ("" when nothing is known).

    ``applicant`` holds the applicant's ``name``, ``id_number``, ``contact_name``,
    ``contact_phone`` and ``address`` (None when there is no applicant);
    ``answers`` the thing's answers. Yes/no is ``true``/``false``.
    """
    source, _dot, name = (definition.prefill or "").partition(".")
    if source == "applicant" and applicant is not None:
        value = applicant.get(name)
    elif source == "answer":
        value = answers.get(name)
    else:
        return ""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def masked_form(
    definitions: Mapping[str, FieldDef] | Lookup, form: Mapping[str, Any], full_keys: set[str] | None
) -> dict[str, Any]:
    """``form`` with its personal values masked, except ``full_keys`` (``None``: nothing masked)."""
    if full_keys is None:
        return dict(form)
    lookup = _lookup(definitions)
    shown: dict[str, Any] = {}
    for key, value in form.items():
        definition = lookup(key)
        if definition.is_personal and key not in full_keys and value not in (None, ""):
            shown[key] = mask(value, MASK_KINDS.get(definition.type, "name"))
        else:
            shown[key] = value
    return shown


def form_definitions(definitions: Mapping[str, FieldDef], keys: Sequence[str]) -> list[dict[str, Any]]:
    """The definition of each of ``keys`` as interfaces show it, in order (see :func:`definition_dict`)."""
    return [
        definition_dict(definitions[key])
        if key in definitions
        else definition_dict(undefined_field(key), defined=False)
        for key in keys
    ]
