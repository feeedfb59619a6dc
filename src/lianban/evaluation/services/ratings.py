"""Ratings through each channel (portal, window entry, one-time tokens), 追评 and the default ratings.

Every write locks the case row first (``workflow.lock_case``) and records its audit event on the
case's trail. Ratings are append-only; one rating per service per evaluator (the unique constraint
``rating_once`` backs the check). A 差评 opens its rectification ticket (``tickets``).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from lianban.accounts.models import User
from lianban.cases import clock
from lianban.cases.access import can_see_case, clerk_serves, user_acts_for_case
from lianban.cases.events import event_record
from lianban.cases.models import Case, CaseEvent, ItemCase
from lianban.cases.workflow import lock_case
from lianban.common.idempotency import command
from lianban.core import evaluation as rules
from lianban.core.case_errors import ChoiceInvalid, TooLate
from lianban.core.errors import NotAllowed, NotVisible
from lianban.core.text import tx
from lianban.evaluation.models import Rating, RatingToken
from lianban.evaluation.services.base import (
    DECIDED_ITEM_STATES,
    FINISHED_STATES,
    FINISHING_ACTIONS,
    AlreadyRated,
    NotRatable,
    TokenInvalid,
    limits,
    text_kept,
)
from lianban.evaluation.services.reporting import report_queue
from lianban.evaluation.services.tickets import ticket_open

# ------------------------------------------------------------------ what is rated


@dataclass(frozen=True, slots=True)
class Service:
    """One service of a finished case (一事一评): the case as a whole or one decided item case."""

    key: str
    case: Case
    item_case: ItemCase | None
    department_id: int
    window_id: int
    staff_id: int | None


def _finisher(case: Case) -> int | None:
    event = (
        CaseEvent.objects.filter(case=case, action__in=FINISHING_ACTIONS, actor__isnull=False)
        .order_by("-id")
        .values_list("actor_id", flat=True)
        .first()
    )
    if event is not None and event != case.submitted_by_id:
        return event
    return case.entered_by_id


def case_services(case: Case) -> list[Service]:
    """The services of ``case`` that can be rated: none until it is issued, refused or withdrawn."""
    if case.state not in FINISHED_STATES:
        return []
    window = case.lead_department_id
    services = [Service(f"case:{case.pk}", case, None, window, window, _finisher(case))]
    for item in ItemCase.objects.filter(case=case, state__in=DECIDED_ITEM_STATES).order_by("position"):
        staff = item.decided_by_id or item.taken_by_id
        services.append(Service(f"item:{item.pk}", case, item, item.department_id, window, staff))
    return services


def _service(case: Case, item_case_id: int | None) -> Service:
    key = f"item:{item_case_id}" if item_case_id else f"case:{case.pk}"
    for service in case_services(case):
        if service.key == key:
            return service
    if case.state not in FINISHED_STATES:
        raise NotRatable(tx("the case can be rated once it is issued, refused or withdrawn"))
    raise NotRatable(tx("no such service in this case"))


def finished_on(case: Case) -> date | None:
    """The day the case's services finished (it was issued, refused or withdrawn)."""
    return clock.local_date(case.closed_at) if case.closed_at else None


# ------------------------------------------------------------------ giving a rating


@dataclass(frozen=True, slots=True)
class Given:
    """What the evaluator said about one service."""

    level: int
    indicators: Sequence[str] = ()
    comment: str = ""


