"""A catalog the project has never seen: every field with its label and control, typed checks, prefills, masking.

新生儿出生 (a person's one-thing) with a mother's name, birth date, a gender
choice, identity numbers, and a question (随父落户) whose answer prefills a
field. Nothing of it is in the demo: the pages must take everything from the
catalog's ``fields`` section.
"""

from __future__ import annotations

import re
from html import unescape

from django.test import Client

import pytest

from lianban.accounts.models import Role
from lianban.accounts.services import applicant_create
from lianban.cases.models import Case
from lianban.catalog.services import CatalogFile, catalog_import
from lianban.portal.models import Draft
from lianban.portal.services import draft_start
from lianban.workbench.selectors.common import form_rows
from tests.cases.kit import FrozenClock, clock, make_user, pdf

__all__ = ["clock"]

pytestmark = pytest.mark.django_db

MOTHER_RIC = "11010519491231002X"

NEWBORN = """\
format: lianban-catalog/1
departments:
  - {code: NB-GA, name: 公安局}
  - {code: NB-WJ, name: 卫健委}
  - {code: NB-YB, name: 医保局}
materials:
  - {code: NB-CSZM, name: 出生医学证明, source: licence}
  - {code: NB-HKB, name: 户口簿, source: applicant}
fields:
  - {key: mother_name, label: 母亲姓名, help: 与身份证一致, prefill: applicant.name}
  - {key: mother_id_no, label: 母亲公民身份号码, type: id_number, prefill: applicant.id_number}
  - {key: father_id_no, label: 父亲公民身份号码, type: id_number}
  - {key: birth_date, label: 出生日期, type: date, min: '2020-01-01'}
  - {key: gender, label: 性别, type: choice, options: [男, 女]}
  - {key: hospital_level, label: 医院等级, type: choice, options: [一级, 二级, 三级, 未定级, 其他, 境外]}
  - {key: weight, label: 出生体重（克）, type: integer, min: 300, max: 8000}
  - {key: with_father, label: 随父落户, type: boolean, prefill: answer.with_father}
  - {key: phone, label: 联系手机, type: phone, prefill: applicant.contact_phone}
  - {key: email, label: 电子邮箱, type: email, required: false}
  - {key: account, label: 生育津贴账户, type: bank_account}
  - {key: home, label: 家庭住址, type: address, prefill: applicant.address}
  - {key: remarks, label: 其他说明, type: textarea, required: false}
  - {key: deposit, label: 已缴押金（元）, type: amount, required: false}
  - {key: employer, label: 用人单位代码, type: uscc, required: false}
items:
  - code: NB-CSDJ
    name: 出生登记
    department: NB-GA
    legal_days: 1
    materials: [{material: NB-CSZM}, {material: NB-HKB}]
    fields: [mother_name, mother_id_no, father_id_no, birth_date, gender, with_father, home, hospital_ward]
  - code: NB-YBCB
    name: 新生儿参保登记
    department: NB-YB
    legal_days: 1
    fields: [mother_name, phone, email, account, weight, hospital_level, remarks, deposit, employer]
things:
  - code: NB-BORN
    name: 新生儿出生
    subject: person
    lead_department: NB-WJ
    questions:
      - {key: with_father, text: 是否随父亲落户, type: boolean}
    items:
      - {item: NB-CSDJ}
      - {item: NB-YBCB}
"""


@pytest.fixture
def mother(db, clock: FrozenClock):
    catalog_import(files=[CatalogFile("newborn.yaml", NEWBORN.encode())])
    user = make_user("mother", Role.APPLICANT)
    applicant = applicant_create(
        actor=user,
        kind="person",
        id_number=MOTHER_RIC,
        name="韩梅梅",
        contact_name="韩梅梅",
        contact_phone="13800138000",
        address="湖北省武汉市洪山区珞喻路1号",
    )
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(user)
    return user, applicant, client


def start(mother, with_father: bool = True) -> Draft:
    user, applicant, _client = mother
    return draft_start(actor=user, applicant=applicant, thing_code="NB-BORN", answers={"with_father": with_father})


