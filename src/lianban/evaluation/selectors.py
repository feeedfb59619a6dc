"""好差评 reads: the services a user may rate, ratings and tickets as each role may see them."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404

from lianban.accounts.models import User
from lianban.cases.access import user_acts_for_case
from lianban.cases.models import Case
from lianban.core.errors import DomainError
from lianban.evaluation.access import can_see_ticket, ticket_visibility
from lianban.evaluation.models import Rating, RectificationTicket
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
        "rating", "rating__item_case", "department", "case", "responsible"
    )
    if state:
        rows = rows.filter(state=state)
    if department:
        rows = rows.filter(department__code=department)
    return rows.order_by("-opened_at", "-id")


def ticket_for_user(user: User, ticket_id: int) -> RectificationTicket:
    """One ticket ``user`` may see (Http404 otherwise)."""
    ticket = (
        RectificationTicket.objects.select_related("rating", "rating__item_case", "department", "case", "responsible")
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
