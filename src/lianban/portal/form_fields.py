"""The merged application form: what each field key of the catalog means on the page.

The catalog names form fields by key only (``company_name``, ``uscc``…). The
table :data:`FIELDS` gives each known key its label, input, help text and
validation, and where its value may already be known (the applicant's
profile, an answer to the guide's questions). A key the table does not know
still gets a readable field (:func:`field_spec`), validated as required text.

Validation turns the text a person typed into the value the case stores
(``case_submit`` takes text, numbers and yes/no): identity numbers through the
accounts service helper (python-stdnum), phone numbers, numbers, dates.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidLength

from lianban.accounts.models import Applicant, ApplicantKind
from lianban.accounts.services import applicant_id_number_clean
from lianban.core.case_errors import ApplicantInvalid
from lianban.core.masking import mask
from lianban.core.planner import MAX_NUMBER

#: Kinds of input: how a field is shown and checked.
TEXT, TEXTAREA, NUMBER, INTEGER, DATE, PHONE, USCC, RIC, BOOLEAN = (
    "text",
    "textarea",
    "number",
    "integer",
    "date",
    "phone",
    "uscc",
    "ric",
    "boolean",
)
MAX_TEXT = 500
MAX_TEXTAREA = 2000
TRUE, FALSE = "true", "false"

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$")


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """What the page knows about one form field key."""

    key: str
    label: str | Promise
    kind: str = TEXT
    help: str | Promise = ""
    #: ``applicant.<attribute>`` (for applicants of ``profile_kind``), or ``answer.<question key>``.
    prefill: str = ""
    profile_kind: str = ""
    autocomplete: str = ""

    @property
    def known(self) -> bool:
        """False for the readable fallback of a key the table does not list."""
        return self.key in FIELDS


_E, _P = ApplicantKind.ENTERPRISE.value, ApplicantKind.PERSON.value

FIELDS: dict[str, FieldSpec] = {
    spec.key: spec
    for spec in (
        FieldSpec(
            "company_name",
            gettext_lazy("Company name"),
            help=gettext_lazy("As on the business licence, or the name reserved for a new company."),
            prefill="applicant.name",
            profile_kind=_E,
            autocomplete="organization",
        ),
        FieldSpec(
            "uscc",
            gettext_lazy("Unified social credit code"),
            USCC,
            gettext_lazy("18 characters: digits and capital letters."),
            prefill="applicant.id_number",
            profile_kind=_E,
        ),
        FieldSpec("legal_person", gettext_lazy("Legal representative"), autocomplete="name"),
        FieldSpec(
            "legal_person_id_no",
            gettext_lazy("Legal representative's citizen identity number"),
            RIC,
            gettext_lazy("18 characters; the last one may be X."),
        ),
        FieldSpec(
            "address",
            gettext_lazy("Address of the premises"),
            help=gettext_lazy("Province, city, district, street and number."),
            prefill="applicant.address",
            autocomplete="street-address",
        ),
        FieldSpec(
            "contact_phone",
            gettext_lazy("Contact phone"),
            PHONE,
            gettext_lazy("A mobile number, or a landline with its area code."),
            prefill="applicant.contact_phone",
            autocomplete="tel",
        ),
        FieldSpec(
            "registered_capital",
            gettext_lazy("Registered capital (10,000 yuan)"),
            NUMBER,
            gettext_lazy("In units of 10,000 yuan, for example 50."),
        ),
        FieldSpec("business_scope", gettext_lazy("Business scope"), TEXTAREA),
        FieldSpec(
            "shareholders",
            gettext_lazy("Shareholders and their shares"),
            TEXTAREA,
            gettext_lazy("One shareholder per line, with the share, for example 张三 60%."),
        ),
        FieldSpec("food_business_items", gettext_lazy("Food business items"), TEXTAREA),
        FieldSpec("operating_area", gettext_lazy("Operating area (m²)"), NUMBER),
        FieldSpec("project_name", gettext_lazy("Construction project name"), TEXT),
        FieldSpec(
            "building_area",
            gettext_lazy("Building area (m²)"),
            NUMBER,
            prefill="answer.area",
        ),
        FieldSpec("design_unit", gettext_lazy("Design firm"), TEXT),
        FieldSpec("construction_unit", gettext_lazy("Construction firm"), TEXT),
        FieldSpec("project_type", gettext_lazy("Project type"), TEXT),
        FieldSpec("venue_name", gettext_lazy("Name of the venue"), TEXT),
        FieldSpec("fire_safety_manager", gettext_lazy("Fire safety manager"), TEXT),
        FieldSpec(
            "venue_type",
            gettext_lazy("Type of venue"),
            help=gettext_lazy("For example hotel, guesthouse, restaurant."),
        ),
        FieldSpec(
            "central_ac",
            gettext_lazy("Central air conditioning and ventilation"),
            BOOLEAN,
            prefill="answer.central_ac",
        ),
        FieldSpec("room_count", gettext_lazy("Number of guest rooms"), INTEGER),
        FieldSpec("bed_count", gettext_lazy("Number of beds"), INTEGER),
        FieldSpec("security_officer", gettext_lazy("Security officer"), TEXT),
        FieldSpec("ad_location", gettext_lazy("Where the sign goes"), TEXT),
        FieldSpec(
            "ad_size",
            gettext_lazy("Size of the sign"),
            help=gettext_lazy("Length × height in metres, for example 6 × 1.5."),
        ),
        FieldSpec("ad_content", gettext_lazy("Text of the sign"), TEXTAREA),
        FieldSpec("business_scope_drugs", gettext_lazy("Scope of the drug business"), TEXTAREA),
        FieldSpec("device_scope", gettext_lazy("Scope of the medical device business"), TEXTAREA),
        FieldSpec("opening_date", gettext_lazy("Planned opening date"), DATE),
        FieldSpec("pharmacist_count", gettext_lazy("Number of licensed pharmacists"), INTEGER),
        FieldSpec("quality_manager", gettext_lazy("Quality manager"), TEXT),
        FieldSpec("name", gettext_lazy("Full name"), prefill="applicant.name", profile_kind=_P, autocomplete="name"),
        FieldSpec(
            "id_no",
            gettext_lazy("Citizen identity number"),
            RIC,
            gettext_lazy("18 characters; the last one may be X."),
            prefill="applicant.id_number",
            profile_kind=_P,
        ),
        FieldSpec("phone", gettext_lazy("Mobile phone"), PHONE, prefill="applicant.contact_phone", autocomplete="tel"),
    )
}


def field_spec(key: str) -> FieldSpec:
    """The spec of a key; for a key the table does not know, required text labelled with the key."""
    known = FIELDS.get(key)
    if known is not None:
        return known
    return FieldSpec(key, _("Form field “%(key)s”") % {"key": key})


#: Personal field types (catalog-format.md: ``personal`` defaults to true for these) → masking kind.
PERSONAL_KINDS = {
    RIC: "id_number",
    PHONE: "phone",
    "id_number": "id_number",
    "email": "email",
    "bank_account": "bank_account",
}


def personal_kind(key: str) -> str | None:
    """How a form field's value is masked when it is personal data, or None when it is not personal.

    Decided by the field's type in :data:`FIELDS` (the catalog does not carry
    the ``personal`` flag of catalog-format.md yet); unknown keys are not personal.
    """
    spec = FIELDS.get(key)
    return PERSONAL_KINDS.get(spec.kind) if spec is not None else None


def form_masked(form: Mapping[str, Any], full_keys: set[str] | None) -> dict[str, Any]:
    """``form`` with its personal values masked, except ``full_keys`` (``None``: nothing masked)."""
    if full_keys is None:
        return dict(form)
    shown: dict[str, Any] = {}
    for key, value in form.items():
        kind = personal_kind(key)
        shown[key] = (
            mask(value, kind) if kind is not None and key not in full_keys and value not in (None, "") else value
        )
    return shown


def prefill_value(spec: FieldSpec, applicant: Applicant | None, answers: Mapping[str, Any]) -> str:
    """What the profile or the answers already say for a field, as text ("" when nothing)."""
    source, _sep, name = spec.prefill.partition(".")
    if source == "applicant" and applicant is not None:
        if spec.profile_kind and spec.profile_kind != applicant.kind:
            return ""
        return str(getattr(applicant, name, "") or "")
    if source == "answer" and name in answers:
        value = answers[name]
        if isinstance(value, bool):
            return TRUE if value else FALSE
        return _plain_number(value) if isinstance(value, int | float) else str(value)
    return ""


def _plain_number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def _number(text: str, *, integer: bool) -> int | float | None:
    try:
        value = Decimal(_normalise(text).replace(",", ""))
    except InvalidOperation:
        return None
    if not value.is_finite() or value < 0 or value.adjusted() > 15 or value > Decimal(MAX_NUMBER):
        return None
    if value == value.to_integral_value():
        return int(value)
    return None if integer else float(value)


def _identity(kind: str, text: str, label: str) -> tuple[str | None, str | None]:
    """Validate an identity number with the accounts helper; a Chinese reason when it fails."""
    try:
        return applicant_id_number_clean(kind=kind, id_number=text), None
    except ApplicantInvalid as exc:
        return None, identity_problem(label, exc)


def identity_problem(label: str, exc: ApplicantInvalid) -> str:
    """Why an identity number was refused, in the applicant's words (the stdnum reason kept by the helper)."""
    reason = exc.__cause__
    if isinstance(reason, InvalidLength):
        return _("%(field)s must have 18 characters.") % {"field": label}
    if isinstance(reason, InvalidChecksum):
        return _("%(field)s: the last character does not match; check for a typing error.") % {"field": label}
    if isinstance(reason, InvalidComponent):
        return _("%(field)s: part of the number (region or date of birth) is not valid.") % {"field": label}
    return _("%(field)s may only contain digits and capital letters.") % {"field": label}


