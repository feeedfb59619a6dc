"""好差评 rules (GB/T 39734-2020, GB/T 39735-2020, 国办发〔2019〕51号): levels, indicators, the ticket's steps.

A rating has a level from 5 (非常满意) to 1 (非常不满意); 2 and below is a 差评
(bad rating), which opens a rectification ticket for the unit and the person
who handled the service. A finished service nobody rated within
``default_days`` natural days gets a system default 基本满意, which is never
counted as an active rating.

The ticket runs 预审 → 回访核实 → 整改 → 反馈 → 复评 → closed; a 复评 不满意 sends
it back to 整改 once (and raises a 督办 order); a 预审 that finds the rating
malicious closes it at once. The ticket of an anonymous rating (a window's QR
code: nobody to call back, to tell or to re-rate) runs 预审 → 整改 → closed: each
flow is a table of ``TICKET_FLOWS``, and a step a flow skips is refused with
:class:`TicketStepSkipped`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import IntEnum, StrEnum

from lianban.core.case_flow import Calendar
from lianban.core.errors import DomainError
from lianban.core.text import tx


class Level(IntEnum):
    """The five levels, stored as 5..1."""

    VERY_SATISFIED = 5
    SATISFIED = 4
    BASICALLY_SATISFIED = 3
    DISSATISFIED = 2
    VERY_DISSATISFIED = 1


#: The words of each level (GB/T 39734-2020).
LEVEL_LABELS: dict[int, str] = {
    5: "非常满意",
    4: "满意",
    3: "基本满意",
    2: "不满意",
    1: "非常不满意",
}

#: The level a finished service gets when nobody rated it in time.
DEFAULT_LEVEL = Level.BASICALLY_SATISFIED
#: The highest level that is a 差评.
BAD_AT_MOST = 2


def is_bad(level: int) -> bool:
    """Whether ``level`` is a 差评."""
    return level <= BAD_AT_MOST


class LevelInvalid(DomainError):
    """A level outside 1..5."""

    code = "rating-level-invalid"
    http_status = 400

    def __init__(self, level: object) -> None:
        super().__init__(tx("%(level)s is not a rating level (1 to 5)", level=str(level)))


def level_of(value: int) -> Level:
    """The level of ``value``; :class:`LevelInvalid` outside 1..5."""
    try:
        return Level(int(value))
    except (TypeError, ValueError):
        raise LevelInvalid(value) from None


class Kind(StrEnum):
    """What is rated: a service (一事一评: an item case or a case as a whole) or a visit (一次一评)."""

    SERVICE = "SERVICE"
    VISIT = "VISIT"


class Channel(StrEnum):
    """Where a rating was given."""

    PORTAL = "PORTAL"  # the applicant's "my cases"
    LINK = "LINK"  # the link in the message sent when the case finished
    QR = "QR"  # the QR code on the receipt
    TABLET = "TABLET"  # the window's evaluator (评价器)
    PHONE = "PHONE"  # entered by staff from a telephone call
    PAPER = "PAPER"  # entered by staff from a paper form
    SYSTEM = "SYSTEM"  # the default rating


#: Channels through a one-time token (no sign-in).
TOKEN_CHANNELS = frozenset({Channel.LINK, Channel.QR, Channel.TABLET})
#: Channels where staff enter what the evaluator said (marked so).
STAFF_CHANNELS = frozenset({Channel.PHONE, Channel.PAPER})


class Mode(StrEnum):
    """Which indicator list applies: the online service or the window."""

    ONLINE = "ONLINE"
    WINDOW = "WINDOW"


@dataclass(frozen=True, slots=True)
class Indicator:
    """One indicator of a set: a stable code and its words."""

    code: str
    label: str


@dataclass(frozen=True, slots=True)
class IndicatorSet:
    """A versioned set of indicators per mode (kept as data; a new version never changes an old one)."""

    version: str
    online: tuple[Indicator, ...]
    window: tuple[Indicator, ...]

    def for_mode(self, mode: Mode) -> tuple[Indicator, ...]:
        """The indicators of ``mode``."""
        return self.online if mode == Mode.ONLINE else self.window


#: Every indicator set ever used, by version; ratings keep the version they were given under.
INDICATOR_SETS: dict[str, IndicatorSet] = {
    "2020.1": IndicatorSet(
        version="2020.1",
        online=(
            Indicator("overall", "整体满意度"),
            Indicator("efficiency", "办事效率"),
            Indicator("guide", "办事指南准确度"),
            Indicator("convenience", "办事便捷度"),
            Indicator("usability", "平台操作性"),
        ),
        window=(
            Indicator("overall", "整体满意度"),
            Indicator("efficiency", "服务效率"),
            Indicator("skill", "服务水平"),
            Indicator("attitude", "服务态度"),
        ),
    ),
}
#: The version new ratings are given under.
CURRENT_INDICATORS = "2020.1"


class Tone(StrEnum):
    """How the indicators are asked at a level: what was good, or what was not."""

    PRAISE = "PRAISE"  # 4-5: 做得好的方面
    NEUTRAL = "NEUTRAL"  # 3: 还需改进的方面 (optional)
    PROBLEM = "PROBLEM"  # 1-2: 不满意的方面 (at least one)


def tone(level: int) -> Tone:
    """How the indicators are shown at ``level``."""
    if is_bad(level):
        return Tone.PROBLEM
    return Tone.NEUTRAL if level == Level.BASICALLY_SATISFIED else Tone.PRAISE


class IndicatorsInvalid(DomainError):
    """Indicators not in the set, or none chosen for a 差评."""

    code = "rating-indicators-invalid"
    http_status = 400


def indicators_check(version: str, mode: Mode, level: int, chosen: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """The chosen indicator codes, checked against the set; a 差评 names at least one (what was wrong)."""
    known = {indicator.code for indicator in INDICATOR_SETS[version].for_mode(mode)}
    unknown = sorted(set(chosen) - known)
    if unknown:
        raise IndicatorsInvalid(tx("unknown indicators: %(codes)s", codes=", ".join(unknown)))
    if is_bad(level) and not chosen:
        raise IndicatorsInvalid(tx("say what was not satisfactory"))
    return tuple(sorted(set(chosen)))


def mode_of_channel(channel: Channel, kind: Kind) -> Mode:
    """The indicators of a rating: the window's for a visit or the tablet, the online service's otherwise."""
    return Mode.WINDOW if kind == Kind.VISIT or channel == Channel.TABLET else Mode.ONLINE


# ------------------------------------------------------------------ time limits


@dataclass(frozen=True, slots=True)
class Limits:
    """The configured limits (natural days for ratings, working days for tickets)."""

    default_days: int = 7  # a finished service unrated this long gets the default rating
    follow_up_days: int = 15  # a 追评 within this many days of the rating
    token_days: int = 30  # a one-time token expires this long after it was made
    contact_days: int = 1  # working days to contact the evaluator and verify
    rectify_days: int = 15  # working days to rectify


def default_owed(finished_on: date, today: date, limits: Limits) -> bool:
    """Whether a service finished on ``finished_on`` and still unrated gets its default rating on ``today``."""
    return today > finished_on + timedelta(days=limits.default_days)


def follow_up_open(rated_at: datetime, now: datetime, limits: Limits) -> bool:
    """Whether a 追评 may still be added to a rating given at ``rated_at``."""
    return now <= rated_at + timedelta(days=limits.follow_up_days)


def token_expires(made_at: datetime, limits: Limits) -> datetime:
    """When a one-time token made at ``made_at`` stops working."""
    return made_at + timedelta(days=limits.token_days)


@dataclass(frozen=True, slots=True)
class TicketDates:
    """The ticket's due dates."""

    contact_due_on: date
    rectify_due_on: date