def block(html: str, key: str) -> str:
    """The markup of one form field (its question block)."""
    match = re.search(rf'<(div|fieldset) class="question[^"]*" data-field="{key}".*?</\1>', html, re.S)
    assert match, key
    return match.group(0)


def test_every_field_has_its_label_control_required_mark_and_help(mother):
    draft = start(mother)
    html = mother[2].get(f"/apply/drafts/{draft.pk}/").content.decode()
    assert "表单项" not in html and "mother_name<" not in html

    name = block(html, "mother_name")
    assert '<label for="f-mother_name">母亲姓名<span class="req"' in name and "与身份证一致" in name
    assert 'type="text" maxlength="200"' in name
    assert 'type="text" autocapitalize="characters"' in block(html, "mother_id_no")
    born = block(html, "birth_date")
    assert 'type="date" min="2020-01-01"' in born and ">出生日期<" in born
    gender = block(html, "gender")  # two options: radio buttons in a group
    assert 'role="radiogroup"' in gender and '<legend>性别<span class="req"' in gender
    assert 'type="radio" id="f-gender" name="field-gender" value="男"' in gender and 'value="女"' in gender
    level = block(html, "hospital_level")  # six options: a list
    assert '<select id="f-hospital_level" name="field-hospital_level"' in level and '<option value="境外">' in level
    assert 'type="checkbox" id="f-with_father" name="field-with_father" value="true" checked' in block(
        html, "with_father"
    )
    assert 'type="number" step="1" min="300" max="8000"' in block(html, "weight")
    assert 'type="number" step="0.01"' in block(html, "deposit")
    assert 'type="tel"' in block(html, "phone") and 'type="email"' in block(html, "email")
    assert 'inputmode="numeric"' in block(html, "account")
    assert "<textarea" in block(html, "remarks")
    assert 'autocomplete="street-address" maxlength="300"' in block(html, "home")
    # optional fields carry no required mark
    assert 'class="req"' not in block(html, "email") and "aria-required" not in block(html, "remarks")
    # a key without a definition: a required text field labelled with its key
    ward = block(html, "hospital_ward")
    assert '<label for="f-hospital_ward">hospital_ward<span class="req"' in ward


def test_prefills_come_from_the_applicant_and_the_answers_and_say_so(mother):
    draft = start(mother)
    html = mother[2].get(f"/apply/drafts/{draft.pk}/").content.decode()
    assert 'name="field-mother_name" value="韩梅梅"' in block(html, "mother_name")
    assert f'name="field-mother_id_no" value="{MOTHER_RIC}"' in block(html, "mother_id_no")
    assert 'name="field-phone" value="13800138000"' in block(html, "phone")
    assert '<p class="hint prefilled">已根据已有信息填写，请核对。</p>' in block(html, "phone")
    assert '<p class="hint prefilled">已根据您的情形答案填写。</p>' in block(html, "with_father")
    assert "prefilled" not in block(html, "gender")
    other = start(mother, with_father=False)
    html = mother[2].get(f"/apply/drafts/{other.pk}/").content.decode()
    assert 'value="true" checked' not in block(html, "with_father")


SUBMIT = {"action": "submit", "answer-with_father": "true"}


def field_error(html: str, key: str) -> str:
    match = re.search(rf'id="f-{re.escape(key)}-error">([^<]*)<', html)
    return unescape(match.group(1)) if match else ""


