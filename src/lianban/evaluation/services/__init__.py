"""好差评 writes: ratings through each channel, the default ratings, the 差评 rectification tickets.

The rules are the core's (``lianban.core.evaluation``). Every write locks the
case row first (``workflow.lock_case``) and records its audit event on the
case's trail. Ratings are append-only; one rating per service per evaluator
(the unique constraint ``rating_once`` backs the check).

``base`` holds the limits and the errors, ``ratings`` the ratings, tokens, 追评
and default ratings, ``tickets`` the rectification tickets, ``appeals`` the unit's 申诉; import from here.
"""

from lianban.evaluation.services.appeals import appeal_decide, appeal_file
from lianban.evaluation.services.base import (
    DECIDED_ITEM_STATES,
    FINISHED_STATES,
    FINISHING_ACTIONS,
    TEXT_MAX,
    AlreadyRated,
    NotRatable,
    TokenInvalid,
    limits,
)
from lianban.evaluation.services.ratings import (
    Given,
    Service,
    case_services,
    case_token,
    default_ratings,
    finished_on,
    follow_up_add,
    rating_enter,
    rating_give,
    rating_give_by_token,
    rating_invitation,
    token_services,
    visit_token_make,
)
from lianban.evaluation.services.tickets import (
    ticket_feedback,
    ticket_precheck,
    ticket_rectify,
    ticket_rerate,
    ticket_visit,
)
from lianban.evaluation.services.windows import window_link, window_of_link, window_rating_give

__all__ = [
    "DECIDED_ITEM_STATES",
    "FINISHED_STATES",
    "FINISHING_ACTIONS",
    "TEXT_MAX",
    "AlreadyRated",
    "Given",
    "NotRatable",
    "Service",
    "TokenInvalid",
    "appeal_decide",
    "appeal_file",
    "case_services",
    "case_token",
    "default_ratings",
    "finished_on",
    "follow_up_add",
    "limits",
    "rating_enter",
    "rating_give",
    "rating_give_by_token",
    "rating_invitation",
    "ticket_feedback",
    "ticket_precheck",
    "ticket_rectify",
    "ticket_rerate",
    "ticket_visit",
    "token_services",
    "visit_token_make",
    "window_link",
    "window_of_link",
    "window_rating_give",
]
