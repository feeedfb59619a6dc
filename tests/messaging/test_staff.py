"""Messages to staff (``StaffDispatch``): who the worker sends them to by the routes, once per person and channel,
with the staff's preferences; the dispatch row is written in the caller's transaction with nothing read."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest
from pytest_django.fixtures import Settings

from lianban.accounts.models import Role, User
from lianban.catalog.models import Department
from lianban.messaging.models import Audience, Channel, Message, StaffDispatch, StaffKind
from lianban.messaging.services import dispatches_run, preference_set, staff_message_queue
from tests.cases.kit import People, make_user

pytestmark = pytest.mark.django_db


def with_addresses(*users: User) -> None:
    for number, user in enumerate(users):
        user.email, user.phone = f"{user.username}@gov.example.cn", f"1360000000{number}"
        user.save()


def sent(kind: str) -> list[tuple[str, str, str]]:
    return sorted(
        (m.recipient.username, m.channel, m.audience)
        for m in Message.objects.filter(kind=kind).select_related("recipient")
        if m.recipient is not None
    )


def test_the_routes_say_who_gets_what_once_per_person_and_channel(people: People, settings: Settings) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.LIANBAN_STAFF_MESSAGE_ROUTES = {
        "SIGNAL_RED": {"HANDLER": ["EMAIL"], "DEPARTMENT": ["SMS", "EMAIL"], "SUPERVISOR": ["EMAIL"]},
        "ORDER_ESCALATED": {"LEADER": ["SMS"]},
    }
    scjg, other = people.reviewer("SCJG"), make_user("rev_SCJG_b", Role.REVIEWER, "SCJG")
    gone = make_user("rev_SCJG_gone", Role.REVIEWER, "SCJG")
    gone.is_active = False
    gone.save()
    with_addresses(scjg, other, gone, people.reviewer("ZJ"), people.supervisor, people.clerk)
    preference_set(user=other, sms=False, email=True)
    department = Department.objects.get(code="SCJG")

    with CaptureQueriesContext(connection) as queries:
        staff_message_queue(
            kind=StaffKind.SIGNAL_RED, department_id=department.pk, handler_id=scjg.pk, values={"code": "A-B-C"}
        )
    assert [q["sql"].split()[0] for q in queries.captured_queries] == ["INSERT"]  # nothing read in the change
    staff_message_queue(kind=StaffKind.ORDER_ESCALATED, department_id=department.pk, leader_id=None)  # no leader:
    staff_message_queue(kind=StaffKind.ORDER_URGED, department_id=department.pk)  # not routed: nobody
    dispatches_run()
    assert not StaffDispatch.objects.exists()
    assert sent("SIGNAL_RED") == [
        ("rev_SCJG", "EMAIL", Audience.HANDLER),  # the handler once, though also in the department
        ("rev_SCJG", "SMS", Audience.DEPARTMENT),
        ("rev_SCJG_b", "EMAIL", Audience.DEPARTMENT),  # SMS switched off by the preference
        ("super", "EMAIL", Audience.SUPERVISOR),
    ]
    assert sent("ORDER_ESCALATED") == [("super", "SMS", Audience.SUPERVISOR)]  # the supervisors instead
    assert sent("ORDER_URGED") == []
    body = Message.objects.filter(kind="SIGNAL_RED", channel=Channel.EMAIL).first()
    assert body is not None and "A-B-C" in body.body and "市场监督管理局" in body.body


def test_a_yellow_card_nobody_took_goes_to_the_departments_reviewers(people: People, settings: Settings) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with_addresses(people.reviewer("SCJG"), people.reviewer("ZJ"), people.clerk)
    department = Department.objects.get(code="SCJG")
    staff_message_queue(kind=StaffKind.SIGNAL_YELLOW, department_id=department.pk, values={"code": "X", "due": "D"})
    dispatches_run()
    assert sent("SIGNAL_YELLOW") == [("rev_SCJG", "EMAIL", Audience.HANDLER)]  # not the clerk of the department
