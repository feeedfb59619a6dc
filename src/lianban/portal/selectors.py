"""Reads for the portal pages: the one-things by subject and search; drafts, cases and licences of applicants."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, QuerySet

from lianban.accounts.models import Applicant, ApplicantMember, User
from lianban.accounts.selectors import applicant_list_for_user
from lianban.cases.models import Case, CaseMaterial, ItemCase, MaterialState, Notification
from lianban.cases.selectors import case_list_for_user, case_materials_for_user, case_progress, item_case_list
from lianban.catalog import models as catalog
from lianban.intake.models import IntakeRound
from lianban.intake.selectors import correction_notice_latest
from lianban.issuance.models import Bill, Issuance
from lianban.issuance.selectors import bill_get, issuance_get
from lianban.licences.models import Licence
from lianban.portal.models import Draft, DraftFile
from lianban.portal.search import SearchDocument, SearchHit, SearchIndex
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


_index: tuple[object, SearchIndex] | None = None
_index_lock = threading.Lock()


def _catalog_version() -> object:
    row = catalog.CatalogRevision.objects.filter(pk=1).values_list("revision", "changed_at").first()
    return row or (0, None)


def search_index() -> SearchIndex:
    """The search index over the catalog's one-things, rebuilt when the catalog changes."""
    global _index
    version = _catalog_version()
    current = _index
    if current is not None and current[0] == version:
        return current[1]
    things = catalog.Thing.objects.order_by("code").prefetch_related(
        Prefetch("entries", queryset=catalog.ThingItem.objects.select_related("item").order_by("position", "id"))
    )
    index = SearchIndex(
        SearchDocument(thing.code, thing.name, tuple(entry.item.name for entry in thing.entries.all()))
        for thing in things
    )
    with _index_lock:
        _index = (version, index)
    return index


@dataclass(frozen=True, slots=True)
class SearchResult:
    """A matching thing and why it matched."""

    thing: catalog.Thing
    hit: SearchHit


def thing_search(query: str, limit: int = 20) -> list[SearchResult]:
    """One-things matching a query in plain Chinese, best first."""
    hits = search_index().search(query, limit=limit)
    things = catalog.Thing.objects.select_related("lead_department").in_bulk(
        [hit.code for hit in hits], field_name="code"
    )
    return [SearchResult(things[hit.code], hit) for hit in hits if hit.code in things]


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
    """The applicants ``user`` acts for that may apply for ``thing`` (same kind as its subject)."""
    return list(applicant_list_for_user(user).filter(kind=thing.subject))


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
