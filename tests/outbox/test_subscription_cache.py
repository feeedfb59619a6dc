"""The active subscriptions kept in the process while PostgreSQL says they did not change (PostgreSQL only).

On SQLite (and with ``LIANBAN_TRACK_LISTEN`` off, as in the other tests) the
subscriptions are read for every public event; ``test_outbox`` covers that.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext, override_settings

import pytest

from lianban.cases import track_local
from lianban.cases.events import event_record
from lianban.cases.models import Case
from lianban.cases.workflow import lock_case
from lianban.outbox import services
from lianban.outbox.models import Delivery, OutboxEvent, Subscription
from tests.cases.kit import People, submit

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("case_rows_wiped_first")]

CLOSED = "http://127.0.0.1:18799/hook"


@pytest.fixture
def listening() -> Iterator[None]:
    if connection.vendor != "postgresql":
        pytest.skip("notifications are PostgreSQL's (the PostgreSQL pass runs this test)")
    with override_settings(LIANBAN_TRACK_LISTEN=True):
        assert track_local.enabled()
        assert track_local.STAMPS.sync(), "the listener does not listen"
        yield
    track_local.STAMPS.stop()  # its connection would keep the test database from being dropped


def heard() -> None:
    assert track_local.STAMPS.sync(), "a committed change was not heard"


def publish(case: Case) -> tuple[OutboxEvent, list[str]]:
    """A public event of ``case``; the event and the statements reading subscriptions while it was written."""
    with CaptureQueriesContext(connection) as ctx, transaction.atomic():
        lock_case(case.pk)
        event_record(case=case, actor=None, action="case.accepted")
    event = OutboxEvent.objects.filter(case=case).latest("pk")
    reads = [q["sql"] for q in ctx.captured_queries if 'FROM "outbox_subscription"' in q["sql"]]
    return event, reads


def receivers(event: OutboxEvent) -> set[int]:
    return set(Delivery.objects.filter(event=event).values_list("subscription_id", flat=True))


@pytest.mark.usefixtures("listening")
def test_subscriptions_are_read_once_and_again_after_each_change(people: People) -> None:
    everything = services.subscription_create(actor=None, name="部门系统", url=CLOSED, event_types=[])
    heard()
    case = submit(people)
    publish(case)  # the first read after the change is kept
    event, reads = publish(case)
    assert reads == []
    assert receivers(event) == {everything.pk}

    accepted_only = services.subscription_create(actor=None, name="审批系统", url=CLOSED, event_types=["case.accepted"])
    issued_only = services.subscription_create(actor=None, name="出件系统", url=CLOSED, event_types=["case.issued"])
    heard()
    event, reads = publish(case)
    assert len(reads) == 1
    assert receivers(event) == {everything.pk, accepted_only.pk}

    services.subscription_update(actor=None, subscription=everything, active=False)
    heard()
    event, _ = publish(case)
    assert receivers(event) == {accepted_only.pk}
    assert issued_only.pk not in receivers(event)

    Subscription.objects.filter(pk=accepted_only.pk).delete()  # any statement on the table is heard
    heard()
    event, reads = publish(case)
    assert len(reads) == 1
    assert receivers(event) == set()


@pytest.mark.usefixtures("listening")
def test_nothing_is_kept_while_the_listener_does_not_listen(people: People) -> None:
    services.subscription_create(actor=None, name="部门系统", url=CLOSED, event_types=[])
    heard()
    case = submit(people)
    track_local.STAMPS.stop()  # not listening: the subscriptions are read for every event
    with override_settings(LIANBAN_TRACK_LISTEN=False):
        _, first = publish(case)
        _, second = publish(case)
    assert (len(first), len(second)) == (1, 1)
