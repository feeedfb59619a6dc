"""好差评 reads: the services a user may rate, ratings and tickets as each role may see them."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from lianban.accounts.models import User
from lianban.cases.access import user_acts_for_case
from lianban.cases.models import Case
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
