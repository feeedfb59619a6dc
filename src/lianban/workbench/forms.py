"""Forms of the workbenches: they check shape (a reason is given, a date is a date); services check rules."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from lianban.cases import words
from lianban.cases.models import CaseState, Channel
from lianban.core.tracking import normalise_code
from lianban.intake.services import MaterialPromise
from lianban.workbench.selectors.window import CheckRow, QueueSearch

CHECK_CHOICES = [(value, label) for value, label in words.CHECK_RESULTS.items()]


class DateInput(forms.DateInput):
    """An HTML date picker (the value is ISO, whatever the language)."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


@dataclass(frozen=True, slots=True)
class CheckFields:
    """The three controls of one material's check, with the material."""

    check: CheckRow
    result: forms.BoundField
    reason: forms.BoundField
    paper: forms.BoundField


class ChecksForm(forms.Form):
    """The clerk's verdict on each material to submit: correct / missing / wrong (with why), paper original."""

    def __init__(self, *args: Any, checks: Sequence[CheckRow], **kwargs: Any) -> None:
        initial: dict[str, Any] = {}
        for row in checks:
            if row.check is not None:
                initial[f"result_{row.code}"] = row.check.result
                initial[f"reason_{row.code}"] = row.check.reason
                initial[f"paper_{row.code}"] = row.check.paper
        kwargs["initial"] = {**initial, **(kwargs.get("initial") or {})}
        super().__init__(*args, **kwargs)
        self.checks = list(checks)
        self.fields["rest_ok"] = forms.BooleanField(
            label=_("Every received material not given a verdict here is correct"), required=False
        )
        for row in self.checks:
            self.fields[f"result_{row.code}"] = forms.ChoiceField(
                label=_("Verdict"), choices=CHECK_CHOICES, required=False, widget=forms.RadioSelect
            )
            self.fields[f"reason_{row.code}"] = forms.CharField(
                label=_("What is missing or wrong"), required=False, max_length=500
            )
            self.fields[f"paper_{row.code}"] = forms.BooleanField(label=_("Paper original checked"), required=False)

    def rows(self) -> list[CheckFields]:
        """The controls, one row per material."""
        return [
            CheckFields(row, self[f"result_{row.code}"], self[f"reason_{row.code}"], self[f"paper_{row.code}"])
            for row in self.checks
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for row in self.checks:
            result = data.get(f"result_{row.code}") or ""
            reason = (data.get(f"reason_{row.code}") or "").strip()
            paper = bool(data.get(f"paper_{row.code}"))
            if paper and not result:
                data[f"result_{row.code}"] = result = "OK"
            if paper and result != "OK":
                self.add_error(f"paper_{row.code}", _("A checked paper original means the material is correct."))
            if result in ("MISSING", "WRONG") and not reason:
                self.add_error(f"reason_{row.code}", _("Say what is missing or wrong."))
        return data

    def verdicts(self) -> list[tuple[str, str, str, bool]]:
        """(material code, result, reason, paper) for every verdict that differs from the saved one.

        With ``rest_ok``, a received material (a file, or a paper original) left without a verdict is
        checked correct; one that was never handed in stays unchecked.
        """
        changed = []
        rest_ok = bool(self.cleaned_data.get("rest_ok"))
        for row in self.checks:
            result = self.cleaned_data.get(f"result_{row.code}") or ""
            if not result and rest_ok and row.row.material.state == "RECEIVED":
                result = "OK"
            if not result:
                continue
            reason = (self.cleaned_data.get(f"reason_{row.code}") or "").strip() if result != "OK" else ""
            paper = bool(self.cleaned_data.get(f"paper_{row.code}"))
            previous = row.check
            if previous is not None and (previous.result, previous.reason, previous.paper) == (result, reason, paper):
                continue
            changed.append((row.code, result, reason, paper))
        return changed


@dataclass(frozen=True, slots=True)
class PromiseFields:
    """The controls of one 容缺 promise."""

    check: CheckRow
    promise: forms.BoundField
    due: forms.BoundField
    text: forms.BoundField


class AcceptForm(forms.Form):
    """Acceptance, with a written promise (容缺) for each tolerable material that is missing."""

    def __init__(self, *args: Any, promisable: Sequence[CheckRow], today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.promisable = list(promisable)
        self.today = today
        for row in self.promisable:
            self.fields[f"promise_{row.code}"] = forms.BooleanField(
                label=_("Accept without it against a written promise (容缺)"), required=False
            )
            self.fields[f"due_{row.code}"] = forms.DateField(
                label=_("Promised by"), required=False, widget=DateInput(attrs={"min": today.isoformat()})
            )
            self.fields[f"text_{row.code}"] = forms.CharField(
                label=_("The applicant's written promise"), required=False, max_length=1000
            )

    def rows(self) -> list[PromiseFields]:
        """The controls, one row per tolerable material."""
        return [
            PromiseFields(row, self[f"promise_{row.code}"], self[f"due_{row.code}"], self[f"text_{row.code}"])
            for row in self.promisable
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for row in self.promisable:
            if not data.get(f"promise_{row.code}"):
                continue
            due = data.get(f"due_{row.code}")
            if due is None:
                self.add_error(f"due_{row.code}", _("Give the date by which it will be supplied."))
            elif due < self.today:
                self.add_error(f"due_{row.code}", _("The promised date cannot be in the past."))
            if not (data.get(f"text_{row.code}") or "").strip():
                self.add_error(f"text_{row.code}", _("Write down what the applicant promises."))
        return data

    def promises(self) -> dict[str, MaterialPromise]:
        """The promises given, by material code."""
        return {
            row.code: MaterialPromise(
                due=self.cleaned_data[f"due_{row.code}"], text=self.cleaned_data[f"text_{row.code}"].strip()
            )
            for row in self.promisable
            if self.cleaned_data.get(f"promise_{row.code}")
        }


class ReasonForm(forms.Form):
    """A decision that needs a reason (refusal, supplement request, rejection)."""

    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": _("A reason is required.")},
    )

    def clean_reason(self) -> str:
        reason = str(self.cleaned_data["reason"]).strip()
        if not reason:
            raise forms.ValidationError(_("A reason is required."))
        return reason


class ApproveForm(forms.Form):
    """Approval with its result: licence number, validity, the result document."""

    licence_number = forms.CharField(
        label=_("Licence number"),
        required=False,
        max_length=100,
        error_messages={"required": _("This item issues a licence: give its number.")},
    )
    valid_until = forms.DateField(label=_("Valid until"), required=False, widget=DateInput())
    document = forms.FileField(label=_("Result document (PDF, JPEG, PNG or OFD)"), required=False)

    def __init__(self, *args: Any, needs_number: bool, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.needs_number = needs_number
        self.today = today
        self.fields["licence_number"].required = needs_number
        self.fields["valid_until"].widget.attrs["min"] = today.isoformat()

    def clean_valid_until(self) -> date | None:
        value = self.cleaned_data.get("valid_until")
        if value is not None and value < self.today:
            raise forms.ValidationError(_("The validity cannot end before today."))
        return value


class PayForm(forms.Form):
    """The bill paid at the window, with the receipt reference."""

    reference = forms.CharField(label=_("Payment receipt number"), max_length=100)


class IssueForm(forms.Form):
    """How every result is handed out."""

    method = forms.ChoiceField(
        label=_("How the results are handed out"),
        choices=list(words.DELIVERY_METHODS.items()),
        widget=forms.RadioSelect,
        initial="PICKUP",
    )
    tracking_number = forms.CharField(label=_("Mail tracking number"), required=False, max_length=60)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("method") == "MAIL" and not (data.get("tracking_number") or "").strip():
            self.add_error("tracking_number", _("Mail needs a tracking number."))
        return data


class QueueSearchForm(forms.Form):
    """A queue's search (GET): tracking code, applicant, submission dates. Invalid input searches nothing."""

    code = forms.CharField(label=_("Tracking code"), required=False, max_length=20)
    applicant = forms.CharField(
        label=_("Applicant"),
        required=False,
        max_length=200,
        help_text=_("The start of the name, or the whole identity number."),
    )
    submitted_from = forms.DateField(label=_("Submitted from"), required=False, widget=DateInput())
    submitted_to = forms.DateField(label=_("Submitted until"), required=False, widget=DateInput())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("submitted_from"), data.get("submitted_to")
        if start and end and start > end:
            self.add_error("submitted_to", _("The end date comes before the start date."))
        return data

    def search(self) -> QueueSearch:
        """The search the form asks for (none when unbound or invalid)."""
        if not self.is_bound or not self.is_valid():
            return QueueSearch()
        data = self.cleaned_data
        return QueueSearch(
            code=data["code"] or "",
            applicant=data["applicant"] or "",
            submitted_from=data["submitted_from"],
            submitted_to=data["submitted_to"],
        )


class CaseFilterForm(forms.Form):
    """The supervisor's filters (GET)."""

    code = forms.CharField(label=_("Tracking code"), required=False, max_length=20)
    applicant = forms.CharField(
        label=_("Applicant"),
        required=False,
        max_length=200,
        help_text=_("The start of the name, or the whole identity number."),
    )
    state = forms.ChoiceField(label=_("State"), required=False)
    thing = forms.ChoiceField(label=_("One-thing"), required=False)
    department = forms.ChoiceField(label=_("Department"), required=False)
    submitted_from = forms.DateField(label=_("Submitted from"), required=False, widget=DateInput())
    submitted_to = forms.DateField(label=_("Submitted until"), required=False, widget=DateInput())
    overdue = forms.BooleanField(label=_("Only cases with an overdue item"), required=False)

    def __init__(
        self, *args: Any, things: Sequence[tuple[str, str]], departments: Sequence[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        anything = ("", _("Any"))
        states = [(s, words.word(words.CASE_STATES, s)) for s in CaseState.values]
        for name, choices in (("state", states), ("thing", things), ("department", departments)):
            field = self.fields[name]
            if isinstance(field, forms.ChoiceField):
                field.choices = [anything, *choices]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("submitted_from"), data.get("submitted_to")
        if start and end and start > end:
            self.add_error("submitted_to", _("The end date comes before the start date."))
        return data


class CatalogFilesForm(forms.Form):
    """Catalog files to check, or to import."""

    mode = forms.ChoiceField(
        label=_("What to do"),
        choices=[("validate", _("Only check the files")), ("import", _("Check and import (all or nothing)"))],
        widget=forms.RadioSelect,
        initial="validate",
    )


class OrderRaiseForm(forms.Form):
    """A supervisor's 督办 order: the cases (tracking codes), the responsible department, the reason."""

    codes = forms.CharField(
        label=_("Tracking codes"),
        max_length=2000,
        help_text=_("One or more, separated by spaces or commas."),
        error_messages={"required": _("Name at least one case.")},
    )
    department = forms.ChoiceField(label=_("Responsible department"), choices=())
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": _("A reason is required.")},
    )

    def __init__(self, *args: Any, departments: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = departments  # type: ignore[attr-defined]

    def clean_codes(self) -> list[str]:
        raw = re.split(r"[\s,，;；、]+", str(self.cleaned_data["codes"]))
        codes = [normalise_code(part) for part in raw if part]
        if not codes:
            raise forms.ValidationError(_("Name at least one case."))
        if any(code is None for code in codes) or len(codes) > 100:
            raise forms.ValidationError(_("Some of these are not tracking codes."))
        return [code for code in codes if code]

    def clean_reason(self) -> str:
        reason = str(self.cleaned_data["reason"]).strip()
        if not reason:
            raise forms.ValidationError(_("A reason is required."))
        return reason


class OrderReplyForm(forms.Form):
    """The department's reply to a 督办 order."""

    reply = forms.CharField(
        label=_("What was done"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": _("Say what was done.")},
    )

    def clean_reply(self) -> str:
        reply = str(self.cleaned_data["reply"]).strip()
        if not reply:
            raise forms.ValidationError(_("Say what was done."))
        return reply


class OrderReviewForm(forms.Form):
    """The supervisor's review of a reply: a note (required to return it)."""

    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, required=False)


class StatisticsFilterForm(forms.Form):
    """The dashboards' filters (GET): the period, how the trend is cut, and the dimensions."""

    start = forms.DateField(label=_("From"), required=False, widget=DateInput())
    end = forms.DateField(label=_("Until"), required=False, widget=DateInput())
    grain = forms.ChoiceField(
        label=_("Trend by"),
        required=False,
        choices=[("day", _("by day")), ("week", _("by week")), ("month", _("by month")), ("year", _("by year"))],
    )
    level = forms.ChoiceField(
        label=_("Count"),
        required=False,
        choices=[("packages", _("one-things (each case once)")), ("items", _("items (each item case)"))],
    )
    department = forms.ChoiceField(label=_("Department"), required=False)
    thing = forms.ChoiceField(label=_("One-thing"), required=False)
    item = forms.CharField(label=_("Item code"), required=False, max_length=40)
    channel = forms.ChoiceField(label=_("Channel"), required=False)
    window = forms.TypedChoiceField(label=_("Window"), required=False, coerce=int, empty_value=None)

    def __init__(
        self,
        *args: Any,
        things: Sequence[tuple[str, str]],
        departments: Sequence[tuple[str, str]] | None,
        windows: Sequence[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        anything = ("", _("Any"))
        channels = [(value, label) for value, label in Channel.choices]
        for name, choices in (("thing", things), ("channel", channels), ("window", windows)):
            field = self.fields[name]
            if isinstance(field, forms.ChoiceField):
                field.choices = [anything, *choices]
        if departments is None:  # department staff: always their own department
            del self.fields["department"]
        else:
            field = self.fields["department"]
            if isinstance(field, forms.ChoiceField):
                field.choices = [anything, *departments]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", _("The end date comes before the start date."))
        elif start and end and (end - start).days > 3700:
            self.add_error("start", _("A period covers at most ten years."))
        return data
