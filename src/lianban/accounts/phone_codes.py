"""Writes of one-time codes sent to mobile numbers: citizens sign up and reset a password with them.

The rules (docs/security.md, §14):

- a code is six random digits (``secrets``), stored only as a keyed digest with a random salt,
  valid ``LIANBAN_PHONE_CODE_MINUTES`` minutes, for ``LIANBAN_PHONE_CODE_ATTEMPTS`` wrong
  attempts, once, and only while it is the newest code of its number and purpose;
- requests are counted per number (``LIANBAN_PHONE_CODE_LIMITS``, by default 1 a minute, 5 an
  hour, 10 a day) and per client address (``LIANBAN_PHONE_CODE_ADDRESS_LIMITS``) *before*
  anything is sent or stored: a refused request costs no quota and says, in the request's
  language, how long to wait;
- the answer to a request does not tell whether the number has an account: a reset code for a
  number without an account is stored (it counts for the limits) but nothing is sent; a sign-up
  request for a number that has an account sends a message saying so instead of a code;
- nothing is sent here: the text goes to :data:`PHONE_CODE_QUEUED`, on which ``messaging`` (a layer
  above) registers the writing of an outbox message in this transaction; its worker sends it at once,
  before any queued notice, and blanks the code when it is handed over, fails, or expires. The answer
  is a random token the page asks by whether the code went out (``messaging.selectors``).
"""

from __future__ import annotations

import hmac
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from axes.utils import reset as axes_reset

from lianban.accounts.models import Applicant, ApplicantKind, CodePurpose, PhoneCode, Role, User
from lianban.accounts.services import AccountInvalid, account_event_write, applicant_create, applicant_id_number_clean
from lianban.common import crypto
from lianban.common.hooks import Hook
from lianban.core.case_errors import ApplicantInvalid

logger = logging.getLogger(__name__)

#: A mainland mobile number: 11 digits starting 13–19.
MOBILE = re.compile(r"1[3-9]\d{9}")
CODE_DIGITS = 6
#: Window lengths of the rate-limit units.
UNITS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


