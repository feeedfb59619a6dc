"""Case states, item states, deadlines and errors in the applicant's words.

The case engine's labels are written for staff ("correction requested"); an
applicant wants to know where things stand and what to do. These tables are
the portal's own wording, through Django i18n. A value a table does not know
(a state added later) is shown by a neutral fallback, never as a code.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from lianban.core.case_errors import TransitionRefused
from lianban.core.errors import DomainError

CASE_STATES: dict[str, str | Promise] = {
    "SUBMITTED": gettext_lazy("Submitted: the window is checking your materials"),
    "CORRECTION_REQUESTED": gettext_lazy("Corrections needed"),
    "RESUBMITTED": gettext_lazy("Resubmitted: the window is checking again"),
    "IN_PROGRESS": gettext_lazy("Accepted: the departments are working on it"),
    "READY": gettext_lazy("Done: results ready to collect"),
    "ISSUED": gettext_lazy("Results handed out"),
    "REFUSED": gettext_lazy("Not accepted"),
    "WITHDRAWN": gettext_lazy("Withdrawn"),
}

ITEM_STATES: dict[str, str | Promise] = {
    "WAITING": gettext_lazy("Waits for earlier items"),
    "DISPATCHED": gettext_lazy("Sent to the department"),
    "IN_REVIEW": gettext_lazy("Being reviewed"),
    "SUPPLEMENT": gettext_lazy("Waiting for your supplement"),
    "APPROVED": gettext_lazy("Approved"),
    "REJECTED": gettext_lazy("Not approved"),
    "CANCELLED": gettext_lazy("Cancelled"),
}

DUE_STATUSES: dict[str, str | Promise] = {
    "ON_TIME": gettext_lazy("on time"),
    "DUE_SOON": gettext_lazy("due soon"),
    "OVERDUE": gettext_lazy("overdue"),
    "UNKNOWN": gettext_lazy("due date to be set: that year's working-day calendar is not out yet"),
}

MATERIAL_STATES: dict[str, str | Promise] = {
    "PENDING": gettext_lazy("Not handed in"),
    "RECEIVED": gettext_lazy("Received"),
    "PROMISED": gettext_lazy("Promised for later (容缺)"),
    "AWAITING_RESULT": gettext_lazy("Comes from an earlier item"),
}

NOTIFICATION_KINDS: dict[str, str | Promise] = {
    "SUBMITTED": gettext_lazy("Application received"),
    "CORRECTION": gettext_lazy("Correction notice: please correct your materials"),
    "ACCEPTED": gettext_lazy("Application accepted"),
    "REFUSED": gettext_lazy("Application not accepted"),
    "SUPPLEMENT": gettext_lazy("A department asks for more"),
    "ITEM_DECIDED": gettext_lazy("A department has decided"),
    "READY": gettext_lazy("Results ready to collect"),
    "ISSUED": gettext_lazy("Results handed out"),
    "WITHDRAWN": gettext_lazy("Application withdrawn"),
}

BILL_STATUSES: dict[str, str | Promise] = {
    "OPEN": gettext_lazy("To be paid"),
    "PAID": gettext_lazy("Paid"),
    "NO_FEE": gettext_lazy("No fee"),
}

#: Messages of the case engine an applicant can meet on these pages. Listing them
#: here puts them in the portal's catalog, so they come out in Chinese like the rest.
ENGINE_MESSAGES = (
    gettext_noop("file type %(detected)s is not accepted; send PDF, JPEG, PNG or OFD"),
    gettext_noop("unrecognised content"),
    gettext_noop("the file is empty"),
    gettext_noop("the file is %(size).1f MB, the limit is %(limit)d MB"),
    gettext_noop("a reason is required"),
    gettext_noop("add a note or a file"),
    gettext_noop("only applicants and window clerks submit applications"),
)


def state_text(state: str) -> str:
    """A case state in the applicant's words."""
    return str(CASE_STATES.get(state, _("In progress")))


def item_state_text(state: str) -> str:
    """An item state in the applicant's words."""
    return str(ITEM_STATES.get(state, _("In progress")))


def due_text(status: str) -> str:
    """A deadline status in words; an unknown status (a calendar year not yet entered) says so."""
    if not status:
        return ""
    return str(DUE_STATUSES.get(status, _("due date not known yet")))


def error_text(exc: Exception) -> str:
    """What to tell the applicant when a service refuses."""
    if isinstance(exc, TransitionRefused):
        if exc.kind == "case":
            return _("This cannot be done now: the application is “%(state)s”.") % {"state": state_text(exc.state)}
        return _("This cannot be done now: the item is “%(state)s”.") % {"state": item_state_text(exc.state)}
    if isinstance(exc, PermissionDenied):
        return _("Your account may not do this.")
    if isinstance(exc, DomainError):
        return exc.message
    return str(exc)
