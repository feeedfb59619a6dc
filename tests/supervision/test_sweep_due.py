"""The deadline sweep looks only at the cases due (``Case.sweep_on``) and the orders due (``follow_up_on``).

Its cost follows what is due today, not the backlog; every service that makes or moves a promise makes the
case due again; the stored next day is the day something happens; and a case looked at only on its stored
days gets exactly the signals, statuses and ETAs of a twin looked at every day (the sweep as it was).
"""

from __future__ import annotations

from datetime import date, timedelta

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest

from lianban.cases.models import Case
from lianban.cases.services import case_resubmit
from lianban.intake.services import MaterialPromise, intake_accept, intake_request_correction
from lianban.review.services import item_case_approve, item_case_request_supplement, item_case_supply, item_case_take
from lianban.supervision.models import Signal, SupervisionOrder
from lianban.supervision.orders import order_raise, order_reply, order_review, order_sign, orders_follow_up
from lianban.supervision.services import deadline_sweep, provisional_dates_recompute
from tests.cases.kit import FrozenClock, People, check_all, fresh, items, submit
from tests.supervision.test_orders import overdue_order
from tests.supervision.test_supervision import accepted, approve

pytestmark = pytest.mark.django_db


def sweep_on(case: Case) -> date | None:
    return Case.objects.values_list("sweep_on", flat=True).get(pk=case.pk)


def later(case: Case, days: int = 30) -> None:
    """Push a case's next look away (as a sweep that found nothing for weeks would)."""
    Case.objects.filter(pk=case.pk).update(sweep_on=fresh(case).submitted_at.date() + timedelta(days=days))


def test_a_sweep_reads_the_cases_due_not_the_backlog(people: People, clock: FrozenClock) -> None:
    def one_due_case_swept() -> tuple[int, int]:
        deadline_sweep()  # every case looked at once: each stores its next day
        due = accepted(people)
        assert sweep_on(due) == clock.today()
        with CaptureQueriesContext(connection) as queries:
            result = deadline_sweep()
        assert sweep_on(due) is not None and sweep_on(due) > clock.today()
        return result.cases, len(queries)

    for _ in range(5):
        submit(people)
    with_5 = one_due_case_swept()
    for _ in range(45):
        submit(people)
    with_50 = one_due_case_swept()
    assert with_5[0] == with_50[0] == 1  # only the case due was looked at
    assert with_5[1] == with_50[1]  # 5 or 50 cases not due: the same statements
    assert Case.objects.filter(sweep_on__gt=clock.today()).count() == 52


def test_a_case_not_due_is_not_looked_at_even_when_something_would_be_raised(
    people: People, clock: FrozenClock
) -> None:
    case = accepted(people)
    deadline_sweep()
    clock.set(date(2025, 3, 20))  # far past every date
    Case.objects.filter(pk=case.pk).update(sweep_on=date(2025, 3, 21))
    assert deadline_sweep().cases == 0
    before = Signal.objects.filter(case=case).count()
    clock.set(date(2025, 3, 21))
    assert deadline_sweep().cases == 1
    assert Signal.objects.filter(case=case).count() > before


def test_every_service_that_makes_or_moves_a_promise_makes_the_case_due(people: People, clock: FrozenClock) -> None:
    today = clock.today()
    case = submit(people, skip=["WSJC"])  # submitted: the intake's promise
    assert sweep_on(case) == today
    deadline_sweep()
    assert sweep_on(case) > today
    check_all(people, case, results={"WSJC": ("MISSING", "缺")})
    intake_request_correction(actor=people.clerk, case_id=case.pk)
    later(case)
    case_resubmit(actor=people.applicant_user, case_id=case.pk)  # resubmitted: the intake starts again
    assert sweep_on(case) == today
    check_all(people, case, results={"WSJC": ("MISSING", "缺")})
    later(case)
    # accepted: the case's and the first items' promises, and a 容缺 promise
    intake_accept(actor=people.clerk, case_id=case.pk, promises={"WSJC": MaterialPromise(date(2025, 3, 14))})
    assert sweep_on(case) == today
    deadline_sweep()
    assert sweep_on(case) > today

    later(case)
    approve(people, case, "SCJG-GSSL")  # the next item is dispatched
    assert sweep_on(case) == today
    deadline_sweep()
    spjy = items(case)["SCJG-SPJY"]
    item_case_take(actor=people.reviewer("SCJG"), item_case_id=spjy.pk)
    later(case)
    item_case_request_supplement(actor=people.reviewer("SCJG"), item_case_id=spjy.pk, reason="补")  # clock stops
    assert sweep_on(case) == today
    deadline_sweep()
    later(case)
    item_case_supply(actor=people.applicant_user, item_case_id=spjy.pk, note="已补")  # its due date moves
    assert sweep_on(case) == today

    later(case)
    provisional_dates_recompute()  # the working days changed: every open case is due
    assert sweep_on(case) == today


