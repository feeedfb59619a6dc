"""``lianban statistics_cells`` computes the cells again from the rows."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command

import pytest

from lianban.statistics import cells, selectors
from lianban.statistics.models import FactCell
from tests.cases.kit import FrozenClock, People
from tests.statistics.kit import three_cases

pytestmark = pytest.mark.django_db


def test_the_command_writes_the_cells_the_refresh_keeps(people: People, clock: FrozenClock) -> None:
    three_cases(people, clock)
    from lianban.statistics import services

    services.facts_refresh()
    kept = sorted(FactCell.objects.values_list("level", "dimension", "value", "kind", "month", "days", "n"))
    FactCell.objects.all().delete()  # as after a bulk load of fact rows
    out = StringIO()
    call_command("statistics_cells", stdout=out)
    assert f"{len(kept)} month cell(s) written" in out.getvalue()
    assert sorted(FactCell.objects.values_list("level", "dimension", "value", "kind", "month", "days", "n")) == kept
    assert cells.through() == clock.today()
    month = selectors.Filters(start=clock.today().replace(day=1), end=clock.today(), today=clock.today())
    assert selectors._cell_plan("items", month) is not None
