"""Every legal form of the contract imports, and round-trips byte for byte.

For each catalog under ``legal/`` (and the three scenarios): the database holds
exactly the data the files mean; the export means the same data; importing the
export into an empty catalog and exporting again gives the same bytes, in
YAML and in JSON.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from lianban.catalog import models as m
from lianban.catalog.selectors import catalog_snapshot
from lianban.catalog.services import CatalogFile, catalog_export, catalog_import
from lianban.core.catalog import Catalog
from lianban.core.catalog_format import check_files, dump_json, dump_yaml
from tests.catalog.conftest import LEGAL, catalog_files
from tests.conftest import SCENARIOS
from tests.core.test_catalog_format import catalogs

pytestmark = pytest.mark.django_db

SPLIT = sorted((LEGAL / "split").glob("*.yaml"))

CATALOGS: dict[str, list[Path]] = {
    "yaml quirks": [LEGAL / "yaml_quirks.yaml"],
    "every form field type": [LEGAL / "form_fields.yaml"],
    "json with explicit nulls": [LEGAL / "full_with_nulls.json"],
    "every condition form": [LEGAL / "every_condition_form.yaml"],
    "defaults omitted": [LEGAL / "defaults_omitted.yaml"],
    "materials and an item shared by two things": [LEGAL / "materials_and_shared_items.yaml"],
    "a potential cycle no answers realise": [LEGAL / "potential_cycle_no_answers_realise.yaml"],
    "numbers large and small": [LEGAL / "numbers_large_and_small.yaml"],
    "keywords, summary, notes and basis": [LEGAL / "guide_texts.yaml"],
    "split over files": SPLIT[:4],
    "split over files, things first": SPLIT[:4][::-1],
    "split over files, then entries replaced": SPLIT,
    "the three scenarios": sorted(SCENARIOS.glob("*.yaml")),
    "several catalogs at once, later ones replacing codes of earlier ones": [
        LEGAL / "full_with_nulls.json",
        LEGAL / "yaml_quirks.yaml",
        LEGAL / "every_condition_form.yaml",
        *sorted(SCENARIOS.glob("*.yaml")),
    ],
}


def meaning(files: list[CatalogFile]) -> Catalog:
    """The catalog data the files mean, as the pure contract reads them."""
    result = check_files(Catalog(), [(f.name, f.content) for f in files])
    assert result.problems == []
    return result.catalog


def wipe_catalog() -> None:
    m.Thing.objects.all().delete()
    m.Item.objects.all().delete()
    m.Material.objects.all().delete()
    m.Department.objects.all().delete()
    m.FieldDefinition.objects.all().delete()


@pytest.mark.parametrize("paths", CATALOGS.values(), ids=CATALOGS.keys())
def test_a_legal_catalog_imports_and_exports_back_identically_after_a_second_round_trip(paths):
    files = catalog_files(paths)
    expected = meaning(files)

    catalog_import(files=files)
    assert catalog_snapshot() == expected

    first_yaml, first_json = catalog_export(), catalog_export(fmt="json")
    assert meaning([CatalogFile("export.yaml", first_yaml.encode())]) == expected
    assert meaning([CatalogFile("export.json", first_json.encode())]) == expected

    for name, text in (("export.yaml", first_yaml), ("export.json", first_json)):
        wipe_catalog()
        catalog_import(files=[CatalogFile(name, text.encode())])
        assert catalog_snapshot() == expected
        assert catalog_export() == first_yaml
        assert catalog_export(fmt="json") == first_json


def test_files_imported_one_by_one_give_the_same_catalog_as_in_one_import():
    for path in SPLIT:
        catalog_import(files=catalog_files([path]))
    one_by_one = catalog_export()
    wipe_catalog()
    catalog_import(files=catalog_files(SPLIT))
    assert catalog_export() == one_by_one


def test_an_entry_whose_code_exists_is_replaced_whole():
    catalog_import(files=catalog_files(SPLIT[:4]))
    assert m.ItemMaterial.objects.filter(item__code="XFJC").count() == 2
    catalog_import(files=catalog_files(SPLIT[4:]))

    snapshot = catalog_snapshot()
    assert snapshot.departments["XF"].name == "消防救援支队"
    item = snapshot.items["XFJC"]
    assert [n.material for n in item.materials] == ["YYZZ"]  # the conditional SQS is gone
    assert item.produces == ()  # not written again: the new definition produces nothing
    assert (item.legal_days, item.promised_days, item.online) == (10, 1, False)
    thing = snapshot.things["KFG"]
    assert [q.key for q in thing.questions] == ["area", "takeaway"]
    assert thing.items[1].when == "area >= 50 or takeaway"
    # untouched entries stay
    assert snapshot.departments["SCJG"].name == "市场监督管理局"
    assert m.Question.objects.filter(thing__code="KFG").count() == 2


def test_a_file_in_utf16_with_a_byte_order_mark_imports_like_utf8():
    path = LEGAL / "defaults_omitted.yaml"
    catalog_import(files=[CatalogFile(path.name, path.read_text(encoding="utf-8").encode("utf-16"))])
    assert catalog_snapshot() == meaning(catalog_files([path]))


def test_json_text_in_a_file_without_the_json_suffix_is_read_as_json():
    path = LEGAL / "full_with_nulls.json"
    catalog_import(files=[CatalogFile("catalog.txt", path.read_bytes())])
    assert catalog_snapshot() == meaning(catalog_files([path]))


def test_the_export_writes_every_default_so_the_output_does_not_depend_on_what_the_input_omitted():
    catalog_import(files=catalog_files([LEGAL / "defaults_omitted.yaml"]))
    assert catalog_export() == (
        "format: lianban-catalog/1\n"
        "departments:\n"
        "- {code: D, name: 部门}\n"
        "materials: []\n"
        "fields: []\n"
        "items:\n"
        "- code: I\n"
        "  name: 即办事项\n"
        "  department: D\n"
        "  category: 其他\n"
        "  legal_days: 0\n"
        "  promised_days: 0\n"
        "  fee: 0\n"
        "  online: true\n"
        "  materials: []\n"
        "  produces: []\n"
        "  fields: []\n"
        "things:\n"
        "- code: T\n"
        "  name: 最简一件事\n"
        "  subject: enterprise\n"
        "  lead_department: D\n"
        "  questions: []\n"
        "  items:\n"
        "  - {item: I}\n"
    )


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(catalogs())
def test_any_valid_catalog_survives_the_database_and_exports_back_identically(catalog):
    """Arbitrary Unicode texts, codes and numbers: stored, read back and exported unchanged."""
    wipe_catalog()
    text = dump_yaml(catalog)
    catalog_import(files=[CatalogFile("random.yaml", text.encode())])
    assert catalog_snapshot() == catalog
    assert catalog_export() == text
    wipe_catalog()
    catalog_import(files=[CatalogFile("random.json", dump_json(catalog).encode())])
    assert catalog_export() == text
