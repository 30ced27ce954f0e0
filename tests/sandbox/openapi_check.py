"""A small validator for the OpenAPI subset: required keys present, types, enums, date-time and int64.

Schemas come from ``zoom_openapi_responses.json`` (derived from Zoom's official 2024 OpenAPI subset).
Extra keys are allowed (Zoom adds fields freely); missing optional keys are fine. A string enum also
accepts a comma-separated list of members: the spec's own description of ``recurrence.weekly_days``
says "provide comma separated values" ("1,3") although its enum lists single days.
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


@cache
def schemas() -> dict[str, Any]:
    path = Path(__file__).with_name("zoom_openapi_responses.json")
    return json.loads(path.read_text())["responses"]


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
            if name in value and value[name] is not None:
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
