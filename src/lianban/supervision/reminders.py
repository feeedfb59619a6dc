"""Supervision's reminders to staff (issue 13): the messages a signal or a 督办 order's step queues.

Each is queued with ``messaging.services.staff_message_queue`` in the transaction that creates the signal or
records the step, so it is sent exactly when the row is created: re-running the sweep creates no row and
queues nothing. The worker decides who gets what (``LIANBAN_STAFF_MESSAGE_ROUTES``). The values carry the
tracking codes, the order number and a date: nothing else about the applicant.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.utils.translation import gettext as _

from lianban.cases.models import Case
from lianban.messaging.models import StaffKind
from lianban.messaging.services import staff_message_queue
from lianban.supervision.models import Signal, SignalLevel, SupervisionOrder

#: How many tracking codes an order's message names (an order about more cases names the first ones and "…").
CODES_SHOWN = 3

_SIGNAL_KINDS = {SignalLevel.RED: StaffKind.SIGNAL_RED, SignalLevel.YELLOW: StaffKind.SIGNAL_YELLOW}


def order_topic(order_id: int) -> str:
    """What the messages about a 督办 order are filed under (``Message.topic``)."""
    return f"order:{order_id}"


def _codes(cases: Sequence[Case]) -> str:
    codes = [case.code_for_people for case in sorted(cases, key=lambda case: case.pk)]
    return "、".join(codes[:CODES_SHOWN]) + ("…" if len(codes) > CODES_SHOWN else "")


def signal_topic(signal: Signal) -> str:
    """What the messages about a signal about no case are filed under (``Message.topic``)."""
    return f"{signal.subject.lower()}:{signal.subject_id}"


def signal_remind(case: Case | None, signal: Signal) -> None:
    """A 黄牌 to the staff handling it, a 红牌 to the department's staff and the supervisors (a 提示: none).

    A signal about no case (an anonymous window rating's ticket) is filed under its subject and names the ticket
    instead of a tracking code.
    """
    kind = _SIGNAL_KINDS.get(SignalLevel(signal.level))
    if kind is None:
        return
    staff_message_queue(
        kind=kind,
        case=case,
        topic="" if case is not None else signal_topic(signal),
        department_id=signal.department_id,
        handler_id=signal.responsible_id,
        values={
            "code": case.code_for_people
            if case is not None
            else _("(rectification ticket %(number)s)") % {"number": signal.subject_id},
            "due": signal.due_on.isoformat(),
        },
    )


def order_remind(
    order: SupervisionOrder,
    cases: Sequence[Case],
    kind: StaffKind,
    due: date | None,
    *,
    leader_id: int | None = None,
) -> None:
    """A message about a step of ``order``: raised (sign for by ``due``), reminded or escalated (``due`` missed)."""
    staff_message_queue(
        kind=kind,
        case=cases[0] if len(cases) == 1 else None,
        topic=order_topic(order.pk),
        department_id=order.department_id,
        leader_id=leader_id,
        values={"code": _codes(cases), "order": str(order.pk), "due": due.isoformat() if due else ""},
    )
