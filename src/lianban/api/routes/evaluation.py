"""API routes of 好差评 (mounted under /api/)."""

from django.urls import URLPattern, URLResolver, path

from lianban.api.views.evaluation import (
    AppealDecideApi,
    AppealDetailApi,
    AppealListApi,
    CaseRatingEnterApi,
    CaseRatingsApi,
    FollowUpApi,
    StatisticsApi,
    TicketAppealApi,
    TicketDetailApi,
    TicketFeedbackApi,
    TicketListApi,
    TicketPrecheckApi,
    TicketRectifyApi,
    TicketRerateApi,
    TicketVisitApi,
    TokenRatingApi,
    VisitTokenApi,
)

urlpatterns: list[URLPattern | URLResolver] = [
    path("cases/<int:case_id>/ratings", CaseRatingsApi.as_view(), name="evaluation-case-ratings"),
    path("cases/<int:case_id>/ratings/entered", CaseRatingEnterApi.as_view(), name="evaluation-enter"),
    path("cases/<int:case_id>/visit-token", VisitTokenApi.as_view(), name="evaluation-visit-token"),
    path("ratings/statistics", StatisticsApi.as_view(), name="evaluation-statistics"),
    path("ratings/token/<str:token>", TokenRatingApi.as_view(), name="evaluation-token"),
    path("ratings/<int:rating_id>/follow-up", FollowUpApi.as_view(), name="evaluation-follow-up"),
    path("rectifications", TicketListApi.as_view(), name="evaluation-tickets"),
    path("rectifications/<int:ticket_id>", TicketDetailApi.as_view(), name="evaluation-ticket"),
    path("rectifications/<int:ticket_id>/precheck", TicketPrecheckApi.as_view(), name="evaluation-ticket-precheck"),
    path("rectifications/<int:ticket_id>/visit", TicketVisitApi.as_view(), name="evaluation-ticket-visit"),
    path("rectifications/<int:ticket_id>/rectify", TicketRectifyApi.as_view(), name="evaluation-ticket-rectify"),
    path("rectifications/<int:ticket_id>/feedback", TicketFeedbackApi.as_view(), name="evaluation-ticket-feedback"),
    path("rectifications/<int:ticket_id>/rerate", TicketRerateApi.as_view(), name="evaluation-ticket-rerate"),
    path("rectifications/<int:ticket_id>/appeal", TicketAppealApi.as_view(), name="evaluation-ticket-appeal"),
    path("appeals", AppealListApi.as_view(), name="evaluation-appeals"),
    path("appeals/<int:appeal_id>", AppealDetailApi.as_view(), name="evaluation-appeal"),
    path("appeals/<int:appeal_id>/decision", AppealDecideApi.as_view(), name="evaluation-appeal-decide"),
]
