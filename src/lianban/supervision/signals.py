"""Deadline signals (提示 / 黄牌 / 红牌): what each running item, intake and 容缺 promise owes, raised once per
level and due date; a 红牌 on an item raises its 督办 order (``lianban.supervision.orders``).

The apps above supervision add their own dated steps through the hook ``DUE_STEPS`` (the rectification
tickets of 好差评): the deadline sweep asks it and raises the same signals for them (``step_signals_raise``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from lianban.cases import clock
from lianban.cases.events import event_record
from lianban.cases.models import Case, CaseMaterial, ItemCase, MaterialState
from lianban.cases.workflow import lock_case
from lianban.common.hooks import Hook
from lianban.core import case_flow as flow
from lianban.core.case_flow import Calendar
from lianban.core.errors import CalendarNotCovered
from lianban.core.signals import SignalLevel as Level
from lianban.core.signals import Thresholds, next_signal_on, signal_levels
from lianban.intake.models import IntakeRound
from lianban.supervision.models import Signal, SignalLevel, SignalSubject
from lianban.supervision.reminders import signal_remind


@dataclass(frozen=True, slots=True)
class DueStep:
    """A dated step an app above supervision owes, warned like an item's deadline.

    ``subject`` is a ``SignalSubject`` value and ``subject_id`` the id of what it names; the step runs from
    ``started_on`` and is on time through ``due_on``. ``case_id`` is None for a step about no case (the ticket of
    an anonymous window rating).
    """

    subject: str
    subject_id: int
    case_id: int | None
    started_on: date
    due_on: date
    department_id: int
    responsible_id: int | None = None
    item_case_id: int | None = None


#: Called by the deadline sweep with today's date; each registered function answers the steps its app owes
#: (the 好差评 rectification tickets' pending steps), which get the same 提示 / 黄牌 / 红牌 as the items.
DUE_STEPS: Hook[[date], list[DueStep]] = Hook("due steps")


def _thresholds() -> Thresholds:
    return Thresholds(
        notice_days=settings.LIANBAN_SIGNAL_NOTICE_DAYS,
        yellow_percent=settings.LIANBAN_SIGNAL_YELLOW_PERCENT,
        yellow_days=settings.LIANBAN_SIGNAL_YELLOW_DAYS,
    )


@dataclass(frozen=True, slots=True)
class _Promise:
    """Something promised by a date: what, from when, whose."""

    subject: SignalSubject
    subject_id: int
    started_on: date
    due_on: date
    department_id: int
    responsible_id: int | None = None
    item_case: ItemCase | None = None


def _signals_raise(case: Case | None, promises: list[_Promise], today: date, *, only_red: bool = False) -> list[Signal]:
    """Raise the signals the promises have reached today and not raised yet; the signals raised.

    Call with the case locked: each signal is recorded on its audit trail (``case`` None: promises about no
    case, recorded on the trail of events without a case; the unique constraint ``signal_once`` settles a
    concurrent sweep). A promise the calendar cannot count through is left for a later sweep.
    """
    if not promises:
        return []
    calendar = clock.calendar()
    thresholds = _thresholds()
    known = _known(case, promises)
    raised: list[Signal] = []
    for promise in promises:
        try:
            levels = signal_levels(calendar, promise.started_on, promise.due_on, today, thresholds)
        except CalendarNotCovered:
            continue
        for level in levels:
            if only_red and level.value != SignalLevel.RED:
                continue
            if (promise.subject.value, promise.subject_id, level.value, promise.due_on) in known:
                continue
            if case is None:
                try:
                    with transaction.atomic():
                        raised.append(_signal_record(case, promise, SignalLevel(level.value)))
                except IntegrityError:  # a concurrent sweep raised it
                    continue
            else:
                raised.append(_signal_record(case, promise, SignalLevel(level.value)))
    return raised


def _known(case: Case | None, promises: Sequence[_Promise] = ()) -> set[tuple[str, int, str, date]]:
    """The signals raised so far: (subject, subject id, level, due date) of the case's, or, with no case (a
    ticket of an anonymous rating), of the promises' subjects."""
    rows = (
        Signal.objects.filter(case=case)
        if case is not None
        else Signal.objects.filter(
            case__isnull=True,
            subject__in={p.subject.value for p in promises},
            subject_id__in={p.subject_id for p in promises},
        )
    )
    return set(rows.values_list("subject", "subject_id", "level", "due_on").order_by())


