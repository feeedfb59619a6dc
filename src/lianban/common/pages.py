"""Keyset pages for the HTML lists: the rows of one page, links to its neighbours, a capped count.

Each list of a page reads its own cursor from the query string (``param``), so several lists on one
page page independently and keep the page's filters. A cursor that is not one of ours shows the first
page (bad input never answers 500).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from django.db.models import QuerySet
from django.http import HttpRequest

from lianban.common.keyset import COUNT_CAP, BadCursor, capped_count, keyset_page

#: Rows per page of the staff and applicant pages.
PAGE_SIZE = 25

R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class ListPage(Generic[R]):
    """One page of a list as a template shows it: rows, neighbour links, how many rows in all (capped)."""

    rows: list[R]
    next_url: str = ""
    previous_url: str = ""
    first_url: str = ""
    count: int = 0
    more: bool = False
    cap: int = COUNT_CAP
    anchor: str = field(default="")

    def __iter__(self) -> Iterator[R]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def __bool__(self) -> bool:
        return bool(self.rows)

    @property
    def paged(self) -> bool:
        """Whether there is another page to go to."""
        return bool(self.next_url or self.previous_url)


def _url(request: HttpRequest, param: str, cursor: str | None, anchor: str) -> str:
    query = request.GET.copy()
    query.pop(param, None)
    if cursor is not None:
        query[param] = cursor
    encoded = query.urlencode()
    return (
        f"?{encoded}" + (f"#{anchor}" if anchor else "") if encoded else request.path + (f"#{anchor}" if anchor else "")
    )


def list_page(
    request: HttpRequest,
    rows: QuerySet[Any],
    ordering: Sequence[str],
    *,
    param: str = "page",
    size: int = PAGE_SIZE,
    count: bool = True,
    anchor: str = "",
    row: Callable[[list[Any]], list[R]] | None = None,
) -> ListPage[R]:
    """The page of ``rows`` the request asks for with ``?{param}=cursor``; ``row`` turns the page's objects into rows.

    ``count`` adds how many rows the list has, counting at most ``COUNT_CAP`` + 1 of them.
    """
    raw = request.GET.get(param) or None
    try:
        page = keyset_page(rows, ordering, raw, size)
    except BadCursor:
        raw = None
        page = keyset_page(rows, ordering, None, size)
    total, more = capped_count(rows) if count else (0, False)
    objects: list[Any] = page.rows
    return ListPage(
        rows=row(objects) if row is not None else objects,
        next_url=_url(request, param, page.next_cursor, anchor) if page.next_cursor else "",
        previous_url=_url(request, param, page.previous_cursor, anchor) if page.previous_cursor else "",
        first_url=_url(request, param, None, anchor) if raw else "",
        count=total,
        more=more,
        anchor=anchor,
    )
