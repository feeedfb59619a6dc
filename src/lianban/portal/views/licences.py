"""My licences: the e-licence library of the applicants the user acts for."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from lianban.cases import clock
from lianban.common.pages import ListPage, list_page
from lianban.licences.models import Licence
from lianban.portal.selectors import LICENCE_ORDER, licence_list_for_user
from lianban.portal.views.common import applicant_page, signed_in_user


@applicant_page
def my_licences(request: HttpRequest) -> HttpResponse:
    """Number, issuing department, issued, valid until, and the case and item that produced each licence."""
    licences: ListPage[Licence] = list_page(
        request, licence_list_for_user(signed_in_user(request)), LICENCE_ORDER, anchor="licences-title"
    )
    return render(request, "portal/licences.html", {"licences": licences, "today": clock.today()})
