"""Supervision writes: the deadline sweep (督办) and the calendar alerts.

``deadline_sweep`` recomputes the deadline status (on time / due soon /
overdue) of every running item case and the ETA of its case; a status that
changed is recorded as a system event, so the trail shows when an item
became due soon or overdue. Running it twice changes nothing the second time.

A due date in a year the working-day calendar does not cover is never
guessed: such an item runs with no due date (status ``UNKNOWN``). The sweep
fills the date in (start + promised + paused working days, with an
``item.due_known`` event) as soon as the calendar covers the year. Until
then it logs an error and keeps one :class:`CalendarAlert` per missing year
for the staff who maintain the calendar; the alert is resolved once the year
is covered.

A due date counted through a year with only a provisional calendar (the
holiday law's rest days, no official arrangement yet) is kept with
``due_provisional`` (预计). When the official arrangement is entered,
``provisional_dates_recompute`` (queued by every calendar change) counts
every such date again (``item.due_recomputed`` event) and the ETAs with it;
the deadline sweep does the same for an item whose year became confirmed.

The deadline sweep also raises the deadline signals (``lianban.core.signals``:
提示, 黄牌, 红牌) of every running item case, of every accepted case, of
every intake decision still due and of every 容缺 promise past its date:
one immutable :class:`Signal` per subject, level and due date, each recorded
on the case's audit trail (``signal.raised``). Running it again adds none.
They are raised by ``lianban.supervision.signals`` (re-exported here).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from lianban.cases import clock
from lianban.cases.events import event_record
from lianban.cases.models import Case, ItemCase
from lianban.cases.workflow import due_unknown_record, eta_refresh, item_view, lock_case, lock_item_cases
from lianban.common.language import in_platform_language
from lianban.common.prepared import save_fields
from lianban.core import case_flow as flow
from lianban.core import orders as rules
from lianban.core.case_flow import Calendar
from lianban.core.errors import CalendarNotCovered
from lianban.review.models import SupplementRequest
from lianban.supervision.models import (
    CalendarAlert,
    Signal,
    SignalLevel,
    SignalSubject,
    SupervisionOrder,
    SweepMark,
)
from lianban.supervision.orders import order_raise_for_red_card, orders_follow_up
from lianban.supervision.signals import DUE_STEPS, DueStep, case_sweep_signals, step_signals_raise
from lianban.workdays.services import calendar_fingerprint

logger = logging.getLogger(__name__)

_FINAL = frozenset(state.value for state in flow.FINAL_CASE_STATES)


@dataclass(slots=True)
class SweepResult:
    """What a sweep changed.

    ``cases`` counts the cases due today the sweep looked at; ``skipped`` lists the cases with an item the
    calendar could not date;
    ``missing_years`` counts those items by the year the calendar lacks.
    """

    #: Cases looked at: those whose ``sweep_on`` had come (the cases not due are not read).
    cases: int = 0
    changed: dict[str, int] = field(default_factory=dict)
    skipped: list[int] = field(default_factory=list)
    missing_years: dict[int, int] = field(default_factory=dict)
    signals: int = 0
    #: Every open case and waiting order was made due first (the working-day calendar changed).
    everything: bool = False
    #: 督办 orders raised by red cards, reminders (催办) and escalations made.
    orders: int = 0
    urged: int = 0
    escalated: int = 0


@transaction.atomic
def case_deadlines_refresh(*, case_id: int) -> dict[str, str]:
    """Recompute the deadline status of the case's running items and its ETA; the changed statuses."""
    changed, _missing, _recomputed = _case_deadlines_refresh(case_id)
    return changed


def _case_deadlines_refresh(
    case_id: int, *, recompute_provisional: bool = False
) -> tuple[dict[str, str], Counter[int], int]:
    """The changed statuses, the items the calendar could not date (by missing year), and the due dates recomputed.

    A provisional due date is counted again when its years are confirmed now,
    or always with ``recompute_provisional``.
    """
    case = lock_case(case_id)
    items = lock_item_cases(case)
    calendar = clock.calendar()
    found = _deadlines_refresh(case, items, calendar, clock.today(), recompute_provisional=recompute_provisional)
    eta_refresh(case, items, calendar=calendar)
    return found


