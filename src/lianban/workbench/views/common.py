"""What every workbench view shares: role checks, idempotency keys, domain errors as messages, PRG."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from lianban.accounts.models import User
from lianban.cases import words
from lianban.cases.models import Case
from lianban.cases.selectors import material_names
from lianban.common.http import absolute_url
from lianban.core.case_errors import IntakeIncomplete, ItemHeld, TransitionRefused
from lianban.core.errors import CalendarNotCovered, DomainError
from lianban.core.orders import OrderStepRefused
from lianban.intake.services import IDENTITY
from lianban.supervision.wording import order_step_text

View = TypeVar("View", bound=Callable[..., HttpResponseBase])
FormT = TypeVar("FormT", bound=forms.Form)


def staff_user(request: HttpRequest) -> User:
    """The signed-in user (the views below are only reached signed in)."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def roles_required(*roles: str) -> Callable[[View], View]:
    """Only signed-in users with one of ``roles``: others are sent to log in, or get 403."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if roles and getattr(request.user, "role", None) not in roles:
                raise PermissionDenied(_("This page is for other roles."))
            return view(request, *args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


def new_key() -> str:
    """A fresh idempotency key for a form being rendered."""
    return str(uuid.uuid4())


def idempotency_key(request: HttpRequest) -> str | None:
    """The form's idempotency key (a UUID), or None when absent or malformed."""
    raw = (request.POST.get("idempotency_key") or "").strip()
    try:
        return str(uuid.UUID(raw))
    except ValueError:
        return None


def see_other(url: str) -> HttpResponseRedirect:
    """Redirect after a POST (PRG) with 303 See Other."""
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


def _state_words(error: TransitionRefused) -> str:
    table = words.CASE_STATES if error.kind == "case" else words.ITEM_STATES
    return words.word(table, error.state)


def _material_names(case: Case | None) -> dict[str, str]:
    if case is None:
        return {}
    return {
        IDENTITY: _("Applicant identity"),
        **material_names(case),
    }


def error_message(error: DomainError, *, case: Case | None = None) -> str:
    """A domain error in the words of the page (the engine's codes are stable; its texts are for logs)."""
    if isinstance(error, TransitionRefused):
        return _("This cannot be done now: the case is “%(state)s”.") % {"state": _state_words(error)}
    if isinstance(error, OrderStepRefused):
        return order_step_text(error)
    if isinstance(error, IntakeIncomplete):
        if not error.problems:
            return _("No material is checked missing or wrong, so there is nothing to correct.")
        names = _material_names(case)
        listed = "；".join(
            f"{names.get(code, code)}：{words.word(words.INTAKE_PROBLEMS, text)}" for code, text in error.problems
        )
        return _("The case cannot be accepted yet: %(problems)s") % {"problems": listed}
    if isinstance(error, CalendarNotCovered):
        return _("The working-day calendar does not cover %(year)s yet; an administrator must enter it.") % {
            "year": error.year
        }
    if isinstance(error, ItemHeld):
        return _("A material promised under 容缺 has not arrived yet: %(detail)s") % {
            "detail": "、".join(error.waiting)
        }
    if error.code == "bill-unsettled":
        return _("The bill is not paid yet; the results cannot be issued.")
    if error.code == "idempotency-key-reused":
        return _("This form was already sent for another action. Reload the page and try again.")
    if error.code == "upload-refused":
        return _("The file was not accepted: %(reason)s") % {"reason": error.message}
    return error.message


def attempt(request: HttpRequest, run: Callable[[], object], success: str, *, case: Case | None = None) -> bool:
    """Run a service; say ``success`` or the domain error as a message. True when it worked."""
    try:
        run()
    except DomainError as exc:
        messages.error(request, error_message(exc, case=case))
        return False
    messages.success(request, success)
    return True


def command_post(
    request: HttpRequest, run: Callable[[str | None], object], success: str, *, then: str, case: Case | None = None
) -> HttpResponse:
    """The end of every workbench POST: run the service (given the form's idempotency key), say ``success`` or
    the domain error as a message, and redirect to ``then`` (303)."""
    key = idempotency_key(request)
    attempt(request, lambda: run(key), success, case=case)
    return see_other(then)


def form_post(
    request: HttpRequest,
    form: FormT,
    *,
    invalid: Callable[[FormT], HttpResponse],
    run: Callable[[FormT, str | None], object],
    success: str,
    then: str,
    case: Case | None = None,
) -> HttpResponse:
    """A workbench POST with a form: an invalid form answers ``invalid(form)`` (the page again, 400); a valid one
    runs ``run(form, key)`` like :func:`command_post`."""
    if not form.is_valid():
        return invalid(form)
    return command_post(request, lambda key: run(form, key), success, then=then, case=case)


def rating_url(request: HttpRequest, case: Case) -> str:
    """The rating page (好差评) of the case's receipt QR code, absolute: a one-time token of the QR channel."""
    from lianban.evaluation.services import case_token

    return absolute_url(request, reverse("evaluation:rate", args=[case_token(case=case, channel="QR").token]))


def tracking_url(request: HttpRequest, case: Case) -> str:
    """The public tracking page of the case, absolute (what the QR code on a document points to)."""
    code = case.code_for_people
    for name, args in (("portal:track_code", [code]), ("portal:track", [code])):
        try:
            return absolute_url(request, reverse(name, args=args))
        except NoReverseMatch:
            continue
    return absolute_url(request, f"/track/{code}/")


def case_state_text(case: Case) -> str:
    """The case's state in the window's words."""
    return words.word(words.CASE_STATES, case.state)
