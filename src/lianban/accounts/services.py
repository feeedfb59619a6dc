"""Writes of accounts: applicants and who may act for them, API tokens, staff accounts (account trail)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from types import ModuleType

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from stdnum.cn import ric, uscc
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength
from stdnum.exceptions import ValidationError as StdnumError

from lianban.accounts.models import AccountEvent, ApiToken, Applicant, ApplicantKind, ApplicantMember, Role, User
from lianban.accounts.selectors import applicant_claim_of_user, applicant_get_by_identity
from lianban.core.case_errors import ApplicantInvalid


class AccountInvalid(Exception):
    """An account change refused: ``problems`` maps each field to what is wrong (translated)."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("; ".join(f"{key}: {text}" for key, text in problems.items()))
        self.problems = problems


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


# ------------------------------------------------------------------ account trail, API tokens, staff accounts

#: Written as the actor of changes made on the command line (the trail's ``actor`` is then empty).
COMMAND_LINE = "command line"
#: What a user's rights are: written on the account trail after every change.
RIGHTS = ("role", "department_id", "is_active", "is_staff", "is_superuser")
#: Roles that work for a department: refused without one. A clerk without a department is the
#: comprehensive window (综合窗口), serving every case (``cases.access.clerk_serves``).
DEPARTMENT_ROLES = (Role.REVIEWER,)
#: A token's visible start: ``lb_`` and eight characters of the secret.
TOKEN_PREFIX_LENGTH = 11


def account_event_write(*, actor: User | None, target: User | None, username: str, action: str, detail: str) -> None:
    """Append one event to the account trail, with the account's rights after the change.

    ``actor`` None: the change was made on the command line (or by the system); ``detail`` says so.
    """
    after = {name: getattr(target, name) for name in RIGHTS} if target is not None else {}
    AccountEvent.objects.create(
        actor=actor,
        target=target if target is not None and target.pk else None,
        target_username=username,
        action=action,
        detail=detail,
        after=after,
    )


def token_digest(token: str) -> str:
    """The stored form of a token: its SHA-256, hex (tokens are 32 random bytes: a fast hash suffices)."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A new token: the stored row and the clear token, shown once and never stored."""

    token: ApiToken
    clear: str


@transaction.atomic
def token_create(*, actor: User | None, user: User, name: str = "", days: int | None = None) -> IssuedToken:
    """Issue a token acting as ``user``, valid ``days`` days (None: until revoked); on the account trail.

    Raises:
        AccountInvalid: an inactive user or a non-positive number of days.
    """
    if not user.is_active:
        raise AccountInvalid({"user": _("the account is deactivated")})
    if days is not None and days <= 0:
        raise AccountInvalid({"days": _("must be a positive number of days")})
    clear = "lb_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name.strip()[:100],
        prefix=clear[:TOKEN_PREFIX_LENGTH],
        digest=token_digest(clear),
        expires_at=timezone.now() + timedelta(days=days) if days is not None else None,
    )
    account_event_write(
        actor=actor,
        target=user,
        username=user.username,
        action="token.created",
        detail=_trail_detail(actor, f"{token.prefix}… #{token.pk} {token.name}".strip()),
    )
    return IssuedToken(token=token, clear=clear)


@transaction.atomic
def token_revoke(*, actor: User | None, token: ApiToken) -> ApiToken:
    """Revoke a token (at once, for good); revoking twice changes nothing. On the account trail."""
    locked = ApiToken.objects.select_for_update().select_related("user").get(pk=token.pk)
    if locked.revoked_at is None:
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        account_event_write(
            actor=actor,
            target=locked.user,
            username=locked.user.username,
            action="token.revoked",
            detail=_trail_detail(actor, f"{locked.prefix}… #{locked.pk}"),
        )
    return locked


def token_touch(token: ApiToken, *, every: timedelta = timedelta(minutes=1)) -> None:
    """Record that ``token`` was used, at most once per ``every`` (no write on most calls)."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= every:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


def _trail_detail(actor: User | None, text: str) -> str:
    return text if actor is not None else f"[{COMMAND_LINE}] {text}"


def staff_account_problems(*, role: str, department: object | None) -> dict[str, str]:
    """What is wrong with a role and department pair (empty: nothing)."""
    if role not in Role.values:
        return {"role": _("unknown role %(role)s") % {"role": role}}
    if role in DEPARTMENT_ROLES and department is None:
        return {
            "department": _("a %(role)s needs a department") % {"role": Role(role).label},
        }
    return {}


@transaction.atomic
def user_add(
    *,
    actor: User | None,
    username: str,
    role: str,
    password: str,
    department_code: str = "",
    display_name: str = "",
) -> User:
    """Create an account with ``role`` (and department); the password checked by Django's validators.

    Raises:
        AccountInvalid: a taken or empty user name, an unknown role or department, a reviewer
            without a department, a password the validators refuse.
    """
    from lianban.catalog.models import Department

    problems: dict[str, str] = {}
    username = username.strip()
    if not username:
        problems["username"] = _("is required")
    elif User.objects.filter(username=username).exists():
        problems["username"] = _("the user name %(name)s is taken") % {"name": username}
    department = None
    if department_code:
        department = Department.objects.filter(code=department_code).first()
        if department is None:
            problems["department"] = _("no department has the code %(code)s") % {"code": department_code}
    if "department" not in problems:
        problems.update(staff_account_problems(role=role, department=department))
    user = User(username=username, role=role, department=department, display_name=display_name.strip())
    if not problems:
        try:
            validate_password(password, user)
        except DjangoValidationError as exc:
            problems["password"] = " ".join(exc.messages)
    if problems:
        raise AccountInvalid(problems)
    user.set_password(password)
    user.is_staff = role in (Role.ADMIN, Role.SECURITY)
    user.save()
    account_event_write(
        actor=actor, target=user, username=user.username, action="account.added", detail=_trail_detail(actor, role)
    )
    return user


@transaction.atomic
def user_set_password(*, actor: User | None, user: User, password: str) -> User:
    """Set a new password (Django's validators apply); on the account trail.

    Raises:
        AccountInvalid: the validators refuse the password.
    """
    try:
        validate_password(password, user)
    except DjangoValidationError as exc:
        raise AccountInvalid({"password": " ".join(exc.messages)}) from None
    user.set_password(password)
    user.save(update_fields=["password"])
    account_event_write(
        actor=actor,
        target=user,
        username=user.username,
        action="account.password_set",
        detail=_trail_detail(actor, ""),
    )
    return user


@transaction.atomic
def user_deactivate(*, actor: User | None, user: User) -> User:
    """Deactivate an account (its sessions and tokens stop working); on the account trail."""
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
        account_event_write(
            actor=actor,
            target=user,
            username=user.username,
            action="account.deactivated",
            detail=_trail_detail(actor, ""),
        )
    return user