def test_typed_values_are_checked_on_the_server_with_chinese_messages_naming_the_label(mother):
    draft = start(mother)
    posted = {
        **SUBMIT,
        "field-mother_name": "韩梅梅",
        "field-father_id_no": "110105194912310021",
        "field-birth_date": "2019-12-31",
        "field-gender": "未知",
        "field-weight": "3250.5",
        "field-phone": "12345",
        "field-email": "han@",
        "field-account": "123",
        "field-deposit": "1.234",
        "field-employer": "9111",
    }
    response = mother[2].post(f"/apply/drafts/{draft.pk}/", posted)
    html = response.content.decode()
    assert response.status_code == 400
    assert field_error(html, "father_id_no") == "父亲公民身份号码：最后一位校验码不符，请检查是否输错。"
    assert field_error(html, "birth_date") == "出生日期不能早于 2020-01-01。"
    assert field_error(html, "gender") == "性别：请从男、女中选择一项。"
    assert field_error(html, "weight") == "出生体重（克）应为整数。"
    assert field_error(html, "phone") == "联系手机应为11位手机号码，或带区号的固定电话。"
    assert field_error(html, "email") == "电子邮箱应为电子邮箱地址。"
    assert field_error(html, "account") == "生育津贴账户应为12至30位数字。"
    assert field_error(html, "deposit") == "已缴押金（元）应为以元为单位的金额：不小于0，最多两位小数。"
    assert field_error(html, "employer") == "用人单位代码应为 18 位。"
    assert field_error(html, "hospital_ward") == "请填写hospital_ward。"
    assert field_error(html, "remarks") == ""  # optional
    assert not Case.objects.exists()


def test_a_valid_form_becomes_a_case_with_typed_values_labels_for_staff_and_personal_values_masked(mother):
    user, _applicant, client = mother
    draft = start(mother)
    posted = {
        **SUBMIT,
        "field-mother_name": "韩梅梅",
        "field-mother_id_no": MOTHER_RIC,
        "field-father_id_no": "11010519491231002x",
        "field-birth_date": "2025-02-28",
        "field-gender": "女",
        "field-hospital_level": "三级",
        "field-with_father": "true",
        "field-home": "湖北省武汉市洪山区珞喻路1号",
        "field-hospital_ward": "产科三病区",
        "field-phone": "138 0013 8000",
        "field-account": "6222020200001234567",
        "field-weight": "3250",
        "field-deposit": "",
    }
    client.post(f"/apply/drafts/{draft.pk}/", {**posted, "action": "save"})
    from lianban.portal.services import draft_file_store

    draft_file_store(actor=user, draft_id=draft.pk, material_code="NB-HKB", file=pdf("hkb.pdf"))
    draft_file_store(actor=user, draft_id=draft.pk, material_code="NB-CSZM", file=pdf("cszm.pdf"))
    response = client.post(f"/apply/drafts/{draft.pk}/", posted)
    assert response.status_code == 302, field_error(response.content.decode(), "home")
    case = Case.objects.get()
    assert case.form["weight"] == 3250 and case.form["with_father"] is True
    assert case.form["father_id_no"] == "11010519491231002X" and case.form["phone"] == "13800138000"
    assert "deposit" not in case.form
    assert [d["label"] for d in case.plan["field_definitions"]][:3] == [
        "母亲姓名",
        "母亲公民身份号码",
        "父亲公民身份号码",
    ]
    # staff see labels; personal values masked unless they may see them in full
    rows = {row.key: row for row in form_rows(case)}
    assert rows["father_id_no"].label == "父亲公民身份号码"
    assert rows["father_id_no"].value == "1101**********002X"
    assert rows["phone"].value == "138****8000" and rows["account"].value == "6222***********4567"
    assert rows["mother_name"].value == "韩梅梅" and rows["hospital_ward"].label == "hospital_ward"
    assert {row.key: row.value for row in form_rows(case, full_keys=None)}["phone"] == "13800138000"
    # the applicant's case page shows the form with its labels, in full
    page = client.get(f"/my/cases/{case.pk}/").content.decode()
    assert '<h2 id="form-title">您填写的申请表</h2>' in page
    assert "<dt>父亲公民身份号码</dt><dd>11010519491231002X</dd>" in page
    assert "<dt>随父落户</dt><dd>是</dd>" in page and "<dt>hospital_ward</dt><dd>产科三病区</dd>" in page
    # public tracking shows none of the personal values
    answer = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").get(f"/track/{case.tracking_code}/")
    tracking = answer.content.decode()
    assert answer.status_code == 200 and "新生儿出生" in tracking
    for value in ("11010519491231002X", "13800138000", "6222020200001234567"):
        assert value not in tracking
