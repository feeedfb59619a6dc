"""Helpers of the API tests: a client per user, and the steps of a case through the API only."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from rest_framework.test import APIClient

from lianban.accounts.models import User
from lianban.demo.cases import sample_form
from tests.cases.kit import People, pdf


class Api:
    """An API client signed in as one user (or anonymous), answering parsed JSON."""

    def __init__(self, user: User | None = None) -> None:
        self.user = user
        self.client = APIClient(HTTP_ACCEPT_LANGUAGE="en")  # messages are the msgids, whatever is translated
        if user is not None:
            self.client.force_authenticate(user)

    def call(self, method: str, path: str, data: Any = None, *, key: str | None = None, multipart: bool = False) -> Any:
        """The raw response of one request."""
        headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
        if method == "GET":
            return self.client.get(path, data, **headers)
        return self.client.generic(
            method,
            path,
            **self._encode(data, multipart),
            **headers,
        )

    def _encode(self, data: Any, multipart: bool) -> dict[str, Any]:
        if multipart:
            from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

            return {"data": encode_multipart(BOUNDARY, data or {}), "content_type": MULTIPART_CONTENT}
        import json

        return {"data": json.dumps(data if data is not None else {}), "content_type": "application/json"}

    def get(self, path: str, params: dict[str, Any] | None = None, *, expect: int = 200) -> Any:
        response = self.call("GET", path, params)
        assert response.status_code == expect, (path, response.status_code, response.content[:500])
        return response.json()

    def post(
        self,
        path: str,
        data: Any = None,
        *,
        expect: int = 200,
        key: str | None = None,
        multipart: bool = False,
    ) -> Any:
        response = self.call("POST", path, data, key=key, multipart=multipart)
        assert response.status_code == expect, (path, response.status_code, response.content[:800])
        return response.json()


def results(page: dict[str, Any]) -> list[dict[str, Any]]:
    """The rows of a paginated list (asserting it was the only page)."""
    assert page["next"] is None and page["previous"] is None, page
    return page["results"]


def every_row(api: Any, path: str) -> list[dict[str, Any]]:
    """The rows of every page of a paginated list, following its ``next`` links."""
    page = api.get(path)
    rows = list(page["results"])
    while page["next"]:
        parts = urlsplit(page["next"])
        page = api.get(f"{parts.path}?{parts.query}")
        rows.extend(page["results"])
    return rows


def by_code(rows: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Rows keyed by their ``code``."""
    return {row["code"]: row for row in rows}


def form_for(plan: dict[str, Any]) -> dict[str, str | int | bool]:
    """A complete merged form for a plan returned by ``/api/things/{code}/plan``, with plausible values."""
    return sample_form(plan["fields"])


def submit_through_api(
    people: People,
    *,
    thing: str = "KJD",
    answers: dict[str, Any],
    skip: Iterable[str] = (),
    user: User | None = None,
    applicant_id: int | None = None,
) -> dict[str, Any]:
    """Plan, submit and upload every material to submit (but ``skip``) through the API; the case as answered."""
    plan = Api().post(f"/api/things/{thing}/plan", {"answers": answers})
    api = Api(user or people.applicant_user)
    case = api.post(
        "/api/cases/",
        {
            "applicant": applicant_id or people.applicant.pk,
            "thing": thing,
            "answers": answers,
            "form": form_for(plan),
        },
        expect=201,
    )
    for material in case["materials"]:
        if material["provenance"] == "submit" and material["code"] not in set(skip):
            api.post(
                f"/api/cases/{case['id']}/materials/{material['code']}",
                {"file": pdf(f"{material['code']}.pdf")},
                multipart=True,
            )
    return api.get(f"/api/cases/{case['id']}")


def check_all_through_api(clerk: User, case: dict[str, Any], verdicts: dict[str, tuple[str, str]] | None = None) -> Any:
    """The clerk checks every material to submit (OK unless ``verdicts`` says otherwise) in one request."""
    checks = []
    for material in case["materials"]:
        if material["provenance"] != "submit":
            continue
        result, reason = (verdicts or {}).get(material["code"], ("OK", ""))
        checks.append({"material": material["code"], "result": result, "reason": reason})
    return Api(clerk).post(f"/api/cases/{case['id']}/checks", {"checks": checks})


def items_of(api: Api, case_id: int) -> dict[str, dict[str, Any]]:
    """The case's item cases by item code, as ``api``'s user sees the case."""
    return by_code(api.get(f"/api/cases/{case_id}")["items"])


def decide_through_api(people: People, case_id: int, code: str, *, approve: bool = True, number: str = "") -> Any:
    """The item's department accepts (if needed) and approves or rejects it, through the API."""
    supervisor = Api(people.supervisor)
    item = items_of(supervisor, case_id)[code]
    reviewer = Api(people.reviewer(item["department"]["code"]))
    if item["state"] == "DISPATCHED":
        reviewer.post(f"/api/item-cases/{item['id']}/accept")
    if approve:
        return reviewer.post(
            f"/api/item-cases/{item['id']}/approve", {"licence_number": number or f"N-{code}", "valid_until": None}
        )
    return reviewer.post(f"/api/item-cases/{item['id']}/reject", {"reason": "不符合条件"})
