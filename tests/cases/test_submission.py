"""Submitting a case: the plan frozen, the form checked, licences attached, channels."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied
from django.http import Http404

import pytest

from lianban.accounts.models import Role
from lianban.accounts.services import applicant_create
from lianban.cases.models import (
    PLAN_SCHEMA_VERSION,
    Case,
    CaseMaterial,
    Channel,
    ItemCase,
    MaterialState,
    Notification,
)
from lianban.cases.services import case_submit
from lianban.catalog.models import Department, Material
from lianban.catalog.services import CatalogFile
from lianban.core.case_errors import ActionInvalid, FormInvalid, MaterialUnknown
from lianban.core.errors import AnswersInvalid, UnknownThing
from lianban.core.tracking import ALPHABET, format_code
from lianban.licences.services import licence_record
from lianban.review.services import item_case_approve, item_case_take
from tests.cases.kit import (
    RIC,
    FrozenClock,
    People,
    check_all,
    full_form,
    import_catalog,
    items,
    make_user,
    pdf,
    submit,
)

pytestmark = pytest.mark.django_db

KFG = {"area": 200}


def test_submission_freezes_the_plan_with_its_schema_version(people: People, clock: FrozenClock) -> None:
    case = submit(people)
    assert case.plan_schema_version == PLAN_SCHEMA_VERSION
    assert case.plan["thing"] == "KJD"
    assert case.answers == {"area": 600, "central_ac": True, "has_catering": True}
    codes = [i["code"] for i in case.plan["items"]]
    assert list(ItemCase.objects.filter(case=case).order_by("position").values_list("item_code", flat=True)) == codes
    assert CaseMaterial.objects.filter(case=case).count() == len(case.plan["materials"])
    gssl = ItemCase.objects.get(case=case, item_code="SCJG-GSSL")
    assert gssl.department.code == "SCJG"
    assert gssl.after == []
    assert ItemCase.objects.get(case=case, item_code="GA-TZHY").after == ["SCJG-GSSL", "XF-JCXK"]


def test_a_later_catalog_edit_never_changes_a_case_in_flight(people: People, clock: FrozenClock) -> None:
    case = submit(people)
    frozen = dict(case.plan)
    edited = """\
format: lianban-catalog/1
items:
  - {code: SCJG-GSSL, name: 公司设立登记(新), department: SCJG, legal_days: 3, promised_days: 3, fee: 99}
