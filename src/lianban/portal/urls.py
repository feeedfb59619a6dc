"""Portal URLs (mounted at ``/``). Names are used by the navigation; see docs/ui.md."""

from django.urls import path

from lianban.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("guide/<str:code>/", views.guide, name="guide"),
    # applying: start, the draft, its uploads
    path("apply/drafts/<int:draft_id>/", views.draft_page, name="draft"),
    path("apply/drafts/<int:draft_id>/delete/", views.draft_remove, name="draft_delete"),
    path("apply/drafts/<int:draft_id>/materials/<str:material>/", views.draft_upload, name="draft_upload"),
    path("apply/drafts/<int:draft_id>/materials/<str:material>/file/", views.draft_file, name="draft_file"),
    path("apply/<str:code>/", views.apply, name="apply"),
    # the applicant's cases and licences
    path("my/cases/", views.my_cases, name="my_cases"),
    path("my/cases/<int:case_id>/", views.case_page, name="case"),
    path("my/cases/<int:case_id>/submitted/", views.case_submitted, name="case_submitted"),
    path("my/cases/<int:case_id>/resubmit/", views.case_resubmit_view, name="case_resubmit"),
    path("my/cases/<int:case_id>/withdraw/", views.case_withdraw_view, name="case_withdraw"),
    path("my/cases/<int:case_id>/materials/<str:material>/", views.case_upload, name="case_upload"),
    path("my/cases/<int:case_id>/materials/<str:material>/file/", views.case_file, name="case_file"),
    path("my/cases/<int:case_id>/items/<int:item_id>/supply/", views.item_supply, name="item_supply"),
    path("my/cases/<int:case_id>/supplements/<int:supplement_id>/file/", views.supplement_file, name="supplement_file"),
    path("my/licences/", views.my_licences, name="my_licences"),
    path("my/messages/", views.message_settings, name="message_settings"),
    # citizens' accounts: sign up, reset a forgotten password (codes sent to the mobile number)
    path("signup/", views.signup, name="signup"),
    path("signup/verify/", views.signup_verify, name="signup_verify"),
    path("password/forgot/", views.password_forgot, name="password_forgot"),
    path("password/forgot/verify/", views.password_forgot_verify, name="password_forgot_verify"),
    path("phone-code/<str:token>/", views.code_status, name="code_status"),
    # public tracking, no login
    path("track/", views.track, name="track"),
    path("track/<str:code>/", views.track_code, name="track_code"),
]
