"""督办 orders: a red card opens one, the department signs for it and replies, the supervisor reviews;
missed dates are reminded (催办) and escalated to the department's leader; every step is audited; only
the people concerned see or act on an order."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest
from rest_framework.test import APIClient

from lianban.accounts.models import User
from lianban.cases.models import Case
from lianban.catalog.models import Department
from lianban.core.case_errors import TextRequired, TextTooLong
from lianban.core.orders import OrderStepRefused
from lianban.supervision.models import DepartmentLeader, OrderOrigin, SupervisionOrder
from lianban.supervision.orders import TEXT_MAX, order_raise, order_reply, order_review, order_sign
from lianban.supervision.services import deadline_sweep
from tests.cases.kit import FrozenClock, People, items, make_user
from tests.supervision.test_supervision import accepted, approve

pytestmark = pytest.mark.django_db


def overdue_order(people: People, clock: FrozenClock) -> tuple[Case, SupervisionOrder]:
    """An item case left past its due date: the sweep's red card opens an order to its department."""
    case = accepted(people)
    approve(people, case, "SCJG-GSSL")
    spjy = items(case)["SCJG-SPJY"]
    assert spjy.due_on == date(2025, 3, 10)
    clock.set(date(2025, 3, 11))  # Tuesday, the day after
    result = deadline_sweep()
    assert result.orders >= 1
    order = SupervisionOrder.objects.get(item_case=spjy)
    return case, order


def api(user: User | None, language: str = "zh-hans") -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    if user is not None:
        client.force_authenticate(user)
    return client


def trail(case: Case, order: SupervisionOrder | None = None) -> list[str]:
    """The order events on the case's audit trail (of one order, or of all)."""
    rows = case.events.filter(action__startswith="order.")
    if order is not None:
        rows = rows.filter(after__order=order.pk)
    return list(rows.order_by("id").values_list("action", flat=True))


def test_a_red_card_opens_one_order_that_goes_through_every_step_audited(people: People, clock: FrozenClock) -> None:
    case, order = overdue_order(people, clock)
    scjg = people.reviewer("SCJG")
    assert (order.origin, order.state, order.department.code) == (OrderOrigin.RED_CARD, "OPEN", "SCJG")
    assert order.signal is not None and order.signal.level == "RED"
    assert list(order.cases.all()) == [case]
    assert order.sign_due_on == date(2025, 3, 12)  # one working day
    deadline_sweep()
    deadline_sweep()
    assert SupervisionOrder.objects.filter(item_case=order.item_case).count() == 1  # once per red card

    order = order_sign(actor=scjg, order_id=order.pk)
    assert (order.state, order.signed_by, order.reply_due_on) == ("SIGNED", scjg, date(2025, 3, 18))
    order = order_reply(actor=scjg, order_id=order.pk, reply="已约谈经办人，当日办结")
    assert order.state == "REPLIED"
    order = order_review(actor=people.supervisor, order_id=order.pk, accept=False, note="请附办结材料")
    assert (order.state, order.returns, order.review_note) == ("SIGNED", 1, "请附办结材料")
    order = order_reply(actor=scjg, order_id=order.pk, reply="已补充办结材料")
    with pytest.raises(TextRequired):  # a return says why
        order_review(actor=people.supervisor, order_id=order.pk, accept=False, note="  ")
    with pytest.raises(TextTooLong):  # an acceptance's note is optional, never too long
        order_review(actor=people.supervisor, order_id=order.pk, accept=True, note="好" * (TEXT_MAX + 1))
    order = order_review(actor=people.supervisor, order_id=order.pk, accept=True)
    assert order.state == "CLOSED" and order.closed_at is not None
    assert trail(case, order) == [
        "order.raised",
        "order.signed",
        "order.replied",
        "order.returned",
        "order.replied",
        "order.accepted",
    ]
    raised = case.events.get(action="order.raised", after__order=order.pk)
    assert raised.actor is None and raised.after["order"] == order.pk
    with pytest.raises(OrderStepRefused):
        order_reply(actor=scjg, order_id=order.pk, reply="再次回复")


def test_a_missed_date_is_reminded_the_next_day_and_escalated_to_the_leader_five_working_days_later(
    people: People, clock: FrozenClock
) -> None:
    case, order = overdue_order(people, clock)
    leader = make_user("scjg-leader", "REVIEWER", "SCJG")
    DepartmentLeader.objects.create(department=Department.objects.get(code="SCJG"), leader=leader)

    def follow_ups_on(day: date) -> tuple[date | None, date | None]:
        clock.set(day)
        deadline_sweep()
        order.refresh_from_db()
        return order.urged_for, order.escalated_for

    missed = date(2025, 3, 12)  # the sign-for date
    assert follow_ups_on(missed) == (None, None)  # still in time
    assert follow_ups_on(date(2025, 3, 13)) == (missed, None)
    assert follow_ups_on(date(2025, 3, 13)) == (missed, None)
    assert follow_ups_on(date(2025, 3, 18)) == (missed, None)  # 4 working days after
    assert follow_ups_on(date(2025, 3, 19)) == (missed, missed)  # 5 working days after
    deadline_sweep()
    order.refresh_from_db()
    assert (order.urged_for, order.escalated_for, order.escalated_to) == (date(2025, 3, 12), date(2025, 3, 12), leader)
    assert trail(case, order) == ["order.raised", "order.urged", "order.escalated"]
    assert case.events.get(action="order.escalated", after__order=order.pk).after["leader"] == leader.pk
    # signed late, the reply date is counted from the signing, and followed up again when missed
    order = order_sign(actor=people.reviewer("SCJG"), order_id=order.pk)
    assert order.reply_due_on == date(2025, 3, 26)
    assert follow_ups_on(date(2025, 3, 27)) == (date(2025, 3, 26), missed)
    assert trail(case, order)[-1] == "order.urged"


