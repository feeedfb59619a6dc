"""Fact tables of the statistics: one row per case (the package) and one per item case, and the watermark.

The rows are derived, never edited by hand: ``services.facts_refresh`` rebuilds
the rows of every case whose audit trail grew since the watermark (idempotent;
the rows and the watermark move in one transaction). The dashboards' figures
over whole months are sums over the month cells (``FactCell``) the same
transaction keeps, so that a figure costs the months and dimension values of
its period, not its cases; other periods and the lists behind each figure read
these narrow rows, never the cases themselves. Dates are the platform's local
dates.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lianban.core.fact_cells import HISTOGRAM


class FactStatus(models.TextChoices):
    """Where a case or an item case stands, for the statistics."""

    WAITING = "WAITING", _("not yet received")
    OPEN = "OPEN", _("in progress")
    DONE = "DONE", _("finished")
    ENDED = "ENDED", _("ended without a decision")


#: The watermark over ``cases.CaseEvent`` (the audit trail).
EVENTS = "case_events"
#: Not a watermark: ``last_id`` is a fingerprint of the calendar's provisional years, ``updated_at`` when it was
#: last seen to change; the provisional facts built before that moment are rebuilt (``services.facts_refresh``).
CALENDAR = "calendar"


class Watermark(models.Model):
    """How far the fact build has read an append-only source (the id of the last event read)."""

    name = models.CharField(_("source"), max_length=40, unique=True)
    last_id = models.BigIntegerField(_("last id read"), default=0)
    updated_at = models.DateTimeField(_("updated at"), null=True, blank=True)

    class Meta:
        verbose_name = _("statistics watermark")
        verbose_name_plural = _("statistics watermarks")

    def __str__(self) -> str:
        return f"{self.name}@{self.last_id}"


class _Dimensions(models.Model):
    """The dimensions both fact tables share."""

    thing = models.ForeignKey("catalog.Thing", on_delete=models.DO_NOTHING, related_name="+", db_constraint=False)
    window = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
        verbose_name=_("window (the clerk who accepted)"),
    )
    channel = models.CharField(_("channel"), max_length=8)
    received_on = models.DateField(_("received on (受理)"), null=True, blank=True)
    #: The day it was finished (办结, status DONE) or ended without a decision (ENDED: refused, withdrawn, cancelled).
    finished_on = models.DateField(_("finished or ended on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=FactStatus.choices)
    promised_days = models.PositiveIntegerField(_("promised working days"), default=0)
    days_used = models.PositiveIntegerField(_("working days used"), null=True, blank=True)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    #: Finished after the due date, or (running) found overdue by the deadline sweep.
    late = models.BooleanField(_("late"), default=False)
    #: Running with its clock stopped (补正 supplement): past its stored due date it is late only if ``late``.
    paused = models.BooleanField(_("clock stopped"), default=False)
    early = models.BooleanField(_("finished before the due date"), default=False)
    instant = models.BooleanField(_("decided at once (即办件)"), default=False)
    corrections = models.PositiveIntegerField(_("correction rounds (补正)"), default=0)
    supplements = models.PositiveIntegerField(_("supplement rounds"), default=0)
    signals = models.PositiveIntegerField(_("deadline signals"), default=0)
    orders = models.PositiveIntegerField(_("supervision orders (督办)"), default=0)
    #: The working-day figures (``days_used``, ``due_on`` and with them ``late`` / ``early``) are counted through
    #: a year with only a provisional calendar (预计): rebuilt when the official arrangement is entered.
    provisional = models.BooleanField(_("provisional working days (预计)"), default=False)
    built_at = models.DateTimeField(_("built at"))

    class Meta:
        abstract = True


class CaseFact(_Dimensions):
    """The package: one row per one-thing case, whatever the number of its items; with the realised 五减."""

    case = models.OneToOneField(
        "cases.Case", on_delete=models.DO_NOTHING, primary_key=True, related_name="+", db_constraint=False
    )
    department = models.ForeignKey(
        "catalog.Department",
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
        verbose_name=_("lead department"),
    )
    items = models.PositiveIntegerField(_("items"), default=0)
    # the 五减: handled separately (the plan's "before"), the plan's promise ("after"), what happened
    trips_separate = models.PositiveIntegerField(default=0)
    trips_promised = models.PositiveIntegerField(default=0)
    trips_realised = models.PositiveIntegerField(default=0)
    materials_separate = models.PositiveIntegerField(default=0)
    materials_promised = models.PositiveIntegerField(default=0)
    materials_realised = models.PositiveIntegerField(default=0)
    forms_separate = models.PositiveIntegerField(default=0)
    forms_promised = models.PositiveIntegerField(default=0)
    forms_realised = models.PositiveIntegerField(default=0)
    days_separate = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("case fact")
        verbose_name_plural = _("case facts")
        indexes = [
            models.Index(fields=["received_on"], name="casefact_received"),
            models.Index(fields=["finished_on"], name="casefact_finished"),
            models.Index(fields=["department", "received_on"], name="casefact_dept_received"),
            models.Index(fields=["department", "finished_on"], name="casefact_dept_finished"),
            models.Index(fields=["status", "due_on"], name="casefact_status_due"),
            models.Index(fields=["built_at"], name="casefact_provisional", condition=models.Q(provisional=True)),
            models.Index(  # the overdue list, the latest due first
                fields=["due_on", "case"],
                name="casefact_overdue",
                condition=models.Q(late=True) | models.Q(status=FactStatus.OPEN),
            ),
        ]

    def __str__(self) -> str:
        return f"case {self.case_id}"


class ItemFact(_Dimensions):
    """One item of a case as its department handles it."""

    item_case = models.OneToOneField(
        "cases.ItemCase", on_delete=models.DO_NOTHING, primary_key=True, related_name="+", db_constraint=False
    )
    case = models.ForeignKey("cases.Case", on_delete=models.DO_NOTHING, related_name="+", db_constraint=False)
    department = models.ForeignKey(
        "catalog.Department", on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    item_code = models.CharField(_("item code"), max_length=40)
    item_name = models.CharField(_("item name"), max_length=200)

    class Meta:
        verbose_name = _("item fact")
        verbose_name_plural = _("item facts")
        indexes = [
            models.Index(fields=["received_on"], name="itemfact_received"),
            models.Index(fields=["finished_on"], name="itemfact_finished"),
            models.Index(fields=["department", "received_on"], name="itemfact_dept_received"),
            models.Index(fields=["department", "finished_on"], name="itemfact_dept_finished"),
            models.Index(fields=["status", "due_on"], name="itemfact_status_due"),
            models.Index(fields=["case"], name="itemfact_case"),
            models.Index(fields=["built_at"], name="itemfact_provisional", condition=models.Q(provisional=True)),
            models.Index(  # the overdue list, the latest due first
                fields=["due_on", "item_case"],
                name="itemfact_overdue",
                condition=models.Q(late=True) | models.Q(status=FactStatus.OPEN),
            ),
        ]

    def __str__(self) -> str:
        return f"item case {self.item_case_id}"


#: The watermark of the month cells: ``last_id`` is the ordinal of the day they are kept through.
CELLS = "cells"


class FactCell(models.Model):
    """What the fact rows of one dimension value add up to in one month: the dashboards sum these, not the rows.

    Keyed by level (``P`` packages, ``I`` items), dimension (``""`` the
    department's whole, ``window``, ``thing``, ``channel``, ``item_code``), the
    (lead) department, the dimension's value as text, the kind of cell
    (``core.fact_cells``: flows ``R`` / ``F`` / ``H`` by the month they happen,
    stocks ``O`` / ``L`` as +1/-1 deltas; the heat table's ``X`` / ``Z``), its
    month (its first day) and ``days`` (``H``: the days used; ``X`` / ``Z``: the
    due month's ordinal). Kept by ``statistics.cells`` in the transaction that
    writes the fact rows; derived, never edited.
    """

    level = models.CharField(max_length=1)
    dimension = models.CharField(max_length=10, blank=True)
    department_id = models.IntegerField()
    value = models.CharField(max_length=40, blank=True)
    kind = models.CharField(max_length=1)
    month = models.DateField()
    days = models.IntegerField(default=0)
    n = models.IntegerField(default=0)
    instant = models.IntegerField(default=0)
    online = models.IntegerField(default=0)
    corrected = models.IntegerField(default=0)
    signalled = models.IntegerField(default=0)
    ordered = models.IntegerField(default=0)
    rounds = models.IntegerField(default=0)
    signals = models.IntegerField(default=0)
    orders = models.IntegerField(default=0)
    trips_separate = models.IntegerField(default=0)
    trips_promised = models.IntegerField(default=0)
    trips_realised = models.IntegerField(default=0)
    materials_separate = models.IntegerField(default=0)
    materials_promised = models.IntegerField(default=0)
    materials_realised = models.IntegerField(default=0)
    forms_separate = models.IntegerField(default=0)
    forms_promised = models.IntegerField(default=0)
    forms_realised = models.IntegerField(default=0)
    on_time = models.IntegerField(default=0)
    early = models.IntegerField(default=0)
    first_time = models.IntegerField(default=0)
    promised = models.IntegerField(default=0)
    late = models.IntegerField(default=0)
    provisional = models.IntegerField(default=0)
    days_separate = models.IntegerField(default=0)
    days_realised = models.IntegerField(default=0)
    days_measured = models.IntegerField(default=0)
    days_provisional = models.IntegerField(default=0)
    for _column in HISTOGRAM:  # the days-used histogram: h00 … h30, the finished rows that used so many days
        locals()[_column] = models.IntegerField(default=0)
    del _column

    class Meta:
        verbose_name = _("statistics month cell")
        verbose_name_plural = _("statistics month cells")
        constraints = [
            models.UniqueConstraint(
                fields=["level", "dimension", "department_id", "value", "kind", "month", "days"], name="factcell_key"
            )
        ]
        indexes = [models.Index(fields=["level", "dimension", "value", "kind", "month"], name="factcell_value")]

    def __str__(self) -> str:
        return f"{self.level}/{self.dimension}/{self.department_id}/{self.value}/{self.kind}@{self.month}"


class ExportKind(models.TextChoices):
    """What an export holds."""

    DASHBOARD = "DASHBOARD", _("the dashboard's tables")
    CASES = "CASES", _("the cases behind a figure")
    BULLETIN = "BULLETIN", _("the monthly bulletin")


class ExportState(models.TextChoices):
    """Where an export stands."""

    QUEUED = "QUEUED", _("waiting")
    RUNNING = "RUNNING", _("being written")
    DONE = "DONE", _("ready to download")
    FAILED = "FAILED", _("failed")
    #: Past ``LIANBAN_EXPORT_KEEP_DAYS``: the file is deleted, the row stays as the record of who exported what.
    EXPIRED = "EXPIRED", _("expired")


class Export(models.Model):
    """An xlsx export a user asked for, written in the background (who exported what, and when, stays recorded)."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=ExportKind.choices)
    #: The filters as applied (the user's scope included): ``statistics.exports.filters_document``.
    params = models.JSONField(_("filters"), default=dict)
    state = models.CharField(_("state"), max_length=8, choices=ExportState.choices, default=ExportState.QUEUED)
    rows_done = models.PositiveIntegerField(_("rows written"), default=0)
    rows_total = models.PositiveIntegerField(_("rows in all"), null=True, blank=True)
    file = models.FileField(_("file"), max_length=300, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("requested at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("statistics export")
        verbose_name_plural = _("statistics exports")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["requested_by", "created_at", "id"], name="export_user_created"),
            models.Index(fields=["state", "finished_at"], name="export_state_finished"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=ExportKind.values), name="export_kind_valid"),
            models.CheckConstraint(condition=models.Q(state__in=ExportState.values), name="export_state_valid"),
        ]

    def __str__(self) -> str:
        return f"export {self.pk}"
