"""Subscriptions, deliveries and their log in the admin; every write goes through the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from lianban.accounts.models import User
from lianban.core import webhooks
from lianban.outbox import services
from lianban.outbox.models import Delivery, DeliveryAttempt, DeliveryState, OutboxEvent, Subscription


class SubscriptionForm(forms.ModelForm[Subscription]):
    url = forms.URLField(label=_("callback URL"), max_length=500, assume_scheme="https")
    event_types = forms.MultipleChoiceField(
        label=_("event types"),
        choices=[(t, t) for t in webhooks.PUBLIC_TYPES],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every event type."),
    )
    secret = forms.CharField(
        label=_("signing secret"),
        required=False,
        help_text=_("Empty: a new secret is made (or the current one kept). Give it to the department system."),
    )

    class Meta:
        model = Subscription
        fields = ["name", "url", "event_types", "secret", "active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial["secret"] = ""  # the secret is shown once, when made; a new one replaces it

    def clean_url(self) -> str:
        url = str(self.cleaned_data["url"])
        services.url_check(url)
        return url

    def clean_secret(self) -> str:
        secret = str(self.cleaned_data.get("secret") or "")
        if secret:
            try:
                webhooks.secret_key(secret)
            except ValueError:
                raise ValidationError(_("The secret must be whsec_ followed by base64 of at least 24 bytes.")) from None
        return secret


def _user(request: HttpRequest) -> User | None:
    return request.user if isinstance(request.user, User) else None


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin[Subscription]):
    form = SubscriptionForm
    list_display = ["name", "url", "active", "created_at"]
    list_filter = ["active"]

    def save_model(self, request: HttpRequest, obj: Subscription, form: Any, change: bool) -> None:
        data = form.cleaned_data
        if change:
            saved = services.subscription_update(
                actor=_user(request),
                subscription=obj,
                name=data["name"],
                url=data["url"],
                event_types=list(data["event_types"]),
                active=data["active"],
            )
            if data["secret"]:
                saved.secret = data["secret"]
                saved.save(update_fields=["secret"])
        else:
            saved = services.subscription_create(
                actor=_user(request),
                name=data["name"],
                url=data["url"],
                event_types=list(data["event_types"]),
                secret=data["secret"],
            )
            if not data["active"]:
                services.subscription_update(actor=_user(request), subscription=saved, active=False)
            if not data["secret"]:
                self.message_user(
                    request,
                    _("The signing secret, shown this once: %(secret)s") % {"secret": saved.secret},
                    messages.WARNING,
                )
        obj.pk = saved.pk

    def delete_model(self, request: HttpRequest, obj: Subscription) -> None:
        services.subscription_delete(actor=_user(request), subscription=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Subscription]) -> None:
        for subscription in queryset:
            services.subscription_delete(actor=_user(request), subscription=subscription)


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(OutboxEvent)
class OutboxEventAdmin(ReadOnlyAdmin):
    list_display = ["public_id", "type", "occurred_at", "case"]
    list_filter = ["type"]
    search_fields = ["public_id"]


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ["id", "event", "subscription", "state", "attempts", "next_attempt_at", "last_status", "last_error"]
    list_filter = ["state", "subscription"]
    actions = ["replay"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and request.user.has_perm("outbox.change_delivery")  # the replay action only

    @admin.action(description=_("Replay the selected failed deliveries"), permissions=["change"])
    def replay(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        ids = list(queryset.filter(state=DeliveryState.DEAD).values_list("pk", flat=True))
        count = services.delivery_replay(actor=_user(request), delivery_ids=ids)
        self.message_user(
            request,
            ngettext("%(count)d delivery will be sent again.", "%(count)d deliveries will be sent again.", count)
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(DeliveryAttempt)
class DeliveryAttemptAdmin(ReadOnlyAdmin):
    list_display = ["id", "subscription", "delivery", "number", "started_at", "duration_ms", "status_code", "ok"]
    list_filter = ["ok", "subscription"]
    list_select_related = ["subscription", "delivery__event", "delivery__subscription"]