def ticket_dates(calendar: Calendar, opened_on: date, limits: Limits) -> TicketDates:
    """Contact and verify within ``contact_days`` working days, rectify within ``rectify_days`` (from opening)."""
    return TicketDates(
        contact_due_on=calendar.add_working_days(opened_on, limits.contact_days),
        rectify_due_on=calendar.add_working_days(opened_on, limits.rectify_days),
    )


# ------------------------------------------------------------------ the rectification ticket


class TicketState(StrEnum):
    """Where a rectification ticket stands (whose step it waits for)."""

    PRECHECK = "PRECHECK"  # 预审
    VISIT = "VISIT"  # 回访核实
    RECTIFY = "RECTIFY"  # 整改
    FEEDBACK = "FEEDBACK"  # 反馈 to the evaluator
    RERATE = "RERATE"  # 复评 by the evaluator
    CLOSED = "CLOSED"


class Verdict(StrEnum):
    """The 预审's finding."""

    TRUE = "TRUE"  # 属实
    REASONABLE = "REASONABLE"  # 合理
    MALICIOUS = "MALICIOUS"  # 恶意


class Rerating(StrEnum):
    """The evaluator's 复评."""

    SATISFIED = "SATISFIED"  # 满意
    BASICALLY = "BASICALLY"  # 基本满意
    DISSATISFIED = "DISSATISFIED"  # 不满意


