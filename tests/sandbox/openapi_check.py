"""A small validator for the OpenAPI subset: required keys present, types, enums, date-time and int64.

Schemas come from ``zoom_openapi_responses.json`` (derived from Zoom's official 2024 OpenAPI subset).
Extra keys are allowed (Zoom adds fields freely); missing optional keys are fine, but a key that is
present must match its schema: ``null`` only where the schema says ``nullable`` (omit a field instead).
A string enum also accepts a comma-separated list of members: the spec's own description of
``recurrence.weekly_days`` says "provide comma separated values" ("1,3") although its enum lists single
days.

Error answers: the spec has no schema for them, only, per operation, the HTTP statuses it documents and
the Zoom codes named for each. ``error_problems`` checks Zoom's error shape ``{code, message, errors?}``
and, where the spec documents errors for the operation, that status and code are among them. Codes
that the gateway answers before any operation runs (token, scopes, rate limits) are allowed everywhere.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
}


# Zoom's error body (zoom-api.md §9.1, the official Error Codes page).
ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["code", "message"],
    "properties": {
        "code": {"type": "integer"},
        "message": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}
# Answered by the gateway for any operation: bad token (124), missing scopes (4700/4711/104), rate limits.
GATEWAY_CODES = frozenset({124, 104, 429, 4700, 4711})


@cache
def _subset() -> dict[str, Any]:
    return json.loads(Path(__file__).with_name("zoom_openapi_responses.json").read_text())


def schemas() -> dict[str, Any]:
    return _subset()["responses"]


def documented_errors(operation: str) -> dict[int, list[int]]:
    """HTTP status → Zoom codes the spec names for ``operation`` (empty list: none named)."""
    return {int(status): codes for status, codes in _subset()["errors"][operation].items()}


def _enum_list(value: Any, members: list[Any]) -> bool:
    return isinstance(value, str) and all(part in members for part in value.split(","))


def problems(value: Any, schema: dict[str, Any] | None, where: str = "$") -> list[str]:
    if not schema:
        return []
    for combo in ("allOf", "anyOf", "oneOf"):
        if combo in schema:
            options = [problems(value, option, where) for option in schema[combo]]
            if combo == "allOf":
                return [p for found in options for p in found]
            return [] if any(not found for found in options) else options[0]
    kind = schema.get("type") or ("object" if "properties" in schema else None)
    wrong_type = kind in _TYPES and not isinstance(value, _TYPES[kind])
    if wrong_type or (kind in ("integer", "number") and isinstance(value, bool)):
        return [f"{where}: expected {kind}, got {type(value).__name__} {value!r}"]
    found: list[str] = []
    if "enum" in schema and value not in schema["enum"] and not _enum_list(value, schema["enum"]):
        found.append(f"{where}: {value!r} not in {schema['enum']}")
    if schema.get("format") == "date-time" and isinstance(value, str) and not _DATE_TIME.match(value):
        found.append(f"{where}: {value!r} is not a date-time")
    if kind == "object" and isinstance(value, dict):
        for name in schema.get("required", []):
            if name not in value:
                found.append(f"{where}: missing required {name!r}")
        for name, sub in schema.get("properties", {}).items():
            if name not in value:
                continue
            if value[name] is None:
                if not sub.get("nullable"):
                    found.append(f"{where}.{name}: null where the schema allows none (omit it instead)")
                continue
            found += problems(value[name], sub, f"{where}.{name}")
    if kind == "array" and isinstance(value, list):
        for index, item in enumerate(value):
            found += problems(item, schema.get("items"), f"{where}[{index}]")
    return found


def assert_matches(operation: str, response: Any) -> None:
    """``operation`` like ``"GET /users/{userId}"``; ``response`` an httpx.Response."""
    entry = schemas()[operation]
    assert response.status_code == entry["status"], (operation, response.status_code, response.text)
    if entry["schema"] is None:
        assert not response.content, response.content
        return
    found = problems(response.json(), entry["schema"])
    assert not found, f"{operation} does not match the OpenAPI schema:\n" + "\n".join(found)


def error_problems(operation: str, status: int, body: Any) -> list[str]:
    found = problems(body, ERROR_SCHEMA)
    if found or body["code"] in GATEWAY_CODES:
        return found
    documented = documented_errors(operation)
    if not documented:
        return []
    if status not in documented:
        return [f"HTTP {status} is not an error status the spec documents ({sorted(documented)})"]
    codes = documented[status]
    if codes and body["code"] not in codes:
        return [f"code {body['code']} is not among the codes documented for HTTP {status}: {codes}"]
    return []


def assert_error_matches(operation: str, response: Any) -> None:
    """An error answer (httpx.Response) has Zoom's shape and a status and code the spec documents."""
    assert response.status_code >= 400, (operation, response.status_code, response.text)
    found = error_problems(operation, response.status_code, response.json())
    assert not found, f"{operation} error {response.text} does not match the spec:\n" + "\n".join(found)