def test_a_finished_case_is_not_watched(people: People, clock: FrozenClock) -> None:
    case = accepted(people)
    Case.objects.filter(pk=case.pk).update(state="WITHDRAWN")
    deadline_sweep()
    assert sweep_on(case) is None


@pytest.mark.parametrize("start", [date(2025, 3, 3), date(2025, 9, 24)])
def test_looked_at_only_on_its_days_a_case_gets_what_a_case_looked_at_every_day_gets(
    people: People, clock: FrozenClock, start: date
) -> None:
    """Twins: the same case twice, one forced due every day (the old sweep). Day by day across a weekend,
    and across National Day with its make-up Sunday and Saturday (调休): same signals on the same days,
    same statuses, same ETA; the stored next day is the day the next signal appears when nothing else
    changes before; and sweeping again the same day adds nothing."""
    clock.set(start)
    ours, twin = accepted(people, thing="KJD"), accepted(people, thing="KJD")

    def signals(case: Case) -> list[tuple[str, str, date, date]]:
        rows = Signal.objects.filter(case=case).order_by("id")
        return [(s.level, s.subject, s.due_on, s.raised_at.date()) for s in rows]

    def state(case: Case) -> tuple[object, ...]:
        case = fresh(case)
        rows = [(i.item_code, i.state, i.due_on, i.due_status) for i in items(case).values()]
        return (case.eta, case.eta_provisional, case.has_overdue_items, rows)

    visited = 0
    for day in range(30):
        clock.set(start + timedelta(days=day))
        if day == 2:  # a department acts on both: the next item is dispatched
            for case in (ours, twin):
                gssl = items(case)["SCJG-GSSL"]
                item_case_take(actor=people.reviewer("SCJG"), item_case_id=gssl.pk)
                item_case_approve(actor=people.reviewer("SCJG"), item_case_id=gssl.pk, licence_number=f"N-{case.pk}")
        Case.objects.filter(pk=twin.pk).update(sweep_on=clock.today())
        stored = sweep_on(ours)
        before = len(signals(ours))
        deadline_sweep()
        new = signals(ours)[before:]
        if new:  # the day the case was to be looked at (the approval made it due today)
            assert stored == clock.today(), (new, stored)
        if stored is not None and stored <= clock.today():
            visited += 1
        assert signals(ours) == signals(twin)
        assert state(ours) == state(twin)
        assert deadline_sweep().signals == 0  # again the same day: nothing new
    assert Signal.objects.filter(case=ours).values("level").distinct().count() == 3  # notice, yellow, red all came
    assert visited < 30  # not every day


def test_each_signal_day_is_the_stored_day(people: People, clock: FrozenClock) -> None:
    """A case whose ETA and statuses do not move by themselves: the stored day is the next signal's day."""
    case = accepted(people)
    approve(people, case, "SCJG-GSSL")
    spjy = items(case)["SCJG-SPJY"]
    assert spjy.due_on == date(2025, 3, 10)
    deadline_sweep()
    days: list[date] = []
    for day in range(1, 12):
        clock.set(date(2025, 3, 3) + timedelta(days=day))
        stored = sweep_on(case)
        before = Signal.objects.filter(case=case, item_case=spjy).count()
        deadline_sweep()
        if Signal.objects.filter(case=case, item_case=spjy).count() > before:
            assert stored == clock.today()
            days.append(clock.today())
    assert days == [date(2025, 3, 7), date(2025, 3, 11)]  # notice and yellow on Friday, red on Tuesday


