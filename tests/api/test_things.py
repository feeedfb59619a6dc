"""``/api/things/``: list, detail and plan, with errors per question."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from lianban.catalog.services import catalog_import
from lianban.demo.services import demo_catalog_files

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    catalog_import(files=demo_catalog_files())
    return APIClient()


def test_things_are_listed_for_anyone(api):
    response = api.get("/api/things/")
    assert response.status_code == 200
    assert [t["name"] for t in response.json()] == ["我要开饭馆", "我要开酒店、宾馆", "我要开药店"]
    assert response.json()[0]["lead_department"] == {"code": "SCJG", "name": "市场监督管理局"}


def test_a_thing_shows_its_questions_and_candidate_items(api):
    body = api.get("/api/things/KJD").json()
    assert [q["key"] for q in body["questions"]] == ["area", "central_ac", "has_catering"]
    assert body["questions"][0]["type"] == "number" and body["questions"][0]["min"] == 0
    items = {i["code"]: i for i in body["items"]}
    assert items["GA-TZHY"]["after"] == ["XF-JCXK"]
    assert items["SCJG-SPJY"]["when"] == "has_catering == true"
    assert items["WJ-GGWS"]["department"]["name"] == "卫生健康局"


def test_an_unknown_thing_is_404(api):
    assert api.get("/api/things/NOPE").status_code == 404
    response = api.post("/api/things/NOPE/plan", {"answers": {}}, format="json")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_the_plan_has_the_contract_shape(api):
    response = api.post("/api/things/KFG/plan", {"answers": {"area": 400}}, format="json")
    assert response.status_code == 200
    plan = response.json()
    for key in ("thing", "answers", "stages", "items", "materials", "fields", "serial_days", "plan_days", "reductions"):
        assert key in plan
    assert plan["stages"] == [["SCJG-GSSL"], ["SCJG-SPJY", "ZJ-XFBA", "STHJ-HPBA"], ["XF-JCXK"]]
    assert plan["items"][0] == {**plan["items"][0], "code": "SCJG-GSSL", "stage": 1, "department": "SCJG"}
    yyzz = next(m for m in plan["materials"] if m["code"] == "YYZZ")
    assert (yyzz["provenance"], yyzz["produced_by"]) == ("produced", "SCJG-GSSL")
    assert plan["explanations"][0]["question"] == "area"


def test_bad_answers_give_400_with_an_error_per_question(api):
    response = api.post(
        "/api/things/KJD/plan", {"answers": {"area": -1, "central_ac": "no", "colour": 1}}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "answers-invalid"
    assert set(body["fields"]) == {"area", "central_ac", "has_catering", "colour"}
    assert body["fields"]["area"][0] == "经营场所建筑面积(平方米)不能小于 0。"


def test_a_malformed_body_is_400(api):
    response = api.post("/api/things/KJD/plan", {"answers": "area=5"}, format="json")
    assert response.status_code == 400
    assert "answers" in response.json()["fields"]


def test_the_schema_documents_the_planning_endpoints(api):
    response = api.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert {"/api/things/", "/api/things/{code}", "/api/things/{code}/plan"} <= set(paths)
    plan_schema = response.json()["components"]["schemas"]["PlanOutput"]
    assert {"stages", "materials", "reductions", "explanations"} <= set(plan_schema["properties"])
