"""Public tracking by code: no login, progress by stage and item, no personal data."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from lianban.cases.selectors import track as track_case
from lianban.common.throttling import TrackThrottle, allows
from lianban.core.tracking import format_code, normalise_code
from lianban.portal.case_view import eta_note, progress_view
from lianban.portal.case_words import state_text

#: The longest code text kept in the form (a code with dashes and spaces is ~16).
MAX_CODE_TEXT = 40


def _page(request: HttpRequest, typed: str, *, status: int = 200) -> HttpResponse:
    result = track_case(typed) if typed else None
    context: dict[str, object] = {"typed": typed, "searched": bool(typed), "result": result}
    if result is not None:
        eta = date.fromisoformat(result["eta"]) if result["eta"] else None
        context.update(
            {
                "state_text": state_text(result["state"]),
                "stages": progress_view(result),
                "eta": eta,
                "eta_note": eta_note(result["state"], eta),
                "eta_provisional": bool(result.get("eta_provisional")),
            }
        )
    elif typed:
        status = 404
    return render(request, "portal/track.html", context, status=status)


def _throttled(request: HttpRequest) -> HttpResponse | None:
    """The 429 page when this address looked up too many codes lately (the API's tracking throttle)."""
    throttle = TrackThrottle()
    if allows(throttle, request):
        return None
    wait = int(throttle.wait() or 1)
    message = _("Too many requests. Try again in %(seconds)d seconds.") % {"seconds": wait}
    response = render(request, "400.html", {"message": message}, status=429)
    response["Retry-After"] = str(wait)
    return response


def track(request: HttpRequest) -> HttpResponse:
    """The tracking form (``?code=``); a code that exists goes to its page."""
    if request.GET.get("code") and (refused := _throttled(request)) is not None:
        return refused
    typed = request.GET.get("code", "").strip()[:MAX_CODE_TEXT]
    canonical = normalise_code(typed) if typed else None
    if canonical is not None and track_case(canonical) is not None:
        return redirect("portal:track_code", code=format_code(canonical))
    return _page(request, typed)


def track_code(request: HttpRequest, code: str) -> HttpResponse:
    """Progress of the case with this code; a friendly "not found" (404) with the code kept."""
    if (refused := _throttled(request)) is not None:
        return refused
    return _page(request, code.strip()[:MAX_CODE_TEXT])
