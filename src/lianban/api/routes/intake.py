"""API routes of intake (mounted under /api/)."""

from django.urls import URLPattern, URLResolver, path

from lianban.api.views import intake as apis

urlpatterns: list[URLPattern | URLResolver] = [
    path("intake/queue", apis.IntakeQueueApi.as_view(), name="intake-queue"),
    path("cases/<int:case_id>/checks", apis.IntakeChecksApi.as_view(), name="intake-checks"),
    path("cases/<int:case_id>/accept", apis.IntakeAcceptApi.as_view(), name="intake-accept"),
    path(
        "cases/<int:case_id>/request-correction",
        apis.IntakeRequestCorrectionApi.as_view(),
        name="intake-request-correction",
    ),
    path("cases/<int:case_id>/refuse", apis.IntakeRefuseApi.as_view(), name="intake-refuse"),
    path(
        "cases/<int:case_id>/identity/confirm", apis.IntakeIdentityConfirmApi.as_view(), name="intake-identity-confirm"
    ),
    path("cases/<int:case_id>/identity/refuse", apis.IntakeIdentityRefuseApi.as_view(), name="intake-identity-refuse"),
    path("cases/<int:case_id>/correction-notice", apis.CorrectionNoticeApi.as_view(), name="intake-correction-notice"),
    path("cases/<int:case_id>/receipt", apis.ReceiptApi.as_view(), name="intake-receipt"),
]