"""
    import_catalog(CatalogFile("edit.yaml", edited.encode()))
    check_all(people, case)
    from lianban.intake.services import intake_accept

    intake_accept(actor=people.clerk, case_id=case.pk)
    case.refresh_from_db()
    assert case.plan == frozen
    gssl = items(case)["SCJG-GSSL"]
    assert gssl.item_name == "公司设立登记"
    assert gssl.promised_days == 1
    assert gssl.due_on == date(2025, 3, 4)
    assert gssl.fee == 0


def test_tracking_codes_are_random_crockford_base32(people: People, clock: FrozenClock) -> None:
    codes = {submit(people, thing="KFG", answers=KFG).tracking_code for _ in range(5)}
    assert len(codes) == 5
    for code in codes:
        assert len(code) == 12
        assert set(code) <= set(ALPHABET)


def test_bad_answers_are_refused_per_question(people: People, clock: FrozenClock) -> None:
    with pytest.raises(AnswersInvalid) as info:
        case_submit(
            actor=people.applicant_user,
            applicant=people.applicant,
            thing_code="KJD",
            answers={"area": -5, "central_ac": "yes"},
            form={},
        )
    assert {p.question for p in info.value.problems} == {"area", "central_ac", "has_catering"}
    assert Case.objects.count() == 0


def test_an_unknown_thing_is_refused(people: People, clock: FrozenClock) -> None:
    with pytest.raises(UnknownThing):
        case_submit(actor=people.applicant_user, applicant=people.applicant, thing_code="NOPE", answers={}, form={})


def test_the_form_must_fill_every_plan_field_and_nothing_else(people: People, clock: FrozenClock) -> None:
    form = full_form("KFG", KFG)
    form.pop("company_name")
    form["address"] = "  "
    form["favourite_colour"] = "blue"
    with pytest.raises(FormInvalid) as info:
        case_submit(actor=people.applicant_user, applicant=people.applicant, thing_code="KFG", answers=KFG, form=form)
    assert set(info.value.problems) == {"company_name", "address", "favourite_colour"}
    assert Case.objects.count() == 0


def test_files_for_materials_not_to_submit_are_refused(people: People, clock: FrozenClock) -> None:
    with pytest.raises(MaterialUnknown):
        case_submit(
            actor=people.applicant_user,
            applicant=people.applicant,
            thing_code="KFG",
            answers=KFG,
            form=full_form("KFG", KFG),
            files={"YYZZ": pdf()},  # produced by the business registration
        )


def test_a_person_cannot_apply_for_an_enterprise_thing(people: People, clock: FrozenClock) -> None:
    person = applicant_create(
        actor=people.applicant_user,
        kind="person",
        id_number=RIC,
        name="张三",
        contact_name="张三",
        contact_phone="1",
    )
    with pytest.raises(ActionInvalid):
        case_submit(
            actor=people.applicant_user, applicant=person, thing_code="KFG", answers=KFG, form=full_form("KFG", KFG)
        )


def test_online_submission_is_only_for_applicants_one_acts_for(people: People, clock: FrozenClock) -> None:
    with pytest.raises(Http404):
        case_submit(
            actor=people.other_user,
            applicant=people.applicant,
            thing_code="KFG",
            answers=KFG,
            form=full_form("KFG", KFG),
        )


def test_a_clerk_submits_at_the_window_on_the_applicants_behalf(people: People, clock: FrozenClock) -> None:
    case = submit(people, thing="KFG", answers=KFG, actor=people.clerk)
    assert case.channel == Channel.WINDOW
    assert case.entered_by == people.clerk
    assert case.submitted_by == people.clerk
    event = case.events.get(action="case.submitted")
    assert event.actor == people.clerk
    assert event.actor_role == Role.CLERK
    assert event.after["channel"] == Channel.WINDOW


@pytest.mark.parametrize("who", ["other_clerk", "supervisor", "admin"])
def test_others_cannot_submit(people: People, clock: FrozenClock, who: str) -> None:
    with pytest.raises(PermissionDenied):
        submit(people, thing="KFG", answers=KFG, actor=getattr(people, who))
    reviewer = people.reviewer("SCJG")
    with pytest.raises(PermissionDenied):
        submit(people, thing="KFG", answers=KFG, actor=reviewer)


def test_submission_is_recorded_and_the_applicant_told(people: People, clock: FrozenClock) -> None:
    case = submit(people, thing="KFG", answers=KFG)
    event = case.events.get()
    assert event.action == "case.submitted"
    assert event.actor == people.applicant_user
    assert event.actor_role == Role.APPLICANT
    assert event.after["state"] == "SUBMITTED"
    note = Notification.objects.get(case=case)
    assert note.kind == "SUBMITTED"
    assert format_code(case.tracking_code) in note.message  # as printed on the receipt


def test_licences_held_are_attached_by_themselves_and_reused_by_a_second_case(
    people: People, clock: FrozenClock
) -> None:
    # first case: the business registration produces 营业执照 for the holder
    first = submit(people, thing="KFG", answers=KFG)
    check_all(people, first)
    from lianban.intake.services import intake_accept

    intake_accept(actor=people.clerk, case_id=first.pk)
    gssl = items(first)["SCJG-GSSL"]
    item_case_take(actor=people.reviewer("SCJG"), item_case_id=gssl.pk)
    item_case_approve(actor=people.reviewer("SCJG"), item_case_id=gssl.pk, licence_number="91110000100000000R")

    # a second case of the same holder: the thing's own 营业执照 is produced again there, but the
    # hotel's public-health item alone (a thing without the registration) takes it from the library
    lone = """\
format: lianban-catalog/1
things:
  - code: WSONLY
    name: 公共场所卫生许可(单独)
    lead_department: WJ
    questions:
      - {key: central_ac, text: 集中空调, type: boolean}
    items:
      - {item: WJ-GGWS}
"""
    import_catalog(CatalogFile("lone.yaml", lone.encode()))
    second = submit(people, thing="WSONLY", answers={"central_ac": False})
    yyzz = CaseMaterial.objects.get(case=second, code="YYZZ")
    assert yyzz.provenance == "licence"
    assert yyzz.state == MaterialState.RECEIVED
    assert yyzz.licence is not None
    assert yyzz.licence.number == "91110000100000000R"
    assert yyzz.licence.item_case == gssl
    assert "YYZZ" in second.plan["licences"]
    assert second.events.get(action="case.submitted").after["licences_attached"] == ["YYZZ"]

    # another holder does not get it
    other_user = people.other_user
    other = case_submit(
        actor=other_user,
        applicant=people.other_applicant,
        thing_code="WSONLY",
        answers={"central_ac": False},
        form=full_form("WSONLY", {"central_ac": False}),
    )
    assert CaseMaterial.objects.get(case=other, code="YYZZ").provenance == "submit"


def test_an_expired_licence_is_not_reused(people: People, clock: FrozenClock) -> None:
    licence_record(
        actor=None,
        material=Material.objects.get(code="SFZ"),
        number="ID-1",
        holder=people.applicant,
        department=Department.objects.get(code="GA"),
        issued_on=date(2010, 1, 1),
        valid_until=date(2020, 1, 1),
    )
    case = submit(people, thing="KFG", answers=KFG)
    assert CaseMaterial.objects.get(case=case, code="SFZ").provenance == "submit"
    licence_record(
        actor=make_user("lib_admin", Role.ADMIN),
        material=Material.objects.get(code="SFZ"),
        number="ID-2",
        holder=people.applicant,
        department=Department.objects.get(code="GA"),
        issued_on=date(2020, 1, 1),
        valid_until=None,
    )
    case = submit(people, thing="KFG", answers=KFG)
    assert CaseMaterial.objects.get(case=case, code="SFZ").licence.number == "ID-2"
