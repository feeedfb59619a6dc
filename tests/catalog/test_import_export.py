"""Import, validate and export through the services and the command line."""

from __future__ import annotations

from pathlib import Path

from django.core.management import call_command

import pytest

from lianban.catalog import models as m
from lianban.catalog.services import CatalogFile, catalog_export, catalog_import
from lianban.core.errors import CatalogInvalid

pytestmark = pytest.mark.django_db


def files(paths: list[Path]) -> list[CatalogFile]:
    return [CatalogFile(p.name, p.read_bytes()) for p in paths]


def test_the_three_scenarios_import_and_export_identically_after_a_second_round_trip(scenario_files, tmp_path):
    catalog_import(files=files(scenario_files))
    first = catalog_export()
    catalog_import(files=[CatalogFile("first.yaml", first.encode())])
    second = catalog_export()
    assert second == first
    assert m.Thing.objects.count() == 3
    assert set(m.Thing.objects.values_list("name", flat=True)) == {"我要开饭馆", "我要开酒店、宾馆", "我要开药店"}


def test_a_failed_import_changes_nothing(scenario_files):
    catalog_import(files=files(scenario_files))
    before = catalog_export()
    bad = b"format: lianban-catalog/1\ndepartments:\n  - {code: SCJG, name: changed}\nitems:\n  - {code: X, name: x, department: NOPE, legal_days: 1}\n"
    with pytest.raises(CatalogInvalid) as info:
        catalog_import(files=[CatalogFile("bad.yaml", bad)])
    assert "bad.yaml:5: item X: department: unknown department 'NOPE'" in str(info.value)
    assert catalog_export() == before


def test_the_command_line_lists_every_problem_and_exits_non_zero(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "format: lianban-catalog/1\n"
        "materials:\n  - {code: M1, name: m, source: paper}\n"
        "items:\n  - {code: I1, name: i, department: D0, legal_days: -1}\n",
        encoding="utf-8",
    )
    with pytest.raises(SystemExit) as exit_info:
        call_command("catalog", "import", str(bad))
    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    assert "material M1: source: must be one of applicant, licence, not 'paper'" in err
    assert "item I1: legal_days: must be ≥ 0, not -1" in err
    assert m.Material.objects.count() == 0