def _deadlines_refresh(
    case: Case, items: list[ItemCase], calendar: Calendar, today: date, *, recompute_provisional: bool = False
) -> tuple[dict[str, str], Counter[int], int]:
    """``_case_deadlines_refresh`` on a case and its items already locked, without the ETA."""
    changed: dict[str, str] = {}
    missing: Counter[int] = Counter()
    recomputed = 0
    for item in items:
        running = item.state in flow.RUNNING_ITEM_STATES
        try:
            if running and item.due_on is None:
                _due_fill_in(case, item, calendar)
            elif _due_to_recount(item, calendar, force=recompute_provisional):
                recomputed += _due_recompute(case, item, calendar)
            status = flow.item_due_status(calendar, item_view(item), today, settings.LIANBAN_DUE_SOON_DAYS)
        except CalendarNotCovered as exc:
            missing[exc.year] += 1
            if running and item.due_on is None and item.due_year_missing != exc.year:
                item.due_year_missing = exc.year  # the count now stops at a later year
                item.save(update_fields=["due_year_missing"])
                due_unknown_record(case, item, year=exc.year)
            continue
        value = status.value if status is not None else ""
        if value == item.due_status:
            continue
        event_record(
            case=case,
            item_case=item,
            actor=None,
            action="item.due_status",
            before={"due_status": item.due_status},
            after={"due_status": value, "due_on": item.due_on.isoformat() if item.due_on else None},
        )
        item.due_status = value
        item.save(update_fields=["due_status"])
        changed[item.item_code] = value
    return changed, missing, recomputed


@dataclass(slots=True)
class _Visit:
    """What the sweep's look at one case found: changed statuses, years lacking, signals raised."""

    changed: dict[str, str] = field(default_factory=dict)
    missing: Counter[int] = field(default_factory=Counter)
    raised: list[Signal] = field(default_factory=list)


def _case_sweep(case_id: int, today: date) -> _Visit:
    """The deadline sweep's look at one case due today (``Case.sweep_on``), in the caller's transaction.

    Everything the case owes today: with a running item, the items' deadline status (due dates filled in or
    counted again), the ETA, the items' and the case's signals (a 红牌 on an item raises its 督办 order);
    while it waits for its intake decision, the intake signals; the red cards of its 容缺 promises past
    their date. Then the next day anything of this changes is stored (``_next_sweep_on``): the case is not
    looked at before.
    """
    visit = _Visit()
    case = lock_case(case_id)
    if case.state in _FINAL:
        _sweep_on_store(case, None)
        return visit
    calendar = clock.calendar()
    items: list[ItemCase] | None = None
    running = False
    days: list[date | None] = []
    retry = False
    if case.accepted_at is not None:
        items = lock_item_cases(case)
        running = any(item.state in flow.RUNNING_ITEM_STATES for item in items)
    if running and items is not None:
        visit.changed, visit.missing, _recomputed = _deadlines_refresh(case, items, calendar, today)
        eta_refresh(case, items, calendar=calendar)
        retry = bool(visit.missing)
        views = [item_view(item) for item in items]
        try:
            days += [flow.next_status_on(calendar, view, today, settings.LIANBAN_DUE_SOON_DAYS) for view in views]
            days.append(flow.next_eta_on(flow.CaseState(case.state), views, calendar, today))
        except CalendarNotCovered:
            retry = True
    found = case_sweep_signals(case, items, calendar, today, running=running)
    for signal in found.raised:
        if signal.level == SignalLevel.RED and signal.subject == SignalSubject.ITEM_CASE:
            order_raise_for_red_card(case=case, signal=signal)
    visit.raised = found.raised
    days.append(found.next_on)
    if retry or found.retry:
        days.append(today + timedelta(days=1))  # the calendar lacks a year: try again tomorrow, as before
    _sweep_on_store(case, min((day for day in days if day is not None), default=None))
    return visit


