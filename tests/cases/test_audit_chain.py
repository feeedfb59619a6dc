"""The audit trail is tamper-evident: SM3 hash chains per case, daily anchors, ``lianban audit verify``.

Tampering needs the append-only triggers out of the way: the tests disable
them as the schema owner (the test database's owner), inside the test's
transaction, as an attacker with owner rights would.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta

from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

import pytest

from lianban.cases import audit
from lianban.cases.events import event_record
from lianban.cases.models import AuditAnchor, Case, CaseEvent
from lianban.cases.workflow import lock_case, lock_item_cases
from lianban.intake.services import CheckVerdict, intake_check_many
from tests.cases.kit import FrozenClock, People, check_all, submit, submit_codes

pytestmark = pytest.mark.django_db

TABLE = CaseEvent._meta.db_table


@contextmanager
def triggers_off() -> Iterator[None]:
    """The schema owner disables the append-only triggers (rolled back with the test on both databases)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending foreign-key checks: ALTER may run
            cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER IF EXISTS cases_caseevent_no_update")
            cursor.execute("DROP TRIGGER IF EXISTS cases_caseevent_no_delete")
    yield
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER USER")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def raw(sql: str, params: list[object]) -> None:
    with triggers_off(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def verify_fails_naming(event_id: int) -> str:
    """``lianban audit verify`` exits non-zero and names ``event_id`` as the first broken link."""
    with pytest.raises(CommandError) as failure:
        call_command("audit", "verify")
    message = str(failure.value)
    assert f"(event {event_id})" in message, message
    return message


@pytest.fixture
def trail(people: People, clock: FrozenClock) -> list[CaseEvent]:
    """A case checked at the window: a chain of several events."""
    case = submit(people, thing="KFG", answers={"area": 200})
    check_all(people, case)
    events = list(CaseEvent.objects.filter(case=case).order_by("seq"))
    assert len(events) >= 3
    return events


def test_every_event_is_chained_to_the_previous_one_of_its_case(trail: list[CaseEvent]) -> None:
    assert [e.seq for e in trail] == list(range(1, len(trail) + 1))
    assert trail[0].prev_hash == audit.GENESIS
    for previous, event in itertools.pairwise(trail):
        assert event.prev_hash == previous.hash
    for event in trail:
        fresh = CaseEvent.objects.get(pk=event.pk)
        assert len(fresh.hash) == 64
        assert audit.event_hash(fresh) == fresh.hash  # deterministic over what the database gives back


def test_the_hash_is_sm3_of_the_canonical_serialisation(trail: list[CaseEvent]) -> None:
    event = CaseEvent.objects.get(pk=trail[1].pk)
    canonical = audit.event_canonical(event)
    assert canonical.startswith(b'{"action":')  # sorted keys, compact
    assert b'"prev":"' + event.prev_hash.encode() in canonical
    # GB/T 32905 test vector: SM3("abc")
    assert audit.sm3_hex(b"abc") == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    assert audit.sm3_hex(canonical) == event.hash


def test_verify_passes_on_an_untouched_trail(trail: list[CaseEvent], capsys: pytest.CaptureFixture[str]) -> None:
    call_command("audit", "verify")
    assert "intact" in capsys.readouterr().out
    assert audit.verify() == []


def test_verify_names_a_changed_event(trail: list[CaseEvent]) -> None:
    changed = trail[1]
    raw(f"UPDATE {TABLE} SET reason = %s WHERE id = %s", ["forged", changed.pk])  # noqa: S608
    message = verify_fails_naming(changed.pk)
    assert "changed" in message


def test_verify_names_a_changed_actor_even_with_a_recomputed_own_hash(trail: list[CaseEvent]) -> None:
    changed = CaseEvent.objects.get(pk=trail[1].pk)
    changed.actor_role = "SUPERVISOR"
    forged = audit.event_hash(changed)  # the forger recomputes this event's hash: the next link breaks
    raw(f"UPDATE {TABLE} SET actor_role = %s, hash = %s WHERE id = %s", ["SUPERVISOR", forged, changed.pk])  # noqa: S608
    verify_fails_naming(trail[2].pk)


def test_verify_names_the_link_after_a_deleted_event(trail: list[CaseEvent]) -> None:
    raw(f"DELETE FROM {TABLE} WHERE id = %s", [trail[1].pk])  # noqa: S608
    message = verify_fails_naming(trail[2].pk)
    assert "missing" in message


def test_verify_names_reordered_events(trail: list[CaseEvent]) -> None:
    first, second = trail[1], trail[2]
    raw(f"UPDATE {TABLE} SET seq = 0 WHERE id = %s", [first.pk])  # noqa: S608
    raw(f"UPDATE {TABLE} SET seq = %s WHERE id = %s", [first.seq, second.pk])  # noqa: S608
    raw(f"UPDATE {TABLE} SET seq = %s WHERE id = %s", [second.seq, first.pk])  # noqa: S608
    verify_fails_naming(second.pk)


def test_verify_names_events_swapped_in_time(trail: list[CaseEvent]) -> None:
    first, second = trail[1], trail[2]
    raw(f"UPDATE {TABLE} SET at = %s WHERE id = %s", [second.at + timedelta(seconds=1), first.pk])  # noqa: S608
    verify_fails_naming(first.pk)


def test_events_without_a_case_have_their_own_chain(trail: list[CaseEvent], people: People) -> None:
    one = event_record(case=None, actor=people.supervisor, action="security.role_granted", after={"user": 1})
    two = event_record(case=None, actor=None, action="security.note", after={"n": 2.0})
    assert (one.seq, one.prev_hash) == (1, audit.GENESIS)
    assert (two.seq, two.prev_hash) == (2, one.hash)
    assert audit.verify() == []
    raw(f"UPDATE {TABLE} SET after = %s WHERE id = %s", ['{"user": 2}', one.pk])  # noqa: S608
    message = verify_fails_naming(one.pk)
    assert "events without a case" in message


def test_a_daily_anchor_shows_the_deleted_last_event_of_a_case(
    trail: list[CaseEvent], clock: FrozenClock, capsys: pytest.CaptureFixture[str]
) -> None:
    clock.set(clock.today() + timedelta(days=1))
    call_command("audit", "anchor")
    anchor = AuditAnchor.objects.get()
    assert anchor.events == CaseEvent.objects.count()
    assert anchor.last_event_id == trail[-1].pk
    assert audit.anchor_close_days(clock.today()) == []  # one anchor per day, repeating is harmless
    call_command("audit", "verify")
    raw(f"DELETE FROM {TABLE} WHERE id = %s", [trail[-1].pk])  # noqa: S608
    assert audit.verify_chains() == []  # the chain alone cannot tell that its tail is gone
    with pytest.raises(CommandError, match="daily anchor"):
        call_command("audit", "verify")


def test_anchors_cover_each_ended_day_once_and_chain(people: People, clock: FrozenClock) -> None:
    day_one = clock.today()
    submit(people, thing="KFG", answers={"area": 200})
    clock.set(day_one + timedelta(days=2))
    submit(people, thing="KFG", answers={"area": 300})
    made = audit.anchor_close_days(day_one + timedelta(days=2))
    assert [a.day for a in made] == [day_one]
    later = audit.anchor_close_days(date(2030, 1, 1))
    assert [a.day for a in later] == [day_one + timedelta(days=2)]
    assert later[0].prev_hash == made[0].hash
    assert audit.verify() == []


def test_one_request_with_many_identical_checks_writes_one_event(people: People, clock: FrozenClock) -> None:
    case = submit(people, thing="KFG", answers={"area": 200})
    code = submit_codes(case)[0]
    before = CaseEvent.objects.filter(case=case).count()
    intake_check_many(actor=people.clerk, case_id=case.pk, verdicts=[CheckVerdict(code, "OK")] * 20_000)
    assert CaseEvent.objects.filter(case=case).count() == before + 1
    # Alternating verdicts on one material: one effect (the last verdict), one event.
    flip = [CheckVerdict(code, "WRONG", "模糊"), CheckVerdict(code, "OK")] * 50
    intake_check_many(actor=people.clerk, case_id=case.pk, verdicts=flip)
    assert CaseEvent.objects.filter(case=case).count() == before + 1  # the last verdict is OK, as already recorded
    intake_check_many(actor=people.clerk, case_id=case.pk, verdicts=[*flip, CheckVerdict(code, "WRONG", "模糊")])
    assert CaseEvent.objects.filter(case=case).count() == before + 2
    assert audit.verify() == []


# ------------------------------------------------------------------ chain heads known in the transaction


def _chain_reads(queries: list[dict[str, str]]) -> list[str]:
    """Statements that read a chain's last link on their own (not as part of the case lock)."""
    return [q["sql"] for q in queries if q["sql"].startswith(f'SELECT "{TABLE}"."seq", "{TABLE}"."hash"')]


def test_a_service_appending_several_events_never_reads_the_chain_alone(people: People, clock: FrozenClock) -> None:
    case = submit(people, thing="KFG", answers={"area": 200})
    codes = submit_codes(case)
    assert len(codes) >= 2
    before = CaseEvent.objects.filter(case=case).count()
    with CaptureQueriesContext(connection) as ctx:
        intake_check_many(actor=people.clerk, case_id=case.pk, verdicts=[CheckVerdict(c, "OK") for c in codes])
    assert CaseEvent.objects.filter(case=case).count() == before + len(codes)
    assert _chain_reads(ctx.captured_queries) == []
    assert audit.verify() == []


def _append_then_fail(case: Case, people: People) -> None:
    with transaction.atomic():
        event_record(case=case, actor=people.clerk, action="intake.checked", reason="rolled back")
        raise RuntimeError


def _lock_then_fail(case_id: int) -> None:
    with transaction.atomic():
        lock_item_cases(lock_case(case_id))
        raise RuntimeError


def test_an_event_rolled_back_with_its_savepoint_is_not_linked_to(people: People, clock: FrozenClock) -> None:
    case = submit(people, thing="KFG", answers={"area": 200})
    last = CaseEvent.objects.filter(case=case).order_by("-seq").first()
    assert last is not None
    with transaction.atomic():
        locked = lock_case(case.pk)
        with pytest.raises(RuntimeError):
            _append_then_fail(locked, people)
        kept = event_record(case=locked, actor=people.clerk, action="intake.checked", reason="kept")
    assert (kept.seq, kept.prev_hash) == (last.seq + 1, last.hash)
    assert audit.verify() == []


def test_events_appended_through_two_instances_of_one_case_stay_in_one_chain(
    people: People, clock: FrozenClock
) -> None:
    case = submit(people, thing="KFG", answers={"area": 200})
    with transaction.atomic():
        locked = lock_case(case.pk)
        other = Case.objects.get(pk=case.pk)
        first = event_record(case=other, actor=people.clerk, action="intake.checked", reason="one")
        second = event_record(case=locked, actor=people.clerk, action="intake.checked", reason="two")
    assert (second.seq, second.prev_hash) == (first.seq + 1, first.hash)
    assert audit.verify() == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("case_rows_wiped_first")
def test_nothing_is_remembered_past_the_end_of_a_transaction(people: People, clock: FrozenClock) -> None:
    case = submit(people, thing="KFG", answers={"area": 200})
    with transaction.atomic():
        locked = lock_case(case.pk)
        event_record(case=locked, actor=people.clerk, action="intake.checked", reason="one")
        assert audit.chain_head_known(case.pk) is not None
    with transaction.atomic():
        assert audit.chain_head_known(case.pk) is None
    with pytest.raises(RuntimeError):
        _lock_then_fail(case.pk)
    with transaction.atomic():
        assert audit.chain_head_known(case.pk) is None
    assert audit.verify() == []
