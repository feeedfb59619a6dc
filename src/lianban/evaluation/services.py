"""好差评 writes: ratings through each channel, the default ratings, the 差评 rectification tickets.

The rules are the core's (``lianban.core.evaluation``). Every write locks the
case row first (``workflow.lock_case``) and records its audit event on the
case's trail. Ratings are append-only; one rating per service per evaluator
(the unique constraint ``rating_once`` backs the check).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import IntegrityError, transaction
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from lianban.accounts.models import User
from lianban.cases import clock
from lianban.cases.access import can_see_case, clerk_serves, user_acts_for_case
from lianban.cases.events import event_record
from lianban.cases.idempotency import idempotent
from lianban.cases.models import Case, CaseEvent, ItemCase, ItemState
from lianban.cases.uploads import upload_store
from lianban.cases.workflow import lock_case
from lianban.core import case_flow as flow
from lianban.core import evaluation as rules
from lianban.core.case_errors import ActionInvalid
from lianban.core.errors import DomainError
from lianban.core.text import tx
from lianban.evaluation.access import can_see_ticket, is_evaluator, is_unit_member
from lianban.evaluation.models import Rating, RatingToken, RectificationTicket

#: The longest comment, note or record kept (a longer text is refused, not cut).
TEXT_MAX = 2000
#: Case states after which the services of a case can be rated.
#: Finished cases (the core's ``FINAL_CASE_STATES``): the applicant may rate them.
FINISHED_STATES = sorted(state.value for state in flow.FINAL_CASE_STATES)
#: Item states of a service that was actually given (decided); cancelled or never started items are not rated.
DECIDED_ITEM_STATES = (ItemState.APPROVED, ItemState.REJECTED)
#: The audit actions that finish a case (whose actor is the staff member rated for the case as a whole).
FINISHING_ACTIONS = ("case.issued", "case.refused", "case.withdrawn")


class AlreadyRated(DomainError):
    """The evaluator already rated this service (一事一评: once)."""

    code = "already-rated"

    def __init__(self) -> None:
        super().__init__(tx("this service has already been rated"))


class NotRatable(DomainError):
    """The service cannot be rated (the case is not finished, or the service is not one of the case's)."""

    code = "not-ratable"


class TokenInvalid(DomainError):
    """A rating token that is unknown, expired or already used (answered 404 alike by the pages)."""

    code = "rating-token-invalid"
    http_status = 404

    def __init__(self) -> None:
        super().__init__(tx("this rating link is not valid or has expired"))


def limits() -> rules.Limits:
    """The configured limits (settings ``LIANBAN_RATING_*`` and ``LIANBAN_TICKET_*``)."""
    return rules.Limits(
        default_days=settings.LIANBAN_RATING_DEFAULT_DAYS,
        follow_up_days=settings.LIANBAN_RATING_FOLLOW_UP_DAYS,
        token_days=settings.LIANBAN_RATING_TOKEN_DAYS,
        contact_days=settings.LIANBAN_TICKET_CONTACT_DAYS,
        rectify_days=settings.LIANBAN_TICKET_RECTIFY_DAYS,
    )


def _text(value: str, *, required: str = "") -> str:
    text = (value or "").strip()
    if required and not text:
        raise ActionInvalid(required)
    if len(text) > TEXT_MAX:
        raise ActionInvalid(_("at most %(count)d characters") % {"count": TEXT_MAX})
    return text


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
                comment=_text(given.comment),
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
        _ticket_open(rating, case)
    return rating


def _rating_give(*, actor: User, case_id: int, item_case_id: int | None, given: Given) -> Rating:
    """The applicant rates a service of their finished case from "my cases" (portal channel).

    Raises:
        Http404 (not their case), NotRatable, AlreadyRated, LevelInvalid, IndicatorsInvalid, ActionInvalid.
    """
    with transaction.atomic():
        try:
            case = lock_case(case_id)
        except Case.DoesNotExist:
            raise Http404 from None
        if not user_acts_for_case(actor, case):
            raise Http404
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


def _rating_enter(*, actor: User, case_id: int, item_case_id: int | None, channel: str, given: Given) -> Rating:
    """A window clerk enters a rating the applicant gave by telephone or on paper (marked so).

    Raises:
        Http404 (not the clerk's case), PermissionDenied, NotRatable, AlreadyRated, LevelInvalid, ActionInvalid.
    """
    if channel not in {c.value for c in rules.STAFF_CHANNELS}:
        raise ActionInvalid(_("staff enter ratings given by telephone or on paper"))
    with transaction.atomic():
        try:
            case = lock_case(case_id)
        except Case.DoesNotExist:
            raise Http404 from None
        if not can_see_case(actor, case):
            raise Http404
        if not clerk_serves(actor, case):
            raise PermissionDenied(_("only the window enters telephone and paper ratings"))
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
        raise ActionInvalid(_("a case token is for the message link or the receipt's QR code"))
    now = clock.now()
    token = RatingToken.objects.filter(
        case=case, channel=chosen.value, used_at__isnull=True, expires_at__gt=now
    ).first()
    return token or _token_new(case=case, kind=rules.Kind.SERVICE, channel=chosen, staff=None)


def rating_invitation(case: Case) -> str:
    """The sentence with the rating link a finishing message ends with (absolute with ``LIANBAN_PUBLIC_URL``)."""
    path = reverse("evaluation:rate", args=[case_token(case=case, channel=rules.Channel.LINK.value).token])
    return _("Please rate our service: %(url)s") % {"url": f"{settings.LIANBAN_PUBLIC_URL}{path}"}


def _visit_token_make(*, actor: User, case_id: int) -> RatingToken:
    """A window clerk starts a visit rating (一次一评) on the window's evaluator: a one-time token for the tablet.

    The clerk sees no level: the tablet shows the token's page, and the level is only stored.

    Raises:
        Http404, PermissionDenied (not the case's window).
    """
    with transaction.atomic():
        try:
            case = lock_case(case_id)
        except Case.DoesNotExist:
            raise Http404 from None
        if not can_see_case(actor, case):
            raise Http404
        if not clerk_serves(actor, case):
            raise PermissionDenied(_("only the window starts a visit rating"))
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


def _follow_up_add(*, actor: User, rating_id: int, comment: str) -> Rating:
    """The evaluator adds one 追评 to their rating within the configured days (same level, a new comment).

    Raises:
        Http404 (not theirs), AlreadyRated (a second 追评), ActionInvalid (too late, no comment).
    """
    with transaction.atomic():
        found = Rating.objects.filter(pk=rating_id, follow_up_of__isnull=True, is_default=False).first()
        if found is None:
            raise Http404
        case = lock_case(found.case_id)
        if not user_acts_for_case(actor, case):
            raise Http404
        if not rules.follow_up_open(found.rated_at, clock.now(), limits()):
            raise ActionInvalid(_("the time for a follow-up comment has passed"))
        text = _text(comment, required=_("say what you want to add"))
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


# ------------------------------------------------------------------ 差评 rectification tickets


def _ticket_open(rating: Rating, case: Case) -> RectificationTicket:
    now = clock.now()
    dates = rules.ticket_dates(clock.calendar(), clock.local_date(now), limits())
    ticket = RectificationTicket.objects.create(
        rating=rating,
        case=case,
        department_id=rating.department_id,
        responsible_id=rating.staff_id,
        opened_at=now,
        contact_due_on=dates.contact_due_on,
        rectify_due_on=dates.rectify_due_on,
    )
    event_record(
        case=case,
        actor=None,
        action="ticket.opened",
        item_case=rating.item_case,
        after={
            "ticket": ticket.pk,
            "rating": rating.pk,
            "department": rating.department_id,
            "responsible": rating.staff_id,
            "contact_due_on": dates.contact_due_on.isoformat(),
            "rectify_due_on": dates.rectify_due_on.isoformat(),
        },
    )
    return ticket


def _locked_ticket(actor: User, ticket_id: int) -> tuple[RectificationTicket, Case]:
    case_id = RectificationTicket.objects.filter(pk=ticket_id).values_list("case_id", flat=True).first()
    if case_id is None:
        raise Http404
    case = lock_case(case_id)
    ticket = RectificationTicket.objects.select_for_update(of=("self",)).select_related("rating").get(pk=ticket_id)
    if not can_see_ticket(actor, ticket):
        raise Http404
    return ticket, case


def _move(ticket: RectificationTicket, event: rules.TicketEvent, **kwargs: Any) -> rules.TicketMove:
    move = rules.ticket_next(rules.TicketState(ticket.state), event, reopened=ticket.reopened, **kwargs)
    ticket.state = move.state.value
    ticket.version += 1
    if move.state == rules.TicketState.CLOSED:
        ticket.closed_at = clock.now()
    return move


def _record(ticket: RectificationTicket, case: Case, actor: User, action: str, before: str, **after: Any) -> None:
    event_record(
        case=case,
        actor=actor,
        action=action,
        item_case=ticket.rating.item_case,
        before={"state": before},
        after={"ticket": ticket.pk, "state": ticket.state, **after},
    )


def _unit(actor: User, ticket: RectificationTicket) -> None:
    if not is_unit_member(actor, ticket):
        raise PermissionDenied(_("only the rated unit works the rectification"))


def _ticket_precheck(*, actor: User, ticket_id: int, verdict: str, note: str) -> RectificationTicket:
    """预审: the unit finds the 差评 true, reasonable or malicious (malicious closes the ticket).

    Raises:
        Http404, PermissionDenied, TicketStepRefused, ActionInvalid.
    """
    with transaction.atomic():
        ticket, case = _locked_ticket(actor, ticket_id)
        _unit(actor, ticket)
        found = rules.Verdict(verdict)
        text = _text(note, required=_("say what the pre-check found"))
        before = ticket.state
        _move(ticket, rules.TicketEvent.PRECHECK, verdict=found)
        ticket.verdict, ticket.precheck_note = found.value, text
        ticket.save()
        _record(ticket, case, actor, "ticket.prechecked", before, verdict=found.value, note=text)
        return ticket


def _ticket_visit(*, actor: User, ticket_id: int, call_record: str) -> RectificationTicket:
    """回访核实: the unit calls the evaluator and records the call.

    Raises:
        Http404, PermissionDenied, TicketStepRefused, ActionInvalid.
    """
    with transaction.atomic():
        ticket, case = _locked_ticket(actor, ticket_id)
        _unit(actor, ticket)
        text = _text(call_record, required=_("record the call"))
        before = ticket.state
        _move(ticket, rules.TicketEvent.VISIT)
        ticket.call_record = text
        ticket.save()
        _record(ticket, case, actor, "ticket.visited", before, call_record=text)
        return ticket


def _ticket_rectify(*, actor: User, ticket_id: int, rectification: str, evidence: File | None) -> RectificationTicket:
    """整改: the unit says what was done, with an evidence file.

    Raises:
        Http404, PermissionDenied, TicketStepRefused, ActionInvalid, UploadRefused.
    """
    with transaction.atomic():
        ticket, case = _locked_ticket(actor, ticket_id)
        _unit(actor, ticket)
        text = _text(rectification, required=_("say what was done"))
        before = ticket.state
        _move(ticket, rules.TicketEvent.RECTIFY)
        stored = upload_store(file=evidence, folder=f"evaluation/{ticket.pk}") if evidence is not None else None
        ticket.rectification = text
        if stored is not None:
            ticket.evidence = stored.name
        ticket.save()
        _record(
            ticket,
            case,
            actor,
            "ticket.rectified",
            before,
            rectification=text,
            evidence=stored.as_dict() if stored else None,
        )
        return ticket


def _ticket_feedback(*, actor: User, ticket_id: int, feedback: str) -> RectificationTicket:
    """反馈: the unit tells the evaluator what was done (the evaluator is asked to re-rate).

    Raises:
        Http404, PermissionDenied, TicketStepRefused, ActionInvalid.
    """
    with transaction.atomic():
        ticket, case = _locked_ticket(actor, ticket_id)
        _unit(actor, ticket)
        text = _text(feedback, required=_("say what the evaluator is told"))
        before = ticket.state
        _move(ticket, rules.TicketEvent.FEEDBACK)
        ticket.feedback = text
        ticket.save()
        _record(ticket, case, actor, "ticket.fed_back", before, feedback=text)
        return ticket


def _ticket_rerate(*, actor: User, ticket_id: int, rerating: str) -> RectificationTicket:
    """复评: the evaluator says whether they are satisfied now; 不满意 reopens the ticket once and raises 督办.

    Raises:
        Http404, PermissionDenied (not the evaluator), TicketStepRefused, CalendarNotCovered.
    """
    from lianban.supervision.orders import order_raise_for_rating

    with transaction.atomic():
        ticket, case = _locked_ticket(actor, ticket_id)
        if not is_evaluator(actor, ticket):
            raise PermissionDenied(_("only the evaluator re-rates"))
        answer = rules.Rerating(rerating)
        before = ticket.state
        move = _move(ticket, rules.TicketEvent.RERATE, rerating=answer)
        ticket.rerating = answer.value
        if move.reopened:
            ticket.reopened += 1
            ticket.rerating = ""
            ticket.order = order_raise_for_rating(
                cases=[case],
                department_id=ticket.department_id,
                reason=_(
                    "The evaluator is still not satisfied after the rectification of a bad rating (ticket %(id)s)."
                )
                % {"id": ticket.pk},
            )
        ticket.save()
        _record(
            ticket,
            case,
            actor,
            "ticket.reopened" if move.reopened else "ticket.rerated",
            before,
            rerating=answer.value,
            order=ticket.order_id,
        )
        return ticket


# ------------------------------------------------------------------ the commands, once per Idempotency-Key


def rating_give(
    *, actor: User, case_id: int, item_case_id: int | None, given: Given, idempotency_key: str | None = None
) -> Rating:
    """The applicant rates a service of their finished case (portal channel); see ``_rating_give``. Once per Idempotency-Key."""
    return idempotent(
        actor=actor,
        key=idempotency_key,
        operation="rating.give",
        model=Rating,
        run=lambda: _rating_give(actor=actor, case_id=case_id, item_case_id=item_case_id, given=given),
    )


def rating_enter(
    *,
    actor: User,
    case_id: int,
    item_case_id: int | None,
    channel: str,
    given: Given,
    idempotency_key: str | None = None,
) -> Rating:
    """A window clerk enters a telephone or paper rating; see ``_rating_enter``. Once per Idempotency-Key."""
    return idempotent(
        actor=actor,
        key=idempotency_key,
        operation="rating.enter",
        model=Rating,
        run=lambda: _rating_enter(
            actor=actor, case_id=case_id, item_case_id=item_case_id, channel=channel, given=given
        ),
    )


def visit_token_make(*, actor: User, case_id: int, idempotency_key: str | None = None) -> RatingToken:
    """The window starts a visit rating on the evaluator; see ``_visit_token_make``. Once per Idempotency-Key."""
    return idempotent(
        actor=actor,
        key=idempotency_key,
        operation="rating.visit_token",
        model=RatingToken,
        run=lambda: _visit_token_make(actor=actor, case_id=case_id),
    )


def follow_up_add(*, actor: User, rating_id: int, comment: str, idempotency_key: str | None = None) -> Rating:
    """The evaluator adds one 追评; see ``_follow_up_add``. Once per Idempotency-Key."""
    return idempotent(
        actor=actor,
        key=idempotency_key,
        operation="rating.follow_up",
        model=Rating,
        run=lambda: _follow_up_add(actor=actor, rating_id=rating_id, comment=comment),
    )


def ticket_precheck(
    *, actor: User, ticket_id: int, verdict: str, note: str, idempotency_key: str | None = None
) -> RectificationTicket:
    """预审; see ``_ticket_precheck``. Once per Idempotency-Key."""
    return idempotent(
        actor=actor,
        key=idempotency_key,
        operation="ticket.precheck",
        model=RectificationTicket,
        run=lambda: _ticket_precheck(actor=actor, ticket_id=ticket_id, verdict=verdict, note=note),
    )


def ticket_visit(
    *, actor: User, ticket_id: int, call_record: str, idempotency_key: str | None = None
) -> RectificationTicket:
    """回访核实; see ``_ticket_visit``. Once per Idempotency-Key."""
    return idempotent(
        actor=actor,
        key=idempotency_key,
        operation="ticket.visit",
        model=RectificationTicket,
        run=lambda: _ticket_visit(actor=actor, ticket_id=ticket_id, call_record=call_record),
    )


def ticket_rectify(
    *, actor: User, ticket_id: int, rectification: str, evidence: File | None, idempotency_key: str | None = None
) -> RectificationTicket:
    """整改; see ``_ticket_rectify``. Once per Idempotency-Key."""
    return idempotent(
        actor=actor,
        key=idempotency_key,
        operation="ticket.rectify",
        model=RectificationTicket,
        run=lambda: _ticket_rectify(actor=actor, ticket_id=ticket_id, rectification=rectification, evidence=evidence),
    )


def ticket_feedback(
    *, actor: User, ticket_id: int, feedback: str, idempotency_key: str | None = None
) -> RectificationTicket:
    """反馈; see ``_ticket_feedback``. Once per Idempotency-Key."""
    return idempotent(
        actor=actor,
        key=idempotency_key,
        operation="ticket.feedback",
        model=RectificationTicket,
        run=lambda: _ticket_feedback(actor=actor, ticket_id=ticket_id, feedback=feedback),
    )


def ticket_rerate(
    *, actor: User, ticket_id: int, rerating: str, idempotency_key: str | None = None
) -> RectificationTicket:
    """复评; see ``_ticket_rerate``. Once per Idempotency-Key."""
    return idempotent(
        actor=actor,
        key=idempotency_key,
        operation="ticket.rerate",
        model=RectificationTicket,
        run=lambda: _ticket_rerate(actor=actor, ticket_id=ticket_id, rerating=rerating),
    )
