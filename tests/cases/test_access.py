"""Object-level access, table-driven: role × own/other object. Anything not allowed answers 404."""

from __future__ import annotations

from collections.abc import Callable

from django.http import Http404

import pytest

from lianban.accounts.access import access_applicant_for_user
from lianban.accounts.models import User
from lianban.cases.access import access_case_for_user
from lianban.cases.models import Case
from lianban.cases.selectors import case_list_for_user, case_materials_for_user
from lianban.intake.services import intake_accept
from lianban.licences.access import access_licence_for_user
from lianban.licences.models import Licence
from lianban.review.access import access_item_case_for_user
from lianban.review.services import item_case_approve, item_case_take
from tests.cases.kit import FrozenClock, People, check_all, items, submit

pytestmark = pytest.mark.django_db

# who → (own case visible, other applicant's case visible)
CASE_RULES = {
    "applicant_user": (True, False),
    "other_user": (False, True),
    "clerk": (True, True),  # SCJG window: both cases are led by SCJG
    "window": (True, True),  # comprehensive window
    "other_clerk": (False, False),  # GA window leads neither
    "reviewer:SCJG": (False, False),  # SCJG decides an item of both, but they wait for the intake decision
    "reviewer:GA": (False, False),  # only the hotel has a GA item, waiting too
    "supervisor": (True, True),
    "admin": (False, False),
}


def who(people: People, name: str) -> User:
    if name.startswith("reviewer:"):
        return people.reviewer(name.split(":")[1])
    return getattr(people, name)  # type: ignore[no-any-return]


@pytest.fixture
def cases(people: People, clock: FrozenClock) -> tuple[Case, Case]:
    from lianban.cases.services import case_submit
    from tests.cases.kit import full_form

    own = submit(people)  # the hotel
    other = case_submit(
        actor=people.other_user,
        applicant=people.other_applicant,
        thing_code="KFG",
        answers={"area": 200},
        form=full_form("KFG", {"area": 200}),
    )
    return own, other


def visible(call: Callable[[], object]) -> bool:
    try:
        call()
    except Http404:
        return False
    return True


@pytest.mark.parametrize("name", list(CASE_RULES))
def test_case_access(people: People, cases: tuple[Case, Case], name: str) -> None:
    own, other = cases
    user = who(people, name)
    expected = CASE_RULES[name]
    assert (
        visible(lambda: access_case_for_user(user, own.pk)),
        visible(lambda: access_case_for_user(user, other.pk)),
    ) == expected
    listed = set(case_list_for_user(user).values_list("pk", flat=True))
    assert (own.pk in listed, other.pk in listed) == expected


def test_an_unknown_case_answers_404_for_everyone(people: People, cases: tuple[Case, Case]) -> None:
    for name in CASE_RULES:
        with pytest.raises(Http404):
            access_case_for_user(who(people, name), 999_999)


def test_an_inactive_user_sees_nothing(people: People, cases: tuple[Case, Case]) -> None:
    people.applicant_user.is_active = False
    people.applicant_user.save()
    assert not visible(lambda: access_case_for_user(people.applicant_user, cases[0].pk))


# who → item case visible: (SCJG item of own case, GA item of own case, SCJG item of the other case)
ITEM_RULES = {
    "applicant_user": (True, True, False),
    "other_user": (False, False, True),
    "clerk": (True, True, True),
    "window": (True, True, True),
    "other_clerk": (False, False, False),
    "reviewer:SCJG": (False, False, False),  # every item waits for the intake decision
    "reviewer:GA": (False, False, False),
    "reviewer:ZJ": (False, False, False),
    "supervisor": (True, True, True),
    "admin": (False, False, False),
}


@pytest.mark.parametrize("name", list(ITEM_RULES))
def test_item_case_access(people: People, cases: tuple[Case, Case], name: str) -> None:
    own, other = cases
    user = who(people, name)
    targets = (items(own)["SCJG-GSSL"].pk, items(own)["GA-TZHY"].pk, items(other)["SCJG-GSSL"].pk)
    got = tuple(visible(lambda pk=pk: access_item_case_for_user(user, pk)) for pk in targets)
    assert got == ITEM_RULES[name]


