"""The workbenches' words for states, sources, deadlines and audit actions.

The workbench has msgids of its own (not the models' labels), so its Chinese
does not depend on another app's catalog; ``tests/workbench/test_i18n.py``
checks that every value the engine can store has words here.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

#: Case states as the window says them.
CASE_STATES: dict[str, str | Promise] = {
    "SUBMITTED": _("New, waiting for intake"),
    "CORRECTION_REQUESTED": _("Waiting for the applicant's corrections"),
    "RESUBMITTED": _("Corrected, waiting for intake"),
    "IN_PROGRESS": _("Being handled by the departments"),
    "READY": _("Ready for issuance"),
    "ISSUED": _("Results issued"),
    "REFUSED": _("Not accepted"),
    "WITHDRAWN": _("Withdrawn by the applicant"),
}

#: How a case ended.
OUTCOMES: dict[str, str | Promise] = {
    "APPROVED": _("All items approved"),
    "PARTLY_APPROVED": _("Partly approved"),
    "REJECTED": _("No item approved"),
    "REFUSED": _("Not accepted"),
    "WITHDRAWN": _("Withdrawn by the applicant"),
}

#: Item case states as the departments say them.
ITEM_STATES: dict[str, str | Promise] = {
    "WAITING": _("Waiting for earlier items"),
    "DISPATCHED": _("Sent to the department, not yet taken"),
    "IN_REVIEW": _("Under review"),
    "SUPPLEMENT": _("Waiting for a supplement (clock stopped)"),
    "APPROVED": _("Approved"),
    "REJECTED": _("Rejected"),
    "CANCELLED": _("Cancelled"),
}

#: Deadline statuses, always shown as text next to their colour.
DUE_STATUSES: dict[str, str | Promise] = {
    "ON_TIME": _("On time"),
    "DUE_SOON": _("Due soon"),
    "OVERDUE": _("Overdue"),
    "UNKNOWN": _("Due date unknown"),
}

#: Where a case material stands.
MATERIAL_STATES: dict[str, str | Promise] = {
    "PENDING": _("Not handed in"),
    "RECEIVED": _("Received"),
    "PROMISED": _("Promised for later (容缺)"),
    "AWAITING_RESULT": _("Awaiting an earlier item's result"),
}

#: The clerk's verdicts on a material.
CHECK_RESULTS: dict[str, str | Promise] = {
    "OK": _("Correct"),
    "MISSING": _("Missing"),
    "WRONG": _("Wrong or incomplete"),
}

#: Intake round decisions.
DECISIONS: dict[str, str | Promise] = {
    "": _("Not decided yet"),
    "ACCEPT": _("Accepted"),
    "CORRECT": _("Correction notice sent"),
    "REFUSE": _("Not accepted"),
    "DEEMED": _("Accepted by operation of law"),
}

CHANNELS: dict[str, str | Promise] = {
    "ONLINE": _("Online"),
    "WINDOW": _("At the window"),
}

BILL_STATUSES: dict[str, str | Promise] = {
    "OPEN": _("To be paid"),
    "PAID": _("Paid"),
    "NO_FEE": _("No fee"),
}

DELIVERY_METHODS: dict[str, str | Promise] = {
    "PICKUP": _("Picked up at the window"),
    "MAIL": _("Sent by mail"),
}

APPLICANT_KINDS: dict[str, str | Promise] = {
    "enterprise": _("Enterprise"),
    "person": _("Person"),
}

#: The audit trail's actions in words.
ACTIONS: dict[str, str | Promise] = {
    "case.submitted": _("Application submitted"),
    "case.correction_requested": _("Correction notice sent"),
    "case.resubmitted": _("Corrected materials resubmitted"),
    "case.accepted": _("Accepted at the window"),
    "case.deemed_accepted": _("Accepted by operation of law"),
    "case.refused": _("Not accepted"),
    "case.ready": _("All items finished; ready for issuance"),
    "case.issued": _("Results issued"),
    "case.withdrawn": _("Withdrawn by the applicant"),
    "case.identity_confirmed": _("Applicant's identity verified against the papers"),
    "case.identity_refused": _("Applicant's identity not verified; sent back"),
    "item.dispatched": _("Sent to the department"),
    "subscription.created": _("Event subscription created"),
    "subscription.changed": _("Event subscription changed"),
    "subscription.deleted": _("Event subscription deleted"),
    "delivery.replayed": _("Failed event deliveries sent again"),
    "message.preferences_changed": _("Message settings changed (SMS, e-mail)"),
    "item.taken": _("Taken by the department"),
    "item.supplement_requested": _("Supplement requested; clock stopped"),
    "item.supplied": _("Supplement handed in; clock running again"),
    "item.approved": _("Approved"),
    "item.rejected": _("Rejected"),
    "item.cancelled": _("Cancelled"),
    "item.held": _("Held until a promised material arrives"),
    "item.released": _("Promised material arrived; hold released"),
    "item.due_status": _("Deadline status changed"),
    "item.due_unknown": _("Due date unknown: calendar year not entered"),
    "item.due_known": _("Due date computed: calendar year entered"),
    "item.due_recomputed": _("Due date recomputed: holiday arrangement entered"),
    "signal.raised": _("Deadline signal raised"),
    "order.raised": _("Supervision order raised"),
    "order.signed": _("Supervision order signed for"),
    "order.replied": _("Supervision order replied to"),
    "order.accepted": _("Supervision order reply accepted, order closed"),
    "order.returned": _("Supervision order reply returned"),
    "order.urged": _("Supervision order reminder (催办)"),
    "order.escalated": _("Supervision order escalated to the department's leader"),
    "rating.given": _("Service rated (好差评)"),
    "rating.defaulted": _("Default rating given (not rated in time)"),
    "rating.followed_up": _("Follow-up comment added to a rating (追评)"),
    "rating.visit_started": _("Visit rating started on the window evaluator"),
    "rating.window_given": _("Window rated anonymously from its QR code"),
    "ticket.opened": _("Rectification ticket opened for a bad rating"),
    "ticket.prechecked": _("Rectification ticket pre-checked (预审)"),
    "ticket.visited": _("Evaluator called back (回访核实)"),
    "ticket.rectified": _("Rectification done (整改)"),
    "ticket.fed_back": _("Evaluator told what was done (反馈)"),
    "ticket.rerated": _("Evaluator re-rated (复评), ticket closed"),
    "ticket.reopened": _("Evaluator still not satisfied: ticket reopened, supervision order raised"),
    "appeal.filed": _("Rated unit appealed a bad rating (申诉)"),
    "appeal.upheld": _("Appeal upheld: the rating is left out of the statistics"),
    "appeal.rejected": _("Appeal rejected: the rating counts"),
    "material.uploaded": _("Material uploaded"),
    "material.replaced": _("Material replaced"),
    "material.supplied": _("Promised material supplied"),
    "material.produced": _("Material produced by an approved item"),
    "intake.checked": _("Material checked"),
    "bill.created": _("Bill created"),
    "bill.paid": _("Bill paid"),
}

#: Deadline signals (提示 / 黄牌 / 红牌), as the badges say them.
SIGNAL_LEVELS: dict[str, str | Promise] = {
    "NOTICE": _("Notice"),
    "YELLOW": _("Yellow card"),
    "RED": _("Red card"),
}

#: What a deadline signal is about.
SIGNAL_SUBJECTS: dict[str, str | Promise] = {
    "ITEM_CASE": _("Item"),
    "CASE": _("Whole case"),
    "INTAKE": _("Intake decision"),
    "PROMISE": _("Promised material (容缺)"),
    "TICKET": _("Rectification of a bad rating"),
}

#: Who acted, for the system and roles without a person.
ACTOR_ROLES: dict[str, str | Promise] = {
    "SYSTEM": _("System"),
    "APPLICANT": _("Applicant"),
    "CLERK": _("Window clerk"),
    "REVIEWER": _("Department reviewer"),
    "SUPERVISOR": _("Supervisor"),
    "ADMIN": _("Catalog administrator"),
}

#: The core's reasons why a case cannot be accepted (``acceptance_problems``) and the intake service's.
INTAKE_PROBLEMS: dict[str, str | Promise] = {
    "not checked": _("not checked yet"),
    "missing without a written promise": _("missing, and no written promise (容缺) was given"),
    "missing": _("missing"),
    "wrong": _("wrong or incomplete"),
    "not tolerable": _("cannot be promised for later"),
    "due date in the past": _("the promised date has passed"),
    "identity not verified": _("not verified against the papers yet (身份核验)"),
}


def word(table: dict[str, str | Promise], value: str) -> str:
    """The words for ``value`` in ``table``; the value itself when the table does not know it."""
    return str(table[value]) if value in table else value
