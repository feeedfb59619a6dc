"""Case tables: the case with its frozen plan, item cases, materials, the audit trail.

Models hold fields and constraints only; every rule is in ``lianban.core.case_flow``
and the services. Cases, item cases and events are never deleted (PROTECT).
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models, transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from lianban.common.append_only import AppendOnlyQuerySet, AppendOnlyRow
from lianban.common.fields import EncryptedJSONField
from lianban.common.prepared import insert_row
from lianban.core import case_flow as flow
from lianban.core.planner import PLAN_SCHEMA_VERSION as PLAN_SCHEMA_VERSION  # the version Case.plan is written in
from lianban.core.planner import Plan, PlanHeading
from lianban.core.tracking import format_code


class CaseState(models.TextChoices):
    """States of a case (mirror of ``core.case_flow.CaseState``)."""

    SUBMITTED = flow.CaseState.SUBMITTED.value, _("submitted")
    CORRECTION_REQUESTED = flow.CaseState.CORRECTION_REQUESTED.value, _("correction requested")
    RESUBMITTED = flow.CaseState.RESUBMITTED.value, _("resubmitted")
    IN_PROGRESS = flow.CaseState.IN_PROGRESS.value, _("in progress")
    READY = flow.CaseState.READY.value, _("ready for issuance")
    ISSUED = flow.CaseState.ISSUED.value, _("issued")
    REFUSED = flow.CaseState.REFUSED.value, _("refused")
    WITHDRAWN = flow.CaseState.WITHDRAWN.value, _("withdrawn")


class CaseOutcome(models.TextChoices):
    """How a case ended (mirror of ``core.case_flow.CaseOutcome``)."""

    APPROVED = flow.CaseOutcome.APPROVED.value, _("approved")
    PARTLY_APPROVED = flow.CaseOutcome.PARTLY_APPROVED.value, _("partly approved")
    REJECTED = flow.CaseOutcome.REJECTED.value, _("rejected")
    REFUSED = flow.CaseOutcome.REFUSED.value, _("refused")
    WITHDRAWN = flow.CaseOutcome.WITHDRAWN.value, _("withdrawn")


class ItemState(models.TextChoices):
    """States of an item case (mirror of ``core.case_flow.ItemState``)."""

    WAITING = flow.ItemState.WAITING.value, _("waiting")
    DISPATCHED = flow.ItemState.DISPATCHED.value, _("dispatched")
    IN_REVIEW = flow.ItemState.IN_REVIEW.value, _("in review")
    SUPPLEMENT = flow.ItemState.SUPPLEMENT.value, _("supplement requested")
    APPROVED = flow.ItemState.APPROVED.value, _("approved")
    REJECTED = flow.ItemState.REJECTED.value, _("rejected")
    CANCELLED = flow.ItemState.CANCELLED.value, _("cancelled")


class DueStatus(models.TextChoices):
    """Deadline status of a running item case (mirror of ``core.case_flow.DueStatus``)."""

    ON_TIME = flow.DueStatus.ON_TIME.value, _("on time")
    DUE_SOON = flow.DueStatus.DUE_SOON.value, _("due soon")
    OVERDUE = flow.DueStatus.OVERDUE.value, _("overdue")
    UNKNOWN = flow.DueStatus.UNKNOWN.value, _("unknown: calendar year not entered")


class Channel(models.TextChoices):
    """How the case was submitted."""

    ONLINE = "ONLINE", _("online")
    WINDOW = "WINDOW", _("at the window")


class Acceptance(models.TextChoices):
    """How the case was accepted."""

    DECISION = "DECISION", _("accepted by the window")
    DEEMED = "DEEMED", _("accepted by operation of law")


class Provenance(models.TextChoices):
    """Where a case material comes from."""

    SUBMIT = "submit", _("submitted by the applicant")
    LICENCE = "licence", _("from the licence library")
    PRODUCED = "produced", _("produced by an earlier item")


class MaterialState(models.TextChoices):
    """Where a case material stands."""

    PENDING = "PENDING", _("not yet handed in")
    RECEIVED = "RECEIVED", _("received")
    PROMISED = "PROMISED", _("promised (容缺)")
    AWAITING_RESULT = "AWAITING_RESULT", _("awaiting the producing item")


def _choices_check(
    field: str, choices: type[models.TextChoices], name: str, *, blank: bool = False
) -> models.CheckConstraint:
    condition = models.Q(**{f"{field}__in": list(choices.values)})
    if blank:
        condition |= models.Q(**{field: ""})
    return models.CheckConstraint(condition=condition, name=name)


#: Cases waiting for an intake decision.
WAITING_FOR_INTAKE = models.Q(state__in=[flow.CaseState.SUBMITTED.value, flow.CaseState.RESUBMITTED.value])
#: Item cases whose clock runs (what the department queue and the supervision lists show).
RUNNING_ITEMS = models.Q(state__in=sorted(state.value for state in flow.RUNNING_ITEM_STATES))


def _queue_indexes(name: str, order: Any, condition: models.Q) -> list[models.Index]:
    """Partial indexes of a window queue: all windows' and one lead department's, in the queue's order."""
    return [
        models.Index(order, F("id"), name=f"case_q_{name}", condition=condition),
        models.Index(F("lead_department"), order, F("id"), name=f"case_q_{name}_lead", condition=condition),
    ]


