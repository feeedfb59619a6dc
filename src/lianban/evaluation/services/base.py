"""好差评 writes, the shared part: the limits, the errors of the ratings, the texts kept."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from lianban.cases.models import ItemState
from lianban.core import case_flow as flow
from lianban.core import evaluation as rules
from lianban.core.case_errors import TextRequired, TextTooLong
from lianban.core.errors import DomainError
from lianban.core.text import tx

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


def text_kept(value: str, *, required: str = "") -> str:
    text = (value or "").strip()
    if required and not text:
        raise TextRequired(required)
    if len(text) > TEXT_MAX:
        raise TextTooLong(_("at most %(count)d characters") % {"count": TEXT_MAX})
    return text