def _rating_create(
    *,
    case: Case,
    kind: rules.Kind,
    service_key: str,
    item_case: ItemCase | None,
    department_id: int,
    window_id: int | None,
    staff_id: int | None,
    given: Given,
    channel: rules.Channel,
    actor: User | None,
    token: RatingToken | None = None,
    entered_by: User | None = None,
    is_default: bool = False,
) -> Rating:
    """Check and insert one rating (the case is locked); a 差评 opens its ticket; audited."""
    level = rules.level_of(given.level)
    version = rules.CURRENT_INDICATORS
    indicators = (
        ()
        if is_default
        else rules.indicators_check(version, rules.mode_of_channel(channel, kind), level, list(given.indicators))
    )
    evaluator = f"applicant:{case.applicant_id}"
    if Rating.objects.filter(service=service_key, evaluator=evaluator, follow_up_of__isnull=True).exists():
        raise AlreadyRated
    try:
        with transaction.atomic():
            rating = Rating.objects.create(
                kind=kind.value,
                service=service_key,
                evaluator=evaluator,
                case=case,
                item_case=item_case,
                applicant_id=case.applicant_id,
                department_id=department_id,
                window_id=window_id,
                staff_id=staff_id,
                level=int(level),
                indicator_version=version,
                indicators=list(indicators),
                comment=text_kept(given.comment),
                channel=channel.value,
                token=token,
                entered_by=entered_by,
                is_default=is_default,
                rated_at=clock.now(),
            )
    except IntegrityError:
        raise AlreadyRated from None  # a concurrent rating of the same service won the race
    event_record(
        case=case,
        actor=actor,
        action="rating.defaulted" if is_default else "rating.given",
        item_case=item_case,
        after={
            "rating": rating.pk,
            "service": service_key,
            "kind": kind.value,
            "channel": channel.value,
            "level": int(level),
            "entered_by_staff": entered_by is not None,
        },
    )
    if rules.is_bad(level) and not is_default:
        ticket_open(rating, case)
    report_queue(rating, case)
    return rating


@command(operation="rating.give", model=Rating)
def rating_give(
    *, actor: User, case_id: int, item_case_id: int | None, given: Given, idempotency_key: str | None = None
) -> Rating:
    """The applicant rates a service of their finished case from "my cases" (portal channel).

    Raises:
        NotVisible (not their case), NotRatable, AlreadyRated, LevelInvalid, IndicatorsInvalid, ActionInvalid.
    """
    try:
        case = lock_case(case_id)
    except Case.DoesNotExist:
        raise NotVisible from None
    if not user_acts_for_case(actor, case):
        raise NotVisible
    service = _service(case, item_case_id)
    return _rating_create(
        case=case,
        kind=rules.Kind.SERVICE,
        service_key=service.key,
        item_case=service.item_case,
        department_id=service.department_id,
        window_id=service.window_id,
        staff_id=service.staff_id,
        given=given,
        channel=rules.Channel.PORTAL,
        actor=actor,
    )


@command(operation="rating.enter", model=Rating)
def rating_enter(
    *,
    actor: User,
    case_id: int,
    item_case_id: int | None,
    channel: str,
    given: Given,
    idempotency_key: str | None = None,
) -> Rating:
    """A window clerk enters a rating the applicant gave by telephone or on paper (marked so).

    Raises:
        NotVisible (not the clerk's case), NotAllowed, NotRatable, AlreadyRated, LevelInvalid, ActionInvalid.
    """
    if channel not in {c.value for c in rules.STAFF_CHANNELS}:
        raise ChoiceInvalid(_("staff enter ratings given by telephone or on paper"))
    try:
        case = lock_case(case_id)
    except Case.DoesNotExist:
        raise NotVisible from None
    if not can_see_case(actor, case):
        raise NotVisible
    if not clerk_serves(actor, case):
        raise NotAllowed(_("only the window enters telephone and paper ratings"))
    service = _service(case, item_case_id)
    return _rating_create(
        case=case,
        kind=rules.Kind.SERVICE,
        service_key=service.key,
        item_case=service.item_case,
        department_id=service.department_id,
        window_id=service.window_id,
        staff_id=service.staff_id,
        given=given,
        channel=rules.Channel(channel),
        actor=actor,
        entered_by=actor,
    )


# ------------------------------------------------------------------ one-time tokens


def _token_new(*, case: Case, kind: rules.Kind, channel: rules.Channel, staff: User | None) -> RatingToken:
    now = clock.now()
    return RatingToken.objects.create(
        token=secrets.token_urlsafe(24),
        kind=kind.value,
        channel=channel.value,
        case=case,
        staff=staff,
        made_at=now,
        expires_at=rules.token_expires(now, limits()),
    )


