"""Keyset pagination: every row once, in order, both ways, NULLs placed like PostgreSQL; capped counts; bad cursors."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lianban.cases.models import Case
from lianban.common.keyset import BadCursor, capped_count, keyset_page, page_size
from tests.cases.bulk import clone_case
from tests.cases.kit import submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(people, clock) -> list[Case]:
    """Eleven cases: accepted at four moments (ties included) and never (NULL)."""
    made = clone_case(submit(people), 10)
    start = made[0].submitted_at
    for number, case in enumerate(made):
        moment = None if number % 4 == 0 else start + timedelta(hours=number % 3)
        Case.objects.filter(pk=case.pk).update(accepted_at=moment)
    return made


def _expected(descending: bool) -> list[int]:
    rows = list(Case.objects.values_list("accepted_at", "id"))
    present = sorted((r for r in rows if r[0] is not None), reverse=descending)
    absent = sorted((r for r in rows if r[0] is None), reverse=descending)
    ordered = absent + present if descending else present + absent  # NULLs last ascending, first descending
    return [pk for _, pk in ordered]


@pytest.mark.parametrize("ordering", [("accepted_at", "id"), ("-accepted_at", "-id")])
def test_pages_walk_every_row_once_in_order_forwards_and_backwards(cases, ordering):
    expected = _expected(ordering[0].startswith("-"))
    pages = [keyset_page(Case.objects.all(), ordering, None, 3)]
    while pages[-1].next_cursor:
        pages.append(keyset_page(Case.objects.all(), ordering, pages[-1].next_cursor, 3))
    assert [row.pk for page in pages for row in page] == expected
    assert [len(page) for page in pages] == [3, 3, 3, 2]
    assert pages[0].previous_cursor is None and pages[-1].next_cursor is None
    back = [keyset_page(Case.objects.all(), ordering, pages[-1].previous_cursor, 3)]
    while back[-1].previous_cursor:
        back.append(keyset_page(Case.objects.all(), ordering, back[-1].previous_cursor, 3))
    assert [row.pk for page in reversed(back) for row in page] == expected[:9]


@pytest.mark.parametrize(
    "cursor", ["%%%", "bm90IGpzb24", "eyJ2IjpbMV0sImIiOmZhbHNlfQ", "eyJ2IjpbInllc3RlcmRheSIsMV0sImIiOjB9"]
)
def test_a_cursor_this_paginator_did_not_write_is_refused(cases, cursor):
    with pytest.raises(BadCursor):
        keyset_page(Case.objects.all(), ("accepted_at", "id"), cursor, 3)


def test_counts_stop_at_the_cap(cases):
    assert capped_count(Case.objects.all(), cap=3) == (3, True)
    assert capped_count(Case.objects.all(), cap=11) == (11, False)


def test_page_sizes_stay_within_bounds():
    assert [page_size(raw, default=25, cap=100) for raw in (None, "", "7", "0", "-3", "1000", "x")] == [
        25,
        25,
        7,
        1,
        1,
        100,
        25,
    ]
