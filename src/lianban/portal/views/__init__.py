"""Portal pages, one module per area. Thin: read through selectors, write through services."""

from lianban.portal.views.account import (
    SignInView,
    code_status,
    password_forgot,
    password_forgot_verify,
    signup,
    signup_verify,
    sso_callback,
    sso_start,
)
from lianban.portal.views.apply import apply, draft_file, draft_page, draft_remove, draft_upload
from lianban.portal.views.cases import (
    case_file,
    case_page,
    case_resubmit_view,
    case_submitted,
    case_upload,
    case_withdraw_view,
    item_supply,
    my_cases,
    supplement_file,
)
from lianban.portal.views.guide import guide
from lianban.portal.views.home import home, search
from lianban.portal.views.licences import my_licences
from lianban.portal.views.message_settings import message_settings
from lianban.portal.views.track import track, track_code

__all__ = [
    "SignInView",
    "apply",
    "case_file",
    "case_page",
    "case_resubmit_view",
    "case_submitted",
    "case_upload",
    "case_withdraw_view",
    "code_status",
    "draft_file",
    "draft_page",
    "draft_remove",
    "draft_upload",
    "guide",
    "home",
    "item_supply",
    "message_settings",
    "my_cases",
    "my_licences",
    "password_forgot",
    "password_forgot_verify",
    "search",
    "signup",
    "signup_verify",
    "sso_callback",
    "sso_start",
    "supplement_file",
    "track",
    "track_code",
]