# ------------------------------------------------------------------ 督办 orders


def test_the_follow_ups_read_only_the_orders_due(people: People, clock: FrozenClock) -> None:
    case, order = overdue_order(people, clock)
    assert order.follow_up_on == date(2025, 3, 13)  # the day after the sign-for date

    def follow_up_queries(waiting: int) -> int:
        for _ in range(waiting):
            order_raise(actor=people.supervisor, case_ids=[case.pk], department_code="SCJG", reason="督办")
        SupervisionOrder.objects.exclude(pk=order.pk).update(follow_up_on=date(2025, 4, 30))
        SupervisionOrder.objects.filter(pk=order.pk).update(follow_up_on=clock.today(), urged_for=None)
        with CaptureQueriesContext(connection) as queries:
            done = orders_follow_up(date(2025, 3, 13))
        assert done["URGE"] == 1
        return len(queries)

    assert follow_up_queries(2) == follow_up_queries(20)


def test_every_step_of_an_order_sets_its_next_follow_up(people: People, clock: FrozenClock) -> None:
    _case, order = overdue_order(people, clock)
    scjg = people.reviewer("SCJG")
    order = order_sign(actor=scjg, order_id=order.pk)
    assert order.reply_due_on == date(2025, 3, 18)
    assert order.follow_up_on == date(2025, 3, 19)
    order = order_reply(actor=scjg, order_id=order.pk, reply="已办")
    assert order.follow_up_on is None  # the supervisor's move
    order = order_review(actor=people.supervisor, order_id=order.pk, accept=False, note="再办")
    assert order.follow_up_on == order.reply_due_on + timedelta(days=1)
    clock.set(order.follow_up_on)
    deadline_sweep()
    order.refresh_from_db()
    assert order.urged_for == order.reply_due_on
    assert order.follow_up_on == date(2025, 3, 25)  # the escalation day: 5 working days after 03-18
    order = order_reply(actor=scjg, order_id=order.pk, reply="已办")
    order = order_review(actor=people.supervisor, order_id=order.pk, accept=True)
    assert order.follow_up_on is None


def test_everything_makes_every_open_case_and_waiting_order_due(
    people: People, clock: FrozenClock, capsys: pytest.CaptureFixture[str]
) -> None:
    """After a change of the signal or follow-up settings every stored day is counted again."""
    case, order = overdue_order(people, clock)
    far = date(2025, 4, 30)
    Case.objects.filter(pk=case.pk).update(sweep_on=far)
    waiting = SupervisionOrder.objects.update(follow_up_on=far)  # the red cards' orders, all open
    call_command("deadline_sweep")
    assert "0 case(s) swept" in capsys.readouterr().out
    call_command("deadline_sweep", "--everything")
    out = capsys.readouterr().out
    assert f"1 open case(s) and {waiting} waiting order(s) due today" in out and "1 case(s) swept" in out
    order.refresh_from_db()
    assert order.follow_up_on == date(2025, 3, 13)
    assert sweep_on(case) == date(2025, 3, 12)  # its overdue item moves the ETA every working day


def test_a_newer_chinesecalendar_makes_every_open_case_due_once(
    people: People, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No table changed, so no recomputation is queued: the sweep sees another calendar and looks at all."""
    import chinese_calendar

    case = accepted(people)
    deadline_sweep()
    later(case)
    assert deadline_sweep().cases == 0
    monkeypatch.setattr(chinese_calendar, "__version__", "99.0.0", raising=False)
    result = deadline_sweep()
    assert result.everything and result.cases == 1
    assert sweep_on(case) is not None and sweep_on(case) > clock.today()
    again = deadline_sweep()
    assert not again.everything and again.cases == 0


def test_a_cleared_cache_does_not_make_the_backlog_due(people: People, clock: FrozenClock) -> None:
    """The calendar's fingerprint is kept in the database: a worker's restart (a process-local cache) or a
    flushed shared cache does not make every open case due again."""
    from django.core.cache import cache

    case = accepted(people)
    assert deadline_sweep().everything  # the first sweep of a database counts as a change
    later(case)
    cache.clear()
    again = deadline_sweep()
    assert not again.everything and again.cases == 0
