"""好差评 reads: the services a user may rate, ratings, tickets and appeals as each role may see them, and the
ratings the statistics count (an upheld appeal leaves its rating out)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lianban.accounts.models import User
from lianban.cases.access import user_acts_for_case
from lianban.cases.models import Case
from lianban.catalog.models import Department
from lianban.core.errors import DomainError
from lianban.core.evaluation import Counts, rates
from lianban.evaluation.access import appeal_visibility, can_see_appeal, can_see_ticket, ticket_visibility
from lianban.evaluation.models import Appeal, AppealState, Rating, RectificationTicket, TicketState
from lianban.evaluation.services import Service, case_services


def rating_state_for_applicant(user: User, case: Case) -> list[tuple[Service, Rating | None]]:
    """Each service of the applicant's finished case with its rating (None: not rated yet)."""
    if not user_acts_for_case(user, case):
        raise Http404
    ratings = {
        r.service: r
        for r in Rating.objects.filter(
            case=case, evaluator=f"applicant:{case.applicant_id}", follow_up_of__isnull=True
        ).select_related("follow_up")
    }
    return [(service, ratings.get(service.key)) for service in case_services(case)]


@dataclass(frozen=True, slots=True)
class RootCause:
    """What the case history says about a rated service (the likely root cause shown to the handler)."""

    correction_rounds: int  # 补正 rounds at the window before acceptance
    supplements: int  # supplements the item's department asked for
    finished_late: bool  # the item was decided after its due date
    decided_by: str  # who decided the item
    working_days: int | None  # working days from the item's start to its decision (None: not known)


def ticket_root_cause(ticket: RectificationTicket) -> RootCause:
    """The rated service's history: correction rounds, supplements, lateness, who and how long."""
    from lianban.cases import clock
    from lianban.intake.models import IntakeRound
    from lianban.review.models import SupplementRequest

    if ticket.case_id is None:  # an anonymous window rating: no case, no history
        return RootCause(0, 0, False, "", None)
    rounds = IntakeRound.objects.filter(case_id=ticket.case_id, decision="CORRECT").count()
    item = ticket.rating.item_case
    if item is None:
        return RootCause(rounds, 0, False, "", None)
    late = bool(item.due_on and item.finished_on and item.finished_on > item.due_on)
    days = None
    if item.started_on and item.finished_on:
        try:
            days = clock.calendar().working_days_between(item.started_on, item.finished_on)
        except DomainError:
            days = None
    return RootCause(
        correction_rounds=rounds,
        supplements=SupplementRequest.objects.filter(item_case=item).count(),
        finished_late=late,
        decided_by=item.decided_by.username if item.decided_by else "",
        working_days=days,
    )


def ticket_list_for_user(user: User, *, state: str = "", department: str = "") -> QuerySet[RectificationTicket]:
    """The tickets ``user`` may see, newest first, optionally filtered."""
    seen = ticket_visibility(user)
    if seen is None:
        return RectificationTicket.objects.none()
    rows = RectificationTicket.objects.filter(seen).select_related(
        "rating", "rating__item_case", "rating__applicant", "rating__window", "department", "case__thing", "responsible"
    )
    if state:
        rows = rows.filter(state=state)
    if department:
        rows = rows.filter(department__code=department)
    return rows.order_by("-opened_at", "-id")


def ticket_for_user(user: User, ticket_id: int) -> RectificationTicket:
    """One ticket ``user`` may see (Http404 otherwise)."""
    ticket = (
        RectificationTicket.objects.select_related(
            "rating", "rating__item_case", "rating__applicant", "rating__window", "department", "case", "responsible"
        )
        .filter(pk=ticket_id)
        .first()
    )
    if ticket is None or not can_see_ticket(user, ticket):
        raise Http404
    return ticket


def tickets_by_rating(case: Case, ratings: list[Rating]) -> dict[int, RectificationTicket]:
    """Rating id → the rectification ticket of that rating (its 差评), for the ratings given."""
    rows = RectificationTicket.objects.filter(case=case, rating__in=ratings).select_related("rating")
    return {ticket.rating_id: ticket for ticket in rows}


# ------------------------------------------------------------------ appeals and what the statistics count


def counted_ratings() -> QuerySet[Rating]:
    """The ratings the statistics count: first ratings (not 追评) whose appeal was not upheld.

    A rating whose appeal was upheld stays on the record (ratings are append-only) and is left out here.
    """
    return Rating.objects.filter(follow_up_of__isnull=True).exclude(appeal__state=AppealState.UPHELD)


def appeal_list_for_user(user: User, *, state: str = "") -> QuerySet[Appeal]:
    """The appeals ``user`` may see (supervisor: all; the unit: its own), newest first."""
    seen = appeal_visibility(user)
    if seen is None:
        return Appeal.objects.none()
    rows = Appeal.objects.filter(seen).select_related(
        "department", "rating", "rating__item_case", "rating__window", "ticket"
    )
    if state:
        rows = rows.filter(state=state)
    return rows.order_by("-filed_at", "-id")


