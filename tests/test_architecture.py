"""The architecture is enforced by tools, not prose."""

import ast
from pathlib import Path

CORE = Path(__file__).resolve().parent.parent / "src" / "lianban" / "core"


def test_core_imports_nothing_from_django_or_the_apps() -> None:
    offenders = []
    for path in CORE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                if top in {"django", "rest_framework", "drf_spectacular"} or (
                    name.startswith("lianban.") and not name.startswith("lianban.core")
                ):
                    offenders.append(f"{path.name}: {name}")
    assert offenders == []


def test_core_never_calls_eval_or_exec() -> None:
    for path in CORE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id not in {"eval", "exec", "compile"}, path.name
