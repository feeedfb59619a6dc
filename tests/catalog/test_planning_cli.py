"""``lianban plan`` (single and batch) agrees with the API."""

from __future__ import annotations

import io
import json

from django.core.management import call_command

import pytest
from rest_framework.test import APIClient

from lianban.catalog.services import catalog_import
from lianban.demo.services import demo_catalog_files

pytestmark = pytest.mark.django_db

HOTEL = {"area": 600, "central_ac": True, "has_catering": True}


@pytest.fixture(autouse=True)
def catalog():
    catalog_import(files=demo_catalog_files())


def cli(*args: str, stdin: str = "") -> tuple[str, str, int]:
    import sys

    out, err = io.StringIO(), io.StringIO()
    old = sys.stdout, sys.stdin, sys.stderr
    sys.stdout, sys.stdin, sys.stderr = out, io.StringIO(stdin), err
    code = 0
    try:
        call_command("plan", *args, stderr=err)
    except SystemExit as exc:
        code = int(exc.code or 0)
    finally:
        sys.stdout, sys.stdin, sys.stderr = old
    return out.getvalue(), err.getvalue(), code


def test_the_command_line_and_the_api_return_the_same_plan():
    out, _, code = cli("KJD", "--answers", json.dumps(HOTEL), "--licences", "SFZ,GDZG")
    assert code == 0
    response = APIClient().post("/api/things/KJD/plan", {"answers": HOTEL, "licences": ["SFZ", "GDZG"]}, format="json")
    assert response.status_code == 200
    assert json.loads(out) == response.json()
    assert {m["code"]: m["provenance"] for m in response.json()["materials"]}["SFZ"] == "licence"


def test_bad_answers_name_each_question_and_exit_non_zero():
    _, err, code = cli("KJD", "--answers", '{"area": "big", "extra": 1}')
    assert code == 2
    assert "answer area: 经营场所建筑面积(平方米) must be a number." in err
    assert "answer extra: extra is not a question of this guide." in err
    assert "answer central_ac: Please answer 是否使用集中空调通风系统." in err


def test_batch_writes_one_line_per_input_line_in_order_without_stopping():
    lines = [
        json.dumps({"thing": "KFG", "answers": {"area": 100}}),
        "",
        "{not json",
        json.dumps({"thing": "NOPE", "answers": {}}),
        json.dumps({"thing": "KFG", "answers": {"area": -5}}),
        json.dumps(["KFG"]),
        json.dumps({"thing": "KJD", "answers": HOTEL, "licences": ["SFZ"]}),
        json.dumps({"thing": "KFG", "answers": {"area": 100}, "extra": 1}),
    ]
    out, _, code = cli("--batch", "-", stdin="\n".join(lines) + "\n")
    assert code == 0
    results = [json.loads(line) for line in out.splitlines()]
    assert len(results) == len(lines)
    assert results[0]["thing"] == "KFG" and results[0]["plan_days"] == 6
    assert results[1] == {"error": "empty line"}
    assert "not valid JSON" in results[2]["error"]
    assert "no one-thing with the code NOPE" in results[3]["error"]
    assert "area: 经营场所建筑面积(平方米) must be at least 0." in results[4]["error"]
    assert "must be an object" in results[5]["error"]
    assert results[6]["thing"] == "KJD"
    assert "unknown key" in results[7]["error"]
    single, _, _ = cli("KJD", "--answers", json.dumps(HOTEL), "--licences", "SFZ")
    assert results[6] == json.loads(single)


def test_batch_of_ten_thousand_lines_with_bad_ones(tmp_path):
    path = tmp_path / "batch.jsonl"
    good = json.dumps({"thing": "KFG", "answers": {"area": 450}})
    bad = json.dumps({"thing": "KFG", "answers": {"area": "x"}})
    path.write_text("\n".join(bad if i % 10 == 3 else good for i in range(10_000)) + "\n", encoding="utf-8")
    out, _, code = cli("--batch", str(path))
    lines = out.splitlines()
    assert code == 0 and len(lines) == 10_000
    assert sum('"error"' in line for line in lines) == 1_000
    assert json.loads(lines[3]) == {"error": "invalid answers: area: 经营场所建筑面积(平方米) must be a number."}
    assert json.loads(lines[4])["stages"] == [["SCJG-GSSL"], ["SCJG-SPJY", "ZJ-XFBA", "STHJ-HPBA"], ["XF-JCXK"]]


def test_an_unknown_thing_is_a_clear_error():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no one-thing with the code NOPE"):
        call_command("plan", "NOPE")
