"""Every endpoint × every role × own object / someone else's object → the expected answer, from one table.

Columns, in order: the applicant A's user, applicant B's user, a clerk of the
lead department (SCJG), a clerk of another department (GA), a reviewer of the
item's department (SCJG, which decides 公司设立登记), a reviewer of another
department (GA, which decides another item of the same hotel), a supervisor,
a catalog admin, and an anonymous caller. A reviewer sees a case only while an item of their
department is running or decided, so before acceptance (and while GA's item waits) they get 404;
clerks see the applicants and licences of their window's cases only.

A cell is ``own/other``: the answer for A's object (the hotel, its item
公司设立登记, material GSZC, applicant A, the licence the item issued, its
tracking code) and for B's (see ``tests/api/world.py``). Registering B's identity answers
as registering A's does (201: a claim the window checks, ``docs/security.md``); the window's identity
actions answer 409 on a case whose applicant is no claim. For lists, ``+`` or
``-`` says whether the object is in the list (answer 200). Endpoints without
an object have one answer per role. Every call runs in a savepoint that is
rolled back, so each cell sees the same world.

The table must have a row for every operation under ``/api/``: a new endpoint
without a row fails ``test_the_table_covers_every_endpoint``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver

import pytest

from lianban.accounts.models import User
from lianban.outbox.models import Delivery
from lianban.outbox.services import subscription_create
from tests.api.kit import Api
from tests.api.world import World, build_world
from tests.cases.kit import HOTEL, USCC, USCC_OTHER, FrozenClock, People, full_form, pdf

pytestmark = pytest.mark.django_db

ROLES = (
    "applicant",
    "other_applicant",
    "clerk",
    "other_clerk",
    "reviewer",
    "other_reviewer",
    "supervisor",
    "admin",
    "anonymous",
)

TABLE = """
# method path                                      stage       applicant other_appl clerk   oth_clerk reviewer oth_rev supervisor admin   anonymous
GET  /api/applicants/                              submitted   +/-       -/+       +/-       -/-       -/-       -/-       +/+       -/-       403
POST /api/applicants/                              submitted   201/201   201/201    201/201 201/201   403/403  403/403 403/403    403/403 403/403
GET  /api/applicants/{applicant_id}                submitted   200/404   404/200   200/404   404/404   404/404   404/404   200/200   404/404   403/403
GET  /api/cases/                                   submitted   +/-       -/+       +/-       -/-       -/-       -/-       +/+       -/-       403
POST /api/cases/                                   submitted   201/404   404/201   201/403   403/403   403/403   403/403   403/403   403/403   403/403
GET  /api/cases/{case_id}                          submitted   200/404   404/200   200/404   404/404   404/404   404/404   200/200   404/404   403/403
GET  /api/cases/{case_id}/materials/{code}         submitted   200/404   404/200   200/404   404/404   404/404   404/404   200/200   404/404   403/403
POST /api/cases/{case_id}/materials/{code}         submitted   200/404   404/200   200/404   404/404   404/404   404/404   403/403   404/404   403/403
POST /api/cases/{case_id}/resubmit                 correction  200/404   404/200   200/404   404/404   404/404   404/404   403/403   404/404   403/403
POST /api/cases/{case_id}/withdraw                 submitted   200/404   404/200   403/404   404/404   404/404   404/404   403/403   404/404   403/403
GET  /api/cases/{case_id}/events                   submitted   403/404   404/403   200/404   404/404   404/404   404/404   200/200   404/404   403/403
GET  /api/cases/{case_id}/progress                 submitted   200/404   404/200   200/404   404/404   404/404   404/404   200/200   404/404   403/403
GET  /api/notifications/                           submitted   +/-       -/+        -/-     -/-       -/-      -/-     -/-        -/-     403
GET  /api/track/{code}                             submitted   200/200   200/200    200/200 200/200   200/200  200/200 200/200    200/200 200/200
GET  /api/intake/queue                             submitted   403       403        +/-     -/-       403      403     403        403     403
POST /api/cases/{case_id}/checks                   submitted   403/404   404/403   200/404   404/404   404/404   404/404   403/403   404/404   403/403
POST /api/cases/{case_id}/accept                   checked     403/404   404/403   200/404   404/404   404/404   404/404   403/403   404/404   403/403
POST /api/cases/{case_id}/request-correction       problem     403/404   404/403   200/404   404/404   404/404   404/404   403/403   404/404   403/403
POST /api/cases/{case_id}/refuse                   submitted   403/404   404/403   200/404   404/404   404/404   404/404   403/403   404/404   403/403
POST /api/cases/{case_id}/identity/confirm         submitted   403/404   404/403   409/404   404/404   404/404   404/404   403/403   404/404   403/403
POST /api/cases/{case_id}/identity/refuse          submitted   403/404   404/403   409/404   404/404   404/404   404/404   403/403   404/404   403/403
GET  /api/cases/{case_id}/correction-notice        correction  200/404   404/200   200/404   404/404   404/404   404/404   200/200   404/404   403/403
GET  /api/cases/{case_id}/receipt                  accepted    200/404   404/200   200/404   404/404   403/404   404/404   200/200   404/404   403/403
GET  /api/item-cases/                              accepted    403       403        403     403       +/-      -/-     403        403     403
GET  /api/item-cases/{item_case_id}                accepted    200/404   404/200    200/404 404/404   200/404  404/404 200/200    404/404 403/403
POST /api/item-cases/{item_case_id}/accept         accepted    403/404   404/403    403/404 404/404   200/404  404/404 403/403    404/404 403/403
POST /api/item-cases/{item_case_id}/request-supplement in_review 403/404 404/403   403/404 404/404   200/404  404/404 403/403    404/404 403/403
POST /api/item-cases/{item_case_id}/supply         supplement  200/404   404/200    403/404 404/404   403/404  404/404 403/403    404/404 403/403
POST /api/item-cases/{item_case_id}/approve        in_review   403/404   404/403    403/404 404/404   200/404  404/404 403/403    404/404 403/403
POST /api/item-cases/{item_case_id}/reject         in_review   403/404   404/403    403/404 404/404   200/404  404/404 403/403    404/404 403/403
GET  /api/cases/{case_id}/bill                     ready       200/404   404/200   200/404   404/404   403/404   403/404   200/200   404/404   403/403
POST /api/cases/{case_id}/bill/pay                 ready       403/404   404/403    200/404 404/404   403/404  403/404 403/403    404/404 403/403
POST /api/cases/{case_id}/issue                    paid        403/404   404/403    200/404 404/404   403/404  403/404 403/403    404/404 403/403
GET  /api/licences/                                ready       +/-       -/+       +/-       -/-       +/-       -/-       +/+       -/-       403
GET  /api/licences/{licence_id}                    ready       200/404   404/200   200/404   404/404   200/404   404/404   200/200   404/404   403/403
GET  /api/supervision/due-soon                     accepted    403       403        403     403       403      403     +/+        403     403
GET  /api/supervision/overdue                      overdue     403       403        403     403       403      403     +/+        403     403
GET  /api/supervision/signals                      overdue     403       403        -/-     -/-       +/-      -/-     +/+        403     403
GET  /api/supervision/orders                       overdue     403       403        403     403       +/-      -/-     +/+        403     403
POST /api/supervision/orders                       overdue     403       403        403     403       403      403     201        403     403
GET  /api/supervision/orders/{order_id}            overdue     404/404   404/404   404/404   404/404   200/404   404/404   200/200   404/404   403/403
POST /api/supervision/orders/{order_id}/sign       overdue     404/404   404/404   404/404   404/404   200/404   404/404   403/403   404/404   403/403
POST /api/supervision/orders/{order_id}/reply      overdue     404/404   404/404   404/404   404/404   409/404   404/404   403/403   404/404   403/403
POST /api/supervision/orders/{order_id}/review     overdue     404/404   404/404   404/404   404/404   403/404   404/404   409/409   404/404   403/403
GET  /api/statistics                             overdue     403       403        200     200       200      200     200        403     403
GET  /api/statistics/five-reductions             overdue     403       403        200     200       200      200     200        403     403
GET  /api/statistics/overdue-heat                overdue     403       403        200     200       200      200     200        403     403
POST /api/statistics/exports                     overdue     403       403        202     202       202      202     202        403     403
GET  /api/statistics/exports/{export_id}         overdue     404/404   404/404   404/404   404/404   404/404   404/404   404/404   404/404   403/403
GET  /api/statistics/exports/{export_id}/file    overdue     404/404   404/404   404/404   404/404   404/404   404/404   404/404   404/404   403/403
GET  /api/statistics/cases                       overdue     403       403        200     200       200      200     200        403     403
GET  /api/cases/{case_id}/ratings                  rated       200/404   404/200   403/404   404/404   403/404   403/404   403/403   404/404   403/403
POST /api/cases/{case_id}/ratings                  rated       201/404   404/201   403/404   404/404   403/404   403/404   403/403   404/404   403/403
POST /api/cases/{case_id}/ratings/entered          rated       403/404   404/403   201/404   404/404   403/404   403/404   403/403   404/404   403/403
POST /api/cases/{case_id}/visit-token              rated       403/404   404/403   201/404   404/404   403/404   403/404   403/403   404/404   403/403
GET  /api/ratings/token/{token}                    rated       200/200   200/200   200/200   200/200   200/200   200/200   200/200   200/200   200/200
POST /api/ratings/token/{token}                    rated       201/201   201/201   201/201   201/201   201/201   201/201   201/201   201/201   201/201
POST /api/ratings/{rating_id}/follow-up            rated       201/404   404/201   403/404   404/404   403/404   403/404   403/403   404/404   403/403
GET  /api/rectifications                           rated       +/-       -/+       +/-       -/-       +/-       -/-       +/+       403       403
GET  /api/rectifications/{ticket_id}               rated       200/404   404/200   200/404   404/404   200/404   404/404   200/200   404/404   403/403
POST /api/rectifications/{ticket_id}/precheck      rated       403/404   404/403   200/404   404/404   200/404   404/404   403/403   404/404   403/403
POST /api/rectifications/{ticket_id}/visit         rated       403/404   404/403   409/404   404/404   409/404   404/404   403/403   404/404   403/403
POST /api/rectifications/{ticket_id}/rectify       rated       403/404   404/403   409/404   404/404   409/404   404/404   403/403   404/404   403/403
POST /api/rectifications/{ticket_id}/feedback      rated       403/404   404/403   409/404   404/404   409/404   404/404   403/403   404/404   403/403
POST /api/rectifications/{ticket_id}/rerate        rated       409/404   404/409   403/404   404/404   403/404   404/404   403/403   404/404   403/403
POST /api/rectifications/{ticket_id}/appeal        rated       403/404   404/403   201/404   404/404   201/404   404/404   403/403   404/404   403/403
GET  /api/ratings/statistics                       rated       403       403       403       403       403       403       200       403       403
GET  /api/appeals                                  appealed    403       403       +/-       -/-       +/-       -/-       +/+       403       403
GET  /api/appeals/{appeal_id}                      appealed    404/404   404/404   200/404   404/404   200/404   404/404   200/200   404/404   403/403
POST /api/appeals/{appeal_id}/decision             appealed    404/404   404/404   403/404   404/404   403/404   404/404   200/200   404/404   403/403
GET  /api/things/                                  submitted   200       200        200     200       200      200     200        200     200
GET  /api/things/{code}                            submitted   200       200        200     200       200      200     200        200     200
POST /api/things/{code}/plan                       submitted   200       200        200     200       200      200     200        200     200
GET  /api/schema/                                  submitted   200       200        200     200       200      200     200        200     200
GET  /api/docs/                                    submitted   200       200        200     200       200      200     200        200     200
GET  /api/webhook-subscriptions/                   submitted   403       403        403     403       403      403     403        200     403
POST /api/webhook-subscriptions/                   submitted   403       403        403     403       403      403     403        201     403
GET  /api/webhook-subscriptions/{subscription_id}  submitted   403       403        403     403       403      403     403        200     403
PATCH /api/webhook-subscriptions/{subscription_id} submitted   403       403        403     403       403      403     403        200     403
DELETE /api/webhook-subscriptions/{subscription_id} submitted  403       403        403     403       403      403     403        204     403
GET  /api/webhook-subscriptions/{subscription_id}/attempts submitted 403 403        403     403       403      403     200        200     403
GET  /api/webhook-deliveries/                      submitted   403       403        403     403       403      403     200        200     403
POST /api/webhook-deliveries/{delivery_id}/replay  submitted   403       403        403     403       403      403     200        200     403
"""


@dataclass(frozen=True)
class Row:
    """One operation: its stage and the expected cell of each role."""

    method: str
    path: str
    stage: str
    cells: dict[str, str]

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"


def _rows() -> dict[str, Row]:
    rows: dict[str, Row] = {}
    for line in TABLE.strip().splitlines():
        if line.startswith("#"):
            continue
        method, path, stage, *cells = line.split()
        assert len(cells) == len(ROLES), line
        row = Row(method, path, stage, dict(zip(ROLES, cells, strict=True)))
        assert row.key not in rows, row.key
        rows[row.key] = row
    return rows


ROWS = _rows()


def api_operations() -> set[str]:
    """Every ``METHOD /path`` served under /api/, path parameters written ``{name}``."""
    found: set[str] = set()

    def walk(patterns: list[Any], prefix: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
                continue
            assert isinstance(pattern, URLPattern)
            if not route.startswith("api/"):
                continue
            view = getattr(pattern.callback, "cls", None) or getattr(pattern.callback, "view_class", None)
            path = "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)
            for method in ("get", "post", "put", "patch", "delete"):
                if hasattr(view, method):
                    found.add(f"{method.upper()} {path}")

    walk(get_resolver().url_patterns, "")
    return found


def test_the_table_covers_every_endpoint() -> None:
    operations = api_operations()
    assert len(operations) > 30
    assert sorted(operations - set(ROWS)) == [], "endpoints without a row in the permission table"
    assert sorted(set(ROWS) - operations) == [], "rows for endpoints that do not exist"


# ------------------------------------------------------------------ calling


def _user(world: World, role: str) -> User | None:
    people = world.people
    return {
        "applicant": people.applicant_user,
        "other_applicant": people.other_user,
        "clerk": people.clerk,
        "other_clerk": people.other_clerk,
        "reviewer": people.reviewer("SCJG"),
        "other_reviewer": people.reviewer("GA"),
        "supervisor": people.supervisor,
        "admin": people.admin,
        "anonymous": None,
    }[role]


def _url(row: Row, objects: dict[str, Any]) -> str:
    code = (
        objects["case"].tracking_code
        if row.path.startswith("/api/track/")
        else "KJD"
        if row.path.startswith("/api/things/")
        else objects["material"]
    )
    if row.path == "/api/statistics/cases":
        return row.path + "?metric=received"
    return row.path.format(
        case_id=objects["case"].pk,
        item_case_id=objects["item"].pk,
        applicant_id=objects["applicant"].pk,
        licence_id=objects["licence"].pk if objects["licence"] else 0,
        order_id=objects["order"].pk if objects["order"] else 0,
        ticket_id=objects["ticket"].pk if objects["ticket"] else 0,
        rating_id=objects["rating"].pk if objects["rating"] else 0,
        appeal_id=objects["appeal"].pk if objects["appeal"] else 0,
        token=objects["token"].token if objects["token"] else "none",
        code=code,
        subscription_id=objects.get("subscription", 0),
        delivery_id=objects.get("delivery", 0),
        export_id=0,  # an export is its requester's only: tests/api/test_statistics.py
    )


def _body(row: Row, side: str, objects: dict[str, Any]) -> tuple[Any, bool]:
    """The request body that succeeds for a role allowed to act, and whether it is multipart."""
    path = row.path
    if path == "/api/applicants/":
        own = side == "own"
        return {
            "kind": "enterprise",
            "id_number": USCC if own else USCC_OTHER,
            "name": "x",
            "contact_name": "x",
            "contact_phone": "1",
        }, False
    if path == "/api/cases/":
        thing, answers = ("KJD", HOTEL) if side == "own" else ("ZXBA", {})
        form = full_form(thing, answers)
        return {"applicant": objects["applicant"].pk, "thing": thing, "answers": answers, "form": form}, False
    if path.endswith("/materials/{code}"):
        return {"file": pdf()}, True
    if path.endswith("/rectify"):
        return {"rectification": "已整改", "evidence": pdf()}, True
    if path.endswith("/appeal"):
        return {"grounds": "MALICIOUS", "statement": "恶意差评", "evidence": pdf()}, True
    if path == "/api/statistics/exports":
        return {"kind": "DASHBOARD"}, False
    if path == "/api/supervision/orders":
        return {"cases": [objects["case"].pk], "department": "SCJG", "reason": "请加快办理"}, False
    bodies: dict[str, Any] = {
        "/reply": {"reply": "已办理"},
        "/ratings": {"level": 5},
        "/ratings/entered": {"level": 4, "channel": "PHONE"},
        "/{token}": {"level": 5},
        "/follow-up": {"comment": "补充一句"},
        "/precheck": {"verdict": "TRUE", "note": "属实"},
        "/visit": {"call_record": "已回访"},
        "/feedback": {"feedback": "已整改"},
        "/rerate": {"rerating": "SATISFIED"},
        "/decision": {"outcome": "UPHELD", "reason": "证据充分"},
        "/review": {"accept": True},
        "/checks": {"checks": [{"material": objects["material"], "result": "OK"}]},
        "/withdraw": {"reason": "不办了"},
        "/refuse": {"reason": "不予受理"},
        "/request-supplement": {"reason": "请补充"},
        "/reject": {"reason": "不符合条件"},
        "/supply": {"note": "已补充"},
        "/approve": {"licence_number": "M-1"},
        "/bill/pay": {"reference": "POS-2"},
        "/issue": {"method": "PICKUP"},
        "/plan": {"answers": HOTEL},
        "/webhook-subscriptions/": {"name": "部门系统", "url": "https://scjg.example.gov.cn/events"},
        "/webhook-subscriptions/{subscription_id}": {"name": "部门系统"},
    }
    return next((body for suffix, body in bodies.items() if path.endswith(suffix)), {}), False


def _listed(row: Row, payload: dict[str, Any], objects: dict[str, Any]) -> bool:
    rows = payload["results"]
    path = row.path
    if path == "/api/applicants/":
        return objects["applicant"].pk in {r["id"] for r in rows}
    if path in ("/api/cases/", "/api/intake/queue"):
        return objects["case"].pk in {r["id"] for r in rows}
    if path == "/api/licences/":
        return objects["licence"].pk in {r["id"] for r in rows}
    if path in ("/api/notifications/", "/api/supervision/signals"):
        return objects["case"].pk in {r["case"]["id"] for r in rows}
    if path == "/api/supervision/orders":
        return objects["order"].pk in {r["id"] for r in rows}
    if path == "/api/rectifications":
        return objects["ticket"].pk in {r["id"] for r in rows}
    if path == "/api/appeals":
        return objects["appeal"].pk in {r["id"] for r in rows}
    return objects["item"].pk in {r["id"] for r in rows}  # item-cases, supervision lists


class _Rollback(Exception):
    pass


def _isolated(call: Any) -> Any:
    """The result of ``call()``, with everything it wrote rolled back."""
    try:
        with transaction.atomic():
            raise _Rollback(call())
    except _Rollback as done:
        return done.args[0]


def _answer(world: World, row: Row, role: str, side: str | None) -> str:
    objects = world.objects[side or "own"]
    api = Api(_user(world, role))
    body, multipart = _body(row, side or "own", objects) if row.method != "GET" else ({}, False)
    response = _isolated(lambda: api.call(row.method, _url(row, objects), body, multipart=multipart))
    status = response.status_code
    if status >= 400 and response["Content-Type"].startswith("application/json"):
        assert set(response.json()) >= {"code", "message", "fields"}, response.json()
    is_list = any(cell[0] in "+-" for cell in row.cells.values())
    if is_list and side is not None and status == 200:
        return "+" if _listed(row, response.json(), objects) else "-"
    return str(status)


@pytest.mark.parametrize("key", list(ROWS))
def test_permission_matrix(key: str, people: People, clock: FrozenClock) -> None:
    row = ROWS[key]
    subscription = None
    if "/webhook-" in row.path:  # subscribed first: the world's events are delivered to it
        subscription = subscription_create(
            actor=None, name="部门系统", url="https://scjg.example.gov.cn/e", event_types=[]
        )
    world = build_world(people, clock, row.stage)
    if subscription is not None:
        for objects in world.objects.values():
            objects["subscription"] = subscription.pk
            objects["delivery"] = Delivery.objects.filter(subscription=subscription).values_list("pk", flat=True)[0]
    got: dict[str, str] = {}
    for role in ROLES:
        expected = row.cells[role]
        if "/" in expected:
            got[role] = f"{_answer(world, row, role, 'own')}/{_answer(world, row, role, 'other')}"
        else:
            got[role] = _answer(world, row, role, None)
    assert got == row.cells
