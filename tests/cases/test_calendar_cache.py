"""Views kept in the process while PostgreSQL says they did not change: the calendar, the active subscriptions.

On SQLite (and with ``LIANBAN_TRACK_LISTEN`` off, as in the other tests) the calendar's revision is read
on every call; ``tests/workdays`` covers the rebuild on a change.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

import pytest

from lianban.cases import clock, track_local
from lianban.workdays.services import day_override_set

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture
def listening() -> Iterator[None]:
    if connection.vendor != "postgresql":
        pytest.skip("notifications are PostgreSQL's (the PostgreSQL pass runs this test)")
    with override_settings(LIANBAN_TRACK_LISTEN=True):
        assert track_local.enabled()
        assert track_local.STAMPS.sync(), "the listener does not listen"
        yield
    track_local.STAMPS.stop()  # its connection would keep the test database from being dropped


def reads() -> tuple[object, int]:
    """The calendar and the number of statements reading its tables."""
    with CaptureQueriesContext(connection) as ctx:
        calendar = clock.calendar()
    return calendar, sum('"workdays_' in q["sql"] for q in ctx.captured_queries)


@pytest.mark.usefixtures("listening")
def test_the_calendar_is_read_once_and_again_after_an_override() -> None:
    sunday = date(2026, 12, 13)
    first, _ = reads()
    assert track_local.STAMPS.sync()
    kept, count = reads()
    assert count == 0
    assert kept is first or kept == first
    assert not kept.is_working_day(sunday)  # type: ignore[attr-defined]

    day_override_set(day=sunday, is_working_day=True, note="调休上班")
    assert track_local.STAMPS.sync(), "the revision's change was not heard"
    changed, count = reads()
    assert count >= 1
    assert changed.is_working_day(sunday)  # type: ignore[attr-defined]
    _, count = reads()
    assert count == 0


@pytest.mark.usefixtures("listening")
def test_nothing_is_kept_while_the_listener_does_not_listen() -> None:
    reads()
    track_local.STAMPS.stop()
    with override_settings(LIANBAN_TRACK_LISTEN=False):
        (_, first), (_, second) = reads(), reads()
    assert (first, second) == (1, 1)


def subscription_reads() -> tuple[tuple[tuple[int, frozenset[str]], ...], int]:
    """The active subscriptions and the number of statements reading their table."""
    from lianban.outbox.services import active_subscriptions

    with CaptureQueriesContext(connection) as ctx:
        found = active_subscriptions()
    return found, sum('"outbox_subscription"' in q["sql"] for q in ctx.captured_queries)


@pytest.mark.usefixtures("listening")
def test_the_active_subscriptions_are_kept_until_the_table_changes() -> None:
    """The outbox's view shares the same keeping (``track_local.TopicKept``) under its own topic."""
    from lianban.outbox.models import Subscription

    first, count = subscription_reads()
    assert (first, count) == ((), 1)
    assert track_local.STAMPS.sync()
    assert subscription_reads() == ((), 0)

    day_override_set(day=date(2026, 12, 13), is_working_day=True, note="调休上班")  # another topic: not this one
    assert track_local.STAMPS.sync()
    assert subscription_reads() == ((), 0)

    made = Subscription.objects.create(
        name="部门系统", url="https://dept.example/hook", event_types=["case.accepted"], secret="whsec_" + "A" * 32
    )
    assert track_local.STAMPS.sync(), "the subscription's change was not heard"
    assert subscription_reads() == (((made.pk, frozenset({"case.accepted"})),), 1)
    assert subscription_reads() == (((made.pk, frozenset({"case.accepted"})),), 0)
