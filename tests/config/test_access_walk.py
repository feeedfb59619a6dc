"""Every URL pattern × every role × GET / empty POST / invalid POST: no case data reaches a role that may not see it.

The journey is the permission matrix's world at the ``supplement`` stage:
applicant A's hotel (led by SCJG; its SCJG item is running, waiting for a
supplement, every other item waits) and applicant B's case (led by ZJ, its
only item ZJ's). Each case's personal data and staff content is made
recognisable first: the applicant's identity number, phone and address, a
unique marker in every form value, every material name and file name. Then
the resolver is enumerated (pages, forms, files, PDFs, the API, the admin),
each path parameter filled with A's and then B's objects, and every role
calls every method; each answer's body is searched for the markers the role
may not see:

- anonymous, the catalog and the security administrator, the clerk of a
  window that serves neither case, the reviewer of a department whose item
  only waits: nothing of either case;
- each applicant user: nothing of the other applicant's case, and nothing of
  their own through a staff page (``/work/``, ``/admin/``);
- the SCJG window clerk: nothing of B's case (led by ZJ);
- the SCJG reviewer: nothing of B's case; of A's, only the form fields and
  materials their running item needs (no contact phone, no address);
- the supervisor: everything.

A file or PDF served (2xx) to a role that may not see anything of its case
counts as a leak too (a PDF's text is compressed: its markers cannot be
searched). ``test_the_walk_catches_the_old_check`` puts the
old "may see the case" check back on one form and shows the walk fails.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

import pytest

from lianban.accounts.models import Role, User
from lianban.cases.models import Case, CaseMaterial, ItemCase
from lianban.catalog.models import Item
from lianban.config import access
from lianban.portal.models import Draft
from lianban.review.models import SupplementRequest
from tests.api.world import World, build_world
from tests.cases.kit import USCC, USCC_OTHER, FrozenClock, People, make_user

pytestmark = pytest.mark.django_db

ROLES = (
    "anonymous",
    "applicant",
    "other_applicant",
    "clerk",
    "other_clerk",
    "reviewer",
    "other_reviewer",
    "supervisor",
    "catalog_admin",
    "security_admin",
)

#: A form POST no view accepts: wrong types, bad choices, a missing file, overlong text.
INVALID = {
    "reason": "",
    "note": "",
    "method": "NOPE",
    "reference": "x" * 5000,
    "licence_number": "",
    "valid_until": "not-a-date",
    "mode": "nonsense",
    "file": "not-a-file",
    "idempotency_key": "not-a-key",
    "applicant": "abc",
    "thing": "",
    "answers": "[",
    "checks": "{",
    "form": "[",
}


@dataclass
class Journey:
    """The world, its users by role, and the secrets of each side."""

    world: World
    users: dict[str, User | None]
    secrets: dict[str, dict[str, str]]  # side → marker → what it is
    reviewer_allowed: set[str]  # markers of A the SCJG reviewer may see


def _mark(case: Case, side: str) -> dict[str, str]:
    """Give the case recognisable form values, material and file names; the markers and what each is."""
    secrets: dict[str, str] = {}
    form = dict(case.form)
    for index, key in enumerate(sorted(form)):
        if isinstance(form[key], str):
            form[key] = f"Zq{side}F{index:03d}q"
            secrets[form[key]] = f"form field {key}"
    Case.objects.filter(pk=case.pk).update(form=form)
    for material in CaseMaterial.objects.filter(case=case):
        name = f"Zq{side}M{material.code}q"
        CaseMaterial.objects.filter(pk=material.pk).update(name=name)
        secrets[name] = f"material name {material.code}"
        if material.file:
            original = f"Zq{side}O{material.code}q.pdf"
            CaseMaterial.objects.filter(pk=material.pk).update(original_name=original)
            secrets[original] = f"file name {material.code}"
    applicant = case.applicant
    secrets[applicant.id_number] = "applicant identity number"
    secrets[applicant.contact_phone] = "applicant phone"
    if applicant.address:
        secrets[applicant.address] = "applicant address"
    return secrets


def _reviewer_allowed(case: Case, item: ItemCase, secrets: dict[str, str]) -> set[str]:
    """A's markers the reviewer of ``item`` may see: its form fields and its materials.

    The applicant's identity number reaches the reviewer masked only (docs/security.md), so it is no
    marker the reviewer must receive.
    """
    fields = set(Item.objects.get(code=item.item_code).form_fields)
    needed = {m.code for m in CaseMaterial.objects.filter(case=case) if item.item_code in m.needed_by}
    allowed: set[str] = set()
    for marker, what in secrets.items():
        kind, _, name = what.rpartition(" ")
        if (kind == "form field" and name in fields) or (kind in ("material name", "file name") and name in needed):
            allowed.add(marker)
    return allowed


def build_journey(people: People, clock: FrozenClock) -> Journey:
    """The supplement-stage world with markers, drafts for both applicants, and the two administrators."""
    world = build_world(people, clock, "supplement")
    assert people.applicant.address and people.applicant.id_number == USCC
    assert people.other_applicant.id_number == USCC_OTHER
    secrets = {"own": _mark(world.own, "A"), "other": _mark(world.other, "B")}
    for side, user, applicant, case in (
        ("own", people.applicant_user, people.applicant, world.own),
        ("other", people.other_user, people.other_applicant, world.other),
    ):
        form = {key: f"Zq{side}D{index:03d}q" for index, key in enumerate(sorted(case.form))}
        draft = Draft.objects.create(
            user=user, applicant=applicant, thing=case.thing, answers=case.answers, form=form, updated_at=clock.now()
        )
        world.objects[side]["draft"] = draft
        secrets[side].update({marker: f"draft form value {key}" for key, marker in form.items()})
    people.admin.is_staff = True
    people.admin.save()
    security = make_user("security", Role.SECURITY)
    security.is_staff = True
    security.save()
    users: dict[str, User | None] = {
        "anonymous": None,
        "applicant": people.applicant_user,
        "other_applicant": people.other_user,
        "clerk": people.clerk,
        "other_clerk": people.other_clerk,
        "reviewer": people.reviewer("SCJG"),
        "other_reviewer": people.reviewer("GA"),
        "supervisor": people.supervisor,
        "catalog_admin": people.admin,
        "security_admin": security,
    }
    gssl = world.objects["own"]["item"]
    assert gssl.item_code == "SCJG-GSSL"
    assert ItemCase.objects.get(pk=gssl.pk).state == "SUPPLEMENT"
    assert not ItemCase.objects.filter(case=world.own, department__code="GA").exclude(state="WAITING").exists()
    allowed = _reviewer_allowed(world.own, gssl, secrets["own"])
    return Journey(world, users, secrets, allowed)


def forbidden(journey: Journey, role: str, view_name: str) -> dict[str, str]:
    """The markers ``role`` must never receive from the route ``view_name``."""
    own, other = journey.secrets["own"], journey.secrets["other"]
    staff_route = view_name.startswith(("workbench:", "admin:"))
    if role in ("anonymous", "catalog_admin", "security_admin", "other_clerk", "other_reviewer"):
        return {**own, **other}
    if role == "applicant":
        return {**own, **other} if staff_route else dict(other)
    if role == "other_applicant":
        return {**own, **other} if staff_route else dict(own)
    if role == "clerk":
        return dict(other)
    if role == "reviewer":
        return {**other, **{m: w for m, w in own.items() if m not in journey.reviewer_allowed}}
    assert role == "supervisor"
    return {}


# ------------------------------------------------------------------ the URL patterns


@dataclass(frozen=True)
class Pattern:
    """One URL pattern: its view name, route with ``<converter:name>`` parts, and view callback."""

    name: str
    route: str
    callback: Any


def url_patterns() -> list[Pattern]:
    """Every URL pattern of the project, with its namespaced view name."""
    found: list[Pattern] = []

    def walk(patterns: list[Any], prefix: str, namespace: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, route, inner)
                continue
            assert isinstance(pattern, URLPattern)
            found.append(Pattern(f"{namespace}{pattern.name or ''}", route, pattern.callback))

    walk(get_resolver().url_patterns, "", "")
    return found


_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")


def _admin_object(route: str, objects: dict[str, Any], users: dict[str, User | None]) -> str:
    """The object of an admin change page: the side's case, applicant, a user; others the first row."""
    table = {
        "cases/case/": objects["case"].pk,
        "accounts/applicant/": objects["applicant"].pk,
        "accounts/user/": users["clerk"].pk if users["clerk"] else 1,
        "cases/itemcase/": objects["item"].pk,
    }
    return str(next((pk for prefix, pk in table.items() if prefix in route), 1))


