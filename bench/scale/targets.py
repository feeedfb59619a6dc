"""The requests bench/scale measures: the one place to update when a list's URL or parameters change.

Each target is a path (with ``{placeholders}`` filled from the fill: ``{code}``
a tracking code, ``{case_id}`` a case with a long trail), the role it is
requested as (a key of the sessions the run creates), and, for a paginated
list, the query string of a deep page (``{deep}``: an offset about half-way
through the largest list of the size, at most 100,000), or ``CURSOR`` for a
cursor (keyset) list, which the run walks into by its ``next`` links.
``deep=None`` for pages without a deep variant.
"""

from __future__ import annotations

from typing import NamedTuple

#: ``deep`` of a cursor (keyset) list: the run follows its ``next`` links into it (run.DEEP_HOPS pages).
CURSOR = "cursor"


class Target(NamedTuple):
    """One measured request."""

    name: str
    role: str  # clerk, reviewer, supervisor, heavy (the applicant with up to 1,000 cases), public
    path: str
    deep: str | None = None


TARGETS: list[Target] = [
    # the workbench
    Target("window queue", "clerk", "/work/window/"),
    Target("department queue (SCJG)", "reviewer", "/work/department/"),
    Target("supervision", "supervisor", "/work/supervision/"),
    Target("issuance queue", "clerk", "/work/window/issuance/"),
    # the API lists
    Target("GET /api/cases/ reviewer", "reviewer", "/api/cases/", deep=CURSOR),
    Target("GET /api/cases/ supervisor", "supervisor", "/api/cases/", deep=CURSOR),
    Target("GET /api/cases/ by department", "supervisor", "/api/cases/?department=SCJG", deep=CURSOR),
    Target("GET /api/cases/ overdue", "supervisor", "/api/cases/?overdue=true", deep=CURSOR),
    Target("GET /api/intake/queue", "clerk", "/api/intake/queue", deep=CURSOR),
    Target("GET /api/item-cases/ reviewer", "reviewer", "/api/item-cases/", deep=CURSOR),
    Target("GET /api/supervision/due-soon", "supervisor", "/api/supervision/due-soon", deep=CURSOR),
    Target("GET /api/supervision/overdue", "supervisor", "/api/supervision/overdue", deep=CURSOR),
    Target("GET /api/cases/{id}/events", "supervisor", "/api/cases/{case_id}/events"),
    # supervision (issue 13): signals, 督办 orders
    Target("GET /api/supervision/signals", "supervisor", "/api/supervision/signals", deep=CURSOR),
    Target("GET /api/supervision/orders", "supervisor", "/api/supervision/orders", deep=CURSOR),
    Target("orders page", "supervisor", "/work/orders/"),
    Target("orders page (SCJG)", "reviewer", "/work/orders/"),
    # statistics (issue 13): the dashboards over the default period (the last twelve months), their API, a drill-down
    Target("statistics dashboard", "supervisor", "/work/statistics/"),
    Target("statistics dashboard (SCJG)", "reviewer", "/work/statistics/"),
    Target("GET /api/statistics", "supervisor", "/api/statistics"),
    Target("GET /api/statistics by department", "supervisor", "/api/statistics?department=SCJG"),
    Target("GET /api/statistics/five-reductions", "supervisor", "/api/statistics/five-reductions"),
    Target("GET /api/statistics/overdue-heat", "supervisor", "/api/statistics/overdue-heat"),
    Target("GET /api/statistics/cases overdue", "supervisor", "/api/statistics/cases?metric=overdue", deep=CURSOR),
    # the applicant's lists
    Target("my cases (1,000 cases)", "heavy", "/my/cases/"),
    Target("my licences", "heavy", "/my/licences/"),
    Target("GET /api/cases/ applicant", "heavy", "/api/cases/", deep=CURSOR),
    Target("GET /api/licences/ applicant", "heavy", "/api/licences/", deep=CURSOR),
    Target("GET /api/notifications/ applicant", "heavy", "/api/notifications/", deep=CURSOR),
    # public tracking
    Target("GET /api/track/{code}", "public", "/api/track/{code}"),
    Target("tracking page", "public", "/track/{code}/"),
]

#: The bare Django JSON view the tracking answer is compared with (bench/scale/urls.py only).
BARE = "/bench/bare"
TRACK = "/api/track/{code}"
