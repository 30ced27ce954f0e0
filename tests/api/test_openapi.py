"""The OpenAPI 3.1 description: served as JSON, public, and it describes what the views do."""

from __future__ import annotations

import json

import pytest
from django.urls import resolve

pytestmark = pytest.mark.django_db


def _document(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return json.loads(response.content)


def test_the_document_is_openapi_3_1_json_with_both_paths(client):
    document = _document(client)
    assert document["openapi"] == "3.1.0"
    assert set(document["paths"]) == {"/api/v1/role-changes", "/api/v1/role-changes/{id}"}
    assert set(document["paths"]["/api/v1/role-changes"]) == {"post"}
    assert set(document["paths"]["/api/v1/role-changes/{id}"]) == {"get"}
    assert document["components"]["securitySchemes"]["apiToken"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "za_<prefix>_<secret>",
    }


def test_every_reference_points_at_a_schema_that_exists(client):
    document = _document(client)
    schemas = document["components"]["schemas"]
    refs = set()

    def walk(node):
        if isinstance(node, dict):
            if "$ref" in node:
                refs.add(node["$ref"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(document)
    assert refs and all(ref.removeprefix("#/components/schemas/") in schemas for ref in refs), refs


def test_the_documented_paths_are_the_views_paths(client):
    document = _document(client)
    assert resolve("/api/v1/role-changes").url_name == "role_change_create"
    assert resolve("/api/v1/role-changes/7").url_name == "role_change_detail"
    assert "{id}" in next(p for p in document["paths"] if p.endswith("}"))


def test_the_input_schema_names_exactly_the_fields_the_view_accepts(client):
    from zoomadmin_site.api.payloads import FIELDS, MAX_HOURS

    schema = _document(client)["components"]["schemas"]["RoleChangeInput"]
    assert set(schema["properties"]) == FIELDS
    assert schema["additionalProperties"] is False
    assert schema["properties"]["hours"]["maximum"] == MAX_HOURS


def test_the_statuses_documented_are_the_requests_statuses(client):
    from zoomadmin_site.changes.models import Status

    schemas = _document(client)["components"]["schemas"]
    assert set(schemas["RoleChange"]["properties"]["status"]["enum"]) == set(Status.values)


def test_the_readme_documents_the_json_api():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert "## JSON API" in readme and "/api/v1/openapi.json" in readme and "/account/tokens/" in readme
