"""The home page and search."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from lianban.catalog.search import MAX_QUERY_CHARS, search_examples, thing_search
from lianban.common.http import public_answer
from lianban.portal.selectors import thing_groups


def _search_box(query: str = "") -> dict[str, Any]:
    """What the search form shows: the query, and example words taken from the catalog."""
    return {"query": query, "search_examples": search_examples()}


@public_answer
def home(request: HttpRequest) -> HttpResponse:
    """The one-things an applicant can do here, by kind of applicant, with a search box."""
    return render(request, "portal/home.html", {"groups": thing_groups(), **_search_box()})


@public_answer
def search(request: HttpRequest) -> HttpResponse:
    """One-things matching what the applicant typed (``?q=`` in plain words); nothing matched lists every one."""
    query = request.GET.get("q", "").strip()[:MAX_QUERY_CHARS]
    results = thing_search(query) if query else []
    context = {**_search_box(query), "results": results, "groups": [] if results else thing_groups()}
    return render(request, "portal/search.html", context)