class CodeRefused(Exception):
    """A code request refused by a rate limit: ``message`` (translated) and ``retry_after`` seconds."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


class CodeNotSent(Exception):
    """Nothing can send the code (no sender registered on :data:`PHONE_CODE_QUEUED`): nothing stored."""


@dataclass(frozen=True, slots=True)
class CodeText:
    """A text to send to a mobile number in answer to a code request: what the hook's functions receive.

    ``kind`` is ``code`` (``params`` holds ``{"code": …}``, the provider template's variable) or
    ``account`` (a sign-up asked for a number with an account: no code, no params). ``topic`` names the
    request (``phonecode:<id>``): the page's status token leads to it.
    """

    phone: str
    kind: str
    text: str
    params: dict[str, str]
    topic: str
    created_at: datetime


#: Called in the request's transaction with each text to send; must queue it (see :class:`CodeText`).
PHONE_CODE_QUEUED: Hook[[CodeText], bool] = Hook("phone code queued")


@dataclass(frozen=True, slots=True)
class Limit:
    """At most ``count`` code requests per ``seconds``."""

    count: int
    seconds: int


def parse_limits(text: str) -> tuple[Limit, ...]:
    """``"1/minute,5/hour,10/day"`` as limits (``none`` or empty: no limit).

    Raises:
        ValueError: an entry that is not ``N/second|minute|hour|day``.
    """
    limits = []
    for entry in (text or "").split(","):
        entry = entry.strip().lower()
        if not entry or entry == "none":
            continue
        count, _sep, unit = entry.partition("/")
        unit = unit.strip().removesuffix("s")
        unit = {"min": "minute", "sec": "second"}.get(unit, unit)
        if unit not in UNITS or not count.strip().isdigit():
            raise ValueError(f"not a rate limit: {entry!r} (want N/minute, N/hour or N/day)")
        limits.append(Limit(int(count), UNITS[unit]))
    return tuple(limits)


def phone_clean(text: str) -> str:
    """The 11-digit mobile number in ``text`` (spaces, dashes and a +86 or 0086 prefix allowed).

    Raises:
        AccountInvalid: not a mainland mobile number.
    """
    number = "".join(ch for ch in (text or "") if ch not in " -\t()")
    for prefix in ("+86", "0086", "86"):
        if number.startswith(prefix) and len(number) == 11 + len(prefix):
            number = number[len(prefix) :]
    if not MOBILE.fullmatch(number):
        raise AccountInvalid({"phone": _("enter an 11-digit mobile number")})
    return number


def _digest(value: str, what: str) -> str:
    return crypto.lookup_digest(value, f"accounts.phonecode.{what}")


def _code_digest(salt: str, code: str) -> str:
    return _digest(f"{salt}:{code}", "code")


def _minutes() -> int:
    return int(getattr(settings, "LIANBAN_PHONE_CODE_MINUTES", 10))


def _attempts() -> int:
    return int(getattr(settings, "LIANBAN_PHONE_CODE_ATTEMPTS", 5))


def _wait_text(seconds: int) -> str:
    if seconds < 120:
        return ngettext("%(n)d second", "%(n)d seconds", seconds) % {"n": seconds}
    minutes = -(-seconds // 60)
    if minutes < 120:
        return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}
    hours = -(-minutes // 60)
    return ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours}


def _check_limits(field: str, digest: str, limits: tuple[Limit, ...], now: datetime) -> int:
    """Seconds to wait before ``digest`` may ask again (0: it may now)."""
    wait = 0
    for limit in limits:
        since = now - timedelta(seconds=limit.seconds)
        times = list(
            PhoneCode.objects.filter(**{field: digest}, created_at__gt=since)
            .order_by("-created_at")
            .values_list("created_at", flat=True)[: limit.count]
        )
        if len(times) >= limit.count:
            oldest = times[-1]
            wait = max(wait, int((oldest + timedelta(seconds=limit.seconds) - now).total_seconds()) + 1)
    return wait


def _serialise(*digests: str) -> None:
    """One code request at a time per number and per address, until the transaction ends.

    PostgreSQL: transaction-scoped advisory locks on the digests (always the number's first, so two
    requests never wait for each other crosswise). SQLite: the transaction began IMMEDIATE, which
    already serialises every writer.
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for digest in digests:
            if digest:
                cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [f"phonecode:{digest}"])


def _number_has_account(phone: str) -> bool:
    return User.objects.filter(username=phone, is_active=True, role=Role.APPLICANT).exists()


def _message(purpose: str, code: str) -> str:
    what = _("sign-up") if purpose == CodePurpose.SIGNUP else _("password reset")
    return _(
        "[lianban] Your verification code for %(what)s is %(code)s, valid for %(minutes)d minutes. "
        "Do not tell it to anyone; staff never ask for it."
    ) % {"what": what, "code": code, "minutes": _minutes()}


def token_digest(token: str) -> str:
    """The stored form of a status token."""
    return _digest(token, "token")


def phone_code_of_token(token: str) -> PhoneCode | None:
    """The code request a status token was given for (None: no such token)."""
    if not token or len(token) > 64:
        return None
    return PhoneCode.objects.filter(token_digest=token_digest(token)).first()


