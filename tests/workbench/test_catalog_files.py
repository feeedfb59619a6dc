"""Catalog files from the page: the command line's problem report, all or nothing, export."""

from __future__ import annotations

import io
import json
import re
from html import unescape
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import translation

import pytest
import yaml

from lianban.catalog.selectors import catalog_revision
from lianban.catalog.services import CatalogFile, catalog_check
from lianban.catalog.wording import problem_line
from tests.cases.kit import EXTRA_CATALOG

pytestmark = pytest.mark.django_db

BAD = Path(__file__).resolve().parents[1] / "catalog" / "bad"
BROKEN = """\
format: lianban-catalog/1
items:
  - code: WJ-NEW
    name: 新事项
    department: NOPE
    legal_days: 5
    promised_days: 9
    materials:
      - {material: UNKNOWN-MATERIAL}
"""


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/yaml")


def report(html: str) -> list[str]:
    """The problem lines the page lists."""
    if "data-problems" not in html:
        return []
    block = html[html.index("data-problems") : html.index("</ol>", html.index("data-problems"))]
    return [unescape(line) for line in re.findall(r"<li>(.*?)</li>", block, re.S)]


@pytest.fixture
def admin(people, signed_in):
    return signed_in(people.admin)


def post_broken(admin, **headers):
    files = [upload("good.yaml", EXTRA_CATALOG.encode()), upload("broken.yaml", BROKEN.encode())]
    return admin.post("/work/catalog/", {"mode": "import", "files": files}, **headers)


def test_a_bad_file_shows_every_problem_in_chinese_and_imports_nothing(admin):
    before = catalog_revision()
    response = post_broken(admin)
    assert response.status_code == 400
    html = response.content.decode()
    assert report(html) == [
        "broken.yaml:5：事项 WJ-NEW：department：未知的部门 'NOPE'",
        "broken.yaml:7：事项 WJ-NEW：promised_days：承诺时限 9 天不得超过法定时限 5 天",
        "broken.yaml:9：事项 WJ-NEW：materials[0].material：未知的材料 'UNKNOWN-MATERIAL'",
    ]
    assert "未导入任何内容。" in html
    assert catalog_revision() == before


def test_in_english_a_bad_file_shows_every_problem_like_the_command_line(admin, tmp_path):
    response = post_broken(admin, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    html = response.content.decode()
    lines = report(html)
    expected = [
        str(p)
        for p in catalog_check(
            files=[CatalogFile("good.yaml", EXTRA_CATALOG.encode()), CatalogFile("broken.yaml", BROKEN.encode())]
        )
    ]
    assert lines == expected and len(lines) >= 3
    assert all(re.match(r"^broken\.yaml:\d+: ", line) for line in lines)
    assert "promised_days: 9 must not exceed legal_days 5" in lines[1]

    # the command line says the same, line for line
    (tmp_path / "good.yaml").write_text(EXTRA_CATALOG, encoding="utf-8")
    (tmp_path / "broken.yaml").write_text(BROKEN, encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("catalog", "import", str(tmp_path / "good.yaml"), str(tmp_path / "broken.yaml"), stderr=err)
    cli = [line.replace(str(tmp_path) + "/", "") for line in err.getvalue().splitlines()[:-1]]
    assert cli == lines


@pytest.mark.parametrize("path", sorted(BAD.glob("*.yaml"))[:6], ids=lambda p: p.name)
def test_each_rejected_file_of_the_catalog_tests_is_reported(admin, path):
    response = admin.post("/work/catalog/", {"mode": "validate", "files": [upload(path.name, path.read_bytes())]})
    lines = report(response.content.decode())
    problems = catalog_check(files=[CatalogFile(path.name, path.read_bytes())])
    assert lines, path.name
    with translation.override("zh-hans"):
        assert lines == [problem_line(p) for p in problems]
    assert all(
        problem.message not in line and re.search("[\u4e00-\u9fff]", line)
        for problem, line in zip(problems, lines, strict=True)
    )
    assert "这些文件不能导入。" in response.content.decode()
    english = admin.post(
        "/work/catalog/",
        {"mode": "validate", "files": [upload(path.name, path.read_bytes())]},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert report(english.content.decode()) == [str(p) for p in problems]


def test_validate_only_changes_nothing_and_import_imports(admin):
    before = catalog_revision()
    good = upload("extra.yaml", EXTRA_CATALOG.encode())
    response = admin.post("/work/catalog/", {"mode": "validate", "files": [good]}, follow=True)
    assert "1 个文件可以导入。" in response.content.decode()
    assert catalog_revision() == before

    same = upload("extra.yaml", EXTRA_CATALOG.encode())  # already imported by the fixture: nothing changes
    admin.post("/work/catalog/", {"mode": "import", "files": [same]}, follow=True)
    assert catalog_revision() == before

    new = upload(
        "new.yaml",
        "format: lianban-catalog/1\ndepartments:\n  - {code: NEWD, name: 新部门}\n".encode(),
    )
    response = admin.post("/work/catalog/", {"mode": "import", "files": [new]}, follow=True)
    assert catalog_revision() == before + 1
    html = response.content.decode()
    assert f"已导入 new.yaml：目录版本 {before + 1}。" in html
    assert "最近的导入" in html and "new.yaml" in html


def test_no_file_is_an_error_next_to_the_field(admin):
    response = admin.post("/work/catalog/", {"mode": "import"})
    assert response.status_code == 400
    assert (
        'aria-invalid="true"' in response.content.decode() and "请选择一个或多个目录文件" in response.content.decode()
    )


def test_export_as_yaml_and_json(admin):
    response = admin.get("/work/catalog/export/")
    assert response["Content-Disposition"] == 'attachment; filename="lianban-catalog.yaml"'
    exported = yaml.safe_load(response.content)
    assert exported["format"] == "lianban-catalog/1" and any(t["code"] == "KJD" for t in exported["things"])
    response = admin.get("/work/catalog/export/?format=json")
    assert response["Content-Type"].startswith("application/json")
    assert {t["code"] for t in json.loads(response.content)["things"]} >= {"KJD", "KFG", "KYD"}
    # what was exported imports again unchanged
    assert catalog_check(files=[CatalogFile("again.json", response.content)]) == []


@pytest.mark.parametrize("who", ["clerk", "supervisor", "applicant_user"])
def test_catalog_files_are_for_the_catalog_administrator(people, who, signed_in):
    client = signed_in(getattr(people, who))
    assert client.get("/work/catalog/").status_code == 403
    assert client.get("/work/catalog/export/").status_code == 403
    assert client.post("/work/catalog/", {"mode": "import"}).status_code == 403
