"""My licences: the e-licence library of the applicants the user acts for."""

from __future__ import annotations

from datetime import date

import pytest

from lianban.catalog.models import Department, Material
from lianban.licences.services import licence_record
from tests.cases.kit import check_all, items, submit

from .test_cases import approve_all

pytestmark = pytest.mark.django_db


def test_licences_show_number_department_dates_and_the_case_that_produced_them(boss, people, clock):
    from lianban.intake.services import intake_accept

    case = submit(people, thing="KFG", answers={"area": 200})
    check_all(people, case)
    intake_accept(actor=people.clerk, case_id=case.pk)
    approve_all(people, case)
    licence_record(
        actor=None,
        material=Material.objects.get(code="SFZ"),
        number="ID-OLD-1",
        holder=people.applicant,
        department=Department.objects.get(code="GA"),
        issued_on=date(2020, 1, 2),
        valid_until=date(2024, 1, 1),
    )
    licence_record(
        actor=None,
        material=Material.objects.get(code="SFZ"),
        number="ID-OTHER-1",
        holder=people.other_applicant,
        department=Department.objects.get(code="GA"),
        issued_on=date(2020, 1, 2),
    )
    html = boss.get("/my/licences/").content.decode()
    gssl = items(case)["SCJG-GSSL"]
    assert 'data-licence="NO-SCJG-GSSL"' in html
    assert "营业执照" in html and "市场监督管理局" in html
    assert "12/31/2030" in html  # valid until
    assert f'<a href="/my/cases/{case.pk}/">{gssl.item_name}</a>' in html
    assert 'data-licence="ID-OLD-1"' in html and "expired" in html
    assert "ID-OTHER-1" not in html


def test_staff_have_no_licence_page(client, people):
    client.force_login(people.supervisor)
    assert client.get("/my/licences/").status_code == 403
