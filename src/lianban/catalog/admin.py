"""The catalog in the Django admin, validated exactly like an import.

Every add/change/delete runs inside a transaction; before it commits, the
whole catalog is checked with the same core rules as ``lianban catalog
import`` (``validate_catalog``). If anything is wrong the transaction is rolled
back: a form comes back with the user's input and every problem listed, a
deletion is refused with the problems as messages. So an admin cannot save
what an import would refuse, and a valid edit bumps the catalog revision.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext_lazy as _

from lianban.catalog import models as m
from lianban.catalog.services import catalog_changed, catalog_problems
from lianban.catalog.wording import problem_text
from lianban.core.errors import CatalogProblem


class _Rejected(Exception):
    def __init__(self, problems: list[CatalogProblem]) -> None:
        super().__init__("catalog rejected")
        self.problems = problems


_TEXT_INPUT = {"widget": forms.TextInput(attrs={"size": 60})}
#: Problems shown at most in messages after a refused deletion.
_SHOWN = 20


def _show_problems(request: HttpRequest, headline: str, problems: list[CatalogProblem]) -> None:
    messages.error(request, headline)
    for problem in problems[:_SHOWN]:
        messages.error(request, problem_text(problem))
    if len(problems) > _SHOWN:
        messages.error(request, _("… and %(count)d more.") % {"count": len(problems) - _SHOWN})


class ValidatedCatalogAdmin(admin.ModelAdmin[Any]):
    """A ModelAdmin whose saves and deletes must leave a valid catalog."""

    formfield_overrides = {models.TextField: _TEXT_INPUT}

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except _Rejected as rejected:
            # The admin's own transaction was rolled back; show the form again
            # bound to what the user typed, with the problems as form errors.
            request._catalog_problems = rejected.problems  # type: ignore[attr-defined]
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form_class = super().get_form(request, obj, change, **kwargs)
        problems: list[CatalogProblem] = getattr(request, "_catalog_problems", None) or []
        if not problems:
            return form_class

        class RejectedForm(form_class):  # type: ignore[misc, valid-type]
            def clean(self) -> dict[str, Any]:
                super().clean()
                raise ValidationError([problem_text(p) for p in problems])

        return RejectedForm

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        self._check(request)

    def delete_view(self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None) -> Any:
        try:
            return super().delete_view(request, object_id, extra_context)
        except _Rejected as rejected:
            # Raised inside the admin's transaction: the deletion (and its log entry) were rolled back.
            _show_problems(request, str(_("Not deleted: the catalog would become invalid.")), rejected.problems)
            return HttpResponseRedirect(request.get_full_path())

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        try:
            with transaction.atomic():  # the "delete selected" action logs, then deletes
                return super().changelist_view(request, extra_context)
        except _Rejected as rejected:
            _show_problems(request, str(_("Not deleted: the catalog would become invalid.")), rejected.problems)
            return HttpResponseRedirect(request.get_full_path())

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        super().delete_model(request, obj)
        self._check(request)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        super().delete_queryset(request, queryset)
        self._check(request)

    def _check(self, request: HttpRequest) -> None:
        problems = catalog_problems()
        if problems:
            raise _Rejected(problems)
        catalog_changed()


class OrderedInlineFormSet(BaseInlineFormSet[Any, Any]):
    """New inline rows take their on-screen place, after the existing ones."""

    def save_new(self, form: Any, commit: bool = True) -> Any:
        after = max((f.instance.position for f in self.initial_forms), default=-1) + 1
        form.instance.position = after + self.extra_forms.index(form)
        return super().save_new(form, commit)


class CodeListField(forms.CharField):
    """A list of codes or keys typed as text, separated by commas or spaces."""

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return ", ".join(value)
        return value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        text = super().to_python(value) or ""
        return [part for part in text.replace("，", ",").replace(",", " ").split() if part]


class ItemForm(forms.ModelForm[m.Item]):
    form_fields = CodeListField(label=_("form fields"), required=False, help_text=_("Field keys, separated by commas."))

    class Meta:
        model = m.Item
        fields = "__all__"  # noqa: DJ007
        widgets = {"basis": forms.Textarea(attrs={"rows": 3, "cols": 60})}


class ThingItemForm(forms.ModelForm[m.ThingItem]):
    after = CodeListField(
        label=_("after (item codes)"), required=False, help_text=_("Item codes, separated by commas.")
    )

    class Meta:
        model = m.ThingItem
        fields = "__all__"  # noqa: DJ007


class OptionListField(forms.CharField):
    """Choice options typed one per line (an option may contain commas or spaces)."""

    widget = forms.Textarea(attrs={"rows": 2, "cols": 24})

    def __init__(self, *args: Any, rows: int = 2, cols: int = 24, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": rows, "cols": cols}))
        super().__init__(*args, **kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return "\n".join(value)
        return value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        text = super().to_python(value) or ""
        return [line.strip() for line in text.splitlines() if line.strip()]


class QuestionForm(forms.ModelForm[m.Question]):
    options = OptionListField(label=_("options"), required=False, help_text=_("For choice questions: one per line."))

    class Meta:
        model = m.Question
        fields = "__all__"  # noqa: DJ007

    def clean_options(self) -> list[str] | None:
        options: list[str] = self.cleaned_data.get("options") or []
        return options or None


class ThingForm(forms.ModelForm[m.Thing]):
    """A thing with its search words and guide text; lists are typed one entry per line."""

    keywords = OptionListField(
        label=_("search keywords"),
        required=False,
        rows=3,
        cols=60,
        help_text=_("Words people use for it: one per line."),
    )
    notes = OptionListField(
        label=_("what to know before applying"),
        required=False,
        rows=4,
        cols=60,
        help_text=_("Shown in the guide and on the acceptance receipt: one note per line."),
    )

    class Meta:
        model = m.Thing
        fields = "__all__"  # noqa: DJ007
        widgets = {"summary": forms.Textarea(attrs={"rows": 3, "cols": 60})}


class FieldDefinitionForm(forms.ModelForm[m.FieldDefinition]):
    options = OptionListField(label=_("options"), required=False, help_text=_("For choice fields: one per line."))

    class Meta:
        model = m.FieldDefinition
        fields = "__all__"  # noqa: DJ007

    def clean_options(self) -> list[str] | None:
        options: list[str] = self.cleaned_data.get("options") or []
        return options or None


class ItemMaterialInline(admin.TabularInline[m.ItemMaterial, Any]):
    model = m.ItemMaterial
    formset = OrderedInlineFormSet
    fields = ("material", "name_override", "when", "required", "tolerable")
    autocomplete_fields = ("material",)
    extra = 0
    formfield_overrides = {models.TextField: {"widget": forms.TextInput(attrs={"size": 40})}}


class ItemProductInline(admin.TabularInline[m.ItemProduct, Any]):
    model = m.ItemProduct
    formset = OrderedInlineFormSet
    fields = ("material",)
    autocomplete_fields = ("material",)
    extra = 0


class QuestionInline(admin.TabularInline[m.Question, Any]):
    model = m.Question
    form = QuestionForm
    formset = OrderedInlineFormSet
    fields = ("key", "text", "type", "options", "min", "max", "required")
    extra = 0
    formfield_overrides = {models.TextField: {"widget": forms.TextInput(attrs={"size": 30})}}


class ThingItemInline(admin.TabularInline[m.ThingItem, Any]):
    model = m.ThingItem
    form = ThingItemForm
    formset = OrderedInlineFormSet
    fields = ("item", "when", "after")
    autocomplete_fields = ("item",)
    extra = 0
    formfield_overrides = {models.TextField: {"widget": forms.TextInput(attrs={"size": 40})}}


@admin.register(m.Department)
class DepartmentAdmin(ValidatedCatalogAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")


@admin.register(m.Material)
class MaterialAdmin(ValidatedCatalogAdmin):
    list_display = ("code", "name", "source")
    list_filter = ("source",)
    search_fields = ("code", "name")


@admin.register(m.FieldDefinition)
class FieldDefinitionAdmin(ValidatedCatalogAdmin):
    form = FieldDefinitionForm
    list_display = ("key", "label", "type", "required", "prefill", "personal")
    list_filter = ("type", "required")
    search_fields = ("key", "label")
    fields = ("key", "label", "type", "required", "help", "options", "min", "max", "max_length", "prefill", "personal")


@admin.register(m.Item)
class ItemAdmin(ValidatedCatalogAdmin):
    form = ItemForm
    list_display = ("code", "name", "department", "category", "legal_days", "promised_days", "fee", "online")
    list_filter = ("department", "category", "online")
    search_fields = ("code", "name")
    inlines = (ItemMaterialInline, ItemProductInline)
    fields = (
        "code", "name", "department", "category", "legal_days", "promised_days", "fee", "online", "form_fields",
        "basis",
    )  # fmt: skip


@admin.register(m.Thing)
class ThingAdmin(ValidatedCatalogAdmin):
    form = ThingForm
    list_display = ("code", "name", "subject", "lead_department")
    list_filter = ("subject", "lead_department")
    search_fields = ("code", "name")
    inlines = (QuestionInline, ThingItemInline)


@admin.register(m.ImportRecord)
class ImportRecordAdmin(admin.ModelAdmin[m.ImportRecord]):
    list_display = ("created_at", "actor", "revision", "counts")
    readonly_fields = ("created_at", "actor", "files", "counts", "revision")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