def appeal_for_user(user: User, appeal_id: int) -> Appeal:
    """One appeal ``user`` may see (Http404 otherwise)."""
    appeal = (
        Appeal.objects.select_related(
            "department",
            "rating",
            "rating__item_case",
            "rating__applicant",
            "rating__window",
            "ticket",
            "case",
            "filed_by",
            "decided_by",
        )
        .filter(pk=appeal_id)
        .first()
    )
    if appeal is None or not can_see_appeal(user, appeal):
        raise Http404
    return appeal


def appeal_of_ticket(ticket: RectificationTicket) -> Appeal | None:
    """The appeal of a ticket's rating, if the unit appealed it."""
    return Appeal.objects.filter(ticket=ticket).select_related("decided_by").first()


def evaluator_name(rating: Rating) -> str:
    """Who gave ``rating``, for the eyes of a supervisor only (``access.evaluator_shown``)."""
    if rating.applicant is not None:
        return rating.applicant.name
    return str(_("anonymous evaluator")) if rating.anonymous else str(_("not known"))


# ------------------------------------------------------------------ the deadline signals of the tickets' steps

#: Signal levels by urgency.
_RANK = {"NOTICE": 1, "YELLOW": 2, "RED": 3}


def ticket_signal_levels(tickets: list[RectificationTicket]) -> dict[int, str]:
    """The most urgent signal of each ticket's pending step (about its due date as it stands); one query.

    Raised by the deadline sweep (``hooks.ticket_steps_due``); a closed ticket, or one waiting for the
    evaluator, has none.
    """
    from lianban.core import evaluation as rules
    from lianban.supervision.models import Signal, SignalSubject

    due = {
        t.pk: rules.step_due(rules.TicketState(t.state), rules.TicketDates(t.contact_due_on, t.rectify_due_on))
        for t in tickets
    }
    wanted = [pk for pk, day in due.items() if day is not None]
    if not wanted:
        return {}
    levels: dict[int, str] = {}
    rows = Signal.objects.filter(subject=SignalSubject.TICKET, subject_id__in=wanted).values_list(
        "subject_id", "level", "due_on"
    )
    for pk, level, due_on in rows.order_by():
        if due_on == due[pk] and _RANK[level] > _RANK.get(levels.get(pk, ""), 0):
            levels[pk] = level
    return levels


# ------------------------------------------------------------------ anonymous ratings of the windows, apart


#: The counts of a window's anonymous ratings (``anonymous_window_counts``), all 0 for a window without any.
WINDOW_COUNTS = ("total", "good", "bad", "rectified")


def anonymous_window_counts(department_ids: list[int]) -> dict[int, dict[str, int]]:
    """Per window: its anonymous QR ratings (``total``), the good (满意 and above), the bad (差评) ones and the
    差评 rectified (their ticket closed after 整改, as the statistics' ``rectified``).

    Counted apart from the real-name ratings; an upheld appeal's rating left out. One GROUP BY query.
    """
    rows = (
        counted_ratings()
        .filter(anonymous=True, department_id__in=department_ids)
        .values("department_id")
        .annotate(
            total=Count("id"),
            good=Count("id", filter=Q(level__gte=4)),
            bad=Count("id", filter=Q(level__lte=2)),
            rectified=Count("id", filter=FIGURES["rectified"]),
        )
        .order_by()
    )
    return {
        row["department_id"]: {
            "total": row["total"],
            "good": row["good"],
            "bad": row["bad"],
            "rectified": row["rectified"],
        }
        for row in rows
    }


# ------------------------------------------------------------------ statistics (derived, never stored)

#: The groups of the statistics: the rated department, the window, the item (None: the case as a whole) and
#: the channel.
GROUP_KEYS = ("department_id", "window_id", "item_case__item_code", "channel")
#: What each figure counts, as a filter on the counted ratings (the drill-down of a figure).
FIGURES: dict[str, Q] = {
    "ratings": Q(),
    "active": Q(is_default=False),
    "good": Q(is_default=False, level__gte=3),
    "bad": Q(is_default=False, level__lte=2),
    "defaults": Q(is_default=True),
    "visited": Q(is_default=False, level__lte=2, ticket__call_record__gt=""),
    "rectified": Q(is_default=False, level__lte=2, ticket__state="CLOSED", ticket__rectification__gt=""),
    "rerated": Q(is_default=False, level__lte=2, ticket__rerating__gt=""),
    "rerated_satisfied": Q(is_default=False, level__lte=2, ticket__rerating__in=("SATISFIED", "BASICALLY")),
}


