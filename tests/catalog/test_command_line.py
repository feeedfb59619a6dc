"""``lianban catalog import|validate|export`` through call_command, and once as a real process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

from django.core.management import CommandError, call_command

import pytest

from lianban.catalog import models as m
from lianban.catalog.services import catalog_export
from tests.catalog.conftest import BAD, LEGAL, catalog_state
from tests.conftest import ROOT, SCENARIOS

pytestmark = pytest.mark.django_db

GOOD = LEGAL / "defaults_omitted.yaml"


def run(*args: str) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("catalog", *args, stdout=out, stderr=err)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_import_reports_what_it_imported():
    code, out, err = run("import", *map(str, sorted(SCENARIOS.glob("*.yaml"))))
    assert (code, err) == (0, "")
    assert (
        out == "Imported 4 file(s): 8 departments, 54 materials, 31 fields, 14 items, 3 things (catalog revision 1).\n"
    )
    assert m.Thing.objects.count() == 3


def test_import_lists_every_problem_on_stderr_and_exits_1():
    bad = BAD / "every_problem_of_a_file_is_reported.yaml"
    code, out, err = run("import", str(bad))
    assert code == 1
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 15
    assert lines[0] == f"{bad}:6: thing T: subject: must be one of enterprise, person, not 'company'"
    assert lines[-1] == "14 problem(s); nothing was imported."
    assert m.Department.objects.count() == 0


def test_validate_says_ok_or_lists_problems_and_changes_nothing():
    assert run("validate", str(GOOD)) == (0, "OK: 1 file(s) can be imported.\n", "")
    code, _, err = run("validate", str(GOOD), str(BAD / "unknown_department.yaml"))
    assert code == 1
    assert err.splitlines()[-1] == "2 problem(s); the files cannot be imported."
    assert m.Department.objects.count() == 0


def test_an_unreadable_file_is_a_problem_like_any_other(tmp_path):
    missing = tmp_path / "missing.yaml"
    code, _, err = run("import", str(GOOD), str(missing), str(BAD / "negative_numbers.yaml"))
    assert code == 1
    lines = err.splitlines()
    assert lines[0] == f"{missing}: file: cannot be read (No such file or directory)"
    assert len(lines) == 1 + 3 + 1  # the unreadable file, the other file's 3 problems, the summary
    assert lines[-1] == "4 problem(s); nothing was imported."
    code, _, err = run("validate", str(tmp_path))
    assert code == 1
    assert err.splitlines()[0] == f"{tmp_path}: file: cannot be read (Is a directory)"
    assert m.Department.objects.count() == 0


def test_export_writes_yaml_to_stdout_or_a_file_and_json_on_request(tmp_path):
    run("import", str(GOOD))
    code, out, _ = run("export")
    assert code == 0
    assert out == catalog_export()
    assert out.startswith("format: lianban-catalog/1\n")

    target = tmp_path / "out.yaml"
    assert run("export", "-o", str(target)) == (0, "", f"Wrote {target}.\n")
    assert target.read_text(encoding="utf-8") == out

    as_json = tmp_path / "out.json"  # the suffix chooses the format
    run("export", "-o", str(as_json))
    assert json.loads(as_json.read_text(encoding="utf-8"))["format"] == "lianban-catalog/1"
    code, out, _ = run("export", "--format", "json")
    assert out == as_json.read_text(encoding="utf-8") == catalog_export(fmt="json")
    forced = tmp_path / "forced.txt"
    run("export", "--format", "yaml", "--output", str(forced))
    assert forced.read_text(encoding="utf-8") == catalog_export()


def test_export_to_a_place_that_cannot_be_written_fails_cleanly(tmp_path):
    with pytest.raises(CommandError, match="cannot be written"):
        call_command("catalog", "export", "-o", str(tmp_path / "no" / "such" / "dir.yaml"))


def test_an_export_imports_back_through_the_command_line(tmp_path):
    run("import", *map(str, sorted(SCENARIOS.glob("*.yaml"))))
    before = catalog_state()
    exported = tmp_path / "catalog.json"
    run("export", "-o", str(exported))
    assert run("import", str(exported))[0] == 0
    after = catalog_state()
    assert (after["yaml"], after["json"]) == (before["yaml"], before["json"])
    assert after["revision"] == before["revision"]  # the same catalog: nothing changed, the revision stays


def test_the_lianban_program_imports_validates_and_exports(tmp_path):
    """One real process run of the installed console script (its own SQLite database)."""
    program = ROOT / ".venv" / "bin" / "lianban"
    if not program.exists():
        program = Path(sys.executable).with_name("lianban")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "DJANGO_"))}
    env["LIANBAN_DATA_DIR"] = str(tmp_path / "data")

    def lianban(*args: str) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run([str(program), *args], env=env, capture_output=True, timeout=300, check=False)  # noqa: S603

    assert lianban("migrate", "-v", "0").returncode == 0
    bad = BAD / "unknown_department.yaml"
    failed = lianban("catalog", "import", str(GOOD), str(bad))
    assert failed.returncode == 1
    assert failed.stderr.decode("utf-8").splitlines() == [
        f"{bad}:5: item I: department: unknown department 'NOPE'",
        f"{bad}:7: thing T: lead_department: unknown department 'd'",
        "2 problem(s); nothing was imported.",
    ]
    assert lianban("catalog", "validate", str(GOOD)).returncode == 0
    done = lianban("catalog", "import", str(GOOD))
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode("utf-8").startswith(
        "Imported 1 file(s): 1 departments, 0 materials, 0 fields, 1 items, 1 things"
    )
    exported = lianban("catalog", "export")
    assert exported.returncode == 0
    assert "name: 最简一件事" in exported.stdout.decode("utf-8")
    written = lianban("catalog", "export", "--format", "json", "-o", str(tmp_path / "out.json"))
    assert written.returncode == 0
    assert json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))["things"][0]["code"] == "T"
    assert lianban("catalog", "import", str(tmp_path / "nope.yaml")).returncode == 1


def test_validate_lists_each_field_key_without_a_definition_as_a_warning_and_still_passes():
    path = LEGAL / "form_fields.yaml"
    code, out, err = run("validate", str(path))
    assert code == 0
    assert out == "OK: 1 file(s) can be imported (1 warning(s)).\n"
    assert err == (
        f"warning: {path}: item CSDJ: fields[15]: field 'hospital' has no definition "
        "(shown as a text field labelled with its key)\n"
    )
    code, out, err = run("import", str(path))
    assert code == 0
    assert m.Item.objects.get(code="CSDJ").form_fields[-1] == "hospital"


def test_validate_of_the_demo_catalog_has_no_warning():
    code, out, err = run("validate", *map(str, sorted(SCENARIOS.glob("*.yaml"))))
    assert (code, err) == (0, "")
    assert out == "OK: 4 file(s) can be imported.\n"