def case_token(*, case: Case, channel: str) -> RatingToken:
    """The case's token for the message link or the receipt's QR code (made once per channel, reused while valid)."""
    chosen = rules.Channel(channel)
    if chosen not in (rules.Channel.LINK, rules.Channel.QR):
        raise ChoiceInvalid(_("a case token is for the message link or the receipt's QR code"))
    now = clock.now()
    token = RatingToken.objects.filter(
        case=case, channel=chosen.value, used_at__isnull=True, expires_at__gt=now
    ).first()
    return token or _token_new(case=case, kind=rules.Kind.SERVICE, channel=chosen, staff=None)


#: The messages that finish a case: they carry the link to rate the service (好差评).
RATING_INVITED = frozenset({"ISSUED", "REFUSED", "WITHDRAWN"})


def message_ending(case: Case, kind: str) -> str | None:
    """The rating invitation a message finishing the case ends with (``cases.notifications.MESSAGE_ENDINGS``)."""
    return rating_invitation(case) if kind in RATING_INVITED else None


def rating_invitation(case: Case) -> str:
    """The sentence with the rating link a finishing message ends with (absolute with ``LIANBAN_PUBLIC_URL``)."""
    path = reverse("evaluation:rate", args=[case_token(case=case, channel=rules.Channel.LINK.value).token])
    return _("Please rate our service: %(url)s") % {"url": f"{settings.LIANBAN_PUBLIC_URL}{path}"}


@command(operation="rating.visit_token", model=RatingToken)
def visit_token_make(*, actor: User, case_id: int, idempotency_key: str | None = None) -> RatingToken:
    """A window clerk starts a visit rating (一次一评) on the window's evaluator: a one-time token for the tablet.

    The clerk sees no level: the tablet shows the token's page, and the level is only stored.

    Raises:
        NotVisible, NotAllowed (not the case's window).
    """
    try:
        case = lock_case(case_id)
    except Case.DoesNotExist:
        raise NotVisible from None
    if not can_see_case(actor, case):
        raise NotVisible
    if not clerk_serves(actor, case):
        raise NotAllowed(_("only the window starts a visit rating"))
    token = _token_new(case=case, kind=rules.Kind.VISIT, channel=rules.Channel.TABLET, staff=actor)
    event_record(case=case, actor=actor, action="rating.visit_started", after={"token": token.pk})
    return token


def _usable_token(value: str) -> RatingToken:
    token = RatingToken.objects.select_for_update().filter(token=value).first()
    if token is None or token.used_at is not None or token.expires_at <= clock.now():
        raise TokenInvalid
    return token


def token_services(value: str) -> tuple[RatingToken, list[Service]]:
    """What a token rates now: the case's unrated services (case token) or the visit (visit token).

    Raises:
        TokenInvalid (unknown, expired, used).
    """
    token = RatingToken.objects.select_related("case").filter(token=value).first()
    if token is None or token.used_at is not None or token.expires_at <= clock.now():
        raise TokenInvalid
    if token.kind == rules.Kind.VISIT:
        staff = token.staff
        window = token.case.lead_department_id
        department = staff.department_id if staff and staff.department_id else window
        return token, [Service(f"visit:{token.pk}", token.case, None, department, window, token.staff_id)]
    evaluator = f"applicant:{token.case.applicant_id}"
    rated = set(
        Rating.objects.filter(case=token.case, evaluator=evaluator, follow_up_of__isnull=True).values_list(
            "service", flat=True
        )
    )
    return token, [s for s in case_services(token.case) if s.key not in rated]