def test_a_reviewer_sees_a_case_while_an_item_of_theirs_runs_or_is_decided(
    people: People, cases: tuple[Case, Case]
) -> None:
    own, other = cases
    scjg, ga = people.reviewer("SCJG"), people.reviewer("GA")
    check_all(people, own)
    intake_accept(actor=people.clerk, case_id=own.pk)
    assert items(own)["SCJG-GSSL"].state == "DISPATCHED"
    assert items(own)["GA-TZHY"].state == "WAITING"
    assert visible(lambda: access_case_for_user(scjg, own.pk))
    assert not visible(lambda: access_case_for_user(scjg, other.pk))  # its items still wait
    assert not visible(lambda: access_case_for_user(ga, own.pk))  # GA's item waits for SCJG's
    assert not visible(lambda: access_item_case_for_user(ga, items(own)["GA-TZHY"].pk))
    assert case_materials_for_user(ga, own) == []
    gssl = items(own)["SCJG-GSSL"]
    item_case_take(actor=scjg, item_case_id=gssl.pk)
    item_case_approve(actor=scjg, item_case_id=gssl.pk, licence_number="L-1")
    assert visible(lambda: access_case_for_user(scjg, own.pk))  # decided: still theirs
    assert own.pk in set(case_list_for_user(scjg).values_list("pk", flat=True))


def test_a_reviewer_sees_only_the_materials_their_items_need(people: People, cases: tuple[Case, Case]) -> None:
    own, _ = cases
    check_all(people, own)
    intake_accept(actor=people.clerk, case_id=own.pk)
    for item in items(own).values():
        type(item).objects.filter(pk=item.pk).update(state="IN_REVIEW")  # every department at work
    all_codes = {m.code for m in case_materials_for_user(people.supervisor, own)}
    ga_codes = {m.code for m in case_materials_for_user(people.reviewer("GA"), own)}
    assert ga_codes == {"TZHYSQB", "YYZZ", "SFZ", "ZSSY", "XFJCYJS", "DLWZ", "KFPM", "ZAZD"}
    assert ga_codes < all_codes
    assert case_materials_for_user(people.reviewer("XF"), own)
    assert {m.code for m in case_materials_for_user(people.applicant_user, own)} == all_codes


# who → (own applicant visible, other applicant visible)
APPLICANT_RULES = {
    "applicant_user": (True, False),
    "other_user": (False, True),
    "clerk": (True, True),  # both have a case at the SCJG window
    "other_clerk": (False, False),  # the GA window has none of their cases
    "reviewer:SCJG": (False, False),
    "supervisor": (True, True),
    "admin": (False, False),
}


@pytest.mark.parametrize("name", list(APPLICANT_RULES))
def test_applicant_access(people: People, cases: tuple[Case, Case], name: str) -> None:
    user = who(people, name)
    got = tuple(
        visible(lambda pk=pk: access_applicant_for_user(user, pk))
        for pk in (people.applicant.pk, people.other_applicant.pk)
    )
    assert got == APPLICANT_RULES[name]


# who → licence of the own applicant issued by SCJG visible
LICENCE_RULES = {
    "applicant_user": True,
    "other_user": False,
    "clerk": True,
    "other_clerk": False,  # not a licence of a case of the GA window
    "reviewer:SCJG": True,
    "reviewer:GA": False,
    "supervisor": True,
    "admin": False,
}


@pytest.mark.parametrize("name", list(LICENCE_RULES))
def test_licence_access(people: People, cases: tuple[Case, Case], name: str) -> None:
    own, _ = cases
    check_all(people, own)
    intake_accept(actor=people.clerk, case_id=own.pk)
    gssl = items(own)["SCJG-GSSL"]
    item_case_take(actor=people.reviewer("SCJG"), item_case_id=gssl.pk)
    item_case_approve(actor=people.reviewer("SCJG"), item_case_id=gssl.pk, licence_number="L-1")
    licence = Licence.objects.get()
    assert visible(lambda: access_licence_for_user(who(people, name), licence.pk)) == LICENCE_RULES[name]


# who → bill of the own (ready) case visible
BILL_RULES = {
    "applicant_user": True,
    "other_user": False,
    "clerk": True,
    "window": True,
    "other_clerk": False,
    "reviewer:SCJG": False,
    "supervisor": True,
    "admin": False,
}


@pytest.mark.parametrize("name", list(BILL_RULES))
def test_bill_access(people: People, cases: tuple[Case, Case], name: str) -> None:
    from lianban.issuance.access import access_bill_for_user
    from lianban.review.services import item_case_reject

    own, _ = cases
    check_all(people, own)
    intake_accept(actor=people.clerk, case_id=own.pk)
    assert not visible(lambda: access_bill_for_user(people.supervisor, own.pk))  # no bill before READY
    gssl = items(own)["SCJG-GSSL"]
    item_case_take(actor=people.reviewer("SCJG"), item_case_id=gssl.pk)
    item_case_reject(actor=people.reviewer("SCJG"), item_case_id=gssl.pk, reason="no")
    assert visible(lambda: access_bill_for_user(who(people, name), own.pk)) == BILL_RULES[name]
