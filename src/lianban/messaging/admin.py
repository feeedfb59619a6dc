"""Message templates (editable, each save a new version) and messages (read only, addresses masked) in the admin."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from lianban.messaging.models import PLACEHOLDERS, Channel, Message, MessageTemplate, TemplateVersion
from lianban.messaging.selectors import masked_address


class TemplateVersionInline(admin.TabularInline[TemplateVersion, MessageTemplate]):
    model = TemplateVersion
    extra = 0
    can_delete = False
    fields = ["version", "saved_at", "subject", "body", "provider_template"]
    readonly_fields = ["version", "saved_at", "subject", "body", "provider_template"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ProviderCodeFilter(admin.SimpleListFilter):
    """SMS templates with or without the provider's template code (a routed one without it cannot be sent)."""

    title = _("SMS provider template")
    parameter_name = "provider_code"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("missing", _("SMS without a provider template code")), ("set", _("entered"))]

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        if self.value() == "missing":
            return queryset.filter(channel=Channel.SMS, provider_template="")
        if self.value() == "set":
            return queryset.exclude(provider_template="")
        return queryset


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin[MessageTemplate]):
    list_display = ["kind", "audience", "channel", "provider_template", "version", "active", "updated_at"]
    list_filter = ["kind", "channel", "audience", "active", ProviderCodeFilter]
    fields = ["kind", "audience", "channel", "subject", "body", "provider_template", "active", "version", "updated_at"]
    readonly_fields = ["version", "updated_at"]
    inlines = [TemplateVersionInline]

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        if "body" in form.base_fields:
            form.base_fields["body"].help_text = _("Placeholders: %(names)s.") % {
                "names": ", ".join(f"{{{name}}}" for name in PLACEHOLDERS)
            }
        return form

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # messages name their template and version: switch it off instead


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin[Message]):
    list_display = ["id", "case", "kind", "audience", "channel", "address_masked", "status", "failure", "attempts"]
    list_filter = ["status", "purpose", "channel", "failure", "kind"]
    list_select_related = ["case"]
    FIELDS: tuple[str, ...] = (
        "case",
        "topic",
        "kind",
        "purpose",
        "audience",
        "channel",
        "address_masked",
        "template",
        "template_version",
        "subject",
        "body",
        "status",
        "failure",
        "error",
        "attempts",
        "provider",
        "provider_ref",
        "created_at",
        "handed_at",
        "finished_at",
    )
    fields = FIELDS
    readonly_fields = FIELDS

    @admin.display(description=_("address"))
    def address_masked(self, message: Message) -> str:
        return masked_address(message)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
