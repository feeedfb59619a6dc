"""The catalog in the Django admin: in Chinese, validated like an import.

Forms are posted the way a browser would: every field of the rendered page,
with the one the user changed.
"""

from __future__ import annotations

from html import unescape
from html.parser import HTMLParser
from typing import Any

from django.test import Client

import pytest

from lianban.accounts.models import Role, User
from lianban.catalog import models as m
from lianban.catalog.selectors import catalog_revision
from lianban.catalog.services import CatalogFile, catalog_import
from tests.catalog.conftest import catalog_state

pytestmark = pytest.mark.django_db


class _FormFields(HTMLParser):
    """The values a browser would submit for the admin's change form."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, Any] = {}
        self._select: str | None = None
        self._textarea: str | None = None
        self._in_form = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form" and a.get("id", "").endswith("_form"):
            self._in_form = True
        if not self._in_form:
            return
        name = a.get("name")
        if not name or "__prefix__" in name:
            if tag == "option" and self._select and "selected" in a:
                self.data[self._select] = a.get("value") or ""
            return
        if tag == "input":
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.data[name] = a.get("value") or "on"
            elif kind not in ("submit", "button", "file"):
                self.data[name] = a.get("value") or ""
        elif tag == "select":
            self._select = name
            self.data.setdefault(name, "")
        elif tag == "textarea":
            self._textarea = name
            self.data[name] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self._in_form = False

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.data[self._textarea] += data.removeprefix("\n") if not self.data[self._textarea] else data


def form_data(client: Client, url: str) -> dict[str, Any]:
    response = client.get(url)
    assert response.status_code == 200
    parser = _FormFields()
    parser.feed(response.content.decode())
    return parser.data


def inline_index(data: dict[str, Any], prefix: str, field: str, value: str) -> int:
    """The index of the inline row whose ``field`` has ``value``."""
    for key, found in data.items():
        if key.startswith(f"{prefix}-") and key.endswith(f"-{field}") and found == value:
            return int(key.split("-")[1])
    raise AssertionError(f"no {prefix} row with {field}={value}")


@pytest.fixture
def admin_client(demo_catalog) -> Client:
    """A catalog administrator: staff, no superuser; the role alone gives the catalog's permissions."""
    user = User.objects.create_user("cat", password="pw-for-tests-only", role=Role.ADMIN, is_staff=True)
    client = Client()
    client.force_login(user)
    return client


def thing_url(code: str) -> str:
    return f"/admin/catalog/thing/{m.Thing.objects.get(code=code).pk}/change/"


def item_url(code: str) -> str:
    return f"/admin/catalog/item/{m.Item.objects.get(code=code).pk}/change/"


def test_pages_are_in_chinese_with_our_names(admin_client):
    index = admin_client.get("/admin/").content.decode()
    assert "站点管理" in index  # Django's own admin, translated
    for name in ("部门", "材料", "事项", "一件事", "目录导入记录"):  # the catalog administrator sees no accounts
        assert name in index
    page = admin_client.get(thing_url("KFG")).content.decode()
    for label in ("修改 一件事", "情形问题", "候选事项", "牵头部门", "条件", "保存"):
        assert label in page
    assert "法定时限（工作日）" in admin_client.get(item_url("SCJG-GSSL")).content.decode()


def test_a_thing_with_a_bad_condition_is_refused_with_the_problem_shown_and_the_input_kept(admin_client, demo_catalog):
    url = thing_url("KFG")
    data = form_data(admin_client, url)
    item = str(m.Item.objects.get(code="ZJ-XFSJ").pk)
    row = inline_index(data, "entries", "item", item)
    data[f"entries-{row}-when"] = "area >= '500'"
    data["name"] = "我要开饭馆（改）"

    response = admin_client.post(url, data)

    assert response.status_code == 200  # the form again, not a redirect
    page = unescape(response.content.decode())
    assert (
        "一件事 KFG：items[2].when (ZJ-XFSJ)：条件 \"area >= '500'\"：字符串应使用双引号，而不是单引号（第 9 个字符处）"
        in page
    )
    assert "double quotes" not in page and "in condition" not in page
    assert "value=\"area >= '500'\"" in page  # what the user typed is still there
    assert "我要开饭馆（改）" in page
    assert catalog_state() == demo_catalog