class TicketEvent(StrEnum):
    """The steps of a ticket."""

    PRECHECK = "precheck"
    VISIT = "visit"
    RECTIFY = "rectify"
    FEEDBACK = "feedback"
    RERATE = "rerate"


class TicketFlow(StrEnum):
    """Which steps a ticket runs: the whole loop, or the loop of an anonymous rating (nobody to call back)."""

    FULL = "FULL"  # 预审 → 回访核实 → 整改 → 反馈 → 复评
    ANONYMOUS = "ANONYMOUS"  # 预审 → 整改: an anonymous window rating has no evaluator to call, tell or re-rate


#: The table of the whole loop's steps: (state, event) → the state after it (special cases in ``ticket_next``).
TICKET_STEPS: dict[tuple[TicketState, TicketEvent], TicketState] = {
    (TicketState.PRECHECK, TicketEvent.PRECHECK): TicketState.VISIT,
    (TicketState.VISIT, TicketEvent.VISIT): TicketState.RECTIFY,
    (TicketState.RECTIFY, TicketEvent.RECTIFY): TicketState.FEEDBACK,
    (TicketState.FEEDBACK, TicketEvent.FEEDBACK): TicketState.RERATE,
    (TicketState.RERATE, TicketEvent.RERATE): TicketState.CLOSED,
}
#: Each flow's table of steps, in the order they are taken.
TICKET_FLOWS: dict[TicketFlow, dict[tuple[TicketState, TicketEvent], TicketState]] = {
    TicketFlow.FULL: TICKET_STEPS,
    TicketFlow.ANONYMOUS: {
        (TicketState.PRECHECK, TicketEvent.PRECHECK): TicketState.RECTIFY,
        (TicketState.RECTIFY, TicketEvent.RECTIFY): TicketState.CLOSED,
    },
}
#: How many times a 复评 不满意 sends the ticket back to 整改.
REOPENS = 1


def flow_of(*, anonymous: bool) -> TicketFlow:
    """The flow of the ticket of a 差评: the shortened one for an anonymous rating, the whole loop otherwise."""
    return TicketFlow.ANONYMOUS if anonymous else TicketFlow.FULL


def flow_events(flow: TicketFlow) -> tuple[TicketEvent, ...]:
    """The steps ``flow`` takes, in order."""
    return tuple(event for (_state, event) in TICKET_FLOWS[flow])


class TicketStepRefused(DomainError):
    """A step the ticket's state does not allow."""

    code = "ticket-step-not-allowed"

    def __init__(self, state: str, event: str) -> None:
        super().__init__(
            tx("a rectification ticket in state %(state)s cannot take the step %(event)s", state=state, event=event)
        )


