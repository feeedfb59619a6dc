"""Each field type's check of a submitted value, prefills and masking (pure core, no database)."""

from __future__ import annotations

import pytest

from lianban.core.catalog import FieldDef, undefined_field
from lianban.core.form_fields import (
    clean_form,
    clean_value,
    definition_dict,
    form_definitions,
    masked_form,
    prefill_value,
)
from lianban.core.text import Text

RIC = "11010519491231002X"

USCC = "91110000600037341L"


def ok(definition: FieldDef, raw: object) -> object:
    value, problem = clean_value(definition, raw)
    assert problem is None, problem
    return value


def problem(definition: FieldDef, raw: object) -> Text:
    value, found = clean_value(definition, raw)
    assert found is not None and value is None, (raw, value)
    assert isinstance(found, Text)
    assert found.params.get("field") == definition.label  # every problem names the field by its label
    return found


def test_text_is_trimmed_and_limited_by_max_length():
    name = FieldDef("mother_name", "母亲姓名", max_length=4)
    assert ok(name, "  韩梅梅 ") == "韩梅梅"
    assert ok(name, 2024) == "2024"
    assert problem(name, "韩梅梅梅梅").template == "%(field)s is too long (at most %(limit)s characters)."
    assert problem(FieldDef("t", "说明"), "字" * 201).params["limit"] == 200  # the text default
    assert ok(FieldDef("t", "说明", type="textarea"), "字" * 2000)
    assert problem(FieldDef("t", "说明", type="textarea"), "字" * 2001).params["limit"] == 2000
    assert problem(FieldDef("a", "住址", type="address"), "路" * 301).params["limit"] == 300
    assert problem(name, ["a list"]).template == "%(field)s must be text."


def test_required_and_optional_fields():
    required = FieldDef("mother_name", "母亲姓名")
    assert problem(required, "   ").template == "Please fill in %(field)s."
    assert problem(required, None).template == "Please fill in %(field)s."
    optional = FieldDef("note", "备注", required=False)
    assert clean_value(optional, "") == (None, None)
    assert clean_value(FieldDef("d", "日期", type="date", required=False), None) == (None, None)


def test_integers_numbers_and_amounts_within_bounds():
    weight = FieldDef("weight", "出生体重（克）", type="integer", min=300, max=8000)
    assert ok(weight, "3250") == 3250
    assert ok(weight, 3250.0) == 3250
    assert ok(weight, "３２５０") == 3250  # full-width digits
    assert problem(weight, "3250.5").template == "%(field)s must be a whole number."
    assert problem(weight, "200").params["min"] == "300"
    assert problem(weight, 9000).params["max"] == "8000"
    assert problem(weight, True).template == "%(field)s must be a number."
    assert problem(weight, "很重").template == "%(field)s must be a number."
    assert problem(weight, "1e400").template == "%(field)s must be a number."
    height = FieldDef("height", "身长", type="number", min=20.5)
    assert ok(height, "50.5") == 50.5
    assert problem(height, "20").params["min"] == "20.5"
    assert ok(FieldDef("n", "温差", type="number"), "-3.5") == -3.5
    amount = FieldDef("fee", "金额（元）", type="amount")
    assert ok(amount, "12.30") == 12.3
    assert ok(amount, "1,000") == 1000
    assert problem(amount, "12.345").template.startswith("%(field)s must be an amount in yuan")
    assert problem(amount, "-1").template.startswith("%(field)s must be an amount in yuan")


def test_dates_are_iso_and_within_bounds():
    born = FieldDef("birth_date", "出生日期", type="date", min="2020-01-01", max="2030-12-31")
    assert ok(born, "2026-12-01") == "2026-12-01"
    assert ok(born, "2026/12/01") == "2026-12-01"
    assert problem(born, "2026-02-30").template == "%(field)s must be a date such as 2026-12-01."
    assert problem(born, "明天").template == "%(field)s must be a date such as 2026-12-01."
    assert problem(born, 20261201).template == "%(field)s must be a date such as 2026-12-01."
    assert problem(born, "2019-12-31").params["min"] == "2020-01-01"
    assert problem(born, "2031-01-01").params["max"] == "2030-12-31"


def test_booleans_and_choices():
    with_father = FieldDef("with_father", "随父落户", type="boolean")
    assert ok(with_father, True) is True
    assert ok(with_father, "false") is False
    assert problem(with_father, "maybe").template == "%(field)s: choose yes or no."
    assert problem(with_father, "").template == "Please fill in %(field)s."
    gender = FieldDef("gender", "性别", type="choice", options=("男", "女"))
    assert ok(gender, " 女 ") == "女"
    assert problem(gender, "未知").params["options"] == "男、女"


def test_phone_email_and_bank_account():
    phone = FieldDef("phone", "联系电话", type="phone")
    assert ok(phone, "138 0013 8000") == "13800138000"
    assert ok(phone, "027-87654321") == "027-87654321"
    assert ok(phone, "(0755)12345678") == "075512345678"
    for bad in ("12800138000", "1380013800", "87654321", "abc"):
        assert problem(phone, bad).template.startswith("%(field)s must be an 11-digit mobile number")
    email = FieldDef("email", "电子邮箱", type="email")
    assert ok(email, "li.lei@example.cn") == "li.lei@example.cn"
    for bad in ("li.lei", "li@lei", "a b@example.cn", "@example.cn"):
        assert problem(email, bad).template == "%(field)s must be an e-mail address."
    account = FieldDef("account", "银行账号", type="bank_account")
    assert ok(account, "6222 0202 0000 1234 567") == "6222020200001234567"
    assert problem(account, "12345678901").template == "%(field)s must be 12 to 30 digits."
    assert problem(account, "6222a2020000123456").template == "%(field)s must be 12 to 30 digits."