def phone_code_send(*, phone: str, purpose: str, address: str, now: datetime | None = None) -> str:
    """Queue a new one-time code for ``purpose`` to ``phone`` (already cleaned), asked from ``address``.

    The answer is a random status token (the page asks by it whether the code went out), of the same
    shape whether the number has an account or not; see the module's rules.

    Raises:
        CodeRefused: a rate limit of the number or of the address; nothing stored or queued.
        CodeNotSent: nothing is registered to send codes; nothing stored.
    """
    if purpose not in CodePurpose.values:
        raise ValueError(purpose)
    now = now or timezone.now()
    phone_digest = _digest(phone, "phone")
    address_digest = _digest(address, "address") if address else ""
    with transaction.atomic():
        _serialise(phone_digest, address_digest)
        wait = _check_limits("phone_digest", phone_digest, parse_limits(settings.LIANBAN_PHONE_CODE_LIMITS), now)
        if wait:
            raise CodeRefused(
                _("Too many codes asked for this number. Try again in %(wait)s.") % {"wait": _wait_text(wait)},
                wait,
            )
        if address_digest:
            wait = _check_limits(
                "address_digest", address_digest, parse_limits(settings.LIANBAN_PHONE_CODE_ADDRESS_LIMITS), now
            )
            if wait:
                raise CodeRefused(
                    _("Too many codes asked from your network. Try again in %(wait)s.") % {"wait": _wait_text(wait)},
                    wait,
                )
        code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
        salt = secrets.token_hex(16)
        token = secrets.token_urlsafe(24)
        row = PhoneCode.objects.create(
            purpose=purpose,
            phone_digest=phone_digest,
            address_digest=address_digest,
            salt=salt,
            code_digest=_code_digest(salt, code),
            created_at=now,
            expires_at=now + timedelta(minutes=_minutes()),
            token_digest=token_digest(token),
        )
        has_account = _number_has_account(phone)
        if purpose == CodePurpose.SIGNUP and has_account:
            text = _(
                "[lianban] Someone asked to sign up with this number, which already has an account. "
                "If it was you, sign in, or reset your password with this number."
            )
            kind, params = "account", {}
        elif purpose == CodePurpose.RESET and not has_account:
            return token  # nothing to reset: stored for the limits, not sent, the same answer
        else:
            text = _message(purpose, code)
            kind, params = "code", {"code": code}
        queued = PHONE_CODE_QUEUED(
            CodeText(phone=phone, kind=kind, text=text, params=params, topic=f"phonecode:{row.pk}", created_at=now)
        )
        if not queued:
            logger.error("nothing is registered to send one-time codes (accounts.phone_codes.PHONE_CODE_QUEUED)")
            raise CodeNotSent
    return token


def _code_problem(*, phone: str, purpose: str, code: str, consume: bool, now: datetime) -> str:
    """What is wrong with ``code`` ("" when it is right; then used up if ``consume``). Wrong guesses count."""
    typed = "".join(ch for ch in (code or "") if not ch.isspace())
    newest = (
        PhoneCode.objects.select_for_update()
        .filter(phone_digest=_digest(phone, "phone"), purpose=purpose)
        .order_by("-created_at", "-id")
        .first()
    )
    if newest is None or newest.used_at is not None:
        return _("the code is wrong or no longer valid; ask for a new one")
    if newest.expires_at <= now:
        return _("the code has expired; ask for a new one")
    if newest.attempts >= _attempts():
        return _("too many wrong codes; ask for a new one")
    if not typed.isdigit() or not hmac.compare_digest(_code_digest(newest.salt, typed), newest.code_digest):
        newest.attempts += 1
        newest.save(update_fields=["attempts"])
        left = _attempts() - newest.attempts
        if left <= 0:
            return _("too many wrong codes; ask for a new one")
        return ngettext(
            "the code is wrong; %(left)d attempt left", "the code is wrong; %(left)d attempts left", left
        ) % {"left": left}
    if consume:
        newest.used_at = now
        newest.save(update_fields=["used_at"])
    return ""


def _password_problem(password: str, password2: str, user: User) -> str:
    if password != password2:
        return _("the two passwords differ")
    try:
        validate_password(password, user)
    except DjangoValidationError as exc:
        return " ".join(exc.messages)
    return ""


def _checked_code(phone: str, purpose: str, code: str, problems: dict[str, str], now: datetime) -> dict[str, str]:
    """``problems`` plus the code's; the code is used up only when nothing else is wrong."""
    problem = _code_problem(phone=phone, purpose=purpose, code=code, consume=not problems, now=now)
    return {"code": problem, **problems} if problem else problems


def _username_taken(phone: str) -> bool:
    """Whether an account already has this mobile number as its user name."""
    return User.objects.filter(username=phone).exists()