class Case(models.Model):
    """A one-thing case (一件事办件): one application, one plan frozen at submission."""

    tracking_code = models.CharField(_("tracking code"), max_length=12, unique=True)
    applicant = models.ForeignKey(
        "accounts.Applicant", on_delete=models.PROTECT, related_name="cases", verbose_name=_("applicant")
    )
    thing = models.ForeignKey("catalog.Thing", on_delete=models.PROTECT, related_name="cases", verbose_name=_("thing"))
    lead_department = models.ForeignKey(
        "catalog.Department", on_delete=models.PROTECT, related_name="led_cases", verbose_name=_("lead department")
    )
    answers = models.JSONField(_("answers"), default=dict)
    plan = models.JSONField(_("frozen plan"))
    plan_schema_version = models.PositiveSmallIntegerField(_("plan schema version"), default=PLAN_SCHEMA_VERSION)
    form = EncryptedJSONField(_("application form"), default=dict)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("submitted by")
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered by (window clerk)"),
    )
    state = models.CharField(_("state"), max_length=24, choices=CaseState.choices, default=CaseState.SUBMITTED)
    outcome = models.CharField(_("outcome"), max_length=16, choices=CaseOutcome.choices, blank=True)
    acceptance = models.CharField(_("acceptance"), max_length=8, choices=Acceptance.choices, blank=True)
    decision_reason = models.TextField(_("reason"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=0)
    eta = models.DateField(_("expected ready"), null=True, blank=True)
    #: A running item of the case was found overdue (the deadline sweep's finding, kept with the ETA):
    #: the lists filtered by "overdue" read this flag through a partial index, newest first.
    has_overdue_items = models.BooleanField(_("has overdue items"), default=False)
    eta_provisional = models.BooleanField(
        _("expected ready is provisional (预计)"),
        default=False,
        help_text=_("Counted through a year without an official holiday arrangement; recomputed when it is entered."),
    )
    #: The next day the deadline sweep looks at the case (None: nothing to watch). Every service that makes
    #: or moves a promise sets it to today; the sweep stores the next day anything changes (its signals, an
    #: item's deadline status, the ETA), so it visits only the cases due that day (``supervision.services``).
    sweep_on = models.DateField(_("next deadline sweep"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted at"))
    resubmitted_at = models.DateTimeField(_("resubmitted at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    ready_at = models.DateTimeField(_("ready at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["state", "submitted_at"], name="case_state_submitted"),
            # the lists of all cases, newest first: everyone's, a window's, an applicant's
            models.Index(fields=["submitted_at", "id"], name="case_submitted"),
            models.Index(fields=["lead_department", "submitted_at", "id"], name="case_lead_submitted"),
            models.Index(fields=["applicant", "submitted_at", "id"], name="case_applicant_submitted"),
            # the cases with an overdue item, newest first (supervision, the API's overdue filter)
            models.Index(
                fields=["submitted_at", "id"], name="case_overdue_submitted", condition=Q(has_overdue_items=True)
            ),
            models.Index(
                fields=["lead_department", "submitted_at", "id"],
                name="case_overdue_lead_submitted",
                condition=Q(has_overdue_items=True),
            ),
            # the window's queues: only the cases in the state each one shows, in its order
            *_queue_indexes("intake", Coalesce("resubmitted_at", "submitted_at"), WAITING_FOR_INTAKE),
            *_queue_indexes("correction", F("updated_at"), models.Q(state=flow.CaseState.CORRECTION_REQUESTED.value)),
            *_queue_indexes("progress", F("accepted_at"), models.Q(state=flow.CaseState.IN_PROGRESS.value)),
            *_queue_indexes("ready", F("ready_at"), models.Q(state=flow.CaseState.READY.value)),
            *_queue_indexes("issued", F("closed_at"), models.Q(state=flow.CaseState.ISSUED.value)),
            # the cases whose ETA the recomputation revisits when a holiday arrangement is entered
            models.Index(fields=["id"], name="case_eta_provisional", condition=models.Q(eta_provisional=True)),
            # the deadline sweep: the cases due for a look, in date and id order
            models.Index(fields=["sweep_on", "id"], name="case_sweep_on", condition=Q(sweep_on__isnull=False)),
        ]
        constraints = [
            _choices_check("state", CaseState, "case_state_valid"),
            _choices_check("outcome", CaseOutcome, "case_outcome_valid", blank=True),
            _choices_check("acceptance", Acceptance, "case_acceptance_valid", blank=True),
            _choices_check("channel", Channel, "case_channel_valid"),
        ]

    def __str__(self) -> str:
        return self.tracking_code

    @property
    def code_for_people(self) -> str:
        """The tracking code as printed and read aloud: ``7K2Q-9M4D-4R7A``."""
        return format_code(self.tracking_code)

    @property
    def frozen_plan(self) -> Plan:
        """The plan frozen at submission, typed (read from ``plan`` of any schema version once per instance).

        Reading it loads ``plan`` when the query deferred it: lists that defer the plan read
        ``thing.name`` instead.
        """
        document = self.plan
        cached: tuple[Any, Plan] | None = self.__dict__.get("_frozen_plan")
        if cached is None or cached[0] is not document:
            cached = (document, Plan.from_dict(document))
            self.__dict__["_frozen_plan"] = cached
        return cached[1]

    @property
    def plan_heading(self) -> PlanHeading:
        """The thing of the frozen plan, typed, without reading the rest of the document (for list rows)."""
        cached: tuple[Any, Plan] | None = self.__dict__.get("_frozen_plan")
        if cached is not None and cached[0] is self.plan:
            return cached[1].heading
        return PlanHeading.from_dict(self.plan)

    @property
    def thing_name(self) -> str:
        """The one-thing's name as the applicant applied for it (from the frozen plan)."""
        return self.plan_heading.thing_name or self.thing.name


class ItemCase(models.Model):
    """One item of a case, decided by one department (部门办件)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="item_cases", verbose_name=_("case"))
    item_code = models.CharField(_("item code"), max_length=40)
    item_name = models.CharField(_("item name"), max_length=200)
    department = models.ForeignKey(
        "catalog.Department", on_delete=models.PROTECT, related_name="item_cases", verbose_name=_("department")
    )
    position = models.PositiveIntegerField(_("position"))
    stage = models.PositiveIntegerField(_("stage"))
    after = models.JSONField(_("comes after"), default=list)
    produces = models.JSONField(_("produces"), default=list)
    legal_days = models.PositiveIntegerField(_("statutory time limit (working days)"))
    promised_days = models.PositiveIntegerField(_("promised time limit (working days)"))
    fee = models.DecimalField(_("fee (yuan)"), max_digits=12, decimal_places=2, default=0)
    state = models.CharField(_("state"), max_length=16, choices=ItemState.choices, default=ItemState.WAITING)
    held = models.BooleanField(_("held by a 容缺 promise"), default=False)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    started_on = models.DateField(_("started on"), null=True, blank=True)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    due_status = models.CharField(_("deadline status"), max_length=16, choices=DueStatus.choices, blank=True)
    due_provisional = models.BooleanField(
        _("due date is provisional (预计)"),
        default=False,
        help_text=_("Counted through a year without an official holiday arrangement; recomputed when it is entered."),
    )
    due_year_missing = models.PositiveSmallIntegerField(
        _("calendar year missing"),
        null=True,
        blank=True,
        help_text=_("Why the due date is unknown: the working-day calendar of this year is not entered."),
    )
    paused_since = models.DateField(_("paused since"), null=True, blank=True)
    paused_days = models.PositiveIntegerField(_("paused working days"), default=0)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("taken by"),
    )
    taken_at = models.DateTimeField(_("taken at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    finished_on = models.DateField(_("finished on"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    licence_number = models.CharField(_("licence number"), max_length=100, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    document = models.FileField(_("result document"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("item case")
        verbose_name_plural = _("item cases")
        ordering = ["case", "position"]
        indexes = [
            models.Index(fields=["department", "state"], name="itemcase_department_state"),
            # visibility of a case to a department (EXISTS) from the department's side
            models.Index(fields=["department", "case"], name="itemcase_department_case"),
            # the department queue and the supervision lists: running items, the earliest due first
            models.Index(
                fields=["department", "due_on", "id"], name="itemcase_running_dept_due", condition=RUNNING_ITEMS
            ),
            models.Index(fields=["due_on", "id"], name="itemcase_running_due", condition=RUNNING_ITEMS),
            models.Index(
                fields=["due_status", "due_on", "id"], name="itemcase_running_status_due", condition=RUNNING_ITEMS
            ),
            # the items the recomputation revisits when a holiday arrangement is entered
            models.Index(fields=["case"], name="itemcase_due_provisional", condition=models.Q(due_provisional=True)),
        ]
        constraints = [
            models.UniqueConstraint(fields=["case", "item_code"], name="itemcase_item_once"),
            _choices_check("state", ItemState, "itemcase_state_valid"),
            _choices_check("due_status", DueStatus, "itemcase_due_status_valid", blank=True),
            models.CheckConstraint(
                condition=~models.Q(state="APPROVED") | models.Q(held=False), name="itemcase_not_approved_while_held"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case.tracking_code}/{self.item_code}"


class CaseMaterial(models.Model):
    """One material of the frozen plan, handed in once for every item that needs it."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="materials", verbose_name=_("case"))
    code = models.CharField(_("material code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    position = models.PositiveIntegerField(_("position"))
    source = models.CharField(_("source"), max_length=16)
    provenance = models.CharField(_("provenance"), max_length=16, choices=Provenance.choices)
    required = models.BooleanField(_("required"))
    tolerable = models.BooleanField(_("may be supplied later (容缺)"))
    needed_by = models.JSONField(_("needed by"), default=list)
    produced_by = models.CharField(_("produced by"), max_length=40, blank=True)
    state = models.CharField(_("state"), max_length=16, choices=MaterialState.choices, default=MaterialState.PENDING)
    file = models.FileField(_("file"), max_length=300, blank=True)
    original_name = models.CharField(_("original file name"), max_length=255, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"), null=True, blank=True)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    uploaded_at = models.DateTimeField(_("uploaded at"), null=True, blank=True)
    paper = models.BooleanField(_("paper original checked (纸质文档)"), default=False)
    paper_checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("paper checked by"),
    )
    licence = models.ForeignKey(
        "licences.Licence",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="case_materials",
        verbose_name=_("licence"),
    )
    promise_due = models.DateField(_("promised by"), null=True, blank=True)
    promise_text = models.TextField(_("written promise"), blank=True)
    supplied_at = models.DateTimeField(_("supplied at"), null=True, blank=True)

    class Meta:
        verbose_name = _("case material")
        verbose_name_plural = _("case materials")
        ordering = ["case", "position"]
        constraints = [
            models.UniqueConstraint(fields=["case", "code"], name="casematerial_code_once"),
            _choices_check("provenance", Provenance, "casematerial_provenance_valid"),
            _choices_check("state", MaterialState, "casematerial_state_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.case.tracking_code}/{self.code}"


class AppendOnly(Exception):
    """Raised on any attempt to change or delete an audit event."""


class CaseEventQuerySet(AppendOnlyQuerySet["CaseEvent"]):
    """Events can be read and added (one at a time), never updated or deleted."""

    def bulk_create(self, *args: Any, **kwargs: Any) -> list[CaseEvent]:
        raise AppendOnly("case events are added one at a time, each linked into its hash chain")


class CaseEvent(AppendOnlyRow):
    """One entry of the audit trail: who, in which role, when, what, before and after, why.

    Append-only: ``save()`` refuses updates, ``delete()`` and queryset
    ``update()``/``delete()`` raise, and database triggers (SQLite and
    PostgreSQL) reject UPDATE and DELETE.

    Tamper-evident: each event is number ``seq`` of its chain (its case's
    events, or the events without a case) and carries the SM3 ``hash`` of its
    canonical form, which includes ``prev_hash``, the hash of the chain's
    previous event (see ``lianban.cases.audit``).
    """

    refusal = AppendOnly
    refused = "case events are append-only"

    case = models.ForeignKey(
        Case,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("case"),
        help_text=_("Empty for events that concern no case."),
    )
    item_case = models.ForeignKey(
        ItemCase,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("item case"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
        help_text=_("Empty for the system."),
    )
    actor_role = models.CharField(_("actor role"), max_length=16)
    at = models.DateTimeField(_("at"))
    action = models.CharField(_("action"), max_length=40)
    before = models.JSONField(_("before"), default=dict, blank=True)
    after = models.JSONField(_("after"), default=dict, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    seq = models.PositiveBigIntegerField(_("number in its chain"), default=0)
    prev_hash = models.CharField(_("hash of the previous event"), max_length=64, blank=True)
    hash = models.CharField(_("hash"), max_length=64, blank=True)

    objects: ClassVar[models.Manager[CaseEvent]] = CaseEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["case", "at", "id"]
        indexes = [models.Index(fields=["case", "at"], name="caseevent_case_at")]
        constraints = [
            models.UniqueConstraint(fields=["case", "seq"], name="caseevent_case_seq_once"),
            models.UniqueConstraint(
                fields=["seq"], condition=models.Q(case__isnull=True), name="caseevent_caseless_seq_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.action} @ {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Insert only: an event that exists is never saved again; a new one is linked into its hash chain."""
        self.refuse_if_stored()
        from lianban.cases.audit import chain_head_remember, chain_link  # the audit module reads this one

        with transaction.atomic(savepoint=False):
            chain_link(self)
            if args or set(kwargs) - {"force_insert"}:
                super().save(*args, **kwargs)
            else:
                insert_row(self)  # the INSERT built once: every service call appends events
        if self.case_id is not None:
            chain_head_remember(self.case_id, self.seq, self.hash)


class AuditAnchor(AppendOnlyRow):
    """A daily anchor: the SM3 hash over every event appended up to the end of a day, chained to the last anchor.

    Anchor ``seq`` covers the events with ``id`` in ``(previous.last_event_id, last_event_id]``;
    a deleted event anywhere in that range, even the last of its case, changes
    ``events`` or ``hash``. Append-only like the events.
    """

    refusal = AppendOnly
    refused = "audit anchors are append-only"

    seq = models.PositiveIntegerField(_("number"), unique=True)
    day = models.DateField(_("day"), unique=True)
    last_event_id = models.BigIntegerField(_("last event"))
    events = models.PositiveBigIntegerField(_("events covered"))
    prev_hash = models.CharField(_("hash of the previous anchor"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects: ClassVar[models.Manager[AuditAnchor]] = AppendOnlyQuerySet["AuditAnchor"].as_manager()

    class Meta:
        verbose_name = _("audit anchor")
        verbose_name_plural = _("audit anchors")
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"{self.day} #{self.seq}"


class NotificationKind(models.TextChoices):
    """What the applicant is told about."""

    SUBMITTED = "SUBMITTED", _("application received")
    CORRECTION = "CORRECTION", _("correction notice")
    ACCEPTED = "ACCEPTED", _("application accepted")
    REFUSED = "REFUSED", _("application refused")
    SUPPLEMENT = "SUPPLEMENT", _("supplement requested")
    ITEM_DECIDED = "ITEM_DECIDED", _("item decided")
    READY = "READY", _("ready for pickup")
    ISSUED = "ISSUED", _("results issued")
    WITHDRAWN = "WITHDRAWN", _("application withdrawn")


class Notification(models.Model):
    """An in-app message to an applicant; also sent out (SMS…) after commit."""

    applicant = models.ForeignKey(
        "accounts.Applicant", on_delete=models.PROTECT, related_name="notifications", verbose_name=_("applicant")
    )
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="notifications", verbose_name=_("case"))
    kind = models.CharField(_("kind"), max_length=16, choices=NotificationKind.choices)
    message = models.TextField(_("message"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["applicant", "created_at", "id"], name="notification_applicant_created")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}"
