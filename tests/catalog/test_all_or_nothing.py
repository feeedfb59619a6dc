"""A failed import changes nothing: not one row, not the revision, not the export."""

from __future__ import annotations

from django.core.management import call_command

import pytest

from lianban.catalog import models as m
from lianban.catalog import services
from lianban.catalog.selectors import catalog_revision
from lianban.catalog.services import CatalogFile, catalog_check, catalog_export, catalog_import
from lianban.core.errors import CatalogInvalid
from tests.catalog.conftest import LEGAL, catalog_files, catalog_state

pytestmark = pytest.mark.django_db

#: A valid file that changes the demo catalog in every section.
CHANGES = (
    "format: lianban-catalog/1\n"
    "departments:\n"
    "  - {code: SCJG, name: 改名的市场监督管理局}\n"
    "  - {code: NEW, name: 新部门}\n"
    "materials:\n"
    "  - {code: YYZZ, name: 改名的营业执照, source: licence}\n"
    "items:\n"
    "  - {code: SCJG-GSSL, name: 改过的公司设立登记, department: NEW, legal_days: 9, materials: [{material: YYZZ}]}\n"
    "things:\n"
    "  - {code: NEWT, name: 新的一件事, lead_department: NEW, items: [{item: SCJG-GSSL}]}\n"
).encode()
#: A file with one mistake.
BAD = b"format: lianban-catalog/1\nitems:\n  - {code: X, name: x, department: NOPE, legal_days: 1}\n"


def test_a_valid_change_does_land(demo_catalog):
    catalog_import(files=[CatalogFile("changes.yaml", CHANGES)])
    after = catalog_state()
    assert after["yaml"] != demo_catalog["yaml"]
    assert after["revision"] == demo_catalog["revision"] + 1
    assert m.Department.objects.get(code="SCJG").name == "改名的市场监督管理局"


def test_a_bad_file_changes_nothing(demo_catalog):
    with pytest.raises(CatalogInvalid):
        catalog_import(files=[CatalogFile("bad.yaml", BAD)])
    assert catalog_state() == demo_catalog


def test_a_file_that_mixes_changes_with_one_mistake_changes_nothing(demo_catalog):
    mixed = CHANGES.replace(b"things:\n", b"  - {code: X, name: x, department: NOPE, legal_days: 1}\nthings:\n")
    with pytest.raises(CatalogInvalid) as info:
        catalog_import(files=[CatalogFile("mixed.yaml", mixed)])
    assert [str(p) for p in info.value.problems] == ["mixed.yaml:9: item X: department: unknown department 'NOPE'"]
    assert catalog_state() == demo_catalog


def test_a_bad_second_file_keeps_the_first_files_changes_out_too(demo_catalog):
    with pytest.raises(CatalogInvalid) as info:
        catalog_import(files=[CatalogFile("changes.yaml", CHANGES), CatalogFile("bad.yaml", BAD)])
    assert {p.file for p in info.value.problems} == {"bad.yaml"}
    assert catalog_state() == demo_catalog
    assert m.Department.objects.get(code="SCJG").name == "市场监督管理局"
    assert not m.Thing.objects.filter(code="NEWT").exists()


def test_a_failure_while_writing_rolls_everything_back(demo_catalog, monkeypatch):
    real_write = services._write

    def write_then_fail(*args, **kwargs):
        real_write(*args, **kwargs)
        assert m.Department.objects.filter(code="NEW").exists()  # really written, inside the transaction
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "_write", write_then_fail)
    with pytest.raises(RuntimeError, match="disk full"):
        catalog_import(files=[CatalogFile("changes.yaml", CHANGES)])
    assert catalog_state() == demo_catalog


def test_validate_changes_nothing_even_for_good_files(demo_catalog):
    assert catalog_check(files=[CatalogFile("changes.yaml", CHANGES)]) == []
    assert catalog_state() == demo_catalog


def test_the_command_line_import_of_a_good_then_a_bad_file_changes_nothing(demo_catalog, tmp_path, capsys):
    good, bad = tmp_path / "changes.yaml", tmp_path / "bad.yaml"
    good.write_bytes(CHANGES)
    bad.write_bytes(BAD)
    with pytest.raises(SystemExit) as exit_info:
        call_command("catalog", "import", str(good), str(bad))
    assert exit_info.value.code == 1
    assert capsys.readouterr().err.splitlines() == [
        f"{bad}:3: item X: department: unknown department 'NOPE'",
        "1 problem(s); nothing was imported.",
    ]
    assert catalog_state() == demo_catalog


def test_the_command_line_validate_changes_nothing(demo_catalog, tmp_path, capsys):
    good = tmp_path / "changes.yaml"
    good.write_bytes(CHANGES)
    call_command("catalog", "validate", str(good))
    assert "OK: 1 file(s) can be imported." in capsys.readouterr().out
    assert catalog_state() == demo_catalog


def test_a_legal_catalog_that_would_break_an_existing_thing_is_refused_and_changes_nothing(demo_catalog):
    # The shared item SCJG-GSSL gets a material condition on a key that KFG/KJD/KYD do not ask.
    path = LEGAL / "defaults_omitted.yaml"
    catalog_import(files=catalog_files([path]))
    before = catalog_state()
    change = (
        b"format: lianban-catalog/1\nitems:\n"
        b"  - {code: SCJG-GSSL, name: x, department: SCJG, legal_days: 1,"
        b" materials: [{material: YYZZ, when: 'floors > 2'}]}\n"
    )
    with pytest.raises(CatalogInvalid) as info:
        catalog_import(files=[CatalogFile("change.yaml", change)])
    assert [str(p) for p in info.value.problems] == [
        "change.yaml:3: item SCJG-GSSL: materials[0].when (YYZZ): unknown name 'floors' "
        "(not a question of KFG, KJD, KYD) in condition 'floors > 2'"
    ]
    assert catalog_state() == before


def test_importing_the_same_catalog_again_keeps_its_revision(demo_catalog, scenario_files):
    def unchanged() -> bool:
        now = catalog_state()
        rows = {k: v for k, v in now["rows"].items() if k != "ImportRecord"}  # each import is recorded
        before = {k: v for k, v in demo_catalog["rows"].items() if k != "ImportRecord"}
        return (now["yaml"], now["json"], now["revision"], rows) == (
            demo_catalog["yaml"],
            demo_catalog["json"],
            demo_catalog["revision"],
            before,
        )

    record = catalog_import(files=catalog_files(scenario_files))
    assert unchanged() and record.revision == demo_catalog["revision"]
    catalog_import(files=[CatalogFile("export.yaml", catalog_export().encode())])  # the export: the same catalog
    assert unchanged()
    catalog_import(files=[CatalogFile("changes.yaml", CHANGES)])
    assert catalog_revision() == demo_catalog["revision"] + 1
