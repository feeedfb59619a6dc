"""Anonymous ratings of a window (评价器 QR code): a QR code per window, a rating page without sign-in.

The QR code carries a link signed for the window (``window_link``): only a code the platform printed opens the
page, and a window cannot be named by trying codes. The rating is anonymous (no case, no applicant, no staff
member), flagged ``anonymous``, counted apart by the statistics and reported upstream like every rating. A 差评
opens a rectification ticket for the window's department (谁办理谁负责; no staff member is recorded for a QR
rating) with the shortened steps 预审 → 整改 → closed: there is nobody to call back, tell or re-rate
(``rules.TICKET_FLOWS``). The page is rate-limited per address and window
(``common.throttling.WindowRatingThrottle``).
"""

from __future__ import annotations

import uuid

from django.core import signing
from django.db import transaction

from lianban.cases import clock
from lianban.cases.events import event_record
from lianban.catalog.models import Department
from lianban.core import evaluation as rules
from lianban.evaluation.models import Rating
from lianban.evaluation.services.base import TokenInvalid, text_kept
from lianban.evaluation.services.ratings import Given
from lianban.evaluation.services.reporting import report_queue
from lianban.evaluation.services.tickets import ticket_open

#: The salt of the windows' signed links (a link of another purpose never opens a window's page).
SALT = "lianban.evaluation.window"


def window_link(department: Department) -> str:
    """The signed token of a window's QR code (the department's code and its signature)."""
    return signing.Signer(salt=SALT).sign(department.code)


def window_of_link(token: str) -> Department:
    """The window a signed token names.

    Raises:
        TokenInvalid: not signed by the platform, or the department is gone.
    """
    try:
        code = signing.Signer(salt=SALT).unsign(token[:200])
    except signing.BadSignature:
        raise TokenInvalid from None
    department = Department.objects.filter(code=code).first()
    if department is None:
        raise TokenInvalid
    return department


@transaction.atomic
def window_rating_give(*, token: str, given: Given) -> Rating:
    """An anonymous rating of the window of ``token`` (channel QR, the window's indicators); audited.

    A 差评 opens its rectification ticket (the shortened steps) for the window's department.

    Raises:
        TokenInvalid, LevelInvalid, IndicatorsInvalid, TextTooLong.
    """
    department = window_of_link(token)
    level = rules.level_of(given.level)
    version = rules.CURRENT_INDICATORS
    indicators = rules.indicators_check(version, rules.Mode.WINDOW, level, list(given.indicators))
    number = uuid.uuid4().hex[:20]
    rating = Rating.objects.create(
        kind=rules.Kind.VISIT.value,
        service=f"window:{department.pk}:{number}",
        evaluator=f"anonymous:{number}",
        case=None,
        department=department,
        window=department,
        level=int(level),
        indicator_version=version,
        indicators=list(indicators),
        comment=text_kept(given.comment),
        channel=rules.Channel.QR.value,
        anonymous=True,
        rated_at=clock.now(),
    )
    event_record(
        case=None,
        actor=None,
        action="rating.window_given",
        after={"rating": rating.pk, "window": department.code, "level": int(level), "anonymous": True},
    )
    if rules.is_bad(level):
        ticket_open(rating, None)
    report_queue(rating, None)
    return rating
