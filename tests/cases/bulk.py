"""More rows of the same kind, fast: copies of a case made by the services, with everything hanging off it.

The query-count tests measure a list at N rows and at 3N rows; running the services for each row would
be slow, so the rows after the first are copies (new tracking code, same state, items, materials, bill,
notifications, licences and trail) written straight to the tables.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from django.db import connection
from django.db.models import Model
from django.test.client import Client
from django.test.utils import CaptureQueriesContext

from lianban.accounts.models import Applicant, ApplicantMember
from lianban.cases.models import Case, CaseEvent, CaseMaterial, ItemCase, Notification
from lianban.issuance.models import Bill
from lianban.licences.models import Licence
from lianban.supervision.models import Signal, SignalSubject

_serial = itertools.count(1)
T = TypeVar("T", bound=Model)


def _copy(row: T, **changes: Any) -> T:
    new = copy.copy(row)
    new.pk = None
    new._state = copy.copy(row._state)
    new._state.adding = True
    new._state.fields_cache = {}
    for name, value in changes.items():
        setattr(new, name, value)
    new.save()
    return new


def clone_case(case: Case, times: int = 1) -> list[Case]:
    """``times`` copies of ``case`` (as stored) with its item cases, materials, bill, notifications, licences, trail, signals."""
    case = Case.objects.get(pk=case.pk)
    items = list(ItemCase.objects.filter(case=case))
    materials = list(CaseMaterial.objects.filter(case=case))
    bill = Bill.objects.filter(case=case).first()
    notifications = list(Notification.objects.filter(case=case))
    licences = list(Licence.objects.filter(item_case__case=case))
    events = list(CaseEvent.objects.filter(case=case).order_by("id"))
    signals = list(Signal.objects.filter(case=case).order_by("id"))
    copies = []
    for _ in range(times):
        serial = next(_serial)
        new = _copy(case, tracking_code=f"ZZ{serial:010d}")
        new_items = {item.pk: _copy(item, case=new) for item in items}
        new_materials = {material.pk: _copy(material, case=new) for material in materials}
        if bill is not None:
            _copy(bill, case=new)
        for notification in notifications:
            _copy(notification, case=new)
        for licence in licences:
            item_case = new_items.get(licence.item_case_id) if licence.item_case_id else None
            _copy(licence, item_case=item_case, number=f"{licence.number}-{serial}")
        for event in events:
            item_case = new_items.get(event.item_case_id) if event.item_case_id else None
            _copy(event, case=new, item_case=item_case)
        for signal in signals:
            subject = {
                SignalSubject.ITEM_CASE: new_items,
                SignalSubject.PROMISE: new_materials,
            }.get(SignalSubject(signal.subject), {signal.subject_id: new})[signal.subject_id]
            item_case = new_items.get(signal.item_case_id) if signal.item_case_id else None
            _copy(signal, case=new, item_case=item_case, subject_id=subject.pk)
        copies.append(new)
    return copies


def more_events(case: Case, times: int) -> None:
    """``times`` more copies of each event of the case's trail (the trail grows, the case stays)."""
    events = list(CaseEvent.objects.filter(case=case).order_by("id"))
    for _ in range(times):
        for event in events:
            _copy(event)


def more_applicants(like: Applicant, times: int) -> None:
    """``times`` more applicants with the same members as ``like``."""
    members = list(ApplicantMember.objects.filter(applicant=like))
    for _ in range(times):
        serial = next(_serial)
        new = _copy(like, id_number=f"{serial:018d}", name=f"{like.name}{serial}")
        for member in members:
            _copy(member, applicant=new)


@contextmanager
def counted() -> Iterator[CaptureQueriesContext]:
    """The queries run inside the block."""
    with CaptureQueriesContext(connection) as context:
        yield context


def queries_of(client: Client, path: str, *, expect: int = 200) -> int:
    """How many queries one GET of ``path`` runs (asserting its status)."""
    with counted() as context:
        response = client.get(path)
    assert response.status_code == expect, (path, response.status_code, response.content[:300])
    return len(context)


def rows_in(client: Client, path: str, marker: str) -> int:
    """How many times ``marker`` occurs in the page (a row attribute: how many rows it shows)."""
    return client.get(path).content.decode().count(marker)


def same_queries_as_rows_grow(
    client: Client, path: str, grow: Callable[[int], object], *, marker: str | None = None
) -> tuple[int, int]:
    """The queries of ``path`` at N rows and after ``grow(2)`` made them 3N: ``(before, after)``.

    With ``marker``, also asserts the page shows more rows after growing (the rows are really there).
    """
    queries_of(client, path)  # warm the caches (calendar, catalog)
    shown = rows_in(client, path, marker) if marker else 0
    before = queries_of(client, path)
    grow(2)
    after = queries_of(client, path)
    if marker:
        assert rows_in(client, path, marker) > shown, (path, marker, shown)
    return before, after
