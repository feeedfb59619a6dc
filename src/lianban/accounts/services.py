"""Writes of accounts: applicants and who may act for them."""

from __future__ import annotations

from types import ModuleType

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from stdnum.cn import ric, uscc
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength
from stdnum.exceptions import ValidationError as StdnumError

from lianban.accounts.models import Applicant, ApplicantKind, ApplicantMember, User
from lianban.accounts.selectors import applicant_claim_of_user, applicant_get_by_identity
from lianban.core.case_errors import ApplicantInvalid


def applicant_id_number_clean(*, kind: str, id_number: str) -> str:
    """The compact, validated identity number of an applicant.

    Enterprises carry a unified social credit code (GB 32100, ``stdnum.cn.uscc``),
    persons a citizen identity number (GB 11643, ``stdnum.cn.ric``).

    Raises:
        ApplicantInvalid: unknown kind or a number that does not validate.
    """
    module: ModuleType
    if kind == ApplicantKind.ENTERPRISE:
        module, label = uscc, _("unified social credit code")
    elif kind == ApplicantKind.PERSON:
        module, label = ric, _("citizen identity number")
    else:
        raise ApplicantInvalid({"kind": _("must be enterprise or person")})
    typed = "".join(ch for ch in (id_number or "") if ch not in " -\t").upper()
    compact = str(module.compact(typed))
    try:
        module.validate(compact)
    except StdnumError as exc:
        raise ApplicantInvalid(
            {"id_number": _("%(label)s: %(problem)s") % {"label": label, "problem": _number_problem(exc)}}
        ) from exc
    return compact


def _number_problem(exc: StdnumError) -> str:
    """python-stdnum's reason (English) in the words of the request."""
    if isinstance(exc, InvalidChecksum):
        return _("the check digit is wrong; please check the number")
    if isinstance(exc, InvalidLength):
        return _("the number has the wrong length")
    if isinstance(exc, InvalidFormat):
        return _("the number contains characters that do not belong in it")
    if isinstance(exc, InvalidComponent):
        return _("a part of the number (region, date of birth or organisation code) is not valid")
    return _("the number is not valid")


@transaction.atomic
def applicant_create(
    *,
    actor: User | None,
    kind: str,
    id_number: str,
    name: str,
    contact_name: str,
    contact_phone: str,
    address: str = "",
    members: tuple[User, ...] = (),
) -> Applicant:
    """Register an applicant; the acting applicant user (if any) and ``members`` may act for it.

    An applicant with the same identity already registered is returned as it is
    (and the new members are added), so registering twice is harmless; so does
    a window clerk (the person is at the window with their papers). An
    applicant user who does not act for the registered identity gets a claim
    instead (``Applicant.claim_of``): a provisional applicant with what they
    typed and nothing of the registered one, confirmed or refused at the window
    against the papers. The answer is the same as for a new identity, so it
    does not tell whether the identity is registered.

    Raises:
        ApplicantInvalid: a bad identity number, a missing name or contact.
    """
    problems: dict[str, str] = {}
    for field, value in (("name", name), ("contact_name", contact_name), ("contact_phone", contact_phone)):
        if not (value or "").strip():
            problems[field] = _("is required")
    try:
        number = applicant_id_number_clean(kind=kind, id_number=id_number)
    except ApplicantInvalid as exc:
        problems.update(exc.problems)
    if problems:
        raise ApplicantInvalid(problems)
    joining = actor if actor is not None and actor.is_applicant else None
    typed = {
        "kind": kind,
        "id_number": number,
        "name": name.strip(),
        "contact_name": contact_name.strip(),
        "contact_phone": contact_phone.strip(),
        "address": address.strip(),
    }
    applicant = applicant_get_by_identity(kind=kind, id_number=number)
    created = False
    if applicant is None:
        try:
            with transaction.atomic():
                applicant = Applicant.objects.create(**typed)
            created = True
        except IntegrityError:  # registered at the same moment by someone else: theirs (digest unique)
            applicant = applicant_get_by_identity(kind=kind, id_number=number)
            if applicant is None:
                raise
    if (
        not created
        and joining is not None
        and not ApplicantMember.objects.filter(applicant=applicant, user=joining).exists()
    ):
        applicant = _claim(applicant, joining, typed)
    users = list(members)
    if joining is not None:
        users.append(joining)
    for user in users:
        ApplicantMember.objects.get_or_create(applicant=applicant, user=user)
    return applicant


def _claim(registered: Applicant, user: User, typed: dict[str, str]) -> Applicant:
    """The user's open claim to ``registered``'s identity, created with what they typed if they have none."""
    claim = applicant_claim_of_user(registered=registered, user=user)
    if claim is None:
        claim = Applicant.objects.create(**typed, claim_of=registered)
    return claim


@transaction.atomic
def applicant_add_member(*, actor: User, applicant: Applicant, user: User) -> ApplicantMember:
    """Let ``user`` act for ``applicant``. Only someone who already acts for it may add members.

    Raises:
        ApplicantInvalid: the actor does not act for the applicant.
    """
    if not ApplicantMember.objects.filter(applicant=applicant, user=actor).exists():
        raise ApplicantInvalid({"applicant": _("you do not act for this applicant")})
    member, _created = ApplicantMember.objects.get_or_create(applicant=applicant, user=user)
    return member
