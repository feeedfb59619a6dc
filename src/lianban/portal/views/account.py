"""Citizens' accounts on the portal: sign up and reset a password with a code sent to their mobile number.

Two steps each: the number (a code is queued, rate-limited), then the code with
the rest (identity and password to sign up, a new password to reset). The
number and the request's status token travel in the session between the steps;
the second step says whether the code went out (on reload, and by asking
:func:`code_status` every few seconds when scripts run). The answers do not tell
whether a number has an account (``accounts.phone_codes``, ``messaging.selectors``).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from lianban.accounts.models import CodePurpose
from lianban.accounts.phone_codes import (
    CodeNotSent,
    CodeRefused,
    password_reset_by_code,
    phone_clean,
    phone_code_send,
    signup_complete,
)
from lianban.accounts.services import AccountInvalid
from lianban.accounts.sso import sso_enabled
from lianban.common.client_ip import client_ip
from lianban.core.masking import mask
from lianban.messaging.selectors import CODE_FAILED, CODE_LATE, CODE_PENDING, CODE_SENT, code_request_state

#: The session keys holding the number between the two steps, per purpose.
SESSION_KEY = {CodePurpose.SIGNUP: "lianban_signup_phone", CodePurpose.RESET: "lianban_reset_phone"}
#: The session keys holding the status token of the newest code request, per purpose.
TOKEN_KEY = {CodePurpose.SIGNUP: "lianban_signup_code_token", CodePurpose.RESET: "lianban_reset_code_token"}
#: The page (URL name) of each step, per purpose.
STEPS = {
    CodePurpose.SIGNUP: ("portal:signup", "portal:signup_verify"),
    CodePurpose.RESET: ("portal:password_forgot", "portal:password_forgot_verify"),
}
BACKEND = "lianban.accounts.backends.RoleBackend"


class PhoneForm(forms.Form):
    phone = forms.CharField(
        label=gettext_lazy("Mobile number"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )


class CodeField(forms.CharField):
    def __init__(self) -> None:
        super().__init__(
            label=gettext_lazy("Verification code"),
            max_length=12,
            widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        )


def _password_fields() -> tuple[forms.CharField, forms.CharField]:
    widget = {"autocomplete": "new-password"}
    return (
        forms.CharField(
            label=gettext_lazy("Password"),
            strip=False,
            max_length=128,
            widget=forms.PasswordInput(attrs=widget),
            help_text=gettext_lazy(
                "At least 8 characters, not only digits, not a common password, not like your number or name."
            ),
        ),
        forms.CharField(
            label=gettext_lazy("Password again"),
            strip=False,
            max_length=128,
            widget=forms.PasswordInput(attrs=widget),
        ),
    )


class SignupForm(forms.Form):
    code = CodeField()
    name = forms.CharField(label=gettext_lazy("Real name"), max_length=100)
    id_number = forms.CharField(
        label=gettext_lazy("Citizen identity number"),
        max_length=24,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    password, password2 = _password_fields()


class ResetForm(forms.Form):
    code = CodeField()
    password, password2 = _password_fields()


def _add_problems(form: forms.Form, problems: dict[str, str]) -> None:
    for field, problem in problems.items():
        form.add_error(field if field in form.fields else None, problem)


def _ask_code(request: HttpRequest, purpose: CodePurpose) -> HttpResponse:
    form = PhoneForm(request.POST or None)
    status, retry_after = 200, 0
    if request.method == "POST" and form.is_valid():
        try:
            phone = phone_clean(form.cleaned_data["phone"])
            token = phone_code_send(phone=phone, purpose=purpose, address=client_ip(request))
        except AccountInvalid as exc:
            _add_problems(form, exc.problems)
        except CodeRefused as refused:
            form.add_error(None, refused.message)
            status, retry_after = 429, refused.retry_after
        except CodeNotSent:
            form.add_error(None, _("The code could not be sent just now. Please try again later."))
            status = 503
        else:
            request.session[SESSION_KEY[purpose]] = phone
            request.session[TOKEN_KEY[purpose]] = token
            messages.info(
                request,
                _("If the number can receive it, a code is on its way to %(phone)s.") % {"phone": mask(phone, "phone")},
            )
            return redirect(STEPS[purpose][1])
    if form.errors and status == 200:
        status = 400
    response = render(request, "registration/phone_code.html", {"form": form, "purpose": purpose}, status=status)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


def _state_text(state: str) -> str:
    texts = {
        CODE_PENDING: _("Sending the code…"),
        CODE_SENT: _("The code was sent. It may take a minute to arrive."),
        CODE_FAILED: _("The code could not be sent. Ask for a new code in a minute, or check the number."),
        CODE_LATE: _("The code has not been sent yet. If it does not arrive, ask for a new code in a minute."),
    }
    return texts[state]


def _code_context(request: HttpRequest, purpose: CodePurpose) -> dict[str, Any]:
    """What the second step shows of the code's sending (nothing when the session has no status token)."""
    token = request.session.get(TOKEN_KEY[purpose], "")
    state = code_request_state(token) if token else None
    if state is None:
        return {}
    return {
        "code_state": state,
        "code_state_text": _state_text(state),
        "code_status_url": reverse("portal:code_status", args=[token]),
    }