def test_in_english_the_admin_shows_the_problem_as_the_command_line_words_it(admin_client, demo_catalog):
    url = thing_url("KFG")
    data = form_data(admin_client, url)
    row = inline_index(data, "entries", "item", str(m.Item.objects.get(code="ZJ-XFSJ").pk))
    data[f"entries-{row}-when"] = "area >= '500'"
    response = admin_client.post(url, data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    problem = (
        "thing KFG: items[2].when (ZJ-XFSJ): strings must be in double quotes, not single quotes (at 9)"
        " in condition \"area >= '500'\""
    )
    assert problem in unescape(response.content.decode())
    assert catalog_state() == demo_catalog


def test_an_item_whose_promised_days_exceed_its_legal_days_is_refused(admin_client, demo_catalog):
    url = item_url("SCJG-GSSL")
    data = form_data(admin_client, url)
    data["promised_days"] = "9"
    response = admin_client.post(url, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "承诺时限不得超过法定时限。" in page
    assert 'name="promised_days" value="9"' in page
    assert catalog_state() == demo_catalog


def test_after_naming_an_item_outside_the_thing_is_refused(admin_client, demo_catalog):
    url = thing_url("KFG")
    data = form_data(admin_client, url)
    row = inline_index(data, "entries", "item", str(m.Item.objects.get(code="SCJG-SPJY").pk))
    data[f"entries-{row}-after"] = "SCJG-GSSL, GA-TZHY"
    response = admin_client.post(url, data)
    assert response.status_code == 200
    page = unescape(response.content.decode())
    assert "一件事 KFG：items[1].after[1]：'GA-TZHY' 不是本一件事的事项" in page
    assert "is not an item" not in page
    assert "SCJG-GSSL, GA-TZHY" in page
    assert catalog_state() == demo_catalog


def test_a_cycle_made_in_the_admin_is_refused(admin_client, demo_catalog):
    url = thing_url("KFG")
    data = form_data(admin_client, url)
    row = inline_index(data, "entries", "item", str(m.Item.objects.get(code="SCJG-GSSL").pk))
    data[f"entries-{row}-after"] = "XF-JCXK"
    response = admin_client.post(url, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "一件事 KFG：items：无论如何回答，事项都会形成循环：SCJG-GSSL → XF-JCXK → SCJG-GSSL" in page
    assert "whatever the answers" not in page
    assert catalog_state() == demo_catalog
    english = admin_client.post(url, data, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "thing KFG: items: items form a cycle whatever the answers: SCJG-GSSL → XF-JCXK → SCJG-GSSL" in english


def test_deleting_a_material_still_needed_is_refused(admin_client, demo_catalog):
    url = f"/admin/catalog/material/{m.Material.objects.get(code='YYZZ').pk}/delete/"
    page = admin_client.get(url).content.decode()
    assert "受保护" in page or "protected" in page  # Django lists what still needs it
    response = admin_client.post(url, {"post": "yes"})
    assert response.status_code == 200
    assert catalog_state() == demo_catalog


SHARED = (
    b"format: lianban-catalog/1\n"
    b"items:\n"
    b"  - {code: LIFT, name: \xe7\x94\xb5\xe6\xa2\xaf, department: SCJG, legal_days: 1,"
    b" materials: [{material: YYZZ, when: 'floors > 2'}]}\n"
    b"things:\n"
    b"  - {code: TALL, name: tall, lead_department: SCJG,"
    b" questions: [{key: floors, text: f, type: number}], items: [{item: LIFT}]}\n"
    b"  - {code: ANY, name: any, lead_department: SCJG, items: [{item: LIFT}]}\n"
)


@pytest.fixture
def shared_item() -> dict[str, Any]:
    """Item LIFT in things TALL and ANY; its material condition reads a question only TALL asks."""
    catalog_import(files=[CatalogFile("shared.yaml", SHARED)])
    return catalog_state()


def test_deleting_a_thing_whose_questions_a_shared_item_reads_is_refused_with_the_problems(admin_client, shared_item):
    url = f"/admin/catalog/thing/{m.Thing.objects.get(code='TALL').pk}/delete/"
    response = admin_client.post(url, {"post": "yes"}, follow=True)
    page = unescape(response.content.decode())
    assert "未删除：目录将变得无效。" in page
    assert (
        "事项 LIFT：materials[0].when (YYZZ)：条件 'floors > 2' 中的名称 'floors' 未知（不是 ANY 的情形问题）" in page
    )
    assert "unknown name" not in page
    assert catalog_state() == shared_item
    assert m.Thing.objects.filter(code="TALL").exists()


def test_a_bulk_delete_that_breaks_the_catalog_is_refused(admin_client, shared_item):
    pk = m.Thing.objects.get(code="TALL").pk
    response = admin_client.post(
        "/admin/catalog/thing/", {"action": "delete_selected", "_selected_action": [pk], "post": "yes"}, follow=True
    )
    assert "未删除：目录将变得无效。" in response.content.decode()
    assert catalog_state() == shared_item


def test_deleting_what_breaks_nothing_is_done(admin_client, shared_item):
    url = f"/admin/catalog/thing/{m.Thing.objects.get(code='ANY').pk}/delete/"
    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    assert not m.Thing.objects.filter(code="ANY").exists()
    assert catalog_revision() == shared_item["revision"] + 1


def test_a_valid_edit_is_saved_and_bumps_the_catalog_revision(admin_client, demo_catalog):
    url = thing_url("KFG")
    data = form_data(admin_client, url)
    row = inline_index(data, "entries", "item", str(m.Item.objects.get(code="ZJ-XFSJ").pk))
    data[f"entries-{row}-when"] = "area >= 600"
    response = admin_client.post(url, data)
    assert response.status_code == 302
    assert m.ThingItem.objects.get(thing__code="KFG", item__code="ZJ-XFSJ").when == "area >= 600"
    assert catalog_revision() == demo_catalog["revision"] + 1
    # and the admin's catalog still exports and imports as a valid catalog
    assert "when: area >= 600" in catalog_state()["yaml"]


def test_an_empty_condition_field_means_always(admin_client, demo_catalog):
    url = thing_url("KFG")
    data = form_data(admin_client, url)
    row = inline_index(data, "entries", "item", str(m.Item.objects.get(code="ZJ-XFSJ").pk))
    data[f"entries-{row}-when"] = ""
    assert admin_client.post(url, data).status_code == 302
    assert "- {item: ZJ-XFSJ, after: [SCJG-GSSL]}" in catalog_state()["yaml"]


def test_a_new_department_can_be_added_and_a_bad_code_cannot(admin_client, demo_catalog):
    response = admin_client.post("/admin/catalog/department/add/", {"code": "WS JW", "name": "卫生健康委"})
    assert response.status_code == 200
    assert m.Department.objects.count() == demo_catalog["rows"]["Department"]
    response = admin_client.post("/admin/catalog/department/add/", {"code": "WSJW", "name": "卫生健康委"})
    assert response.status_code == 302
    assert m.Department.objects.filter(code="WSJW", name="卫生健康委").exists()
    assert catalog_revision() == demo_catalog["revision"] + 1


def test_choice_options_are_typed_one_per_line_and_may_hold_commas(admin_client, demo_catalog):
    url = thing_url("KJD")
    data = form_data(admin_client, url)
    row = int(data["questions-TOTAL_FORMS"])
    data.update(
        {
            f"questions-{row}-key": "scale",
            f"questions-{row}-text": "规模",
            f"questions-{row}-type": "choice",
            f"questions-{row}-options": "小型，不足50间\r\n大型, 50间以上\r\n",
            f"questions-{row}-required": "on",
            "questions-TOTAL_FORMS": str(row + 1),
        }
    )
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()
    question = m.Question.objects.get(thing__code="KJD", key="scale")
    assert question.options == ["小型，不足50间", "大型, 50间以上"]


def test_keywords_summary_and_notes_are_edited_one_per_line_and_exported(admin_client, demo_catalog):
    url = thing_url("KYD")
    data = form_data(admin_client, url)
    assert data["keywords"].splitlines()[:2] == ["开药房", "开药铺"]  # the imported list, one per line
    data["keywords"] = "开药房\r\n卖药, 售药\r\n"
    data["summary"] = "新的介绍。"
    data["notes"] = "第一条须知\r\n\r\n第二条须知\r\n"
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()
    thing = m.Thing.objects.get(code="KYD")
    assert (thing.keywords, thing.summary, thing.notes) == (
        ["开药房", "卖药, 售药"],
        "新的介绍。",
        ["第一条须知", "第二条须知"],
    )
    yaml = catalog_state()["yaml"]
    assert "keywords: [开药房, '卖药, 售药']\n  summary: 新的介绍。\n  notes:\n  - 第一条须知\n  - 第二条须知\n" in yaml
    assert catalog_revision() == demo_catalog["revision"] + 1


def test_a_keyword_typed_twice_is_refused_like_an_import_would(admin_client, demo_catalog):
    url = thing_url("KYD")
    data = form_data(admin_client, url)
    data["keywords"] = "卖药\r\n卖药\r\n"
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "一件事 KYD：keywords[1]：" in unescape(response.content.decode())
    assert catalog_state() == demo_catalog


def test_an_items_legal_basis_is_edited_and_an_empty_one_means_none(admin_client, demo_catalog):
    url = item_url("SCJG-GSSL")
    data = form_data(admin_client, url)
    assert data["basis"] == ""
    data["basis"] = "《中华人民共和国公司法》"
    assert admin_client.post(url, data).status_code == 302
    assert "  basis: 《中华人民共和国公司法》\n" in catalog_state()["yaml"]
    data["basis"] = ""
    assert admin_client.post(url, data).status_code == 302
    assert "basis:" not in catalog_state()["yaml"]


def field_url(key: str) -> str:
    return f"/admin/catalog/fielddefinition/{m.FieldDefinition.objects.get(key=key).pk}/change/"


def test_a_field_definition_is_edited_with_the_rules_of_an_import(admin_client, demo_catalog):
    url = field_url("opening_date")
    data = form_data(admin_client, url)
    data["max"] = '"2019-12-31"'  # before its min 2020-01-01
    response = admin_client.post(url, data)
    assert response.status_code == 200
    page = unescape(response.content.decode())
    assert "表单项 opening_date：min：2020-01-01 is greater than max 2019-12-31" not in page
    assert "表单项 opening_date：min：" in page and "2019-12-31" in page
    assert catalog_state() == demo_catalog

    data = form_data(admin_client, url)
    data["type"] = "text"  # a text field cannot have date bounds
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "只有整数、数字、金额和日期类表单项才能设置最小值和最大值" in unescape(response.content.decode())
    assert catalog_state() == demo_catalog

    data = form_data(admin_client, url)
    data["label"] = "开业日期"
    data["help"] = "营业执照上的日期"
    assert admin_client.post(url, data).status_code == 302
    saved = m.FieldDefinition.objects.get(key="opening_date")
    assert (saved.label, saved.help, saved.min) == ("开业日期", "营业执照上的日期", "2020-01-01")
    assert catalog_revision() == demo_catalog["revision"] + 1


def test_a_choice_field_needs_two_options_in_the_admin_too(admin_client, demo_catalog):
    url = field_url("project_type")
    data = form_data(admin_client, url)
    data["options"] = "新建"
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "选择类表单项至少需要两个选项" in unescape(response.content.decode())
    assert catalog_state() == demo_catalog