class TicketStepSkipped(DomainError):
    """A step the ticket's flow does not have (an anonymous rating's ticket: no call back, feedback or 复评)."""

    code = "ticket-step-skipped"

    def __init__(self, event: str) -> None:
        super().__init__(
            tx(
                "the rating is anonymous: there is nobody to call back, tell or re-rate, so the step %(event)s "
                "does not apply (its ticket runs pre-check, then rectification)",
                event=event,
            )
        )


@dataclass(frozen=True, slots=True)
class TicketMove:
    """The state after a step, and whether it reopened the ticket (which raises a 督办 order)."""

    state: TicketState
    reopened: bool = False


def step_check(flow: TicketFlow, event: TicketEvent) -> None:
    """Refuse a step ``flow`` skips.

    Raises:
        TicketStepSkipped.
    """
    if event not in flow_events(flow):
        raise TicketStepSkipped(event.value)


def ticket_next(
    state: TicketState,
    event: TicketEvent,
    *,
    flow: TicketFlow = TicketFlow.FULL,
    verdict: Verdict | None = None,
    rerating: Rerating | None = None,
    reopened: int = 0,
) -> TicketMove:
    """The move of ``event`` from ``state`` in ``flow``: a malicious 预审 closes; a 复评 不满意 reopens once.

    Raises:
        TicketStepSkipped: ``flow`` has no such step. TicketStepRefused: not the step of ``state``.
    """
    step_check(flow, event)
    after = TICKET_FLOWS[flow].get((state, event))
    if after is None:
        raise TicketStepRefused(state.value, event.value)
    if event == TicketEvent.PRECHECK and verdict == Verdict.MALICIOUS:
        return TicketMove(TicketState.CLOSED)
    if event == TicketEvent.RERATE and rerating == Rerating.DISSATISFIED and reopened < REOPENS:
        return TicketMove(TicketState.RECTIFY, reopened=True)
    return TicketMove(after)


def allowed_events(state: TicketState, flow: TicketFlow = TicketFlow.FULL) -> tuple[TicketEvent, ...]:
    """The steps a ticket of ``flow`` in ``state`` can take."""
    return tuple(event for (source, event) in TICKET_FLOWS[flow] if source == state)


def waiting_on(state: TicketState) -> str:
    """Whose move it is: ``unit`` (the rated unit), ``evaluator`` (复评) or ``""`` (closed)."""
    if state == TicketState.CLOSED:
        return ""
    return "evaluator" if state == TicketState.RERATE else "unit"


def step_due(state: TicketState, dates: TicketDates) -> date | None:
    """The date the unit's pending step is due by (None: nothing of the unit's is pending).

    The same in every flow: 预审 (and 回访核实) by the contact date, 整改 (and 反馈) by the rectification date.
    """
    if state in (TicketState.PRECHECK, TicketState.VISIT):
        return dates.contact_due_on
    if state in (TicketState.RECTIFY, TicketState.FEEDBACK):
        return dates.rectify_due_on
    return None


# ------------------------------------------------------------------ the unit's appeal (申诉)


class AppealGrounds(StrEnum):
    """Why the rated unit appeals a 差评."""

    WRONG = "WRONG"  # 评价有误: wrong unit, wrong service, a mistaken level
    MALICIOUS = "MALICIOUS"  # 恶意差评


class AppealState(StrEnum):
    """Where an appeal stands: waiting for the supervisor, or decided."""

    PENDING = "PENDING"
    UPHELD = "UPHELD"  # the rating stays on the record and is left out of the statistics
    REJECTED = "REJECTED"


#: The decisions a supervisor can take on a pending appeal.
APPEAL_OUTCOMES = frozenset({AppealState.UPHELD, AppealState.REJECTED})


class AppealRefused(DomainError):
    """The rating cannot be appealed (not a 差评, a default rating, or already appealed)."""

    code = "appeal-refused"


