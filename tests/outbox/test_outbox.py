"""The outbox: events with the change, in order per case, retried, dead, replayed; subscriptions over the API."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.test import Client
from django.utils import timezone, translation

import pytest
from pytest_django import Settings

from lianban.accounts.services import token_create
from lianban.cases.events import event_record
from lianban.cases.models import Case, CaseEvent
from lianban.cases.workflow import lock_case
from lianban.outbox import services
from lianban.outbox.models import Delivery, DeliveryAttempt, DeliveryState, OutboxEvent, Subscription
from tests.cases.kit import SAMPLE_PERSONAL, People, submit

pytestmark = pytest.mark.django_db

#: Nothing listens there (a port of the test range kept closed): every attempt fails at once.
CLOSED = "http://127.0.0.1:18799/hook"


def subscribe(url: str = CLOSED, types: list[str] | None = None) -> Subscription:
    return services.subscription_create(actor=None, name="部门系统", url=url, event_types=types or [])


def record(case: Case, action: str) -> CaseEvent:
    with transaction.atomic():
        lock_case(case.pk)
        return event_record(case=case, actor=None, action=action)


def test_a_submission_writes_its_event_and_deliveries_with_it(people: People) -> None:
    everything = subscribe()
    only_issued = subscribe(types=["case.issued"])
    case = submit(people)
    event = OutboxEvent.objects.get(case=case, type="case.submitted")
    assert services.event_data(event) == {"case_id": case.pk, "case": f"/api/cases/{case.pk}"}
    assert list(Delivery.objects.filter(event=event).values_list("subscription", flat=True)) == [everything.pk]
    assert not Delivery.objects.filter(subscription=only_issued).exists()
    body = services.event_body(event).decode()
    assert json.loads(body)["id"] == event.public_id
    assert not [value for value in SAMPLE_PERSONAL if value in body]
    assert people.applicant.name not in body


def test_a_change_rolled_back_leaves_no_event(people: People) -> None:
    subscribe()
    case = submit(people)
    before = OutboxEvent.objects.count()

    def change_that_fails() -> None:
        with transaction.atomic():
            record(case, "item.taken")
            assert OutboxEvent.objects.count() == before + 1
            raise RuntimeError

    with pytest.raises(RuntimeError):
        change_that_fails()
    assert OutboxEvent.objects.count() == before
    assert record(case, "item.due_status") and OutboxEvent.objects.count() == before  # not a public event


def test_events_of_a_case_wait_for_the_earlier_one(people: People, settings: Settings) -> None:
    settings.LIANBAN_WEBHOOK_RETRY_SECONDS = [0.0]
    subscription = subscribe()
    first_case, second_case = submit(people), submit(people)
    record(first_case, "case.accepted")
    chain = list(Delivery.objects.filter(case_key=first_case.pk).order_by("id"))
    other = Delivery.objects.get(case_key=second_case.pk)
    assert len(chain) == 2
    claimed = services.delivery_claim()
    assert claimed is not None and claimed.delivery_id == chain[0].pk
    second = services.delivery_claim()
    assert second is not None and second.delivery_id == other.pk  # another case is not held up
    assert services.delivery_claim() is None  # the case's next event waits while the first is being sent

    assert services.delivery_send(claimed) is False  # nobody listens: retried after the schedule's delay ...
    assert services.delivery_claim() is not None  # ... of 0 s: the same head again
    head = Delivery.objects.get(pk=chain[0].pk)
    assert head.state == DeliveryState.SENDING and head.attempts == 2
    attempt = DeliveryAttempt.objects.get(delivery=head)
    assert attempt.subscription == subscription and not attempt.ok and attempt.status_code is None
    assert "Connection" in attempt.error or "refused" in attempt.error.lower()


def test_a_delivery_whose_retries_are_exhausted_is_dead_until_replayed(people: People, settings: Settings) -> None:
    settings.LIANBAN_WEBHOOK_RETRY_SECONDS = [0.0]
    subscribe()
    case = submit(people)
    record(case, "case.accepted")
    for _ in range(2):
        claimed = services.delivery_claim()
        assert claimed is not None
        services.delivery_send(claimed)
    dead = Delivery.objects.get(state=DeliveryState.DEAD)
    assert dead.attempts == 2 and dead.dead_at is not None
    assert services.delivery_claim() is None  # the case's later event waits behind the dead one
    assert services.delivery_replay(actor=people.supervisor, delivery_ids=[dead.pk]) == 1
    assert services.delivery_replay(actor=people.supervisor, delivery_ids=[dead.pk]) == 0
    replayed = Delivery.objects.get(pk=dead.pk)
    assert replayed.state == DeliveryState.PENDING and replayed.attempts == 0
    assert CaseEvent.objects.filter(action="delivery.replayed", actor=people.supervisor).exists()
    claimed = services.delivery_claim()
    assert claimed is not None and claimed.delivery_id == dead.pk


def test_a_claim_whose_lease_ended_is_taken_over_and_the_old_claim_records_nothing(people: People) -> None:
    subscribe()
    submit(people)
    stale = services.delivery_claim()
    assert stale is not None
    Delivery.objects.filter(pk=stale.delivery_id).update(lease_until=timezone.now() - timedelta(seconds=1))
    fresh = services.delivery_claim()
    assert fresh is not None and fresh.delivery_id == stale.delivery_id and fresh.claim != stale.claim
    assert services.delivery_send(stale) is False
    assert not DeliveryAttempt.objects.exists()  # the worker that lost its lease writes nothing
    assert Delivery.objects.get(pk=fresh.delivery_id).claim == fresh.claim


def test_an_inactive_subscription_gets_nothing_sent(people: People) -> None:
    subscription = subscribe()
    submit(people)
    services.subscription_update(actor=None, subscription=subscription, active=False)
    assert services.delivery_claim() is None


def _api(user: Any) -> Client:
    issued = token_create(actor=None, user=user)
    return Client(HTTP_AUTHORIZATION=f"Bearer {issued.clear}")


def test_subscriptions_over_the_api_with_a_token(people: People) -> None:
    admin = _api(people.admin)
    created = admin.post(
        "/api/webhook-subscriptions/",
        {"name": "市场监管系统", "url": "https://scjg.example.gov.cn/events", "event_types": ["item.approved"]},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    secret = created.json()["secret"]
    assert secret.startswith("whsec_")
    sid = created.json()["id"]
    listed = admin.get("/api/webhook-subscriptions/").json()["results"]
    assert [s["id"] for s in listed] == [sid] and "secret" not in listed[0]
    rotated = admin.patch(
        f"/api/webhook-subscriptions/{sid}", {"rotate_secret": True}, content_type="application/json"
    ).json()
    assert rotated["secret"] != secret and Subscription.objects.get(pk=sid).secret == rotated["secret"]
    assert CaseEvent.objects.filter(action__in=["subscription.created", "subscription.changed"]).count() == 2
    for bad in (
        {"name": "x", "url": "ftp://scjg.example.gov.cn/"},
        {"name": "x", "url": "https://a.example.gov.cn/", "event_types": ["case.nothing"]},
        {"name": "x", "url": "https://a.example.gov.cn/", "secret": "plain"},
    ):
        assert admin.post("/api/webhook-subscriptions/", bad, content_type="application/json").status_code == 400
    assert admin.get("/api/webhook-subscriptions/999999").status_code == 404
    assert admin.delete(f"/api/webhook-subscriptions/{sid}").status_code == 204
    assert not Subscription.objects.exists()


def test_the_allowed_hosts_restrict_callback_urls(people: People, settings: Settings) -> None:
    settings.LIANBAN_WEBHOOK_ALLOWED_HOSTS = [".example.gov.cn"]
    admin = _api(people.admin)
    elsewhere = {"name": "x", "url": "https://example.com/hook"}
    assert admin.post("/api/webhook-subscriptions/", elsewhere, content_type="application/json").status_code == 400
    inside = {"name": "x", "url": "https://scjg.example.gov.cn/hook"}
    assert admin.post("/api/webhook-subscriptions/", inside, content_type="application/json").status_code == 201


def test_who_may_use_the_event_api(people: People, settings: Settings) -> None:
    settings.LIANBAN_WEBHOOK_RETRY_SECONDS = []
    subscribe()
    submit(people)
    claimed = services.delivery_claim()
    assert claimed is not None
    services.delivery_send(claimed)  # no retry: dead at once
    supervisor, clerk = _api(people.supervisor), _api(people.clerk)
    assert supervisor.post("/api/webhook-subscriptions/", {}, content_type="application/json").status_code == 403
    assert clerk.get("/api/webhook-deliveries/?state=DEAD").status_code == 403
    dead = supervisor.get("/api/webhook-deliveries/?state=DEAD").json()["results"]
    assert [d["id"] for d in dead] == [claimed.delivery_id] and dead[0]["attempts"] == 1
    log = supervisor.get(f"/api/webhook-subscriptions/{dead[0]['subscription']}/attempts").json()["results"]
    assert len(log) == 1 and log[0]["ok"] is False and log[0]["error"]
    assert supervisor.post(f"/api/webhook-deliveries/{claimed.delivery_id}/replay").json() == {"replayed": 1}
    assert supervisor.post("/api/webhook-deliveries/999999/replay").status_code == 404
    assert supervisor.get("/api/webhook-deliveries/?state=NOPE").status_code == 400


def _dead_delivery(settings: Settings) -> int:
    settings.LIANBAN_WEBHOOK_RETRY_SECONDS = []
    claimed = services.delivery_claim()
    assert claimed is not None
    services.delivery_send(claimed)
    return claimed.delivery_id


def test_the_supervisor_sees_dead_deliveries_on_the_supervision_page(people: People, settings: Settings) -> None:
    subscribe()
    submit(people)
    browser = Client()
    browser.force_login(people.supervisor)
    assert 'data-alert="dead-deliveries"' not in browser.get("/work/supervision/").content.decode()
    _dead_delivery(settings)
    with translation.override("zh-hans"):
        page = browser.get("/work/supervision/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'data-alert="dead-deliveries"' in page
    assert "1 条推送给部门系统的事件在全部重试后仍未送达" in page


def test_the_admin_adds_a_subscription_and_replays_a_dead_delivery(people: People, settings: Settings) -> None:
    people.admin.is_staff = True
    people.admin.save()
    browser = Client()
    browser.force_login(people.admin)
    added = browser.post(
        "/admin/outbox/subscription/add/",
        {
            "name": "卫健系统",
            "url": "https://wj.example.gov.cn/events",
            "event_types": ["case.submitted"],
            "active": "on",
        },
    )
    assert added.status_code == 302, added.content.decode()[:2000]
    subscription = Subscription.objects.get(name="卫健系统")
    assert subscription.secret.startswith("whsec_") and subscription.event_types == ["case.submitted"]
    assert CaseEvent.objects.filter(action="subscription.created", actor=people.admin).exists()
    refused = browser.post("/admin/outbox/subscription/add/", {"name": "x", "url": "ftp://wj.example.gov.cn/"})
    assert refused.status_code == 200 and Subscription.objects.count() == 1
    submit(people)
    dead = _dead_delivery(settings)
    replayed = browser.post(
        "/admin/outbox/delivery/", {"action": "replay", "_selected_action": [str(dead)]}, follow=True
    )
    assert replayed.status_code == 200
    assert Delivery.objects.get(pk=dead).state == DeliveryState.PENDING
    assert browser.get(f"/admin/outbox/deliveryattempt/?subscription__id__exact={subscription.pk}").status_code == 200


def test_creating_and_replaying_are_idempotent_with_a_key(people: People, settings: Settings) -> None:
    admin = _api(people.admin)
    body = {"name": "消防系统", "url": "https://xf.example.gov.cn/events"}
    first = admin.post("/api/webhook-subscriptions/", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k1")
    again = admin.post("/api/webhook-subscriptions/", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert Subscription.objects.count() == 1
    submit(people)
    dead = _dead_delivery(settings)
    replays = [admin.post(f"/api/webhook-deliveries/{dead}/replay", HTTP_IDEMPOTENCY_KEY="k2").json() for _ in range(2)]
    assert replays == [{"replayed": 1}, {"replayed": 1}]
    assert CaseEvent.objects.filter(action="delivery.replayed").count() == 1
    reused = admin.post(f"/api/webhook-deliveries/{dead}/replay", HTTP_IDEMPOTENCY_KEY="k1")
    assert reused.status_code == 409


def test_the_secret_is_encrypted_at_rest(people: People) -> None:
    from django.db import connection

    subscription = subscribe()
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM outbox_subscription WHERE id = %s", [subscription.pk])
        (stored,) = cursor.fetchone()
    assert subscription.secret.startswith("whsec_") and subscription.secret not in stored
    assert Subscription.objects.get(pk=subscription.pk).secret == subscription.secret