def fill(pattern: Pattern, objects: dict[str, Any], users: dict[str, User | None]) -> str | None:
    """The path of ``pattern`` with the side's objects, or None for a regex route we do not fill."""
    route = pattern.route
    if route.startswith("^") or "(?P<" in route:
        route = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"<\1>", route).lstrip("^").rstrip("$")
    case, item = objects["case"], objects["item"]
    supplement = SupplementRequest.objects.filter(item_case=item).first()

    def value(match: re.Match[str]) -> str:
        name = match.group(2)
        if name == "case_id":
            return str(case.pk)
        if name in ("item_id", "item_case_id"):
            return str(item.pk)
        if name == "draft_id":
            return str(objects["draft"].pk)
        if name == "applicant_id":
            return str(objects["applicant"].pk)
        if name == "licence_id":
            return str(objects["licence"].pk if objects["licence"] else 0)
        if name == "supplement_id":
            return str(supplement.pk if supplement else 0)
        if name == "number":
            return "1"
        if name in ("code", "material"):
            if pattern.name in ("track", "portal:track_code"):
                return case.code_for_people
            if "material" in route or name == "material":
                return str(objects["material"])
            return case.thing.code
        if name == "object_id":
            return _admin_object(route, objects, users)
        if name == "app_label":
            return "cases"
        return "1"

    return "/" + _PARAM.sub(value, route)


