"""Writes to the licence library."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from lianban.accounts.models import Applicant, Role, User
from lianban.catalog.models import Department, Material
from lianban.core.case_errors import ActionInvalid
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
        raise ActionInvalid(_("only reviewers and administrators record licences"))
    number = (number or "").strip()
    if not number:
        raise ActionInvalid(_("the licence number is required"))
    if valid_until is not None and valid_until < issued_on:
        raise ActionInvalid(_("the validity ends before the issue date"))
    if Licence.objects.filter(material=material, number=number).exists():
        raise ActionInvalid(_("licence number %(number)s is already recorded") % {"number": number})
    with transaction.atomic(savepoint=False):
        return Licence.objects.create(
            material=material,
            number=number,
            holder=holder,
            department=department,
            issued_on=issued_on,
            valid_until=valid_until,
            item_case_id=item_case_id,
            document=document,
        )
