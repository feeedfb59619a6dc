"""The compiled-plan cache follows the catalog, even when a revision number repeats."""

from __future__ import annotations

import pytest

from lianban.catalog import models as m
from lianban.catalog.selectors import compiled_thing
from lianban.catalog.services import CatalogFile, catalog_import

pytestmark = pytest.mark.django_db

CATALOG = """format: lianban-catalog/1
departments: [{code: D, name: 部门}]
items:
  - {code: %s, name: 事项, department: D, legal_days: 1}
things:
  - {code: T, name: 一件事, lead_department: D, items: [{item: %s}]}
"""


def load(item: str) -> None:
    catalog_import(files=[CatalogFile("c.yaml", (CATALOG % (item, item)).encode())])


def test_a_change_is_seen_at_once():
    load("A")
    assert [i.code for i in compiled_thing("T").items] == ["A"]
    load("B")  # the thing now lists B only
    assert [i.code for i in compiled_thing("T").items] == ["B"]


def test_a_catalog_with_the_same_revision_number_is_not_served_from_the_cache():
    load("A")
    assert [i.code for i in compiled_thing("T").items] == ["A"]
    # Another database (or a rolled-back import) at the same revision number, other content.
    m.Thing.objects.all().delete()
    m.Item.objects.all().delete()
    m.CatalogRevision.objects.all().delete()
    load("B")
    assert m.CatalogRevision.objects.get().revision == 1
    assert [i.code for i in compiled_thing("T").items] == ["B"]
