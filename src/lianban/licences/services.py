"""Writes to the licence library."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from lianban.accounts.models import Applicant, Role, User
from lianban.catalog.models import Department, Material
from lianban.common.prepared import PreparedQuery, insert_row
from lianban.core.case_errors import ActionInvalid, LicenceDuplicate, RoleRefused, TextRequired, ValidityInvalid
from lianban.licences.models import Licence


def licence_record(
    *,
    actor: User | None,
    material: Material,
    number: str,
    holder: Applicant,
    department: Department,
    issued_on: date,
    valid_until: date | None = None,
    item_case_id: int | None = None,
    document: str = "",
) -> Licence:
    """Put a licence in the library (an approved item's result, or an admin's import).

    ``actor`` is None for results recorded by the case engine itself. The
    checks only read; the one INSERT runs in the caller's transaction when
    there is one (an approval's: no savepoint of its own), else by itself.

    Raises:
        ActionInvalid: empty number, a validity ending before issue, a licence
            number already recorded for the material, or an actor who may not record.
    """
    if actor is not None and actor.role not in (Role.ADMIN, Role.REVIEWER):
        raise RoleRefused(_("only reviewers and administrators record licences"))
    number = _number_checked(number, issued_on, valid_until)
    if Licence.objects.filter(material=material, number=number).exists():
        raise _number_taken(number)
    return _licence_insert(
        material_id=material.pk,
        number=number,
        holder_id=holder.pk,
        department_id=department.pk,
        issued_on=issued_on,
        valid_until=valid_until,
        item_case_id=item_case_id,
        document=document,
    )


#: The material of a result and whether its number is taken, in one read built once (every approval).
_MATERIAL_AND_NUMBER_TAKEN = PreparedQuery(
    lambda material_code, number: Material.objects.filter(code=material_code).values_list(
        "pk", Exists(Licence.objects.filter(material=OuterRef("pk"), number=number))
    )[:2],
    material_code=str,
    number=str,
)


def licence_record_result(
    *,
    material_code: str,
    number: str,
    holder_id: int,
    department_id: int,
    issued_on: date,
    valid_until: date | None,
    item_case_id: int,
    document: str = "",
) -> Licence:
    """``licence_record`` for an approved item's result (recorded by the case engine, no actor).

    The same checks, with the material and "is the number taken" found in one read.

    Raises:
        ActionInvalid: as ``licence_record``. Material.DoesNotExist: no such material.
    """
    number = _number_checked(number, issued_on, valid_until)
    material_id, number_taken = _MATERIAL_AND_NUMBER_TAKEN.get(material_code=material_code, number=number)
    if number_taken:
        raise _number_taken(number)
    return _licence_insert(
        material_id=material_id,
        number=number,
        holder_id=holder_id,
        department_id=department_id,
        issued_on=issued_on,
        valid_until=valid_until,
        item_case_id=item_case_id,
        document=document,
    )


def _number_checked(number: str, issued_on: date, valid_until: date | None) -> str:
    """The number, stripped; ActionInvalid when empty or when the validity ends before the issue date."""
    number = (number or "").strip()
    if not number:
        raise TextRequired(_("the licence number is required"))
    if valid_until is not None and valid_until < issued_on:
        raise ValidityInvalid(_("the validity ends before the issue date"))
    return number


def _number_taken(number: str) -> ActionInvalid:
    return LicenceDuplicate(_("licence number %(number)s is already recorded") % {"number": number})


def _licence_insert(**fields: object) -> Licence:
    """The one INSERT, in the caller's transaction when there is one (no savepoint of its own), else by itself."""
    licence = Licence(**fields)
    with transaction.atomic(savepoint=False):
        insert_row(licence)
    return licence
