"""The e-licence library: recording licences, what is valid when."""

from __future__ import annotations

from datetime import date

import pytest

from lianban.accounts.models import Role
from lianban.catalog.models import Department, Material
from lianban.core.case_errors import ActionInvalid
from lianban.licences.selectors import licence_best, licence_codes_held, licence_list_valid
from lianban.licences.services import licence_record
from tests.cases.kit import People, make_user

pytestmark = pytest.mark.django_db


def record(people: People, code: str, number: str, issued: date, until: date | None, actor=None):  # type: ignore[no-untyped-def]
    return licence_record(
        actor=actor,
        material=Material.objects.get(code=code),
        number=number,
        holder=people.applicant,
        department=Department.objects.get(code="SCJG"),
        issued_on=issued,
        valid_until=until,
    )


def test_only_licences_valid_on_the_day_count(people: People) -> None:
    record(people, "YYZZ", "A", date(2020, 1, 1), None)
    record(people, "SPJYXKZ", "B", date(2020, 1, 1), date(2024, 12, 31))
    record(people, "GGWSXKZ", "C", date(2026, 1, 1), None)
    on = date(2025, 3, 3)
    assert licence_codes_held(holder=people.applicant, on=on) == ["YYZZ"]
    assert licence_codes_held(holder=people.applicant, on=date(2024, 6, 1)) == ["SPJYXKZ", "YYZZ"]
    assert licence_codes_held(holder=people.other_applicant, on=on) == []
    assert [lic.number for lic in licence_list_valid(holder=people.applicant, on=on)] == ["A"]


def test_the_most_recent_valid_licence_is_the_one_reused(people: People) -> None:
    record(people, "YYZZ", "OLD", date(2018, 1, 1), None)
    record(people, "YYZZ", "NEW", date(2023, 1, 1), date(2030, 1, 1))
    best = licence_best(holder=people.applicant, material_code="YYZZ", on=date(2025, 1, 1))
    assert best is not None
    assert best.number == "NEW"
    assert licence_best(holder=people.applicant, material_code="YYZZ", on=date(2031, 1, 1)).number == "OLD"  # type: ignore[union-attr]


def test_bad_licences_are_refused(people: People) -> None:
    with pytest.raises(ActionInvalid):
        record(people, "YYZZ", " ", date(2020, 1, 1), None)
    with pytest.raises(ActionInvalid):
        record(people, "YYZZ", "X", date(2020, 1, 1), date(2019, 1, 1))
    record(people, "YYZZ", "X", date(2020, 1, 1), None)
    with pytest.raises(ActionInvalid):
        record(people, "YYZZ", "X", date(2021, 1, 1), None)
    with pytest.raises(ActionInvalid):
        record(people, "YYZZ", "Y", date(2020, 1, 1), None, actor=people.applicant_user)
    assert record(people, "YYZZ", "Z", date(2020, 1, 1), None, actor=make_user("a", Role.ADMIN)).number == "Z"