def rating_give_by_token(*, token: str, item_case_id: int | None, given: Given) -> Rating:
    """A rating through a one-time token (message link, receipt QR code, window tablet); no sign-in.

    A visit token is spent by its rating; a case token once every service of the case is rated.

    Raises:
        TokenInvalid, NotRatable, AlreadyRated, LevelInvalid, IndicatorsInvalid, ActionInvalid.
    """
    with transaction.atomic():
        found = RatingToken.objects.filter(token=token).values_list("case_id", flat=True).first()
        if found is None:
            raise TokenInvalid
        case = lock_case(found)
        row = _usable_token(token)
        _, services = token_services(token)
        if row.kind == rules.Kind.VISIT:
            service = services[0]
            kind = rules.Kind.VISIT
        else:
            kind = rules.Kind.SERVICE
            service = _service(case, item_case_id)
            if service.key not in {s.key for s in services}:
                raise AlreadyRated
        rating = _rating_create(
            case=case,
            kind=kind,
            service_key=service.key,
            item_case=service.item_case,
            department_id=service.department_id,
            window_id=service.window_id,
            staff_id=service.staff_id,
            given=given,
            channel=rules.Channel(row.channel),
            actor=None,
            token=row,
        )
        if len(services) == 1:
            row.used_at = clock.now()
            row.save(update_fields=["used_at"])
        return rating


# ------------------------------------------------------------------ 追评


@command(operation="rating.follow_up", model=Rating)
def follow_up_add(*, actor: User, rating_id: int, comment: str, idempotency_key: str | None = None) -> Rating:
    """The evaluator adds one 追评 to their rating within the configured days (same level, a new comment).

    Raises:
        NotVisible (not theirs), AlreadyRated (a second 追评), ActionInvalid (too late, no comment).
    """
    found = Rating.objects.filter(pk=rating_id, follow_up_of__isnull=True, is_default=False).first()
    if found is None or found.case_id is None:  # an anonymous window rating has no evaluator to follow up
        raise NotVisible
    case = lock_case(found.case_id)
    if not user_acts_for_case(actor, case):
        raise NotVisible
    if not rules.follow_up_open(found.rated_at, clock.now(), limits()):
        raise TooLate(_("the time for a follow-up comment has passed"))
    text = text_kept(comment, required=_("say what you want to add"))
    if Rating.objects.filter(follow_up_of=found).exists():
        raise AlreadyRated
    try:
        with transaction.atomic():
            follow = Rating.objects.create(
                kind=found.kind,
                service=found.service,
                evaluator=found.evaluator,
                case=case,
                item_case_id=found.item_case_id,
                applicant_id=found.applicant_id,
                department_id=found.department_id,
                window_id=found.window_id,
                staff_id=found.staff_id,
                level=found.level,
                indicator_version=found.indicator_version,
                indicators=found.indicators,
                comment=text,
                channel=rules.Channel.PORTAL.value,
                follow_up_of=found,
                rated_at=clock.now(),
            )
    except IntegrityError:
        raise AlreadyRated from None
    event_record(
        case=case,
        actor=actor,
        action="rating.followed_up",
        after={"rating": found.pk, "follow_up": follow.pk},
    )
    return follow


# ------------------------------------------------------------------ default ratings


def default_ratings(today: date | None = None) -> int:
    """The periodic task's work: every finished service unrated after the configured days gets 基本满意 (default).

    One transaction per case. Returns how many default ratings were given.
    """
    today = today or clock.today()
    rule = limits()
    given = 0
    finished = Case.objects.filter(state__in=FINISHED_STATES, closed_at__isnull=False).order_by("id")
    for case_id, closed_at in finished.values_list("id", "closed_at"):
        if closed_at is None or not rules.default_owed(clock.local_date(closed_at), today, rule):
            continue
        evaluator_rated = set(
            Rating.objects.filter(case_id=case_id, follow_up_of__isnull=True).values_list("service", flat=True)
        )
        with transaction.atomic():
            case = lock_case(case_id)
            for service in case_services(case):
                if service.key in evaluator_rated:
                    continue
                _rating_create(
                    case=case,
                    kind=rules.Kind.SERVICE,
                    service_key=service.key,
                    item_case=service.item_case,
                    department_id=service.department_id,
                    window_id=service.window_id,
                    staff_id=service.staff_id,
                    given=Given(level=int(rules.DEFAULT_LEVEL)),
                    channel=rules.Channel.SYSTEM,
                    actor=None,
                    is_default=True,
                )
                given += 1
    return given