@require_GET
@never_cache
def code_status(request: HttpRequest, token: str) -> HttpResponse:
    """Where the code of a request is, as JSON ``{"state", "text", "final"}``: the page asks every few seconds.

    Keyed by the request's random token (404 for any other): no number, no account, nothing personal.
    """
    state = code_request_state(token)
    if state is None:
        return JsonResponse({"error": "not found"}, status=404)
    return JsonResponse({"state": state, "text": _state_text(state), "final": state in (CODE_SENT, CODE_FAILED)})


def signup(request: HttpRequest) -> HttpResponse:
    """Step 1 of signing up: the mobile number; a code is sent."""
    if request.user.is_authenticated:
        return redirect("portal:home")
    return _ask_code(request, CodePurpose.SIGNUP)


def password_forgot(request: HttpRequest) -> HttpResponse:
    """Step 1 of resetting a forgotten password: the mobile number; a code is sent if it has an account."""
    return _ask_code(request, CodePurpose.RESET)


def signup_verify(request: HttpRequest) -> HttpResponse:
    """Step 2 of signing up: the code, the real name and identity number, a password; then signed in."""
    phone = request.session.get(SESSION_KEY[CodePurpose.SIGNUP])
    if not phone:
        return redirect("portal:signup")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = signup_complete(
                phone=phone,
                code=data["code"],
                name=data["name"],
                id_number=data["id_number"],
                password=data["password"],
                password2=data["password2"],
            )
        except AccountInvalid as exc:
            _add_problems(form, exc.problems)
        else:
            request.session.pop(SESSION_KEY[CodePurpose.SIGNUP], None)
            request.session.pop(TOKEN_KEY[CodePurpose.SIGNUP], None)
            login(request, user, backend=BACKEND)
            messages.success(request, _("Your account is ready. You are signed in."))
            return redirect("portal:home")
    context = {
        "form": form,
        "purpose": CodePurpose.SIGNUP,
        "phone": mask(phone, "phone"),
        **_code_context(request, CodePurpose.SIGNUP),
    }
    return render(request, "registration/phone_verify.html", context, status=400 if form.errors else 200)


def password_forgot_verify(request: HttpRequest) -> HttpResponse:
    """Step 2 of resetting: the code and a new password; then to the login page."""
    phone = request.session.get(SESSION_KEY[CodePurpose.RESET])
    if not phone:
        return redirect("portal:password_forgot")
    form = ResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            password_reset_by_code(
                phone=phone, code=data["code"], password=data["password"], password2=data["password2"]
            )
        except AccountInvalid as exc:
            _add_problems(form, exc.problems)
        else:
            request.session.pop(SESSION_KEY[CodePurpose.RESET], None)
            request.session.pop(TOKEN_KEY[CodePurpose.RESET], None)
            messages.success(request, _("Your password was changed. Sign in with the new password."))
            return redirect("login")
    context = {
        "form": form,
        "purpose": CodePurpose.RESET,
        "phone": mask(phone, "phone"),
        **_code_context(request, CodePurpose.RESET),
    }
    return render(request, "registration/phone_verify.html", context, status=400 if form.errors else 200)


class SignInForm(AuthenticationForm):
    """Django's sign-in form; citizens' user name is their mobile number."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("User name or mobile number")


class SignInView(LoginView):
    """The login page: user name (or a citizen's mobile number) and password; sign-up, reset and SSO links."""

    authentication_form = SignInForm

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["sso_enabled"] = sso_enabled()
        context["sso_label"] = settings.LIANBAN_OIDC_LABEL or _("Sign in with the provincial identity platform")
        return context


def sso_start(request: HttpRequest) -> HttpResponse:
    """Single sign-on: off to the identity platform (404 when it is not configured)."""
    if not sso_enabled():
        raise Http404
    from mozilla_django_oidc.views import OIDCAuthenticationRequestView

    response: HttpResponse = OIDCAuthenticationRequestView.as_view()(request)
    return response


def sso_callback(request: HttpRequest) -> HttpResponse:
    """Single sign-on: back from the identity platform, signed in (or back to the login page with a message)."""
    if not sso_enabled():
        raise Http404
    from mozilla_django_oidc.views import OIDCAuthenticationCallbackView

    response: HttpResponse = OIDCAuthenticationCallbackView.as_view()(request)
    if not request.user.is_authenticated:
        messages.error(request, _("Single sign-on did not succeed. Please try again or sign in with a password."))
    return response
