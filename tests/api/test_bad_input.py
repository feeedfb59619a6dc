"""Bad input never answers 500: NUL bytes, lone surrogates, huge numbers, deep JSON, huge strings and lists.

Runs on SQLite and on PostgreSQL (``DATABASE_URL``): PostgreSQL refuses NUL
in text, SQLite stores lone surrogates that no later read can encode; both are
refused at the door with 400, and nothing is stored.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from django.test import Client

import pytest
from rest_framework.test import APIClient

from lianban.cases.models import Case
from lianban.core.planner import MAX_NUMBER
from tests.api.kit import Api, form_for
from tests.cases.kit import HOTEL, People

pytestmark = pytest.mark.django_db

NUL, SURROGATE = "\x00", "\ud800"


def _json(client: APIClient, path: str, body: str | bytes, **extra: Any) -> Any:
    return client.generic("POST", path, body, content_type="application/json", **extra)


def _submission(people: People, **overrides: Any) -> dict[str, Any]:
    plan = Api().post("/api/things/KJD/plan", {"answers": HOTEL})
    return {"applicant": people.applicant.pk, "thing": "KJD", "answers": HOTEL, "form": form_for(plan)} | overrides


# ------------------------------------------------------------------ NUL and surrogates


@pytest.mark.parametrize("bad", [NUL, SURROGATE])
def test_a_bad_character_in_a_form_value_of_the_api_is_refused_and_nothing_is_stored(people: People, bad: str) -> None:
    data = _submission(people)
    key = next(iter(data["form"]))
    data["form"][key] = f"武汉{bad}酒店"
    client = APIClient()
    client.force_authenticate(people.applicant_user)
    response = _json(client, "/api/cases/", json.dumps(data))
    assert response.status_code == 400, response.content
    assert Case.objects.count() == 0


@pytest.mark.parametrize("bad", [NUL, SURROGATE])
def test_a_bad_character_in_a_json_key_is_refused(people: People, bad: str) -> None:
    data = _submission(people)
    data["answers"] = {**HOTEL, f"area{bad}": 1}
    client = APIClient()
    client.force_authenticate(people.applicant_user)
    assert _json(client, "/api/cases/", json.dumps(data)).status_code == 400
    assert Case.objects.count() == 0


@pytest.mark.parametrize(
    "path",
    [
        "/track/AB%00CD/",
        "/guide/KJD%00/",
        "/api/track/AB%00CD",
        "/api/things/KJD%00",
        "/guide/KJD/?area=1%00",
        "/search/?q=%00",
        "/api/cases/?thing=%00",
    ],
)
def test_nul_in_the_path_or_the_query_answers_400(people: People, path: str) -> None:
    client = Client()
    client.force_login(people.applicant_user)
    assert client.get(path).status_code == 400


def test_nul_in_a_page_form_field_answers_400_and_stores_nothing(people: People) -> None:
    client = Client()
    client.force_login(people.applicant_user)
    response = client.post(
        "/apply/KJD/",
        {"applicant": "new", "new-name": "x\x00y", "new-id_number": "1", "answer-area": "600"},
    )
    assert response.status_code == 400
    assert "不允许" in response.content.decode() or "not allowed" in response.content.decode()


def test_nul_in_a_form_field_name_answers_400(people: People) -> None:
    client = Client()
    client.force_login(people.applicant_user)
    assert client.post("/apply/KJD/", {"answer-area\x00": "600"}).status_code == 400


def test_nul_in_a_multipart_field_of_the_api_answers_400(people: People) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("a.pdf", b"%PDF-1.4", content_type="application/pdf")
    response = Api(people.applicant_user).call(
        "POST", "/api/item-cases/1/supply", {"note": "a\x00b", "file": upload}, multipart=True
    )
    assert response.status_code == 400
    assert response.json()["code"] == "input-refused"


@pytest.mark.parametrize("header", ["HTTP_X_ANYTHING", "HTTP_COOKIE", "HTTP_ACCEPT_LANGUAGE"])
def test_nul_in_a_header_answers_400(people: People, header: str) -> None:
    value = "sessionid=abcdefgh\x00ijkl" if header == "HTTP_COOKIE" else "zh\x00"
    assert Client().get("/", **{header: value}).status_code == 400


@pytest.mark.parametrize("name", ["boss\x00", "boss\x00:x"])
def test_nul_in_a_basic_auth_user_name_answers_400(people: People, name: str) -> None:
    token = base64.b64encode(f"{name}:x".encode()).decode()
    response = APIClient().get("/api/cases/", HTTP_AUTHORIZATION=f"Basic {token}")
    assert response.status_code == 400
    assert response.json()["code"] == "input-refused"


def test_a_clean_request_goes_through(people: People) -> None:
    token = base64.b64encode(b"boss:x").decode()
    assert APIClient().get("/api/cases/", HTTP_AUTHORIZATION=f"Basic {token}").status_code == 200


# ------------------------------------------------------------------ numbers


@pytest.mark.parametrize("text", ["1e400", "-1e400", "1e999999999", "9" * 400, "1e16"])
def test_a_huge_number_in_the_guide_is_a_form_error_naming_the_question(
    catalog: None, english: None, text: str
) -> None:
    response = Client().get(f"/guide/KFG/?area={text}", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    body = response.content.decode()
    assert "too large" in body
    assert "经营场所建筑面积" in body  # the question is named


@pytest.mark.parametrize("text", ["NaN", "inf", "-Infinity", "abc"])
def test_nan_and_inf_in_the_guide_are_form_errors(catalog: None, english: None, text: str) -> None:
    response = Client().get(f"/guide/KFG/?area={text}", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "must be a number" in response.content.decode()


@pytest.mark.parametrize(
    "area", ["1e400", "NaN", "Infinity", "-Infinity", "1" + "0" * 400, "1" + "0" * 5000, str(int(MAX_NUMBER) * 10)]
)
def test_huge_numbers_in_the_planning_api_answer_400(catalog: None, area: str) -> None:
    body = '{"answers": {"area": ' + area + ', "central_ac": true, "has_catering": false}}'
    response = _json(APIClient(), "/api/things/KJD/plan", body)
    assert response.status_code == 400, response.content


def test_a_bounded_number_still_plans(catalog: None) -> None:
    response = _json(APIClient(), "/api/things/KJD/plan", json.dumps({"answers": {**HOTEL, "area": 10**14}}))
    assert response.status_code == 200


# ------------------------------------------------------------------ JSON depth and size


@pytest.mark.parametrize("depth", [25, 5000, 100_000])
def test_deeply_nested_json_answers_400(catalog: None, depth: int) -> None:
    body = '{"answers": ' + "[" * depth + "]" * depth + "}"
    response = _json(APIClient(), "/api/things/KJD/plan", body)
    assert response.status_code == 400
    assert "嵌套" in response.json()["message"]


def test_a_huge_json_body_answers_400(catalog: None) -> None:
    body = json.dumps({"answers": {"area": 600, "x": "a" * 600_000}})
    assert _json(APIClient(), "/api/things/KJD/plan", body).status_code == 400


def test_brackets_inside_strings_do_not_count_as_depth(catalog: None) -> None:
    body = json.dumps({"answers": HOTEL, "licences": ["[" * 50]})
    assert _json(APIClient(), "/api/things/KJD/plan", body).status_code == 200


# ------------------------------------------------------------------ lengths and lists


def test_a_huge_form_value_through_the_api_answers_400(people: People) -> None:
    data = _submission(people)
    key = next(iter(data["form"]))
    data["form"][key] = "长" * 5000
    api = Api(people.applicant_user)
    body = api.post("/api/cases/", data, expect=400)
    assert any(key in field for field in body["fields"]["form"]) or body["fields"]
    assert Case.objects.count() == 0


def test_nested_values_in_the_form_answer_400(people: People) -> None:
    data = _submission(people)
    key = next(iter(data["form"]))
    data["form"][key] = {"a": [1, 2]}
    Api(people.applicant_user).post("/api/cases/", data, expect=400)


def test_a_huge_code_answers_400(people: People) -> None:
    Api(people.applicant_user).post("/api/cases/", _submission(people, thing="K" * 10_000), expect=400)


def test_a_huge_applicant_id_answers_400(people: People) -> None:
    Api(people.applicant_user).post("/api/cases/", _submission(people, applicant=10**30), expect=400)


def test_too_many_form_entries_answer_400(people: People) -> None:
    data = _submission(people)
    data["form"] = {f"k{n}": "v" for n in range(500)}
    Api(people.applicant_user).post("/api/cases/", data, expect=400)


def test_a_huge_list_of_checks_answers_400(people: People) -> None:
    case = Api(people.applicant_user).post("/api/cases/", _submission(people), expect=201)
    checks = [{"material": "X", "result": "OK"}] * 20_000
    Api(people.clerk).post(f"/api/cases/{case['id']}/checks", {"checks": checks}, expect=400)


def test_repeated_checks_count_once(people: People) -> None:
    from lianban.cases.models import CaseEvent

    case = Api(people.applicant_user).post("/api/cases/", _submission(people), expect=201)
    code = next(m["code"] for m in case["materials"] if m["provenance"] == "submit")
    before = CaseEvent.objects.filter(case_id=case["id"]).count()
    checks = [{"material": code, "result": "MISSING", "reason": "缺"}] * 150 + [{"material": code, "result": "OK"}]
    round_ = Api(people.clerk).post(f"/api/cases/{case['id']}/checks", {"checks": checks})
    assert [c["result"] for c in round_["checks"] if c["material"] == code] == ["OK"]
    assert CaseEvent.objects.filter(case_id=case["id"]).count() - before <= 1


def test_a_huge_list_of_licences_in_planning_answers_400(catalog: None) -> None:
    body = json.dumps({"answers": HOTEL, "licences": ["X"] * 1000})
    assert _json(APIClient(), "/api/things/KJD/plan", body).status_code == 400


def test_a_unicode_digit_as_the_applicant_choice_is_not_a_500(people: People) -> None:
    client = Client()
    client.force_login(people.applicant_user)
    response = client.post("/apply/KJD/", {"applicant": "²", "answer-area": "600"})
    assert response.status_code == 400
