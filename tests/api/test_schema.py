"""The generated schema documents every operation the same way: ids, tags, errors, the Idempotency-Key header."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.test import Client

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

PUBLIC = {
    "/api/things/",
    "/api/things/{code}",
    "/api/things/{code}/plan",
    "/api/track/{code}",
    "/api/ratings/token/{token}",  # the one-time token is the proof
}


@pytest.fixture
def schema() -> dict[str, Any]:
    response = APIClient().get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    return response.json()  # type: ignore[no-any-return]


def operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
        if path.startswith("/api/")
    ]


def test_every_command_documents_the_idempotency_key(schema: dict[str, Any]) -> None:
    commands = [(p, o) for p, m, o in operations(schema) if m == "post" and p not in PUBLIC]
    assert len(commands) == 36
    missing = [p for p, o in commands if "Idempotency-Key" not in {x["name"] for x in o.get("parameters", [])}]
    assert missing == []


def test_every_operation_has_an_id_a_tag_and_its_errors_in_the_one_shape(schema: dict[str, Any]) -> None:
    ids = [o["operationId"] for _, _, o in operations(schema)]
    assert len(ids) == len(set(ids))
    for path, method, operation in operations(schema):
        assert operation["tags"], (method, path)
        errors = {code: r for code, r in operation["responses"].items() if code.startswith(("4", "5"))}
        if path not in PUBLIC:
            assert "403" in errors, (method, path)
        for response in errors.values():
            assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}


def test_the_public_operations_need_no_sign_in(schema: dict[str, Any]) -> None:
    for path, _method, operation in operations(schema):
        if path in PUBLIC:
            assert operation["security"] == [{}], path
        else:
            assert {"basicAuth": []} in operation["security"], path


def test_the_browsable_docs_load_their_assets_from_the_platform() -> None:
    """Swagger UI comes from the installed sidecar package: intranets have no CDN."""
    body = Client().get("/api/docs/").content.decode()
    assets = re.findall(r"""(?:src|href)=["']([^"']+\.(?:js|css|png))["']""", body)
    assert any("swagger-ui-bundle" in a for a in assets), body
    assert [a for a in assets if not a.startswith("/static/")] == []
    for asset in assets:
        response = Client().get(asset)
        assert response.status_code == 200, asset


def test_the_committed_schema_is_generated_in_english(tmp_path: Path) -> None:
    """Choice labels are translated strings: the committed file is the English schema, whatever the default language."""
    fresh = tmp_path / "openapi.yaml"
    call_command("spectacular", "--lang", "en", "--validate", "--fail-on-warn", "--file", str(fresh))
    committed = Path(__file__).resolve().parents[2] / "docs" / "api" / "openapi.yaml"
    assert committed.read_text(encoding="utf-8") == fresh.read_text(encoding="utf-8")
    assert "* `REFUSED` - refused" in committed.read_text(encoding="utf-8")


def test_the_served_schema_follows_the_requested_language() -> None:
    def labels(**headers: str) -> str:
        response = APIClient().get("/api/schema/", HTTP_ACCEPT="application/json", **headers)
        return response.json()["components"]["schemas"]["CaseStateEnum"]["description"]  # type: ignore[no-any-return]

    assert "`REFUSED` - refused" in labels(HTTP_ACCEPT_LANGUAGE="en")
    assert "`REFUSED` - 不予受理" in labels(HTTP_ACCEPT_LANGUAGE="zh-hans")
