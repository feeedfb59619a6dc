"""The guide (办事指南): the situational questions, then the customised menu."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from lianban.catalog.planning import Planned, planned
from lianban.catalog.selectors import compiled_thing
from lianban.common.http import public_answer
from lianban.core.errors import AnswersInvalid, DependencyCycle, UnknownThing
from lianban.core.planner import CompiledThing
from lianban.portal.guide import add_problems, is_submitted, read_answers
from lianban.portal.menu import build_menu, fee_text
from lianban.portal.selectors import guide_texts


def _apply_url(request: HttpRequest, thing: CompiledThing, query: str) -> str | None:
    """Where the big button goes: the apply page once it exists, else the login page (back to this menu)."""
    try:
        url = reverse("portal:apply", args=[thing.code])
    except NoReverseMatch:
        if request.user.is_authenticated:
            return None
        here = reverse("portal:guide", args=[thing.code]) + (f"?{query}" if query else "")
        return reverse("login") + "?" + urlencode({"next": here})
    return url + (f"?{query}" if query else "")


@public_answer
def guide(request: HttpRequest, code: str) -> HttpResponse:
    """Ask the thing's questions; with valid answers (in the query string) show the customised menu."""
    try:
        thing = compiled_thing(code)
    except UnknownThing:
        raise Http404(_("There is no such one-thing.")) from None
    submitted = is_submitted(thing.questions, request.GET)
    answers, fields = read_answers(thing.questions, request.GET if submitted else {})
    form_errors: list[str] = []
    result: Planned | None = None
    if submitted:
        try:
            result = planned(code, answers)
        except AnswersInvalid as exc:
            form_errors = add_problems(fields, exc.problems)
        except DependencyCycle:
            form_errors = [_("The catalog cannot order the items for these answers. Please ask at the window.")]
    has_errors = bool(form_errors) or any(f.errors for f in fields)
    menu = build_menu(result.plan, thing, result.explanations) if result is not None and not has_errors else None
    query = request.GET.urlencode() if menu else ""
    context = {
        "thing": thing,
        "lead_department": thing.departments.get(thing.lead_department, thing.lead_department),
        "fields": fields,
        "form_errors": form_errors,
        "has_errors": has_errors,
        "menu": menu,
        "fee": fee_text(menu.fee_total) if menu else "",
        "apply_url": _apply_url(request, thing, query) if menu else None,
        "texts": guide_texts(code),
    }
    return render(request, "portal/guide.html", context, status=400 if has_errors else 200)
