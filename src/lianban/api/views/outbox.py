"""Event subscriptions over the API (catalog administrators), deliveries, their log and replay (also supervisors)."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from lianban.api.common import ListApi, actor, errors, validated
from lianban.api.idempotency import IDEMPOTENCY_KEY, command
from lianban.core import webhooks
from lianban.outbox import selectors, services
from lianban.outbox.models import Delivery, DeliveryState, Subscription


def _event_type() -> serializers.ChoiceField:
    return serializers.ChoiceField(choices=[(t, t) for t in webhooks.PUBLIC_TYPES])


class SubscriptionSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    url = serializers.URLField()
    event_types = serializers.ListField(child=_event_type(), help_text="empty: every event type")
    active = serializers.BooleanField()
    created_at = serializers.DateTimeField()


class SubscriptionWithSecretSerializer(SubscriptionSerializer):
    secret = serializers.CharField(help_text="whsec_…: shown when created or rotated only; keep it secret")


class SubscriptionCreateSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=100)
    url = serializers.URLField(max_length=500, help_text="http or https; the hosts may be restricted by the platform")
    event_types = serializers.ListField(child=_event_type(), required=False, default=list)
    secret = serializers.CharField(
        max_length=100, required=False, default="", help_text="whsec_<base64>; empty: the platform makes one"
    )


class SubscriptionChangeSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=100, required=False)
    url = serializers.URLField(max_length=500, required=False)
    event_types = serializers.ListField(child=_event_type(), required=False)
    active = serializers.BooleanField(required=False)
    rotate_secret = serializers.BooleanField(required=False, default=False, help_text="make a new secret")


class DeliverySerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    subscription = serializers.IntegerField(source="subscription_id")
    event_id = serializers.CharField(source="event.public_id")
    event_type = serializers.CharField(source="event.type")
    occurred_at = serializers.DateTimeField(source="event.occurred_at")
    state = serializers.ChoiceField(choices=DeliveryState.choices)
    attempts = serializers.IntegerField()
    next_attempt_at = serializers.DateTimeField()
    delivered_at = serializers.DateTimeField(allow_null=True)
    dead_at = serializers.DateTimeField(allow_null=True)
    last_status = serializers.IntegerField(allow_null=True, help_text="the receiver's last HTTP status, if any")
    last_error = serializers.CharField()


class AttemptSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    delivery = serializers.IntegerField(source="delivery_id")
    event_id = serializers.CharField(source="delivery.event.public_id")
    number = serializers.IntegerField()
    started_at = serializers.DateTimeField()
    duration_ms = serializers.IntegerField()
    status_code = serializers.IntegerField(allow_null=True)
    error = serializers.CharField()
    ok = serializers.BooleanField()


class ReplayedSerializer(serializers.Serializer[Any]):
    replayed = serializers.IntegerField(help_text="1: sent again from the first attempt; 0: it was not dead")


class DeliveryFilterSerializer(serializers.Serializer[Any]):
    state = serializers.ChoiceField(choices=DeliveryState.choices, required=False, default="")
    subscription = serializers.IntegerField(required=False, default=None, allow_null=True)


def _subscription(subscription_id: int) -> Subscription:
    return get_object_or_404(Subscription, pk=subscription_id)


class SubscriptionListApi(ListApi):
    """Event subscriptions of department systems (catalog administrators)."""

    ordering = ("id",)

    @extend_schema(
        operation_id="webhook_subscriptions_list",
        responses={200: SubscriptionSerializer(many=True), **errors(403)},
        tags=["events"],
    )
    def get(self, request: Request) -> Response:
        return self.page(request, selectors.subscription_list(), SubscriptionSerializer)

    @extend_schema(
        operation_id="webhook_subscriptions_create",
        parameters=[IDEMPOTENCY_KEY],
        request=SubscriptionCreateSerializer,
        responses={201: SubscriptionWithSecretSerializer, **errors(400, 403, 409)},
        tags=["events"],
    )
    def post(self, request: Request) -> Response:
        data = validated(SubscriptionCreateSerializer, request.data)
        user = actor(request)
        return command(
            request,
            run=lambda key: services.subscription_create(actor=user, idempotency_key=key, **data),
            render=lambda subscription: SubscriptionWithSecretSerializer(subscription).data,
            status=status.HTTP_201_CREATED,
        )


class SubscriptionDetailApi(APIView):
    """One subscription: read, change (``rotate_secret`` answers the new secret once), delete."""

    @extend_schema(
        operation_id="webhook_subscriptions_detail",
        responses={200: SubscriptionSerializer, **errors(403, 404)},
        tags=["events"],
    )
    def get(self, request: Request, subscription_id: int) -> Response:
        return Response(SubscriptionSerializer(_subscription(subscription_id)).data)

    @extend_schema(
        operation_id="webhook_subscriptions_change",
        request=SubscriptionChangeSerializer,
        responses={200: SubscriptionWithSecretSerializer, **errors(400, 403, 404)},
        tags=["events"],
    )
    def patch(self, request: Request, subscription_id: int) -> Response:
        subscription = _subscription(subscription_id)
        data: dict[str, Any] = validated(SubscriptionChangeSerializer, request.data)
        changed = services.subscription_update(actor=actor(request), subscription=subscription, **data)
        out = SubscriptionWithSecretSerializer if data.get("rotate_secret") else SubscriptionSerializer
        return Response(out(changed).data)

    @extend_schema(
        operation_id="webhook_subscriptions_delete",
        responses={204: None, **errors(403, 404)},
        tags=["events"],
    )
    def delete(self, request: Request, subscription_id: int) -> Response:
        services.subscription_delete(actor=actor(request), subscription=_subscription(subscription_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class SubscriptionAttemptListApi(ListApi):
    """The delivery log of a subscription, newest first: every attempt with its status code or error and duration."""

    ordering = ("-id",)

    @extend_schema(
        operation_id="webhook_subscriptions_attempts",
        responses={200: AttemptSerializer(many=True), **errors(403, 404)},
        tags=["events"],
    )
    def get(self, request: Request, subscription_id: int) -> Response:
        subscription = _subscription(subscription_id)
        return self.page(request, selectors.attempt_list(subscription=subscription), AttemptSerializer)


class DeliveryListApi(ListApi):
    """Event deliveries, oldest first; ``?state=DEAD`` lists the failed ones waiting for a replay."""

    ordering = ("id",)

    @extend_schema(
        operation_id="webhook_deliveries_list",
        parameters=[DeliveryFilterSerializer],
        responses={200: DeliverySerializer(many=True), **errors(400, 403)},
        tags=["events"],
    )
    def get(self, request: Request) -> Response:
        query = validated(DeliveryFilterSerializer, request.query_params)
        subscription = _subscription(query["subscription"]) if query["subscription"] is not None else None
        rows = selectors.delivery_list(subscription=subscription, state=query["state"])
        return self.page(request, rows, DeliverySerializer)


class DeliveryReplayApi(APIView):
    """Send a dead delivery again, from its first attempt (events of its case after it follow in order)."""

    @extend_schema(
        operation_id="webhook_deliveries_replay",
        parameters=[IDEMPOTENCY_KEY],
        request=None,
        responses={200: ReplayedSerializer, **errors(403, 404, 409)},
        tags=["events"],
    )
    def post(self, request: Request, delivery_id: int) -> Response:
        delivery = get_object_or_404(Delivery, pk=delivery_id)
        user = actor(request)
        return command(
            request,
            run=lambda key: services.delivery_replay_one(actor=user, delivery=delivery, idempotency_key=key),
            render=lambda result: {"replayed": result[1]},
        )
