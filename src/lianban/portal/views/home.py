"""The home page and search."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from lianban.common.http import public_answer
from lianban.portal.search import MAX_QUERY_CHARS
from lianban.portal.selectors import thing_groups, thing_search


@public_answer
def home(request: HttpRequest) -> HttpResponse:
    """The one-things an applicant can do here, by kind of applicant, with a search box."""
    return render(request, "portal/home.html", {"groups": thing_groups()})


@public_answer
def search(request: HttpRequest) -> HttpResponse:
    """One-things matching what the applicant typed (``?q=开个小饭店``)."""
    query = request.GET.get("q", "").strip()[:MAX_QUERY_CHARS]
    results = thing_search(query) if query else []
    context = {"query": query, "results": results, "groups": [] if results else thing_groups()}
    return render(request, "portal/search.html", context)
