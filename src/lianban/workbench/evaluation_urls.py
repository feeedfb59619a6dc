"""好差评 pages: the public rating page of a token, the applicant's rating page, the window's visit rating,
the rectification tickets in the workbench."""

from django.urls import URLPattern, URLResolver, path

from lianban.workbench.views import evaluation as views

app_name = "evaluation"

urlpatterns: list[URLPattern | URLResolver] = [
    path("rate/<str:token>/", views.rate_by_token, name="rate"),
    path("my/cases/<int:case_id>/rate/", views.case_rate, name="case_rate"),
    path("work/cases/<int:case_id>/visit-rating/", views.visit_start, name="visit_start"),
    path("work/rectifications/", views.ticket_list, name="tickets"),
    path("work/rectifications/<int:ticket_id>/", views.ticket_detail, name="ticket"),
]