def signup_complete(
    *,
    phone: str,
    code: str,
    name: str,
    id_number: str,
    password: str,
    password2: str,
    now: datetime | None = None,
) -> User:
    """Create a citizen's account (user name: the mobile number) and their applicant record.

    The real-name identity is the applicant (``applicant_create``: name and 公民身份号码, checked
    with python-stdnum; an identity another account registered becomes a claim, as in the portal).
    A wrong code counts as an attempt even when other fields are wrong; a right code is used up
    only with everything else right. On the account trail.

    Raises:
        AccountInvalid: every problem, by field (code, name, id_number, password).
    """
    now = now or timezone.now()
    name = (name or "").strip()
    problems: dict[str, str] = {}
    if not name:
        problems["name"] = _("is required")
    try:
        number = applicant_id_number_clean(kind=ApplicantKind.PERSON, id_number=id_number)
    except ApplicantInvalid as exc:
        problems["id_number"] = exc.problems.get("id_number", "")
    user = User(username=phone, role=Role.APPLICANT, display_name=name, phone=phone)
    password_problem = _password_problem(password, password2, user)
    if password_problem:
        problems["password"] = password_problem
    # the code's check commits on its own (a wrong guess counts even when the answer is a refusal)
    with transaction.atomic():
        problems = _checked_code(phone, CodePurpose.SIGNUP, code, problems, now)
        if not problems and _username_taken(phone):
            # no code is sent to a number with an account: only a race gets here
            problems["code"] = _("the code is wrong or no longer valid; ask for a new one")
        if not problems:
            try:
                with transaction.atomic():  # a sign-up for the same number committed meanwhile: refused, not 500
                    user.set_password(password)
                    user.save()
                    applicant_create(
                        actor=user,
                        kind=ApplicantKind.PERSON,
                        id_number=number,
                        name=name,
                        contact_name=name,
                        contact_phone=phone,
                    )
                    account_event_write(
                        actor=user,
                        target=user,
                        username=user.username,
                        action="account.signed_up",
                        detail=_("portal sign-up"),
                    )
            except IntegrityError:
                problems["code"] = _("the code is wrong or no longer valid; ask for a new one")
    if problems:
        raise AccountInvalid(problems)
    return user


def password_reset_by_code(
    *, phone: str, code: str, password: str, password2: str, now: datetime | None = None
) -> User:
    """Set a new password for the citizen account of ``phone`` with a reset code; on the account trail.

    Raises:
        AccountInvalid: a wrong, expired, used or exhausted code (the same words whether the number
            has an account or not), a password the validators refuse.
    """
    now = now or timezone.now()
    user = User.objects.filter(username=phone, is_active=True, role=Role.APPLICANT).first()
    problems: dict[str, str] = {}
    password_problem = _password_problem(password, password2, user or User(username=phone, phone=phone))
    if password_problem:
        problems["password"] = password_problem
    with transaction.atomic():
        problems = _checked_code(phone, CodePurpose.RESET, code, problems, now)
        if not problems and user is None:  # no code is sent to such a number: the stored one is never typed
            problems["code"] = _("the code is wrong or no longer valid; ask for a new one")
        if not problems and user is not None:
            user.set_password(password)
            user.save(update_fields=["password"])
            account_event_write(
                actor=user,
                target=user,
                username=user.username,
                action="account.password_reset",
                detail=_("password reset with a code sent to the mobile number"),
            )
            # the owner proved the number: the lock of the user name (django-axes) ends; the address's stays
            axes_reset(username=user.username)
    if problems or user is None:
        raise AccountInvalid(problems)
    return user


def phone_codes_prune(now: datetime | None = None) -> int:
    """Delete the code rows no rule reads any more (older than the longest limit window and a day): how many."""
    now = now or timezone.now()
    windows = [
        limit.seconds
        for name in ("LIANBAN_PHONE_CODE_LIMITS", "LIANBAN_PHONE_CODE_ADDRESS_LIMITS")
        for limit in parse_limits(getattr(settings, name))
    ]
    keep = timedelta(seconds=max([UNITS["day"], *windows]), minutes=_minutes())
    deleted, _rows = PhoneCode.objects.filter(created_at__lt=now - keep).delete()
    return deleted


def applicant_of_citizen(user: User) -> Applicant | None:
    """The person applicant a citizen signed up with (their real-name identity), if any."""
    return Applicant.objects.filter(memberships__user=user, kind=ApplicantKind.PERSON).order_by("id").first()