def test_a_supervisor_raises_an_order_about_several_cases(people: People, clock: FrozenClock) -> None:
    one, two = accepted(people), accepted(people)
    order = order_raise(
        actor=people.supervisor, case_ids=[two.pk, one.pk], department_code="ZJ", reason="群众投诉办理慢"
    )
    assert (order.origin, order.raised_by, order.department.code) == (OrderOrigin.SUPERVISOR, people.supervisor, "ZJ")
    assert sorted(c.pk for c in order.cases.all()) == sorted([one.pk, two.pk])
    assert trail(one) == trail(two) == ["order.raised"]
    assert one.events.get(action="order.raised").reason == "群众投诉办理慢"


def test_the_api_journey_and_who_may_do_what(people: People, clock: FrozenClock) -> None:
    case, order = overdue_order(people, clock)
    url = f"/api/supervision/orders/{order.pk}"
    scjg = people.reviewer("SCJG")
    other_code = next(code for code in people.reviewers if code != "SCJG")
    other = people.reviewer(other_code)

    def listed(user: User) -> set[int]:
        return {o["id"] for o in api(user).get("/api/supervision/orders").json()["results"]}

    every = set(SupervisionOrder.objects.values_list("id", flat=True))
    assert listed(people.supervisor) == every and order.pk in every
    assert listed(scjg) == set(SupervisionOrder.objects.filter(department__code="SCJG").values_list("id", flat=True))
    assert listed(other) == set(
        SupervisionOrder.objects.filter(department__code=other_code).values_list("id", flat=True)
    )
    assert order.pk not in listed(other)
    assert api(other).get(url).status_code == 404  # another department's order is absent
    assert api(other).post(f"{url}/sign").status_code == 404
    assert api(people.clerk).get("/api/supervision/orders").status_code == 403
    assert api(people.applicant_user).get(url).status_code == 404  # the object is checked before the role
    assert api(None).get(url).status_code in (401, 403)
    assert api(people.supervisor).post(f"{url}/sign").status_code == 403  # the department signs

    detail = api(scjg).get(url).json()
    assert detail["cases"][0]["id"] == case.pk and detail["state"] == "OPEN"
    early = api(scjg).post(f"{url}/reply", {"reply": "已办"}, format="json")
    assert early.status_code == 409 and early.json()["code"] == "order-step-not-allowed"
    assert not any(c.isascii() and c.isalpha() for c in early.json()["message"]), early.json()
    english = api(scjg, "en").post(f"{url}/reply", {"reply": "x"}, format="json").json()["message"]
    assert english.startswith("The supervision order is") and "reply to it" in english

    assert api(scjg).post(f"{url}/sign").json()["state"] == "SIGNED"
    blank = api(scjg).post(f"{url}/reply", {"reply": "   "}, format="json")
    assert blank.status_code == 400 and "reply" in blank.json()["fields"]
    assert api(scjg).post(f"{url}/reply", {"reply": "已办结"}, format="json").json()["state"] == "REPLIED"
    assert api(scjg).post(f"{url}/review", {"accept": True}, format="json").status_code == 403
    returned = api(people.supervisor).post(f"{url}/review", {"accept": False}, format="json")
    assert returned.status_code in (400, 409) and returned.json()["code"] == "text-required"  # a return needs a note
    closed = api(people.supervisor).post(f"{url}/review", {"accept": True, "note": "同意"}, format="json").json()
    assert closed["state"] == "CLOSED" and closed["review_note"] == "同意"


def test_raising_by_api_checks_everything_it_is_given(people: People, clock: FrozenClock) -> None:
    case = accepted(people)
    raise_ = api(people.supervisor)
    ok = raise_.post(
        "/api/supervision/orders", {"cases": [case.pk], "department": "SCJG", "reason": "请加快办理"}, format="json"
    )
    assert ok.status_code == 201 and ok.json()["origin"] == "SUPERVISOR"
    bad: list[dict[str, Any]] = [
        {"cases": [], "department": "SCJG", "reason": "x"},
        {"cases": [2**70], "department": "SCJG", "reason": "x"},
        {"cases": [case.pk], "department": "SCJG", "reason": ""},
        {"cases": [case.pk], "department": "SCJG", "reason": "x" * 3000},
        {"cases": "1", "department": "SCJG\x00", "reason": "x"},
    ]
    for body in bad:
        assert raise_.post("/api/supervision/orders", body, format="json").status_code == 400, body
    unknown = raise_.post(
        "/api/supervision/orders", {"cases": [case.pk], "department": "NOPE", "reason": "x"}, format="json"
    )
    assert unknown.status_code in (400, 409) and unknown.json()["code"] == "reference-unknown"
    missing = raise_.post(
        "/api/supervision/orders", {"cases": [999999], "department": "SCJG", "reason": "x"}, format="json"
    )
    assert missing.json()["code"] == "reference-unknown"
    assert SupervisionOrder.objects.count() == 1  # nothing half-made
    assert api(people.reviewer("SCJG")).post("/api/supervision/orders", {}, format="json").status_code == 403


def test_the_order_list_reads_a_constant_number_of_queries(people: People, clock: FrozenClock) -> None:
    cases = [accepted(people) for _ in range(3)]
    order_raise(actor=people.supervisor, case_ids=[cases[0].pk], department_code="SCJG", reason="一")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert api(people.supervisor).get("/api/supervision/orders").status_code == 200
        return len(queries)

    few = count()
    for case in cases:
        order_raise(actor=people.supervisor, case_ids=[case.pk], department_code="ZJ", reason="二")
    assert count() == few
