"""The merged application form on pages: the catalog's field definitions, in the request's language.

Every label, type, hint, bound and prefill source comes from the catalog's
``fields`` section (``lianban.catalog.models.FieldDefinition``); a key without
a definition is a required text field labelled with its key. The rules
themselves are pure (:mod:`lianban.core.form_fields`): this module looks the
definitions up, takes the applicant's record for prefills, and words the
problems in the active language.

A case keeps the definitions it was submitted with (``Plan.field_definitions``
of ``Case.frozen_plan``): its pages show the labels the applicant saw.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.utils.translation import gettext

from lianban.accounts.models import Applicant
from lianban.catalog.selectors import field_definitions
from lianban.catalog.wording import translated
from lianban.core import form_fields as core
from lianban.core.catalog import FieldDef, undefined_field
from lianban.core.planner import Plan

#: Longest text a draft keeps for one field (what the API accepts too).
MAX_TEXTAREA = 2000
TRUE, FALSE = "true", "false"

#: The applicant attributes a field may be prefilled from (``prefill: applicant.<name>``).
APPLICANT_ATTRIBUTES = ("name", "id_number", "contact_name", "contact_phone", "address")


def definitions(keys: Iterable[str], plan: Plan | None = None) -> dict[str, FieldDef]:
    """The definitions of ``keys``: those frozen in a case's ``plan`` first, else the catalog's."""
    keys = list(keys)
    found = field_definitions(keys)
    if plan is not None:
        found.update((key, plan.field_definitions[key]) for key in keys if key in plan.field_definitions)
    return found


def field_definition(key: str, known: Mapping[str, FieldDef] | None = None) -> FieldDef:
    """One key's definition (a text field labelled with the key when the catalog has none)."""
    found = (known if known is not None else field_definitions([key])).get(key)
    return found if found is not None else undefined_field(key)


def clean_value(definition: FieldDef, raw: object) -> tuple[Any, str | None]:
    """The stored value of one field and its problem in the active language (None when fine)."""
    value, problem = core.clean_value(definition, raw)
    return value, translated(problem) if problem is not None else None


def clean_form(
    keys: Sequence[str], raw: Mapping[str, Any], known: Mapping[str, FieldDef] | None = None
) -> tuple[dict[str, Any], dict[str, str]]:
    """Values for the plan's field keys and the problems (one per field, in the active language)."""
    known = known if known is not None else field_definitions(keys)
    values, problems = core.clean_form(known, keys, {key: raw[key] for key in keys if key in raw})
    return values, {key: translated(text) for key, text in problems.items()}


def applicant_data(applicant: Applicant | None) -> dict[str, Any] | None:
    """What a field may be prefilled from in an applicant's record."""
    if applicant is None:
        return None
    return {name: getattr(applicant, name, "") or "" for name in APPLICANT_ATTRIBUTES}


def prefill_value(definition: FieldDef, applicant: Applicant | None, answers: Mapping[str, Any]) -> str:
    """What the applicant's record or the answers already say for a field, as text ("" when nothing)."""
    return core.prefill_value(definition, applicant_data(applicant), answers)


def value_text(value: Any) -> str:
    """A stored form value in words (是/否 for yes/no)."""
    if value is True:
        return gettext("Yes")
    if value is False:
        return gettext("No")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def case_form_rows(form: Mapping[str, Any], plan: Plan) -> list[tuple[str, str]]:
    """A case's form as (label, value) in the plan's field order, with the labels it was submitted with."""
    order = [key for key in (plan.fields or list(form)) if key in form]
    known = definitions(order, plan)
    return [(field_definition(key, known).label, value_text(form[key])) for key in order]


def form_masked(
    form: Mapping[str, Any], full_keys: set[str] | None, known: Mapping[str, FieldDef] | None = None
) -> dict[str, Any]:
    """``form`` with its personal values masked, except ``full_keys`` (``None``: nothing masked)."""
    if full_keys is None:
        return dict(form)
    known = known if known is not None else field_definitions(form)
    return core.masked_form(known, form, full_keys)
