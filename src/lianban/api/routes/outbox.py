"""API routes of event subscriptions and deliveries (mounted under /api/)."""

from django.urls import URLPattern, URLResolver, path

from lianban.api.views import outbox as apis

urlpatterns: list[URLPattern | URLResolver] = [
    path("webhook-subscriptions/", apis.SubscriptionListApi.as_view(), name="webhook-subscriptions-list"),
    path(
        "webhook-subscriptions/<int:subscription_id>",
        apis.SubscriptionDetailApi.as_view(),
        name="webhook-subscriptions-detail",
    ),
    path(
        "webhook-subscriptions/<int:subscription_id>/attempts",
        apis.SubscriptionAttemptListApi.as_view(),
        name="webhook-subscriptions-attempts",
    ),
    path("webhook-deliveries/", apis.DeliveryListApi.as_view(), name="webhook-deliveries-list"),
    path(
        "webhook-deliveries/<int:delivery_id>/replay",
        apis.DeliveryReplayApi.as_view(),
        name="webhook-deliveries-replay",
    ),
]
