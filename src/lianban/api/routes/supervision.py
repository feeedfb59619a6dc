"""API routes of supervision (mounted under /api/)."""

from django.urls import URLPattern, URLResolver, path

from lianban.api.views.supervision import (
    DueSoonApi,
    OrderDetailApi,
    OrderListApi,
    OrderReplyApi,
    OrderReviewApi,
    OrderSignApi,
    OverdueApi,
    SignalListApi,
)

urlpatterns: list[URLPattern | URLResolver] = [
    path("supervision/due-soon", DueSoonApi.as_view(), name="supervision-due-soon"),
    path("supervision/overdue", OverdueApi.as_view(), name="supervision-overdue"),
    path("supervision/signals", SignalListApi.as_view(), name="supervision-signals"),
    path("supervision/orders", OrderListApi.as_view(), name="supervision-orders"),
    path("supervision/orders/<int:order_id>", OrderDetailApi.as_view(), name="supervision-order"),
    path("supervision/orders/<int:order_id>/sign", OrderSignApi.as_view(), name="supervision-order-sign"),
    path("supervision/orders/<int:order_id>/reply", OrderReplyApi.as_view(), name="supervision-order-reply"),
    path("supervision/orders/<int:order_id>/review", OrderReviewApi.as_view(), name="supervision-order-review"),
]