def _sweep_on_store(case: Case, day: date | None) -> None:
    """Store the next day the sweep looks at the case (one UPDATE of that column alone)."""
    if case.sweep_on != day:
        case.sweep_on = day
        save_fields(case, ["sweep_on"])


def _due_to_recount(item: ItemCase, calendar: Calendar, *, force: bool) -> bool:
    """Whether a running item's provisional due date is to be counted again (always when ``force``)."""
    if item.state not in flow.RUNNING_ITEM_STATES or not item.due_provisional:
        return False
    if item.started_on is None or item.due_on is None:
        return False
    return force or not calendar.provisional_between(item.started_on, item.due_on)


def _due_count(item: ItemCase, calendar: Calendar) -> tuple[date, int]:
    """An item's due date counted afresh (start + promised + every supplied pause) and its paused working days.

    Raises:
        CalendarNotCovered: the calendar lacks a year the count runs through.
    """
    started = item.started_on or clock.today()  # callers check it is set
    pauses = SupplementRequest.objects.filter(item_case=item, supplied_at__isnull=False).order_by()
    paused = sum(
        flow.paused_working_days(calendar, pause.paused_since, clock.local_date(pause.supplied_at))
        for pause in pauses
        if pause.supplied_at is not None
    )
    return flow.due_date(calendar, started, item.promised_days, paused), paused


def _due_recompute(case: Case, item: ItemCase, calendar: Calendar) -> int:
    """Count a provisional due date again with the calendar as it is now; 1 when it changed, else 0.

    The date becomes confirmed once no year it is counted through is
    provisional. Nothing is written (no event) when neither the date, the
    pauses nor the flag change: running it again changes nothing.

    Raises:
        CalendarNotCovered: the calendar lacks a year the count runs through.
    """
    due, paused = _due_count(item, calendar)
    provisional = calendar.provisional_between(item.started_on or due, due)
    if (due, paused, provisional) == (item.due_on, item.paused_days, item.due_provisional):
        return 0
    before = {
        "due_on": item.due_on.isoformat() if item.due_on else None,
        "paused_days": item.paused_days,
        "provisional": item.due_provisional,
    }
    item.due_on, item.paused_days, item.due_provisional = due, paused, provisional
    item.save(update_fields=["due_on", "paused_days", "due_provisional"])
    case.version += 1  # the public tracking answer is cached by version
    case.save(update_fields=["version"])
    event_record(
        case=case,
        item_case=item,
        actor=None,
        action="item.due_recomputed",
        before=before,
        after={"due_on": due.isoformat(), "paused_days": paused, "provisional": provisional},
        reason=_("due date confirmed: the holiday arrangement is entered")
        if not provisional
        else _("provisional due date counted again with the calendar as entered"),
    )
    return 1


def _due_fill_in(case: Case, item: ItemCase, calendar: Calendar) -> None:
    """Give a running item without a due date its date: start + promised + paused working days.

    Every supplied pause is counted again from its supplement request (a
    pause whose year was not covered when it ended could not be counted then).

    Raises:
        CalendarNotCovered: the calendar still lacks a year the count runs through.
    """
    if item.started_on is None:  # never dispatched: nothing to count from
        return
    year = item.due_year_missing
    due, paused = _due_count(item, calendar)
    provisional = calendar.provisional_between(item.started_on, due)
    before = {"due_on": None, "due_status": item.due_status, "year": year}
    item.due_on = due
    item.paused_days = paused
    item.due_year_missing = None
    item.due_provisional = provisional
    item.save(update_fields=["due_on", "paused_days", "due_year_missing", "due_provisional"])
    event_record(
        case=case,
        item_case=item,
        actor=None,
        action="item.due_known",
        before=before,
        after={"due_on": due.isoformat(), "paused_days": paused, **({"provisional": True} if provisional else {})},
        reason=_due_known_note(year),
    )


def _due_known_note(year: int | None) -> str:
    if year is None:
        return _("the calendar now covers the due date")
    return _("calendar year %(year)d entered: due date computed") % {"year": year}


