"""API routes of review (mounted under /api/)."""

from django.urls import URLPattern, URLResolver, path

from lianban.api.views import review as apis

urlpatterns: list[URLPattern | URLResolver] = [
    path("item-cases/", apis.ItemCaseListApi.as_view(), name="item-cases-list"),
    path("item-cases/<int:item_case_id>", apis.ItemCaseDetailApi.as_view(), name="item-cases-detail"),
    path("item-cases/<int:item_case_id>/accept", apis.ItemCaseAcceptApi.as_view(), name="item-cases-accept"),
    path(
        "item-cases/<int:item_case_id>/request-supplement",
        apis.ItemCaseRequestSupplementApi.as_view(),
        name="item-cases-request-supplement",
    ),
    path("item-cases/<int:item_case_id>/supply", apis.ItemCaseSupplyApi.as_view(), name="item-cases-supply"),
    path("item-cases/<int:item_case_id>/approve", apis.ItemCaseApproveApi.as_view(), name="item-cases-approve"),
    path("item-cases/<int:item_case_id>/reject", apis.ItemCaseRejectApi.as_view(), name="item-cases-reject"),
]
