"""Applicants: identity numbers checked with python-stdnum (GB 32100 / GB 11643), members."""

from __future__ import annotations

import pytest

from lianban.accounts.models import Applicant, ApplicantMember, Role
from lianban.accounts.selectors import applicant_list_for_user, user_acts_for
from lianban.accounts.services import applicant_add_member, applicant_create, applicant_id_number_clean
from lianban.core.case_errors import ApplicantInvalid
from tests.cases.kit import RIC, USCC, make_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("kind", "typed", "clean"),
    [
        ("enterprise", USCC, USCC),
        ("enterprise", "9111 0000 1000 0000 0R", USCC),
        ("enterprise", "91110000-100000000r", USCC),
        ("person", RIC, RIC),
        ("person", "110105 19491231 002x", RIC),
    ],
)
def test_identity_numbers_are_validated_and_compacted(kind: str, typed: str, clean: str) -> None:
    assert applicant_id_number_clean(kind=kind, id_number=typed) == clean


@pytest.mark.parametrize(
    ("kind", "number"),
    [
        ("enterprise", "91110000100000000A"),  # wrong check character
        ("enterprise", "9111000010000000"),  # too short
        ("enterprise", RIC),  # a person's number
        ("person", "110105194912310021"),  # wrong check digit
        ("person", USCC),
        ("person", ""),
    ],
)
def test_bad_identity_numbers_are_refused(kind: str, number: str) -> None:
    with pytest.raises(ApplicantInvalid) as info:
        applicant_id_number_clean(kind=kind, id_number=number)
    assert "id_number" in info.value.problems


def test_an_unknown_kind_is_refused() -> None:
    with pytest.raises(ApplicantInvalid) as info:
        applicant_id_number_clean(kind="robot", id_number=USCC)
    assert "kind" in info.value.problems


def test_registering_an_applicant_makes_the_user_a_member(catalog: None) -> None:
    user = make_user("boss", Role.APPLICANT)
    applicant = applicant_create(
        actor=user, kind="enterprise", id_number=USCC.lower(), name=" 公司 ", contact_name="张三", contact_phone="1"
    )
    assert applicant.id_number == USCC
    assert applicant.name == "公司"
    assert user_acts_for(user, applicant.pk)
    assert list(applicant_list_for_user(user)) == [applicant]


def test_registering_twice_returns_the_same_applicant(catalog: None) -> None:
    first = make_user("a", Role.APPLICANT)
    clerk = make_user("clerk", Role.CLERK, "SCJG")
    one = applicant_create(
        actor=first, kind="person", id_number=RIC, name="张三", contact_name="张三", contact_phone="1"
    )
    again = applicant_create(
        actor=first, kind="person", id_number=RIC, name="张三", contact_name="张三", contact_phone="1"
    )
    at_the_window = applicant_create(
        actor=clerk, kind="person", id_number=RIC, name="张三", contact_name="张三", contact_phone="1"
    )
    assert one == again == at_the_window
    assert Applicant.objects.count() == 1
    assert ApplicantMember.objects.filter(applicant=one).count() == 1


def test_an_applicant_user_cannot_join_someone_elses_applicant(catalog: None) -> None:
    owner = make_user("owner", Role.APPLICANT)
    stranger = make_user("stranger", Role.APPLICANT)
    applicant = applicant_create(
        actor=owner, kind="enterprise", id_number=USCC, name="公司", contact_name="张三", contact_phone="1"
    )
    with pytest.raises(ApplicantInvalid) as info:
        applicant_create(
            actor=stranger,
            kind="enterprise",
            id_number=USCC.lower(),
            name="冒名",
            contact_name="李四",
            contact_phone="2",
        )
    assert set(info.value.problems) == {"id_number"}
    assert not user_acts_for(stranger, applicant.pk)
    applicant.refresh_from_db()
    assert applicant.name == "公司"


def test_missing_contact_details_are_reported_with_a_bad_number(catalog: None) -> None:
    with pytest.raises(ApplicantInvalid) as info:
        applicant_create(actor=None, kind="enterprise", id_number="123", name="", contact_name="x", contact_phone="")
    assert set(info.value.problems) == {"name", "contact_phone", "id_number"}
    assert Applicant.objects.count() == 0


def test_a_clerk_registers_an_applicant_without_becoming_a_member(catalog: None) -> None:
    clerk = make_user("clerk", Role.CLERK, "SCJG")
    applicant = applicant_create(
        actor=clerk, kind="enterprise", id_number=USCC, name="公司", contact_name="张三", contact_phone="1"
    )
    assert not user_acts_for(clerk, applicant.pk)


def test_only_members_add_members(catalog: None) -> None:
    boss = make_user("boss", Role.APPLICANT)
    agent = make_user("agent", Role.APPLICANT)
    stranger = make_user("stranger", Role.APPLICANT)
    applicant = applicant_create(
        actor=boss, kind="enterprise", id_number=USCC, name="公司", contact_name="张三", contact_phone="1"
    )
    with pytest.raises(ApplicantInvalid):
        applicant_add_member(actor=stranger, applicant=applicant, user=stranger)
    applicant_add_member(actor=boss, applicant=applicant, user=agent)
    assert user_acts_for(agent, applicant.pk)
    assert not user_acts_for(stranger, applicant.pk)