@in_platform_language
def deadline_sweep(today: date | None = None) -> SweepResult:
    """Look at every case due today (``Case.sweep_on``), one transaction per case; then the 督办 follow-ups.

    A case is due when a service made or moved one of its promises (it sets ``sweep_on`` to today) or on
    the day the last look found something of it would change: a signal, a deadline status, the ETA. The
    cases not due are not read: the sweep costs what is due, not the backlog. When the working days
    changed without a table change (a newer chinesecalendar, the provisional years moving on at the turn
    of the year), every open case is looked at once (``_calendar_watch``).

    Logs an error and raises (or refreshes) a :class:`CalendarAlert` for every
    year the calendar lacks; resolves the alerts of years it now covers.
    """
    result = SweepResult()
    today = today or clock.today()
    result.everything = _calendar_watch(today)
    due = Case.objects.filter(sweep_on__lte=today).order_by("sweep_on", "id").values_list("id", flat=True)
    missing: Counter[int] = Counter()
    raised: list[Signal] = []
    for case_id in list(due):
        with transaction.atomic():
            visit = _case_sweep(case_id, today)
        result.cases += 1
        raised.extend(visit.raised)
        if visit.missing:
            result.skipped.append(case_id)
            missing.update(visit.missing)
        for status in visit.changed.values():
            result.changed[status or "NONE"] = result.changed.get(status or "NONE", 0) + 1
    result.missing_years = dict(sorted(missing.items()))
    for year, waiting in result.missing_years.items():
        logger.error(
            "working-day calendar of %s not entered: %s item case(s) have no due date; %s",
            year,
            waiting,
            CalendarNotCovered(year).message,
        )
    calendar_alerts_record(item_cases=result.missing_years)
    calendar_alerts_resolve(still_missing=set(missing))
    steps_by_case: dict[int | None, list[DueStep]] = {}
    for found in DUE_STEPS(today):
        for step in found:
            steps_by_case.setdefault(step.case_id, []).append(step)
    for step_case, steps in sorted(steps_by_case.items(), key=lambda pair: (pair[0] is None, pair[0] or 0)):
        raised.extend(step_signals_raise(case_id=step_case, steps=steps))  # None: the steps about no case
    result.signals = len(raised)
    result.orders = sum(1 for s in raised if s.level == SignalLevel.RED and s.subject == SignalSubject.ITEM_CASE)
    follow_ups = orders_follow_up(today)
    result.urged, result.escalated = follow_ups["URGE"], follow_ups["ESCALATE"]
    return result


#: The ``SweepMark`` of the working-day calendar's fingerprint the sweep last counted with.
CALENDAR_SEEN = "calendar"


def _calendar_watch(today: date) -> bool:
    """Make everything due when the calendar is not the one the stored days were counted with; True then.

    Changes of the calendar tables queue ``provisional_dates_recompute``, which does the same; this catches
    the rest (a newer chinesecalendar, a new year). No mark yet (the first sweep of a database) counts as a
    change: every open case is looked at once, never one missed. The mark is kept in the database, so that
    neither a worker's restart nor a flushed cache makes the whole backlog due again.
    """
    stamp = calendar_fingerprint(today)
    if SweepMark.objects.filter(name=CALENDAR_SEEN, value=stamp).exists():
        return False
    everything_due()
    SweepMark.objects.update_or_create(name=CALENDAR_SEEN, defaults={"value": stamp, "updated_at": clock.now()})
    return True


def everything_due() -> tuple[int, int]:
    """Have the next sweep look at every open case and follow up every order waiting on a department.

    One UPDATE each. For what changes every stored day: the working-day calendar (``provisional_dates_recompute``
    runs it), or the settings of the signals, deadline status and follow-ups (``lianban deadline_sweep
    --everything``). Returns how many cases and orders were made due.
    """
    today = clock.today()
    closed = [s.value for s in flow.FINAL_CASE_STATES]
    cases = Case.objects.exclude(state__in=closed).update(sweep_on=today)
    orders = SupervisionOrder.objects.filter(state__in=rules.WAITING_ON_DEPARTMENT).update(follow_up_on=today)
    return cases, orders


