"""Applicants: identity numbers checked with python-stdnum (GB 32100 / GB 11643), members."""

from __future__ import annotations

from django.db import IntegrityError, transaction

import pytest

from lianban.accounts import services
from lianban.accounts.models import Applicant, ApplicantMember, Role
from lianban.accounts.selectors import applicant_get_by_identity, applicant_list_for_user, user_acts_for
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


def test_an_applicant_user_registering_someone_elses_identity_gets_a_claim_with_only_what_they_typed(
    catalog: None,
) -> None:
    owner = make_user("owner", Role.APPLICANT)
    stranger = make_user("stranger", Role.APPLICANT)
    clerk = make_user("clerk", Role.CLERK, "SCJG")
    applicant = applicant_create(
        actor=owner, kind="enterprise", id_number=USCC, name="公司", contact_name="张三", contact_phone="1"
    )
    claim = applicant_create(
        actor=stranger,
        kind="enterprise",
        id_number=USCC.lower(),
        name="冒名",
        contact_name="李四",
        contact_phone="2",
        address="某地",
    )
    assert claim != applicant
    assert (claim.claim_of, claim.is_unverified_claim, claim.id_number) == (applicant, True, USCC)
    assert (claim.name, claim.contact_name, claim.contact_phone, claim.address) == ("冒名", "李四", "2", "某地")
    assert list(applicant_list_for_user(stranger)) == [claim]
    assert not user_acts_for(stranger, applicant.pk)
    applicant.refresh_from_db()
    assert (applicant.name, applicant.contact_phone) == ("公司", "1")
    assert not applicant.is_unverified_claim
    # lookups by identity find the registered applicant only; the window still gets it
    assert applicant_get_by_identity(kind="enterprise", id_number=USCC) == applicant
    at_the_window = applicant_create(
        actor=clerk, kind="enterprise", id_number=USCC, name="x", contact_name="x", contact_phone="3"
    )
    assert at_the_window == applicant
    # registering again returns the same claim, as registering a new identity twice returns the same applicant
    again = applicant_create(
        actor=stranger, kind="enterprise", id_number=USCC, name="又一次", contact_name="李四", contact_phone="2"
    )
    assert again == claim
    assert Applicant.objects.count() == 2
    assert (
        applicant_create(
            actor=owner, kind="enterprise", id_number=USCC, name="公司", contact_name="张三", contact_phone="1"
        )
        == applicant
    )


def test_claims_to_one_identity_are_not_unique_but_registered_applicants_are(catalog: None) -> None:
    registered = applicant_create(
        actor=None, kind="person", id_number=RIC, name="张三", contact_name="张三", contact_phone="1"
    )
    for n in range(2):
        user = make_user(f"claimant{n}", Role.APPLICANT)
        applicant_create(actor=user, kind="person", id_number=RIC, name="张三", contact_name="x", contact_phone="1")
    assert Applicant.objects.filter(claim_of=registered).count() == 2
    with pytest.raises(IntegrityError), transaction.atomic():
        Applicant.objects.create(kind="person", id_number=RIC, name="两次", contact_name="x", contact_phone="1")
    # the same number as another kind is another identity
    assert not Applicant.objects.filter(kind="enterprise").exists()


def test_a_claim_raced_with_the_registration_becomes_a_claim_not_an_error(
    catalog: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two registrations of a new identity at once: the one that loses the unique index gets a claim."""
    winner = make_user("winner", Role.APPLICANT)
    loser = make_user("loser", Role.APPLICANT)
    registered = applicant_create(
        actor=winner, kind="enterprise", id_number=USCC, name="公司", contact_name="张三", contact_phone="1"
    )
    real_lookup = services.applicant_get_by_identity
    calls: list[str] = []

    def not_yet_committed(*, kind: str, id_number: str) -> Applicant | None:
        calls.append(id_number)
        return None if len(calls) == 1 else real_lookup(kind=kind, id_number=id_number)

    monkeypatch.setattr(services, "applicant_get_by_identity", not_yet_committed)
    claim = applicant_create(
        actor=loser, kind="enterprise", id_number=USCC, name="冒名", contact_name="李四", contact_phone="2"
    )
    assert len(calls) == 2  # the insert failed on the index, then the registered one was read
    assert (claim.claim_of, claim.name) == (registered, "冒名")
    assert user_acts_for(loser, claim.pk) and not user_acts_for(loser, registered.pk)
    calls.clear()
    at_the_window = applicant_create(
        actor=make_user("clerk", Role.CLERK, "SCJG"),
        kind="enterprise",
        id_number=USCC,
        name="x",
        contact_name="x",
        contact_phone="3",
    )
    assert at_the_window == registered


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
