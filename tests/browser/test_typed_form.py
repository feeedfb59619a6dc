"""A catalog the project has never seen, in a real browser: a date picker, a choice, an ID number refused by its label."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from lianban.accounts.models import Role
from lianban.accounts.services import applicant_create
from lianban.catalog.services import CatalogFile, catalog_import
from lianban.portal.models import Draft
from lianban.portal.services import draft_start
from tests.cases.kit import make_user
from tests.portal.typed.test_newborn_form import MOTHER_RIC, NEWBORN

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_newborn_form_with_a_date_a_choice_and_an_id_number_refused_by_its_label(
    page, clock, case_rows_wiped_first, login
):
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
    draft = draft_start(actor=user, applicant=applicant, thing_code="NB-BORN", answers={"with_father": True})
    login(page, "mother", "x")
    page.goto(f"/apply/drafts/{draft.pk}/")

    # labels and controls from the catalog; prefills from the record and the answers
    expect(page.get_by_role("textbox", name="母亲姓名", exact=True)).to_have_value("韩梅梅")
    expect(page.get_by_role("checkbox", name="随父落户")).to_be_checked()
    born = page.get_by_label("出生日期")
    expect(born).to_have_attribute("type", "date")
    born.fill("2025-02-28")
    page.get_by_role("radiogroup", name="性别").get_by_label("女", exact=True).check()
    page.get_by_role("combobox", name="医院等级").select_option("三级")
    page.get_by_role("spinbutton", name="出生体重（克）").fill("3250")
    page.get_by_role("textbox", name="父亲公民身份号码", exact=True).fill("110105194912310021")
    page.get_by_role("button", name="提交申请").click()

    # the server refuses the check digit, naming the field by its label, next to it and in the summary
    error = page.locator("#f-father_id_no-error")
    expect(error).to_have_text("父亲公民身份号码：最后一位校验码不符，请检查是否输错。")
    expect(page.get_by_role("link", name=re.compile("^父亲公民身份号码：最后一位校验码不符"))).to_be_visible()
    expect(page.locator("#f-father_id_no")).to_have_attribute("aria-invalid", "true")
    # what was typed is kept, typed
    expect(page.get_by_label("出生日期")).to_have_value("2025-02-28")
    expect(page.get_by_role("radiogroup", name="性别").get_by_label("女", exact=True)).to_be_checked()
    stored = Draft.objects.get(pk=draft.pk).form
    assert (stored["birth_date"], stored["gender"], stored["hospital_level"]) == ("2025-02-28", "女", "三级")
