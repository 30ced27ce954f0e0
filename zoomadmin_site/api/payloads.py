"""The API's JSON: reading a role-change body, and writing plans, requests and errors."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from accounts.zoom_keys import zoom_user_key_ok
from zoomadmin_site.changes.models import ChangeRequest
from zoomadmin_site.changes.plans import Plan
from zoomadmin_site.changes.services import MAX_DURATION_HOURS

# A time-bound change lasts at most a year: the change machinery takes any whole number, and a huge one
# overflows the date of its end after Zoom was already changed.
MAX_HOURS = MAX_DURATION_HOURS
FIELDS = {"user", "role", "reason", "hours", "dry_run"}

NOT_JSON = "The body must be a JSON object: {detail}."
UNKNOWN_FIELDS = "Unknown fields: {names}. Send only user, role, reason, hours and dry_run."
USER_MISSING = "Give user: the Zoom user's email address or Zoom user id."
USER_BAD = "“{user}” is neither a Zoom user id nor an email address (Zoom was not asked)."
ROLE_MISSING = (
    'Give role: a role name as Zoom lists it ("Admin", "Member"), or an object {"role_id": "1"} or '
    '{"role_name": "Admin"}.'
)
REASON_BAD = "reason must be text: why the change is needed (it is kept in the audit log)."
HOURS_BAD = "hours must be a whole number from 1 to {max} (a time-bound change), or left out."
DRY_RUN_BAD = "dry_run must be true or false."


class BadInput(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class RoleChangeInput:
    user: str
    role: dict[str, str]
    reason: str
    hours: int | None
    dry_run: bool


def role_change_input(body: bytes) -> RoleChangeInput:
    """The body of POST /api/v1/role-changes, checked for shape only: the rules are the services'."""
    try:
        data = json.loads(body or b"null")
    except (ValueError, UnicodeDecodeError) as error:
        raise BadInput(NOT_JSON.format(detail=error)) from None
    if not isinstance(data, dict):
        raise BadInput(NOT_JSON.format(detail=f"got {type(data).__name__}"))
    unknown = sorted(set(data) - FIELDS)
    if unknown:  # a typo such as "dryrun" must not turn a dry run into a change
        raise BadInput(UNKNOWN_FIELDS.format(names=", ".join(unknown)))
    user = data.get("user")
    if not isinstance(user, str) or not user.strip():
        raise BadInput(USER_MISSING)
    if not zoom_user_key_ok(user.strip()):
        raise BadInput(USER_BAD.format(user=user.strip()[:80]))
    reason = data.get("reason", "")
    if not isinstance(reason, str):
        raise BadInput(REASON_BAD)
    dry_run = data.get("dry_run", False)
    if not isinstance(dry_run, bool):
        raise BadInput(DRY_RUN_BAD)
    return RoleChangeInput(
        user.strip(), _role(data.get("role")), reason, hours_value(data.get("hours")), dry_run
    )


def _role(value: Any) -> dict[str, str]:
    if isinstance(value, str) and value.strip():
        return {"role_name": value.strip()}
    if isinstance(value, dict) and len(value) == 1:
        (key, item), *_ = value.items()
        if key in {"role_id", "role_name"} and isinstance(item, str | int) and str(item).strip():
            return {key: str(item).strip()}
    raise BadInput(ROLE_MISSING)


def hours_value(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_HOURS:
        raise BadInput(HOURS_BAD.format(max=MAX_HOURS))
    return value


def plan_json(plan: Plan | None) -> dict[str, Any]:
    if plan is None:
        return {"checks": [], "calls": []}
    return {
        "checks": checks_json(plan),
        "calls": [_call(c.method, c.path, c.body, c.purpose) for c in plan.calls],
    }


def stored_plan_json(plan: dict[str, Any]) -> dict[str, Any]:
    """The plan as stored on a request (`Plan.to_json()`)."""
    return plan_json(Plan.from_json(plan)) if plan else plan_json(None)


def checks_json(plan: Plan | None) -> list[dict[str, str]]:
    if plan is None:
        return []
    return [
        {"key": c.key, "label": c.label, "outcome": str(c.outcome), "reason": c.reason, "remedy": c.remedy}
        for c in plan.checks
    ]


def _call(method: str, path: str, body: Any, purpose: str) -> dict[str, Any]:
    return {"method": method, "path": path, "body": body, "purpose": purpose}


def error_json(message: str, plan: Plan | None = None) -> dict[str, Any]:
    return {"error": message, "checks": checks_json(plan)}


def dry_run_json(plan: Plan) -> dict[str, Any]:
    return {
        "id": None,
        "status": "dry_run",
        "summary": plan.summary,
        "needs_approval": plan.needs_approval,
        "approval_reason": plan.approval_reason,
        "plan": plan_json(plan),
        "links": {},
    }


def created_json(request: ChangeRequest, plan: Plan, *, url: str) -> dict[str, Any]:
    return {
        "id": request.pk,
        "status": request.status,
        "status_label": request.get_status_display(),
        "summary": request.summary,
        "needs_approval": plan.needs_approval,
        "approval_reason": plan.approval_reason,
        "outcome_reason": request.outcome_reason,
        "plan": plan_json(plan),
        "links": {"self": url},
    }


def request_json(request: ChangeRequest, *, url: str) -> dict[str, Any]:
    """A role-change request as it stands: status, why, every timestamp and the managers' decisions."""
    return {
        "id": request.pk,
        "status": request.status,
        "status_label": request.get_status_display(),
        "source": request.source,
        "summary": request.summary,
        "requester": request.requester_label,
        "target": {
            "zoom_id": request.target_id,
            "label": request.target_label,
            "email": request.target_email,
        },
        "current": request.current,
        "intended": request.intended,
        "reason": request.reason,
        "outcome_reason": request.outcome_reason,
        "changes_note": request.changes_note,
        "approvals_required": request.approvals_required,
        "duration_hours": request.duration_hours,
        "created_at": request.created_at,
        "updated_at": request.updated_at,
        "expires_at": request.expires_at,
        "decided_at": request.decided_at,
        "started_at": request.started_at,
        "finished_at": request.finished_at,
        "revert_at": request.revert_at,
        "decisions": [
            {
                "approver": decision.approver_label,
                "decision": decision.decision,
                "comment": decision.comment,
                "at": decision.created_at,
                "counts": decision.plan_fingerprint == request.plan_fingerprint,
            }
            for decision in request.decisions.all()
        ],
        "plan": stored_plan_json(request.plan),
        "links": {"self": url},
    }
