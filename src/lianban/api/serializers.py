"""Output serializers of the cases API, shared with the intake, review, issuance and licences APIs.

Each renders a model instance (or the tracking dict) as the API answers it;
``case_document`` renders one case as a given user may see it.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from lianban.accounts.models import Role, User
from lianban.api.common import DepartmentRefSerializer
from lianban.cases.access import access_case_for_user, personal_form_keys, reviewer_item_codes
from lianban.cases.form_fields import definitions, form_masked
from lianban.cases.models import (
    Case,
    CaseMaterial,
    CaseState,
    Channel,
    ItemState,
    MaterialState,
    NotificationKind,
    Provenance,
)
from lianban.cases.selectors import case_materials_for_user, item_case_list, item_form_fields
from lianban.issuance.selectors import issuance_get


class ThingRefSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()


class ApplicantRefSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    name = serializers.CharField()


class CaseRefSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    code = serializers.SerializerMethodField(help_text="tracking code, XXXX-XXXX-XXXX")
    thing = serializers.CharField(source="thing.code")
    state = serializers.ChoiceField(choices=CaseState.choices)

    def get_code(self, case: Case) -> str:
        return case.code_for_people


class LicenceRefSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    number = serializers.CharField()
    department = DepartmentRefSerializer()
    issued_on = serializers.DateField()
    valid_until = serializers.DateField(allow_null=True)


class StoredFileSerializer(serializers.Serializer[Any]):
    original_name = serializers.CharField()
    size = serializers.IntegerField()
    content_type = serializers.CharField()
    sha256 = serializers.CharField()
    uploaded_at = serializers.DateTimeField(allow_null=True)


class PromiseSerializer(serializers.Serializer[Any]):
    due = serializers.DateField(source="promise_due")
    text = serializers.CharField(source="promise_text")


class CaseMaterialSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()
    provenance = serializers.ChoiceField(choices=Provenance.choices)
    required = serializers.BooleanField()  # type: ignore[assignment]
    tolerable = serializers.BooleanField(help_text="may be promised and supplied later (容缺)")
    needed_by = serializers.ListField(child=serializers.CharField(), help_text="item codes")
    produced_by = serializers.SerializerMethodField(help_text="item code, for produced materials")
    state = serializers.ChoiceField(choices=MaterialState.choices)
    file = serializers.SerializerMethodField()
    paper = serializers.BooleanField(help_text="paper original checked at the window (纸质文档)")
    licence = serializers.SerializerMethodField(help_text="from the licence library, or produced by an earlier item")
    promise = serializers.SerializerMethodField(help_text="the written 容缺 promise")
    supplied_at = serializers.DateTimeField(allow_null=True)

    def get_produced_by(self, material: CaseMaterial) -> str | None:
        return material.produced_by or None

    @extend_schema_field(StoredFileSerializer(allow_null=True))
    def get_file(self, material: CaseMaterial) -> dict[str, Any] | None:
        return StoredFileSerializer(material).data if material.file else None

    @extend_schema_field(LicenceRefSerializer(allow_null=True))
    def get_licence(self, material: CaseMaterial) -> dict[str, Any] | None:
        return LicenceRefSerializer(material.licence).data if material.licence_id else None

    @extend_schema_field(PromiseSerializer(allow_null=True))
    def get_promise(self, material: CaseMaterial) -> dict[str, Any] | None:
        return PromiseSerializer(material).data if material.promise_due else None


class ItemCaseSummarySerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    code = serializers.CharField(source="item_code")
    name = serializers.CharField(source="item_name")
    department = DepartmentRefSerializer()
    stage = serializers.IntegerField()
    after = serializers.ListField(child=serializers.CharField(), help_text="items it waits for")
    produces = serializers.ListField(child=serializers.CharField(), help_text="material codes of its results")
    state = serializers.ChoiceField(choices=ItemState.choices)
    held = serializers.BooleanField(help_text="waiting for a promised 容缺 material")
    due_status = serializers.CharField(
        help_text="ON_TIME, DUE_SOON, OVERDUE, UNKNOWN (a calendar year not entered); empty when not running"
    )
    due_year_missing = serializers.IntegerField(
        allow_null=True, help_text="for UNKNOWN: the calendar year that must be entered"
    )
    started_on = serializers.DateField(allow_null=True)
    due_on = serializers.DateField(allow_null=True)
    due_provisional = serializers.BooleanField(
        help_text="due_on is provisional (预计): counted through a year without an official holiday arrangement; "
        "recomputed when it is entered"
    )
    paused_since = serializers.DateField(allow_null=True, help_text="clock stopped for a supplement (补正)")
    paused_days = serializers.IntegerField()
    finished_on = serializers.DateField(allow_null=True)
    fee = serializers.DecimalField(max_digits=12, decimal_places=2)
    licence_number = serializers.CharField()
    valid_until = serializers.DateField(allow_null=True)
    reason = serializers.CharField(help_text="why it was rejected or cancelled")


class CaseSummarySerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    code = serializers.SerializerMethodField(help_text="tracking code, XXXX-XXXX-XXXX")
    thing = serializers.SerializerMethodField()
    applicant = ApplicantRefSerializer()
    lead_department = DepartmentRefSerializer()
    channel = serializers.ChoiceField(choices=Channel.choices)
    state = serializers.ChoiceField(choices=CaseState.choices)
    outcome = serializers.CharField(
        help_text="APPROVED, PARTLY_APPROVED, REJECTED, REFUSED, WITHDRAWN; empty while open"
    )
    acceptance = serializers.CharField(help_text="DECISION or DEEMED; empty before acceptance")
    submitted_at = serializers.DateTimeField()
    eta = serializers.DateField(allow_null=True, help_text="expected ready date")
    eta_provisional = serializers.BooleanField(
        help_text="eta is provisional (预计): counted through a year without an official holiday arrangement"
    )

    def get_code(self, case: Case) -> str:
        return case.code_for_people

    @extend_schema_field(ThingRefSerializer)
    def get_thing(self, case: Case) -> dict[str, str]:
        return {"code": case.thing.code, "name": case.thing_name}


class IssuanceSerializer(serializers.Serializer[Any]):
    method = serializers.CharField(help_text="PICKUP or MAIL")
    tracking_number = serializers.CharField()
    issued_at = serializers.DateTimeField()
    documents = serializers.ListField(child=serializers.DictField(), help_text="each item's result")


class CaseDetailSerializer(CaseSummarySerializer):
    version = serializers.IntegerField(help_text="bumped on every change")
    answers = serializers.SerializerMethodField(help_text="a reviewer gets none")
    form = serializers.SerializerMethodField(
        help_text="a reviewer gets only the fields their running or decided items read; personal values masked unless the reader needs them"
    )
    decision_reason = serializers.CharField()
    resubmitted_at = serializers.DateTimeField(allow_null=True)
    accepted_at = serializers.DateTimeField(allow_null=True)
    ready_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    items = serializers.SerializerMethodField()
    materials = serializers.SerializerMethodField(help_text="a reviewer sees only what their items need")
    issuance = serializers.SerializerMethodField()

    @extend_schema_field(serializers.DictField())
    def get_answers(self, case: Case) -> dict[str, Any]:
        answers: dict[str, Any] = self.context["answers"]
        return answers

    @extend_schema_field(serializers.DictField())
    def get_form(self, case: Case) -> dict[str, Any]:
        form: dict[str, Any] = self.context["form"]
        return form

    @extend_schema_field(ItemCaseSummarySerializer(many=True))
    def get_items(self, case: Case) -> Any:
        return ItemCaseSummarySerializer(self.context["items"], many=True).data

    @extend_schema_field(CaseMaterialSerializer(many=True))
    def get_materials(self, case: Case) -> Any:
        return CaseMaterialSerializer(self.context["materials"], many=True).data

    @extend_schema_field(IssuanceSerializer(allow_null=True))
    def get_issuance(self, case: Case) -> dict[str, Any] | None:
        issued = self.context["issuance"]
        return IssuanceSerializer(issued).data if issued is not None else None


def case_document(user: User, case_id: int) -> dict[str, Any]:
    """The case as ``user`` may see it, read afresh.

    A reviewer gets only their department's running or decided items, the
    materials and form fields those items need, no answers and no issuance.
    """
    case = access_case_for_user(user, case_id)
    items = item_case_list(case)
    context: dict[str, Any] = {
        "items": items,
        "materials": case_materials_for_user(user, case),
        "issuance": issuance_get(case),
        "answers": case.answers,
        "form": case.form,
    }
    if user.role == Role.REVIEWER:
        own = reviewer_item_codes(user, case)
        keys = item_form_fields(own)
        context["items"] = [item for item in items if item.item_code in own]
        context["issuance"] = None
        context["answers"] = {}
        context["form"] = {key: value for key, value in case.form.items() if key in keys}
    known = definitions(case.form, case.frozen_plan)
    context["form"] = form_masked(context["form"], personal_form_keys(user, case), known)
    return dict(CaseDetailSerializer(case, context=context).data)


class ActorSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField(source="__str__")


class CaseEventSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    at = serializers.DateTimeField()
    action = serializers.CharField(help_text="e.g. case.accepted, item.approved, material.replaced")
    item = serializers.SerializerMethodField(help_text="item code, for events of an item case")
    actor = ActorSerializer(allow_null=True, help_text="null: the system")
    actor_role = serializers.CharField()
    before = serializers.DictField()
    after = serializers.DictField()
    reason = serializers.CharField()

    def get_item(self, event: Any) -> str | None:
        return event.item_case.item_code if event.item_case_id else None


class TrackItemSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()
    department = serializers.CharField(help_text="department name")
    state = serializers.ChoiceField(choices=ItemState.choices)
    state_label = serializers.CharField()
    due_status = serializers.CharField()
    due_note = serializers.CharField(help_text="why the due date is unknown (UNKNOWN: calendar year not entered)")
    held = serializers.BooleanField()
    started_on = serializers.DateField(allow_null=True)
    due_on = serializers.DateField(allow_null=True)
    due_provisional = serializers.BooleanField(help_text="due_on is provisional (预计)")
    finished_on = serializers.DateField(allow_null=True)


class TrackStageSerializer(serializers.Serializer[Any]):
    stage = serializers.IntegerField()
    items = TrackItemSerializer(many=True)


class TrackSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    thing = serializers.CharField()
    thing_name = serializers.CharField()
    state = serializers.ChoiceField(choices=CaseState.choices)
    state_label = serializers.CharField()
    outcome = serializers.CharField()
    submitted_on = serializers.DateField()
    accepted_on = serializers.DateField(allow_null=True)
    ready_on = serializers.DateField(allow_null=True)
    eta = serializers.DateField(allow_null=True)
    eta_provisional = serializers.BooleanField(help_text="eta is provisional (预计)")
    stages = TrackStageSerializer(many=True)


class NotificationSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    case = CaseRefSerializer()
    kind = serializers.ChoiceField(choices=NotificationKind.choices)
    message = serializers.CharField()
    created_at = serializers.DateTimeField()
    sent_at = serializers.DateTimeField(allow_null=True)
