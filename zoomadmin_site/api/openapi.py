"""The OpenAPI 3.1 description of the JSON API, served at /api/v1/openapi.json."""

from __future__ import annotations

from typing import Any

from zoomadmin_site.api.payloads import MAX_HOURS
from zoomadmin_site.changes.models import Status

_STRING = {"type": "string"}
_TIME = {"type": ["string", "null"], "format": "date-time"}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _error(description: str) -> dict[str, Any]:
    return _json(_ref("Error"), description)


SCHEMAS: dict[str, Any] = {
    "RoleChangeInput": {
        "type": "object",
        "additionalProperties": False,
        "required": ["user", "role"],
        "properties": {
            "user": {"type": "string", "description": "The Zoom user's email address or Zoom user id."},
            "role": {
                "description": (
                    'A role name as Zoom lists it ("Admin"), or {"role_id": "1"} or {"role_name": "Admin"}.'
                ),
                "oneOf": [
                    {"type": "string"},
                    {
                        "type": "object",
                        "additionalProperties": False,
                        "properties": {"role_id": {"type": ["string", "integer"]}},
                        "required": ["role_id"],
                    },
                    {
                        "type": "object",
                        "additionalProperties": False,
                        "properties": {"role_name": _STRING},
                        "required": ["role_name"],
                    },
                ],
            },
            "reason": {
                "type": "string",
                "description": "Why the change is needed; kept in the audit log. Required unless dry_run.",
            },
            "hours": {
                "type": ["integer", "null"],
                "minimum": 1,
                "maximum": MAX_HOURS,
                "description": "A time-bound change: the old role comes back after this many hours.",
            },
            "dry_run": {
                "type": "boolean",
                "default": False,
                "description": "Only run the preflight: nothing is recorded and nothing is sent to Zoom.",
            },
        },
    },
    "Check": {
        "type": "object",
        "required": ["key", "label", "outcome", "reason", "remedy"],
        "properties": {
            "key": _STRING,
            "label": _STRING,
            "outcome": {"enum": ["pass", "warn", "fail"]},
            "reason": _STRING,
            "remedy": _STRING,
        },
    },
    "Call": {
        "type": "object",
        "description": "A Zoom API call that execution makes (or made), as sent.",
        "properties": {
            "method": _STRING,
            "path": _STRING,
            "body": {"type": ["object", "null"]},
            "purpose": _STRING,
        },
    },
    "Plan": {
        "type": "object",
        "properties": {
            "checks": {"type": "array", "items": _ref("Check")},
            "calls": {"type": "array", "items": _ref("Call")},
        },
    },
    "Links": {"type": "object", "properties": {"self": {"type": "string", "format": "uri"}}},
    "Submitted": {
        "type": "object",
        "required": ["id", "status", "summary", "plan", "links"],
        "properties": {
            "id": {"type": ["integer", "null"], "description": "null for a dry run."},
            "status": {"enum": [*Status.values, "dry_run"]},
            "status_label": _STRING,
            "summary": _STRING,
            "needs_approval": {"type": "boolean"},
            "approval_reason": _STRING,
            "outcome_reason": {
                "type": "string",
                "description": "For a change that ran at once: Zoom's read-back, or why it failed.",
            },
            "plan": _ref("Plan"),
            "links": _ref("Links"),
        },
    },
    "Decision": {
        "type": "object",
        "properties": {
            "approver": _STRING,
            "decision": {"enum": ["approve", "reject"]},
            "comment": _STRING,
            "at": {"type": "string", "format": "date-time"},
            "counts": {"type": "boolean", "description": "Given to the plan as it stands now."},
        },
    },
    "RoleChange": {
        "type": "object",
        "required": ["id", "status", "decisions", "plan", "links"],
        "properties": {
            "id": {"type": "integer"},
            "status": {"enum": Status.values},
            "status_label": _STRING,
            "source": {"enum": ["web", "cli", "api", "system"]},
            "summary": _STRING,
            "requester": _STRING,
            "target": {
                "type": "object",
                "properties": {"zoom_id": _STRING, "label": _STRING, "email": _STRING},
            },
            "current": {"type": "object"},
            "intended": {"type": "object"},
            "reason": _STRING,
            "outcome_reason": _STRING,
            "changes_note": _STRING,
            "approvals_required": {"type": "integer"},
            "duration_hours": {"type": ["integer", "null"]},
            **{
                name: _TIME
                for name in (
                    "created_at",
                    "updated_at",
                    "expires_at",
                    "decided_at",
                    "started_at",
                    "finished_at",
                    "revert_at",
                )
            },
            "decisions": {"type": "array", "items": _ref("Decision")},
            "plan": _ref("Plan"),
            "links": _ref("Links"),
        },
    },
    "Error": {
        "type": "object",
        "required": ["error", "checks"],
        "properties": {
            "error": {"type": "string", "description": "What was refused and why, in plain words."},
            "checks": {"type": "array", "items": _ref("Check")},
        },
    },
}

_AUTH_ERRORS = {
    "401": _error("No API token, or one that is unknown or revoked (browser sessions are not accepted)."),
    "403": _error("The token's operator lacks the request_role_change permission."),
}

PATHS: dict[str, Any] = {
    "/api/v1/role-changes": {
        "post": {
            "operationId": "createRoleChange",
            "summary": "Request a Zoom role change (or preflight it with dry_run)",
            "description": (
                "Runs the same preflight, rules and audit as the web. A promotion waits for a manager's "
                "approval (status pending); a change that needs none (a demotion to Member) runs at once and "
                "the answer carries Zoom's read-back."
            ),
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": _ref("RoleChangeInput")}},
            },
            "responses": {
                "201": {
                    **_json(_ref("Submitted"), "Recorded (pending, or already executed)."),
                    "headers": {"Location": {"schema": {"type": "string", "format": "uri"}}},
                },
                "200": _json(_ref("Submitted"), "A dry run that would pass: nothing recorded or sent."),
                "400": _error("The body is not a valid request (not JSON, missing or mistyped fields)."),
                **_AUTH_ERRORS,
                "422": _error("Refused by the rules or the preflight (a failed check, no reason...)."),
                "502": _error("Zoom could not be asked."),
            },
        }
    },
    "/api/v1/role-changes/{id}": {
        "get": {
            "operationId": "getRoleChange",
            "summary": "A role-change request as it stands",
            "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}],
            "responses": {
                "200": _json(_ref("RoleChange"), "The request: status, outcome, timestamps, decisions."),
                **_AUTH_ERRORS,
                "404": _error("No such role-change request."),
            },
        }
    },
}


def openapi_document(*, server: str = "/") -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Zoom Admin JSON API",
            "version": "1.0.0",
            "description": (
                "Role changes for provisioning systems. Authenticate with an operator's API token "
                "(Authorization: Bearer za_…, created at /account/tokens/); the operator needs the "
                "request_role_change permission. Every request is checked, recorded and audited as on "
                "the web site."
            ),
        },
        "servers": [{"url": server.rstrip("/") or "/"}],
        "security": [{"apiToken": []}],
        "paths": PATHS,
        "components": {
            "securitySchemes": {
                "apiToken": {"type": "http", "scheme": "bearer", "bearerFormat": "za_<prefix>_<secret>"}
            },
            "schemas": SCHEMAS,
        },
    }