def _signal_record(case: Case | None, promise: _Promise, level: SignalLevel) -> Signal:
    """Insert one signal and its audit event."""
    signal = Signal(
        level=level,
        subject=promise.subject,
        subject_id=promise.subject_id,
        case=case,
        item_case=promise.item_case,
        department_id=promise.department_id,
        responsible_id=promise.responsible_id,
        due_on=promise.due_on,
        raised_at=clock.now(),
    )
    signal.save(force_insert=True)
    event_record(
        case=case,
        item_case=promise.item_case,
        actor=None,
        action="signal.raised",
        after={"level": level.value, "subject": promise.subject.value, "due_on": promise.due_on.isoformat()},
        reason=_("%(level)s: %(subject)s due on %(due)s")
        % {"level": level.label, "subject": promise.subject.label, "due": promise.due_on.isoformat()},
    )
    signal_remind(case, signal)
    return signal


def case_signals_raise(case: Case, items: list[ItemCase], calendar: Calendar, today: date) -> list[Signal]:
    """The signals of a case's running item cases and of the case itself; none while its clock is stopped."""
    return _signals_raise(case, _case_promises(case, items, calendar), today)


def _case_promises(case: Case, items: list[ItemCase], calendar: Calendar) -> list[_Promise]:
    """What a case's running item cases and the case itself promise; nothing while its clock is stopped.

    An item in 补正 (its clock stopped) raises nothing; nor does its case,
    whose due date moves on with every paused day. The case is due on the
    latest of: its acceptance day plus its promised critical path (the
    longest chain of promised days through the items' ``after``), and the
    due dates of its items (moved by supplements).
    """
    promises: list[_Promise] = []
    paused = False
    for item in items:
        paused = paused or item.state == flow.ItemState.SUPPLEMENT
        if item.state not in flow.RUNNING_ITEM_STATES or item.state == flow.ItemState.SUPPLEMENT:
            continue
        if item.due_on is None or item.started_on is None:
            continue
        promises.append(
            _Promise(
                SignalSubject.ITEM_CASE,
                item.pk,
                item.started_on,
                item.due_on,
                item.department_id,
                item.taken_by_id,
                item,
            )
        )
    if case.accepted_at is not None and case.state not in flow.FINAL_CASE_STATES and not paused:
        accepted_on = clock.local_date(case.accepted_at)
        try:
            due = calendar.add_working_days(accepted_on, promised_path(items))
        except CalendarNotCovered:
            due = None
        dated = [i.due_on for i in items if i.due_on is not None]
        if due is not None:
            due = max([due, *dated])
            promises.append(_Promise(SignalSubject.CASE, case.pk, accepted_on, due, case.lead_department_id))
    return promises


def promised_path(items: list[ItemCase]) -> int:
    """The working days the case promises: the longest chain of promised days (the plan's critical path)."""
    by_code = {item.item_code: item for item in items}
    finish: dict[str, int] = {}

    def visit(code: str) -> int:
        if code not in finish:
            item = by_code[code]
            before = [visit(p) for p in item.after if p in by_code]  # the plan has no cycle
            finish[code] = item.promised_days + max(before, default=0)
        return finish[code]

    return max((visit(code) for code in by_code), default=0)


#: Cases waiting for an intake decision (intake's ``OPEN_FOR_INTAKE``; intake imports this module).
OPEN_FOR_INTAKE = sorted(state.value for state in flow.OPEN_FOR_INTAKE)


def _intake_promise(case: Case, calendar: Calendar) -> _Promise:
    """The intake decision due: the latest (re)submission plus the deemed-acceptance days.

    Raises:
        CalendarNotCovered: the calendar lacks the year of the deadline.
    """
    submitted = clock.local_date(case.resubmitted_at or case.submitted_at)
    due = calendar.add_working_days(submitted, settings.LIANBAN_DEEMED_ACCEPTANCE_DAYS)
    return _Promise(SignalSubject.INTAKE, case.pk, submitted, due, case.lead_department_id, case.entered_by_id)


@transaction.atomic
def intake_signals_raise(*, case_id: int, overdue: bool = False) -> list[Signal]:
    """Raise the intake signals a case waiting for its decision has reached; the signals raised.

    ``overdue`` (the deemed-acceptance service, as the case leaves intake):
    only the red card, the decision was not made in time.
    """
    case = lock_case(case_id)
    if case.state not in OPEN_FOR_INTAKE:
        return []
    try:
        promise = _intake_promise(case, clock.calendar())
    except CalendarNotCovered:
        return []
    return _signals_raise(case, [promise], clock.today(), only_red=overdue)


