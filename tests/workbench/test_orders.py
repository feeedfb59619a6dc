"""督办 orders in the workbench: the supervisor raises one by tracking codes, the department signs for it and
replies on the order's page, the supervisor returns and accepts; each page only for those concerned."""

from __future__ import annotations

from django.test import Client

import pytest

from lianban.supervision.models import SupervisionOrder
from tests.cases.kit import FrozenClock, People
from tests.workbench.kit import accepted

pytestmark = pytest.mark.django_db

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def client_of(user: object) -> Client:
    """A client of its own, signed in as ``user`` (the two people of a test act in turn)."""
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_an_order_from_raising_to_closing_in_the_pages(people: People, clock: FrozenClock, signed_in) -> None:
    case = accepted(people)
    supervisor = client_of(people.supervisor)
    page = supervisor.get("/work/orders/", **ZH)
    assert page.status_code == 200 and "督办" in page.content.decode() and "发起督办" in page.content.decode()

    bad = supervisor.post("/work/orders/new/", {"codes": "NOT-A-CODE", "department": "SCJG", "reason": "慢"}, **ZH)
    assert bad.status_code == 400 and "办件编号" in bad.content.decode()
    unknown = supervisor.post("/work/orders/new/", {"codes": "0000-0000-0000", "department": "SCJG", "reason": "慢"})
    assert unknown.status_code == 400
    assert SupervisionOrder.objects.count() == 0
    raised = supervisor.post(
        "/work/orders/new/", {"codes": case.code_for_people.lower(), "department": "SCJG", "reason": "群众反映办理慢"}
    )
    order = SupervisionOrder.objects.get()
    assert raised.status_code == 303 and raised["Location"] == f"/work/orders/{order.pk}/"
    assert list(order.cases.all()) == [case]

    reviewer = client_of(people.reviewer("SCJG"))
    listed = reviewer.get("/work/orders/", **ZH).content.decode()
    assert f'data-order="{order.pk}"' in listed and "发起督办" not in listed
    detail = reviewer.get(f"/work/orders/{order.pk}/", **ZH).content.decode()
    assert "群众反映办理慢" in detail and "签收" in detail
    assert reviewer.post(f"/work/orders/{order.pk}/sign/").status_code == 303
    blank = reviewer.post(f"/work/orders/{order.pk}/reply/", {"reply": "  "}, **ZH)
    assert blank.status_code == 400
    assert reviewer.post(f"/work/orders/{order.pk}/reply/", {"reply": "已加快办理"}).status_code == 303
    order.refresh_from_db()
    assert order.state == "REPLIED"

    no_note = supervisor.post(f"/work/orders/{order.pk}/review/", {"decision": "return", "note": ""}, **ZH)
    assert no_note.status_code == 400
    supervisor.post(f"/work/orders/{order.pk}/review/", {"decision": "return", "note": "请说明原因"})
    order.refresh_from_db()
    assert (order.state, order.returns) == ("SIGNED", 1)
    reviewer.post(f"/work/orders/{order.pk}/reply/", {"reply": "原因是材料待补"})
    supervisor.post(f"/work/orders/{order.pk}/review/", {"decision": "accept", "note": ""})
    order.refresh_from_db()
    assert order.state == "CLOSED"
    closed = supervisor.get(f"/work/orders/{order.pk}/", **ZH).content.decode()
    assert "已办结" in closed or "已关闭" in closed
    # a step out of turn says so and changes nothing
    again = reviewer.post(f"/work/orders/{order.pk}/sign/", follow=True, **ZH)
    assert "督办单" in again.content.decode()
    order.refresh_from_db()
    assert order.state == "CLOSED"


def test_only_those_concerned_reach_an_order(people: People, clock: FrozenClock, signed_in) -> None:
    case = accepted(people)
    signed_in(people.supervisor).post(
        "/work/orders/new/", {"codes": case.tracking_code, "department": "SCJG", "reason": "慢"}
    )
    order = SupervisionOrder.objects.get()
    other = next(code for code in people.reviewers if code != "SCJG")
    assert signed_in(people.reviewer(other)).get(f"/work/orders/{order.pk}/").status_code == 404
    assert signed_in(people.reviewer(other)).post(f"/work/orders/{order.pk}/sign/").status_code == 404
    assert signed_in(people.clerk).get("/work/orders/").status_code == 403
    assert signed_in(people.applicant_user).get(f"/work/orders/{order.pk}/").status_code == 404
    assert signed_in(people.reviewer("SCJG")).post("/work/orders/new/", {}).status_code == 403
    assert signed_in(people.supervisor).post(f"/work/orders/{order.pk}/sign/").status_code == 403
    order.refresh_from_db()
    assert order.state == "OPEN"


def test_the_orders_page_reads_a_constant_number_of_queries(people: People, clock: FrozenClock) -> None:
    from lianban.supervision.orders import order_raise
    from tests.cases.bulk import queries_of

    cases = [accepted(people) for _ in range(4)]
    order_raise(actor=people.supervisor, case_ids=[cases[0].pk], department_code="SCJG", reason="一")
    supervisor, reviewer = client_of(people.supervisor), client_of(people.reviewer("SCJG"))
    supervisor.get("/work/orders/"), reviewer.get("/work/orders/")  # the session and per-process caches warm
    few = (queries_of(supervisor, "/work/orders/"), queries_of(reviewer, "/work/orders/"))
    for case, department in zip(cases[1:], ("SCJG", "ZJ", "SCJG"), strict=True):
        order_raise(actor=people.supervisor, case_ids=[case.pk, cases[0].pk], department_code=department, reason="二")
    assert SupervisionOrder.objects.count() == 4
    assert (queries_of(supervisor, "/work/orders/"), queries_of(reviewer, "/work/orders/")) == few