# ------------------------------------------------------------------ calling


class _Rollback(Exception):
    pass


def _isolated(call: Any) -> Any:
    try:
        with transaction.atomic():
            raise _Rollback(call())
    except _Rollback as done:
        return done.args[0]


def _client(user: User | None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    if user is not None:
        client.force_login(user)
    return client


def _calls(path: str) -> Iterator[tuple[str, dict[str, Any] | None]]:
    yield "GET", None
    yield "POST", {}
    yield "POST", INVALID


@dataclass(frozen=True)
class Leak:
    role: str
    method: str
    path: str
    status: int
    what: str


@dataclass
class Walked:
    """What a walk found: the leaks, the number of requests, the markers each role received."""

    leaks: list[Leak]
    requests: int
    seen: dict[str, set[str]]


def walk(journey: Journey, *, names: set[str] | None = None) -> Walked:
    """Call every pattern (or those named) as every role: the leaks, requests and markers received."""
    leaks: list[Leak] = []
    requests = 0
    every = {**journey.secrets["own"], **journey.secrets["other"]}
    seen: dict[str, set[str]] = {role: set() for role in ROLES}
    clients = {role: _client(user) for role, user in journey.users.items()}
    # each request starts from the signed-in cookies: a walked logout or language switch must not carry over
    cookies = {role: copy.deepcopy(client.cookies) for role, client in clients.items()}
    for pattern in url_patterns():
        if names is not None and pattern.name not in names:
            continue
        sides = ("own", "other") if _PARAM.search(pattern.route) or "(?P<" in pattern.route else ("own",)
        for side in sides:
            path = fill(pattern, journey.world.objects[side], journey.users)
            if path is None:
                continue
            for role in ROLES:
                secrets = forbidden(journey, role, pattern.name)
                side_all = journey.secrets[side]
                for method, body in _calls(path):
                    client = clients[role]
                    client.cookies = copy.deepcopy(cookies[role])
                    response = _isolated(
                        lambda client=client, method=method, body=body, path=path: (
                            client.get(path) if method == "GET" else client.post(path, body)
                        )
                    )
                    requests += 1
                    streaming = getattr(response, "streaming", False)
                    # a streamed file is read to its end, which closes it the test client's way
                    content = b"".join(response.streaming_content) if streaming else response.content
                    kind = response.get("Content-Type", "")
                    is_file = streaming or kind.startswith(("application/pdf", "application/octet-stream", "image/"))
                    if is_file and response.status_code < 300 and all(m in secrets for m in side_all):
                        leaks.append(Leak(role, method, path, response.status_code, "a file or PDF of the case"))
                    text = content.decode("utf-8", "replace")
                    seen[role].update(marker for marker in every if marker in text)
                    for marker, what in secrets.items():
                        if marker in text:
                            leaks.append(Leak(role, method, path, response.status_code, what))
                    if response.status_code >= 500:
                        leaks.append(Leak(role, method, path, response.status_code, "a server error"))
    return Walked(leaks, requests, seen)


def test_every_route_has_a_rule() -> None:
    names = {p.name for p in url_patterns()}
    missing = sorted(n for n in names if access.route_for(n) is None)
    assert missing == [], "routes without an access rule (they answer 403 to everyone)"
    assert sorted(set(access.ROUTES) - names) == [], "rules for routes that do not exist"


def test_api_views_use_the_rule_or_are_public() -> None:
    for pattern in url_patterns():
        view = getattr(pattern.callback, "cls", None)
        classes = getattr(view, "permission_classes", None)
        if classes is None:
            continue
        route = access.route_for(pattern.name)
        assert route is not None, pattern.name
        assert access.RoutePermission in classes or all(route.for_method(m).public for m in ("GET", "POST")), (
            f"{pattern.name} skips the access rule"
        )


def test_no_route_leaks_to_a_role_that_may_not_see(people: People, clock: FrozenClock) -> None:
    journey = build_journey(people, clock)
    walked = walk(journey)
    assert walked.requests > 3000
    assert walked.leaks == []
    # the walk reaches the data: each role receives what it may see somewhere
    own, other, seen = journey.secrets["own"], journey.secrets["other"], walked.seen
    case_markers = {m for m, w in {**own, **other}.items() if not w.startswith("draft")}
    missed = case_markers - seen["supervisor"] - seen["applicant"] - seen["other_applicant"]
    assert not missed, sorted(missed)
    assert any(w.startswith("draft") for m, w in own.items() if m in seen["applicant"])
    assert {m for m, w in own.items() if w in ("applicant phone", "applicant address")} <= seen["clerk"]
    assert {m for m, w in own.items() if w.startswith("form field")} <= seen["clerk"]
    assert {m for m, w in own.items() if w.startswith("form field")} <= seen["applicant"]
    allowed = journey.reviewer_allowed
    assert any(own[m].startswith("form field") for m in allowed), "the item reads no text field"
    assert any(own[m].startswith("material name") for m in allowed)
    assert allowed <= seen["reviewer"]
    assert not seen["other_reviewer"] and not seen["catalog_admin"] and not seen["security_admin"]


def test_the_walk_catches_the_old_check(people: People, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch) -> None:
    """The old rule of the window's forms (any signed-in user who may see the case) leaks the window page."""
    journey = build_journey(people, clock)
    monkeypatch.setitem(access.ROUTES, "workbench:case_refuse", access.only(*access.EVERYONE))
    leaks = walk(journey, names={"workbench:case_refuse"}).leaks
    roles = {leak.role for leak in leaks}
    assert {"applicant", "reviewer"} <= roles, leaks
    assert any(leak.what == "applicant phone" and leak.status == 400 for leak in leaks)
