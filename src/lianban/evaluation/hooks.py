"""What 好差评 does when the apps below it call their hooks (registered in ``EvaluationConfig.ready``)."""

from __future__ import annotations

from datetime import date

from lianban.cases import clock
from lianban.core import evaluation as rules
from lianban.supervision.models import SignalSubject
from lianban.supervision.signals import DueStep

#: The ticket states whose step is the rated unit's and has a due date (``rules.step_due``).
PENDING_STATES = tuple(state.value for state in rules.TicketState if rules.waiting_on(state) == "unit")


def ticket_steps_due(today: date) -> list[DueStep]:
    """The pending step of every open rectification ticket, for the deadline sweep (``DUE_STEPS``).

    The contact steps (预审, 回访核实) are due by ``contact_due_on``, the rectification steps (整改, 反馈) by
    ``rectify_due_on``; both count from the day the ticket opened. One query.
    """
    from lianban.evaluation.models import RectificationTicket

    rows = (
        RectificationTicket.objects.filter(state__in=PENDING_STATES)
        .values_list(
            "id",
            "case_id",
            "state",
            "opened_at",
            "contact_due_on",
            "rectify_due_on",
            "department_id",
            "responsible_id",
            "rating__item_case_id",
        )
        .order_by("id")
    )
    steps: list[DueStep] = []
    for pk, case_id, state, opened_at, contact_due, rectify_due, department_id, responsible_id, item_id in rows:
        due = rules.step_due(rules.TicketState(state), rules.TicketDates(contact_due, rectify_due))
        if due is None:
            continue
        steps.append(
            DueStep(
                subject=SignalSubject.TICKET.value,
                subject_id=pk,
                case_id=case_id,
                started_on=clock.local_date(opened_at),
                due_on=due,
                department_id=department_id,
                responsible_id=responsible_id,
                item_case_id=item_id,
            )
        )
    return steps


def register() -> None:
    """Register the functions above on their hooks."""
    from lianban.supervision.signals import DUE_STEPS

    DUE_STEPS.register(ticket_steps_due)