@dataclass(frozen=True, slots=True)
class Period:
    """A calendar month of the statistics, in local time."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str, today: date) -> Period:
        """``YYYY-MM``; anything else (or a month out of range): the month of ``today``."""
        try:
            year, month = (int(part) for part in text.split("-", 1))
            if 2000 <= year <= 2100 and 1 <= month <= 12:
                return cls(year, month)
        except ValueError:
            pass
        return cls(today.year, today.month)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def bounds(self) -> tuple[datetime, datetime]:
        """The first moment of the month and of the next, local time."""
        zone = timezone.get_current_timezone()
        start = datetime(self.year, self.month, 1, tzinfo=zone)
        following = datetime(self.year + self.month // 12, self.month % 12 + 1, 1, tzinfo=zone)
        return start, following


@dataclass(frozen=True, slots=True)
class StatRow:
    """One group of the statistics: its keys, its raw counts and its rates."""

    department: str
    department_name: str
    window: str
    item_code: str  # "" for the case as a whole
    channel: str
    counts: Counts
    rates: dict[str, float | None]

    anonymous: bool = False  # a group of the anonymous window ratings, counted apart

    def query(self, period: Period) -> str:
        """The drill-down's query string (without the figure)."""
        keys = {
            "period": str(period),
            "department": self.department,
            "window": self.window,
            "item": self.item_code or "-",
            "channel": self.channel,
        }
        return urlencode({**keys, "anonymous": "1"} if self.anonymous else keys)


def _period_ratings(period: Period) -> QuerySet[Rating]:
    start, end = period.bounds()
    return counted_ratings().filter(rated_at__gte=start, rated_at__lt=end)


def rectifications_published(period: Period) -> QuerySet[RectificationTicket]:
    """The rectifications closed in ``period`` as the public page lists them: the department, the service (or, for
    an anonymous window rating, the window) and what was done; nothing about the person who rated or the case (the
    caller pages them, newest first). Real-name and anonymous alike: each is counted ``rectified`` in its own
    table of the statistics."""
    start, end = period.bounds()
    return (
        RectificationTicket.objects.filter(state=TicketState.CLOSED, closed_at__gte=start, closed_at__lt=end)
        .exclude(rectification="")
        .select_related("department", "rating__item_case", "rating__window")
    )


def rating_statistics(period: Period, *, by_department_only: bool = False, anonymous: bool = False) -> list[StatRow]:
    """The figures of ``period`` per department × window × item × channel (or per department only); two queries
    whatever the number of groups.

    The real-name ratings, or (``anonymous``) the anonymous window ratings, counted apart: the same counts (their
    差评 ``rectified`` when the shortened ticket closed after 整改), the rates of ``rules.ANONYMOUS_RATES`` only.
    """
    keys = ("department_id",) if by_department_only else GROUP_KEYS
    aggregates = {name: Count("id", filter=condition) for name, condition in FIGURES.items()}
    rated = _period_ratings(period).filter(anonymous=anonymous)
    rows = list(rated.values(*keys).annotate(**aggregates).order_by(*keys))
    found = list(Department.objects.filter(pk__in=_department_ids(rows)).values_list("pk", "code", "name").order_by())
    names = {pk: code for pk, code, _name in found}
    titles = {pk: name for pk, _code, name in found}
    out = []
    for row in rows:
        counts = Counts(**{name: row[name] for name in FIGURES})
        out.append(
            StatRow(
                department=names.get(row["department_id"], ""),
                department_name=titles.get(row["department_id"], ""),
                window="" if by_department_only else names.get(row["window_id"], ""),
                item_code="" if by_department_only else (row["item_case__item_code"] or ""),
                channel="" if by_department_only else row["channel"],
                counts=counts,
                rates=rates(counts, anonymous=anonymous),
                anonymous=anonymous,
            )
        )
    return out


def _department_ids(rows: list[dict[str, Any]]) -> set[int]:
    return {row[key] for row in rows for key in ("department_id", "window_id") if row.get(key)}


def ratings_of_figure(
    period: Period,
    *,
    figure: str,
    department: str = "",
    window: str = "",
    item: str = "",
    channel: str = "",
    anonymous: bool = False,
) -> QuerySet[Rating]:
    """The ratings behind one figure of the statistics (``item`` "-": the case as a whole; ``anonymous``: of the
    anonymous window ratings counted apart), newest first."""
    rows = _period_ratings(period).filter(anonymous=anonymous).filter(FIGURES.get(figure, FIGURES["ratings"]))
    if department:
        rows = rows.filter(department__code=department)
    if window:
        rows = rows.filter(window__code=window)
    if item == "-":
        rows = rows.filter(item_case__isnull=True)
    elif item:
        rows = rows.filter(item_case__item_code=item)
    if channel:
        rows = rows.filter(channel=channel)
    return rows.select_related("case", "item_case", "department", "window").order_by("-rated_at", "-id")
