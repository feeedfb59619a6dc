"""好差评 pages: the public rating page of a token, the applicant's rating page, the window's visit rating,
the rectification tickets and the appeals (申诉) in the workbench."""

from django.urls import URLPattern, URLResolver, path

from lianban.workbench.views import evaluation as views

app_name = "evaluation"

urlpatterns: list[URLPattern | URLResolver] = [
    path("rate/<str:token>/", views.rate_by_token, name="rate"),
    path("rate/window/<str:token>/", views.window_rate, name="window_rate"),
    path("work/windows/", views.window_list, name="windows"),
    path("work/ratings/statistics/", views.statistics, name="statistics"),
    path("work/ratings/statistics/export.xlsx", views.statistics_export, name="statistics_export"),
    path("work/ratings/statistics/ratings/", views.statistics_ratings, name="statistics_ratings"),
    path("ratings/statistics/", views.public_statistics, name="public_statistics"),
    path("my/cases/<int:case_id>/rate/", views.case_rate, name="case_rate"),
    path("work/cases/<int:case_id>/visit-rating/", views.visit_start, name="visit_start"),
    path("work/rectifications/", views.ticket_list, name="tickets"),
    path("work/rectifications/<int:ticket_id>/", views.ticket_detail, name="ticket"),
    path("work/rectifications/<int:ticket_id>/appeal/", views.ticket_appeal, name="ticket_appeal"),
    path("work/appeals/", views.appeal_list, name="appeals"),
    path("work/appeals/<int:appeal_id>/", views.appeal_detail, name="appeal"),
    path("work/appeals/<int:appeal_id>/evidence/", views.appeal_evidence, name="appeal_evidence"),
]
