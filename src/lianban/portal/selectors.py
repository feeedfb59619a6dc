"""Reads for the portal pages: the one-things by subject and search; drafts, cases and licences of applicants."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, QuerySet

from lianban.accounts.models import Applicant, ApplicantMember, User
from lianban.accounts.selectors import applicant_list_for_user
from lianban.cases.access import applicants_who_may_apply
from lianban.cases.models import Case, CaseMaterial, ItemCase, MaterialState, Notification
from lianban.cases.selectors import (
    case_list_for_user,
    case_materials_for_user,
    case_progress,
    item_actions,
    item_case_list,
)
from lianban.catalog import models as catalog
from lianban.intake.models import IntakeRound
from lianban.intake.selectors import correction_notice_latest
from lianban.issuance.models import Bill, Issuance
from lianban.issuance.selectors import bill_get, issuance_get
from lianban.licences.models import Licence
from lianban.portal.models import Draft, DraftFile
from lianban.review.models import SupplementRequest


@dataclass(frozen=True, slots=True)
class ThingGroup:
    """The one-things for one kind of applicant (enterprise / person)."""

    subject: str
    label: str
    things: tuple[catalog.Thing, ...]


def thing_groups() -> list[ThingGroup]:
    """Every one-thing with its lead department and item count, enterprise first; empty groups left out."""
    things = list(
        catalog.Thing.objects.select_related("lead_department").annotate(item_count=Count("entries")).order_by("code")
    )
    groups = []
    for subject in catalog.Subject:
        members = tuple(t for t in things if t.subject == subject.value)
        if members:
            groups.append(ThingGroup(subject.value, str(subject.label), members))
    return groups


@dataclass(frozen=True, slots=True)
class GuideTexts:
    """What the catalog says about a thing beyond planning: its summary, notes (办理须知), each item's basis."""

    summary: str
    notes: tuple[str, ...]
    bases: dict[str, str]  # item code -> legal basis (设定依据), only items that have one
    items: tuple[tuple[str, str, str], ...]  # (code, name, basis) of the candidate items with a basis


def guide_texts(code: str) -> GuideTexts:
    """The guide texts of the thing ``code`` (empty when it has none or does not exist)."""
    thing = catalog.Thing.objects.filter(code=code).only("summary", "notes").first()
    if thing is None:
        return GuideTexts("", (), {}, ())
    rows = (
        catalog.ThingItem.objects.filter(thing=thing)
        .exclude(item__basis="")
        .order_by("position", "id")
        .values_list("item__code", "item__name", "item__basis")
    )
    items = tuple(rows)
    return GuideTexts(thing.summary, tuple(thing.notes), {c: basis for c, _, basis in items}, items)


# ------------------------------------------------------------------ applicants


#: The order of "my cases": the newest first.
CASE_ORDER = ("-submitted_at", "-id")
#: The order of the drafts: the most recently changed first.
DRAFT_ORDER = ("-updated_at", "-id")
#: The order of "my licences": the newest first.
LICENCE_ORDER = ("-issued_on", "-id")


def draft_list_for_user(user: User) -> QuerySet[Draft]:
    """The user's drafts not yet submitted, most recently changed first."""
    return (
        Draft.objects.filter(
            user=user,
            case__isnull=True,
            applicant_id__in=ApplicantMember.objects.filter(user=user).values("applicant_id"),
        )
        .select_related("thing", "applicant")
        .order_by("-updated_at", "-id")
    )


def draft_files(draft: Draft) -> dict[str, DraftFile]:
    """The draft's files by material code."""
    return {f.material_code: f for f in DraftFile.objects.filter(draft=draft)}


def applicants_for_thing(user: User, thing: catalog.Thing) -> list[Applicant]:
    """The applicants ``user`` acts for that may apply for ``thing`` (``access.may_apply``)."""
    return list(applicant_list_for_user(user).filter(applicants_who_may_apply(thing)))


def case_rows_for_user(user: User) -> QuerySet[Case]:
    """The user's cases for "my cases", with what the next steps need prefetched."""
    return (
        case_list_for_user(user)
        .select_related("bill", "issuance")
        .prefetch_related(
            Prefetch("item_cases", queryset=ItemCase.objects.select_related("department").order_by("position")),
            Prefetch(
                "materials", queryset=CaseMaterial.objects.filter(state=MaterialState.PROMISED).order_by("position")
            ),
        )
    )


@dataclass(frozen=True, slots=True)
class SupplementView:
    """A department's request for more (补正) on one item, and what was supplied."""

    request: SupplementRequest
    item: ItemCase

    @property
    def open(self) -> bool:
        """Still waiting for the applicant."""
        return self.request.supplied_at is None

    @property
    def can_supply(self) -> bool:
        """The applicant may answer it now: still open, and the item's state takes a supply."""
        return self.open and item_actions(self.item).can_supply


@dataclass(frozen=True, slots=True)
class CaseDetail:
    """Everything the applicant's case page shows, read once."""

    case: Case
    progress: dict[str, Any]
    items: list[ItemCase]
    materials: list[CaseMaterial]
    correction: IntakeRound | None
    supplements: list[SupplementView]
    bill: Bill | None
    issuance: Issuance | None
    notifications: list[Notification]
    licences: list[Licence]


def case_detail(user: User, case: Case) -> CaseDetail:
    """The parts of a case its applicant sees (``case`` comes from ``access_case_for_user``)."""
    items = item_case_list(case)
    by_id = {item.pk: item for item in items}
    supplements = [
        SupplementView(request, by_id[request.item_case_id])
        for request in SupplementRequest.objects.filter(item_case__case=case).order_by("requested_at", "id")
    ]
    return CaseDetail(
        case=case,
        progress=case_progress(case),
        items=items,
        materials=case_materials_for_user(user, case),
        correction=correction_notice_latest(case),
        supplements=supplements,
        bill=bill_get(case),
        issuance=issuance_get(case),
        notifications=list(Notification.objects.filter(case=case).order_by("-created_at", "-id")),
        licences=list(
            Licence.objects.filter(item_case__case=case).select_related("material", "department", "item_case")
        ),
    )


def licence_list_for_user(user: User) -> QuerySet[Licence]:
    """The e-licences of every applicant ``user`` acts for, newest first, with the case that produced each."""
    return (
        Licence.objects.filter(holder_id__in=ApplicantMember.objects.filter(user=user).values("applicant_id"))
        .select_related("material", "holder", "department", "item_case", "item_case__case")
        .order_by(*LICENCE_ORDER)
    )


def draft_file(draft: Draft, material_code: str) -> DraftFile | None:
    """The file uploaded to ``draft`` for a material."""
    return DraftFile.objects.filter(draft=draft, material_code=material_code).first()