@transaction.atomic
def promise_signals_raise(*, case_id: int) -> list[Signal]:
    """Raise the red card of every 容缺 promise of the case past its date and still unsupplied."""
    case = lock_case(case_id)
    today = clock.today()
    materials = CaseMaterial.objects.filter(case=case, state=MaterialState.PROMISED, promise_due__lt=today)
    return _signals_raise(case, _material_promises(case, list(materials.order_by("id"))), today, only_red=True)


def _material_promises(case: Case, materials: list[CaseMaterial]) -> list[_Promise]:
    """The 容缺 promises of the materials (a promise is the clerk's who accepted the case; read only if any)."""
    dated = [material for material in materials if material.promise_due is not None]
    if not dated:
        return []
    accepted_by = (  # the clerk who took the promise
        IntakeRound.objects.filter(case=case, decided_by__isnull=False)
        .order_by("-number")
        .values_list("decided_by_id", flat=True)
    ).first()
    return [
        _Promise(
            SignalSubject.PROMISE,
            material.pk,
            clock.local_date(case.accepted_at) if case.accepted_at else material.promise_due,
            material.promise_due,
            case.lead_department_id,
            accepted_by or case.entered_by_id,
        )
        for material in dated
        if material.promise_due is not None
    ]


@dataclass(slots=True)
class SweepSignals:
    """What the deadline sweep's look at one case raised, and when it is to look again.

    ``next_on``: the first day a promise of the case reaches a level it has not raised (None: never);
    ``retry``: a promise the calendar cannot count through yet (look again tomorrow).
    """

    raised: list[Signal]
    next_on: date | None
    retry: bool


def case_sweep_signals(
    case: Case, items: list[ItemCase] | None, calendar: Calendar, today: date, *, running: bool
) -> SweepSignals:
    """Every signal one case owes today, raised, and the first day it will owe another (the case is locked).

    The promises are those the sweep watches: with ``running`` (a running item), the items' and the case's;
    while the case waits for its intake decision, the intake's; once accepted, its 容缺 promises (red card
    only, the day after the promised date). ``items`` are the case's item cases (read under the lock).
    """
    promises: list[_Promise] = []
    if running and items is not None:
        promises += _case_promises(case, items, calendar)
    retry = False
    if case.state in OPEN_FOR_INTAKE:
        try:
            promises.append(_intake_promise(case, calendar))
        except CalendarNotCovered:
            retry = True
    red_only: list[_Promise] = []
    if case.accepted_at is not None and case.state not in flow.FINAL_CASE_STATES:
        materials = CaseMaterial.objects.filter(case=case, state=MaterialState.PROMISED).order_by("id")
        red_only = _material_promises(case, list(materials))
    if not promises and not red_only:
        return SweepSignals([], None, retry)
    thresholds = _thresholds()
    known = _known(case)
    raised: list[Signal] = []
    days: list[date] = []
    for promise, only_red in [*((p, False) for p in promises), *((p, True) for p in red_only)]:
        try:
            reached = signal_levels(calendar, promise.started_on, promise.due_on, today, thresholds)
            has = {Level(level) for (subject, pk, level, due) in known if (subject, pk, due) == _key(promise)}
            for level in reached:
                if level in has or (only_red and level is not Level.RED):
                    continue
                raised.append(_signal_record(case, promise, SignalLevel(level.value)))
                has.add(level)
            upcoming = next_signal_on(
                calendar, promise.started_on, promise.due_on, today, thresholds, {*has, *reached}, only_red=only_red
            )
        except CalendarNotCovered:
            retry = True
            continue
        if upcoming is not None:
            days.append(upcoming)
    return SweepSignals(raised, min(days, default=None), retry)


def _key(promise: _Promise) -> tuple[str, int, date]:
    return (promise.subject.value, promise.subject_id, promise.due_on)


@transaction.atomic
def step_signals_raise(*, case_id: int | None, steps: list[DueStep]) -> list[Signal]:
    """Raise the signals the steps of one case (from ``DUE_STEPS``) have reached today; the signals raised.

    ``case_id`` None: the steps about no case (an anonymous window rating's ticket).
    """
    case = lock_case(case_id) if case_id is not None else None
    wanted = {step.item_case_id for step in steps if step.item_case_id is not None}
    items = {item.pk: item for item in ItemCase.objects.filter(pk__in=wanted)} if wanted else {}
    promises = [
        _Promise(
            SignalSubject(step.subject),
            step.subject_id,
            step.started_on,
            step.due_on,
            step.department_id,
            step.responsible_id,
            items.get(step.item_case_id) if step.item_case_id is not None else None,
        )
        for step in steps
        if step.case_id == case_id
    ]
    return _signals_raise(case, promises, clock.today())