@dataclass(slots=True)
class RecomputeResult:
    """What a recomputation of the provisional dates did.

    ``cases``: cases revisited; ``items``: due dates that changed (in date or
    in being provisional); ``still_provisional``: running items whose due
    date is still provisional afterwards; ``skipped``: cases with an item the
    calendar could not date.
    """

    cases: int = 0
    items: int = 0
    still_provisional: int = 0
    skipped: list[int] = field(default_factory=list)


def provisional_dates_recompute() -> RecomputeResult:
    """Count again every provisional due date and ETA of the open cases, one transaction per case.

    Run after the holiday arrangement changed (the workdays services queue it);
    with no change in the calendar, running it again changes nothing.
    """
    result = RecomputeResult()
    running = [s.value for s in flow.RUNNING_ITEM_STATES]
    closed = [s.value for s in flow.FINAL_CASE_STATES]
    everything_due()  # the working days changed: every day the sweep stored is counted again
    from_items = ItemCase.objects.filter(due_provisional=True, state__in=running).values_list("case_id", flat=True)
    from_cases = Case.objects.filter(eta_provisional=True).exclude(state__in=closed).values_list("id", flat=True)
    for case_id in sorted(set(from_items) | set(from_cases)):
        with transaction.atomic():
            _changed, lacking, recomputed = _case_deadlines_refresh(case_id, recompute_provisional=True)
        result.cases += 1
        result.items += recomputed
        if lacking:
            result.skipped.append(case_id)
    result.still_provisional = ItemCase.objects.filter(due_provisional=True, state__in=running).count()
    logger.info(
        "provisional dates recomputed: %s case(s), %s due date(s) changed, %s still provisional",
        result.cases,
        result.items,
        result.still_provisional,
    )
    return result


@transaction.atomic
def calendar_alert_raise(*, year: int, item_cases: int | None = None, cases: int | None = None) -> CalendarAlert:
    """Raise (or refresh, or reopen) the alert of a year the calendar lacks; one row per year.

    ``item_cases`` (deadline sweep) and ``cases`` (deemed-acceptance sweep)
    say how many wait for the year; a count not given is left as it was.
    """
    moment = clock.now()
    counts = {k: v for k, v in (("item_cases", item_cases), ("cases", cases)) if v is not None}
    alert, created = CalendarAlert.objects.select_for_update().get_or_create(
        year=year, defaults={"raised_at": moment, "last_seen_at": moment, **counts}
    )
    if not created:
        if alert.resolved_at is not None:
            alert.raised_at = moment
        alert.last_seen_at = moment
        alert.resolved_at = None
        for name, value in counts.items():
            setattr(alert, name, value)
        alert.save(update_fields=["raised_at", "last_seen_at", "resolved_at", *counts])
    return alert


@transaction.atomic
def calendar_alerts_record(
    *, item_cases: Mapping[int, int] | None = None, cases: Mapping[int, int] | None = None
) -> None:
    """What a sweep found lacking, by year: raise each year's alert; the sweep's count is 0 on the other open ones.

    ``item_cases`` comes from the deadline sweep, ``cases`` from the
    deemed-acceptance sweep; the other count is left as it was.
    """
    for found, name in ((item_cases, "item_cases"), (cases, "cases")):
        if found is None:
            continue
        for year, count in sorted(found.items()):
            calendar_alert_raise(year=year, **{name: count})
        CalendarAlert.objects.filter(resolved_at__isnull=True).exclude(year__in=list(found)).update(**{name: 0})


@transaction.atomic
def calendar_alerts_resolve(*, still_missing: Collection[int] = ()) -> list[int]:
    """Resolve the open alerts of the years the calendar covers now; the years resolved."""
    calendar = clock.calendar()
    resolved: list[int] = []
    for alert in CalendarAlert.objects.select_for_update().filter(resolved_at__isnull=True).order_by("year"):
        if alert.year in still_missing or not _covers(calendar, alert.year):
            continue
        alert.resolved_at = clock.now()
        alert.save(update_fields=["resolved_at"])
        resolved.append(alert.year)
    return resolved


def _covers(calendar: Calendar, year: int) -> bool:
    try:
        calendar.is_working_day(date(year, 1, 1))
    except CalendarNotCovered:
        return False
    return True