def clean_value(spec: FieldSpec, raw: str) -> tuple[Any, str | None]:
    """The stored value of one field and the problem with it (None when fine).

    Every field of the plan is required (the case engine's rule).
    """
    label = str(spec.label)
    text = _normalise(raw or "")
    if not text:
        return None, _("Please fill in %(field)s.") % {"field": label}
    if spec.kind in (TEXT, TEXTAREA):
        limit = MAX_TEXTAREA if spec.kind == TEXTAREA else MAX_TEXT
        if len(text) > limit:
            return None, _("%(field)s is too long (at most %(limit)s characters).") % {"field": label, "limit": limit}
        return text, None
    if spec.kind in (NUMBER, INTEGER):
        number = _number(text, integer=spec.kind == INTEGER)
        if number is None:
            if spec.kind == INTEGER:
                return None, _("%(field)s must be a whole number, 0 or more.") % {"field": label}
            return None, _("%(field)s must be a number, 0 or more.") % {"field": label}
        return number, None
    if spec.kind == DATE:
        try:
            return date.fromisoformat(text.replace("/", "-")).isoformat(), None
        except ValueError:
            return None, _("%(field)s must be a date such as 2026-12-01.") % {"field": label}
    if spec.kind == PHONE:
        compact = re.sub(r"[\s()]", "", text)
        if _MOBILE.match(compact) or _LANDLINE.match(compact):
            return compact, None
        return None, _("%(field)s must be an 11-digit mobile number or a landline with its area code.") % {
            "field": label
        }
    if spec.kind == USCC:
        return _identity(ApplicantKind.ENTERPRISE, text, label)
    if spec.kind == RIC:
        return _identity(ApplicantKind.PERSON, text, label)
    if spec.kind == BOOLEAN:
        if text in (TRUE, FALSE):
            return text == TRUE, None
        return None, _("%(field)s: choose yes or no.") % {"field": label}
    return text, None


def clean_form(keys: Sequence[str], raw: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """Values for the plan's field keys and the problems, one per field (in the keys' order)."""
    values: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for key in keys:
        value, problem = clean_value(field_spec(key), str(raw.get(key, "") or ""))
        if problem is None:
            values[key] = value
        else:
            problems[key] = problem
    return values, problems