def test_identity_numbers_and_credit_codes_have_their_check_digits_checked():
    ric = FieldDef("mother_id_no", "母亲身份证号码", type="id_number")
    assert ok(ric, "11010519491231002x") == RIC
    assert ok(ric, "110105 19491231 002X") == RIC
    assert problem(ric, "110105194912310021").template.endswith(
        "the check digit does not match; check for a typing error."
    )
    assert problem(ric, "1101051949").template == "%(field)s must have 18 characters."
    assert problem(ric, "11010519491231002?").params["field"] == "母亲身份证号码"
    uscc = FieldDef("employer_uscc", "单位统一社会信用代码", type="uscc")
    assert ok(uscc, USCC.lower()) == USCC
    assert problem(uscc, "91110000600037341A").template.endswith(
        "the check digit does not match; check for a typing error."
    )
    assert problem(uscc, "9111").template == "%(field)s must have 18 characters."


def test_a_form_is_checked_whole_with_one_problem_per_field_in_key_order():
    definitions = {
        "mother_name": FieldDef("mother_name", "母亲姓名"),
        "weight": FieldDef("weight", "出生体重（克）", type="integer", min=300),
        "note": FieldDef("note", "备注", required=False),
    }
    keys = ("mother_name", "weight", "note", "hospital")
    values, problems = clean_form(definitions, keys, {"weight": "100", "note": "", "hospital": "市妇幼", "x": 1})
    assert values == {"hospital": "市妇幼"}  # a key without a definition is required text
    assert list(problems) == ["mother_name", "weight", "x"]
    assert problems["x"].template == "%(field)s is not a field of this application."
    values, problems = clean_form(definitions, keys, {"mother_name": "韩梅梅", "weight": 3250, "hospital": "市妇幼"})
    assert (values, problems) == ({"mother_name": "韩梅梅", "weight": 3250, "hospital": "市妇幼"}, {})
    # a stored value is accepted again as it is (the case engine checks what the portal cleaned)
    assert clean_form(definitions, keys, values) == (values, {})


def test_a_key_without_definition_is_required_text_labelled_with_its_key():
    shown = form_definitions({}, ["hospital"])
    assert shown == [definition_dict(undefined_field("hospital"), defined=False)]
    assert shown[0]["label"] == "hospital" and shown[0]["type"] == "text" and shown[0]["required"]
    assert shown[0]["defined"] is False and shown[0]["max_length"] == 200


def test_prefills_come_from_the_applicant_or_the_answers():
    applicant = {"name": "韩梅梅", "id_number": RIC, "contact_name": "李雷", "contact_phone": "13800138000",
                 "address": "湖北省武汉市"}  # fmt: skip
    answers = {"with_father": True, "children": 2.0, "hukou": "随父"}
    for source, want in (("applicant.name", "韩梅梅"), ("applicant.id_number", RIC), ("applicant.contact_name", "李雷"),
                         ("applicant.contact_phone", "13800138000"), ("applicant.address", "湖北省武汉市"),
                         ("answer.with_father", "true"), ("answer.children", "2"), ("answer.hukou", "随父")):  # fmt: skip
        assert prefill_value(FieldDef("f", "表单项", prefill=source), applicant, answers) == want, source
    # a thing without that question, or no applicant yet: empty
    assert prefill_value(FieldDef("f", "表单项", prefill="answer.area"), applicant, answers) == ""
    assert prefill_value(FieldDef("f", "表单项", prefill="applicant.name"), None, answers) == ""
    assert prefill_value(FieldDef("f", "表单项"), applicant, answers) == ""


def test_personal_fields_are_masked_unless_seen_in_full():
    definitions = {
        "mother_id_no": FieldDef("mother_id_no", "母亲身份证号码", type="id_number"),
        "phone": FieldDef("phone", "联系电话", type="phone"),
        "email": FieldDef("email", "电子邮箱", type="email"),
        "account": FieldDef("account", "银行账号", type="bank_account"),
        "mother_name": FieldDef("mother_name", "母亲姓名", personal=True),
        "company_phone": FieldDef("company_phone", "单位电话", type="phone", personal=False),
        "weight": FieldDef("weight", "体重", type="integer"),
    }
    form = {"mother_id_no": RIC, "phone": "13800138000", "email": "li@example.cn", "account": "6222020200001234567",
            "mother_name": "韩梅梅", "company_phone": "027-87654321", "weight": 3250, "hospital": "市妇幼"}  # fmt: skip
    assert masked_form(definitions, form, None) == form
    masked = masked_form(definitions, form, set())
    assert masked["mother_id_no"] == "1101**********002X"
    assert masked["phone"] == "138****8000"
    assert masked["email"] == "**@example.cn"
    assert masked["account"] == "6222***********4567"
    assert masked["mother_name"] == "***"  # too short to keep a character
    assert (masked["company_phone"], masked["weight"], masked["hospital"]) == ("027-87654321", 3250, "市妇幼")
    assert masked_form(definitions, form, {"phone"})["phone"] == "13800138000"


@pytest.mark.parametrize(
    ("definition", "personal"),
    [
        (FieldDef("a", "甲", type="id_number"), True),
        (FieldDef("a", "甲", type="phone"), True),
        (FieldDef("a", "甲", type="email"), True),
        (FieldDef("a", "甲", type="bank_account"), True),
        (FieldDef("a", "甲", type="uscc"), False),
        (FieldDef("a", "甲"), False),
        (FieldDef("a", "甲", type="phone", personal=False), False),
        (FieldDef("a", "甲", personal=True), True),
    ],
)
def test_personal_defaults_by_type(definition, personal):
    assert definition.is_personal is personal
    assert definition_dict(definition)["personal"] is personal
