"""Repeated requests have one effect; a notification queues its messages in its own transaction."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from lianban.cases import audit
from lianban.cases.models import Case, CaseEvent, Notification
from lianban.cases.selectors import notification_list_for_user
from lianban.cases.services import case_resubmit, case_submit, case_withdraw
from lianban.common.models import IdempotencyKey
from lianban.core.case_errors import FormInvalid, IdempotencyKeyReused
from lianban.intake.services import intake_accept
from lianban.messaging.models import Channel, Dispatch, Message, Status
from lianban.messaging.services import messages_run
from tests.cases.kit import FrozenClock, People, check_all, full_form, submit

pytestmark = pytest.mark.django_db


def test_a_repeated_key_returns_the_first_result_without_a_second_effect(people: People, clock: FrozenClock) -> None:
    def send() -> Case:
        return case_submit(
            actor=people.applicant_user,
            applicant=people.applicant,
            thing_code="KFG",
            answers={"area": 200},
            form=full_form("KFG", {"area": 200}),
            idempotency_key="k-1",
        )

    first, second = send(), send()
    assert first.pk == second.pk
    assert Case.objects.count() == 1
    assert CaseEvent.objects.filter(action="case.submitted").count() == 1
    row = IdempotencyKey.objects.get()
    assert (row.operation, row.result) == ("case.submit", {"model": "cases.case", "pk": first.pk})


def test_a_repeated_transition_with_its_key_is_not_an_error(people: People, clock: FrozenClock) -> None:
    case = submit(people, thing="KFG")
    check_all(people, case)
    intake_accept(actor=people.clerk, case_id=case.pk, idempotency_key="acc")
    again = intake_accept(actor=people.clerk, case_id=case.pk, idempotency_key="acc")
    assert again.pk == case.pk
    assert case.events.filter(action="case.accepted").count() == 1


def test_a_key_is_per_actor_and_per_operation(people: People, clock: FrozenClock) -> None:
    case = submit(people, thing="KFG")
    case_withdraw(actor=people.applicant_user, case_id=case.pk, reason="x", idempotency_key="k")
    assert case_withdraw(actor=people.applicant_user, case_id=case.pk, reason="x", idempotency_key="k").pk == case.pk
    with pytest.raises(IdempotencyKeyReused):
        case_resubmit(actor=people.applicant_user, case_id=case.pk, idempotency_key="k")
    # the same key string of another actor is another key
    other = submit(people, thing="KFG")
    check_all(people, other)
    intake_accept(actor=people.clerk, case_id=other.pk, idempotency_key="k")
    assert IdempotencyKey.objects.filter(key="k").count() == 2


def test_a_failed_request_does_not_burn_its_key(people: People, clock: FrozenClock) -> None:
    case = submit(people, thing="KFG")
    with pytest.raises(Exception, match="cannot be accepted"):
        intake_accept(actor=people.clerk, case_id=case.pk, idempotency_key="retry")
    assert not IdempotencyKey.objects.filter(key="retry").exists()
    check_all(people, case)
    intake_accept(actor=people.clerk, case_id=case.pk, idempotency_key="retry")
    assert IdempotencyKey.objects.filter(key="retry").exists()


def test_a_notification_queues_its_messages_in_its_transaction_and_the_worker_sends_them(
    people: People, clock: FrozenClock, django_capture_on_commit_callbacks: Callable[..., object]
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:  # type: ignore[attr-defined]
        case = submit(people, thing="KFG")
    note = Notification.objects.get(case=case)
    assert note.sent_at is None
    assert Dispatch.objects.filter(notification=note).count() == 1  # written with the notification
    assert [c for c in callbacks if not isinstance(c, audit.ChainMarker)] == []  # nothing waits on the commit
    messages_run(budget_seconds=5)
    note.refresh_from_db()
    assert note.sent_at is not None
    assert not Dispatch.objects.exists()
    inbox = Message.objects.get(notification=note, channel=Channel.INBOX)
    assert inbox.status == Status.DELIVERED
    count = Message.objects.count()
    messages_run(budget_seconds=5)  # running again is harmless
    assert Message.objects.count() == count
    assert list(notification_list_for_user(people.applicant_user)) == [note]
    assert list(notification_list_for_user(people.other_user)) == []


def test_nothing_is_sent_when_the_transaction_rolls_back(
    people: People, clock: FrozenClock, django_capture_on_commit_callbacks: Callable[..., object]
) -> None:
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,  # type: ignore[attr-defined]
        pytest.raises(FormInvalid, match="Please fill in"),
    ):
        case_submit(
            actor=people.applicant_user, applicant=people.applicant, thing_code="KFG", answers={"area": 200}, form={}
        )
    assert callbacks == []
    assert Notification.objects.count() == 0
    assert Dispatch.objects.count() == 0