class AppealDecided(DomainError):
    """The appeal was already decided."""

    code = "appeal-decided"

    def __init__(self) -> None:
        super().__init__(tx("this appeal has already been decided"))


def appealable(level: int, *, is_default: bool, already: bool) -> None:
    """Refuse an appeal of a rating that is not a 差评, a default rating, or one already appealed.

    Raises:
        AppealRefused.
    """
    if already:
        raise AppealRefused(tx("this rating has already been appealed"))
    if is_default or not is_bad(level):
        raise AppealRefused(tx("only a bad rating given by the evaluator can be appealed"))


def appeal_decision(state: AppealState, outcome: AppealState) -> AppealState:
    """The state after the supervisor's decision ``outcome`` on an appeal in ``state``.

    Raises:
        AppealDecided: the appeal is not pending. ValueError: ``outcome`` is not a decision.
    """
    if outcome not in APPEAL_OUTCOMES:
        raise ValueError(outcome)
    if state != AppealState.PENDING:
        raise AppealDecided
    return outcome


# ------------------------------------------------------------------ reporting upstream


def report_delay(failed_attempts: int, schedule: tuple[float, ...] | list[float]) -> float:
    """Seconds to wait after the ``failed_attempts``-th refused report (1 = the first).

    A rating is reported until the upstream system accepts it: past the end of ``schedule`` its last
    delay repeats (an empty schedule: one minute).
    """
    if failed_attempts < 1:
        raise ValueError("a delay follows a failed attempt")
    if not schedule:
        return 60.0
    return float(schedule[min(failed_attempts, len(schedule)) - 1])


# ------------------------------------------------------------------ statistics


@dataclass(frozen=True, slots=True)
class Counts:
    """The raw counts of a group of ratings (first ratings; an upheld appeal's left out).

    ``ratings`` every rating, ``active`` those the evaluator gave (not default), ``good`` active 好评 (基本满意
    and above), ``bad`` active 差评, ``defaults`` default ratings; of the 差评's tickets: ``visited`` (回访 done),
    ``rectified`` (closed after 整改), ``rerated`` (复评 given) and ``rerated_satisfied`` (满意 or 基本满意).
    """

    ratings: int = 0
    active: int = 0
    good: int = 0
    bad: int = 0
    defaults: int = 0
    visited: int = 0
    rectified: int = 0
    rerated: int = 0
    rerated_satisfied: int = 0


#: The rates of the statistics: name → (numerator, denominator) among the counts.
RATES: dict[str, tuple[str, str]] = {
    "good_rate": ("good", "active"),  # 好评率: a default rating changes nothing here
    "rectify_rate": ("rectified", "bad"),  # 差评整改率
    "visit_rate": ("visited", "bad"),  # 回访率
    "visit_satisfied_rate": ("rerated_satisfied", "rerated"),  # 回访满意率
    "active_rate": ("active", "ratings"),  # 主动评价率
    "unrated_rate": ("defaults", "ratings"),  # 未评率: the default ratings' share
}


#: The rates that mean something for anonymous window ratings, counted apart: they are never default ratings and
#: have nobody to call back or to re-rate, so 回访率, 回访满意率, 主动评价率 and 未评率 do not apply (None). Their
#: 差评整改率 is the share of their 差评 whose (shortened) ticket closed after 整改, like the real-name ones'.
ANONYMOUS_RATES = frozenset({"good_rate", "rectify_rate"})


def rates(counts: Counts, *, anonymous: bool = False) -> dict[str, float | None]:
    """Each rate of ``RATES`` in percent, one decimal (None: nothing to divide by, or, for the anonymous
    ratings counted apart, a rate outside ``ANONYMOUS_RATES``)."""
    out: dict[str, float | None] = {}
    for name, (top, bottom) in RATES.items():
        whole = getattr(counts, bottom)
        applies = not anonymous or name in ANONYMOUS_RATES
        out[name] = round(100 * getattr(counts, top) / whole, 1) if whole and applies else None
    return out
