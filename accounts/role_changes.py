"""Role changes: the flow the change machinery runs (`zoomadmin_site.changes`), and its services.

Zoom's rules (zoom-api.md §1.1, §1.2, §7): a role changes only through the Roles API, never through
`PATCH /users/{id}` (which answers 204 and changes nothing). A promotion is `POST /roles/{id}/members`
(the user leaves their old role: one role per user); a demotion to Member is
`DELETE /roles/{current}/members/{userId}`. Owner and Member take no members through the API; the owner
changes only in Zoom's portal.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import timezone

from accounts.mirroring import mirror_write_user, user_values
from zoomadmin_site import zoom
from zoomadmin_site.audit.models import Action
from zoomadmin_site.changes.checks import read_failed, scopes_check
from zoomadmin_site.changes.flows import FlowActions, ReadBack, register_flow
from zoomadmin_site.changes.models import ChangeRequest, Kind, Source
from zoomadmin_site.changes.plans import Check, CheckOutcome, Plan, PlannedCall
from zoomadmin_site.changes.reads import parallel_reads
from zoomadmin_site.changes.services import (
    ChangeRefused,
    Submitted,
    change_approve,
    change_cancel,
    change_reject,
    change_submit,
)
from zoomadmin_site.zoom import (
    ZoomEndpointNotAvailable,
    ZoomError,
    ZoomNotFound,
    ZoomRole,
    ZoomScopeError,
    get_zoom_client,
    record_zoom_calls,
)

OWNER_ROLE_ID, ADMIN_ROLE_ID, MEMBER_ROLE_ID = "0", "1", "2"
TARGET_USER = "zoom_user"

ROLES_API_2300 = (
    "Zoom answers “This API endpoint is not recognized” (code 2300) to the Roles API for this app. That is "
    "not a scope or data problem: Zoom's gateway did not match the call to an API this app and account may "
    "use. Role management needs a Pro or higher plan; a master/sub-account setup uses "
    "/accounts/{accountId}/roles/... instead; and the base URL must be exactly https://api.zoom.us/v2 (a "
    "doubled /v2/v2 gives the same answer)."
)
UNVERIFIED_ADVICE = (
    "Zoom accepts some calls and ignores what it does not act on (a role sent with PATCH /users answers 204 "
    "and changes nothing). Check the user's role in Zoom's portal (User Management → Roles) and whether "
    "SSO role mapping put it back, then request the change again if it is still needed."
)


def _is_member(role_id: str, role_name: str) -> bool:
    return role_id == MEMBER_ROLE_ID or role_name.strip().lower() == "member"


def _find_role(roles: tuple[ZoomRole, ...], wanted: dict[str, Any]) -> ZoomRole | None:
    role_id = str(wanted.get("role_id") or "").strip()
    name = str(wanted.get("role_name") or "").strip().lower()
    for role in roles:
        if (role_id and role.id == role_id) or (not role_id and name and role.name.strip().lower() == name):
            return role
    return None


class RoleChangeFlow:
    kind: str = Kind.ROLE_CHANGE
    actions = FlowActions(
        request=Action.ROLE_CHANGE_REQUEST,
        preflight=Action.ROLE_CHANGE_PREFLIGHT,
        approve=Action.ROLE_CHANGE_APPROVE,
        reject=Action.ROLE_CHANGE_REJECT,
        cancel=Action.ROLE_CHANGE_CANCEL,
        expire=Action.ROLE_CHANGE_EXPIRE,
        execute=Action.ROLE_CHANGE_EXECUTE,
        read_back=Action.ROLE_CHANGE_READ_BACK,
        reconcile=Action.ROLE_CHANGE_RECONCILE,
    )
    unverified_advice: str = UNVERIFIED_ADVICE

    # --- preflight -------------------------------------------------------------------------------

    def preflight(self, *, target_id: str, intended: dict[str, Any], actor: Any) -> Plan:
        client = get_zoom_client()
        with record_zoom_calls() as calls:
            reads = parallel_reads(
                {
                    "user": lambda: client.get_user(user_id=target_id),
                    "roles": lambda: client.list_roles(),
                    "scopes": lambda: client.granted_scopes(),
                }
            )
        user, roles, scopes = reads["user"], reads["roles"], reads["scopes"]
        checks: list[Check] = []
        current: dict[str, Any] = {"zoom_id": target_id}
        if isinstance(user, zoom.ZoomUser):
            current = {
                "zoom_id": user.id,
                "email": user.email,
                "name": f"{user.first_name} {user.last_name}".strip() or user.email,
                "status": user.status,
                "role_id": user.role_id,
                "role_name": user.role_name,
            }
        role = _find_role(roles, intended) if isinstance(roles, tuple) else None
        target_role = (
            {"role_id": role.id, "role_name": role.name}
            if role
            else {
                "role_id": str(intended.get("role_id") or ""),
                "role_name": str(intended.get("role_name") or ""),
            }
        )
        checks.append(self._user_check(user, target_id))
        checks.append(self._roles_check(roles, role, target_role))
        calls_planned = self._calls(current, target_role) if isinstance(user, zoom.ZoomUser) and role else []
        if isinstance(user, zoom.ZoomUser) and role:
            checks.append(self._not_already(current, role))
            checks.append(self._owner_check(current, role))
            checks.append(self._method_check(current, role, calls_planned))
        checks.append(self._scopes_check(scopes, current, target_role))
        sso = self._sso_check(current)
        if sso:
            checks.append(sso)
        name = current.get("name") or current.get("email") or target_id
        summary = (
            f"Change {current.get('email') or target_id} from {current.get('role_name') or 'unknown role'} "
            f"to {target_role['role_name'] or target_role['role_id'] or 'an unknown role'}"
        )
        plan = Plan(
            kind=self.kind,
            target_type=TARGET_USER,
            target_id=str(current.get("zoom_id") or target_id),
            target_label=f"{name} <{current['email']}>" if current.get("email") else str(name),
            current=current,
            intended=target_role,
            checks=checks,
            calls=calls_planned,
            summary=summary,
            zoom_reads=[call.to_dict() for call in calls],
        )
        required = self.approvals_required(plan)
        plan.needs_approval = required > 0
        plan.approval_reason = (
            f"{target_role['role_name'] or 'This role'} raises privileges: "
            + ("a manager approves it" if required == 1 else f"{required} different managers approve it")
            + " before Zoom is changed."
            if required
            else f"A change to {target_role['role_name']} needs no approval: it runs at once."
        )
        return plan

    def _user_check(self, user: Any, target_id: str) -> Check:
        label = "The user exists in Zoom and is active"
        if isinstance(user, ZoomNotFound):
            return Check(
                "user",
                label,
                CheckOutcome.FAIL,
                f"Zoom has no user {target_id} now (code {user.code}).",
                "Refresh the mirror: the user may have been deleted or their email changed.",
                {"exists": False},
            )
        if isinstance(user, ZoomError):
            return read_failed("user", label, user)
        if user.status != "active":
            return Check(
                "user",
                label,
                CheckOutcome.FAIL,
                f"{user.email} is {user.status or 'not active'} in Zoom: only active users change role here.",
                "Activate the user in Zoom first (a pending user must accept the invitation).",
                {"status": user.status},
            )
        return Check(
            "user", label, CheckOutcome.PASS, f"{user.email} is active in Zoom.", "", {"status": user.status}
        )

    def _roles_check(self, roles: Any, role: ZoomRole | None, target: dict[str, str]) -> Check:
        label = "The role exists in this account"
        if isinstance(roles, ZoomEndpointNotAvailable):
            return Check(
                "roles_api",
                "The Roles API is available to this app",
                CheckOutcome.FAIL,
                ROLES_API_2300,
                roles.remedy,
                {"code": roles.code},
            )
        if isinstance(roles, ZoomScopeError):
            return Check(
                "roles_api",
                "The Roles API is available to this app",
                CheckOutcome.FAIL,
                roles.explanation,
                roles.remedy,
                {"code": roles.code},
            )
        if isinstance(roles, ZoomError):
            return read_failed("roles", label, roles)
        if role is None:
            wanted = target["role_name"] or target["role_id"] or "(none)"
            names = ", ".join(r.name for r in roles)
            return Check(
                "role",
                label,
                CheckOutcome.FAIL,
                f"Zoom lists no role “{wanted}” (its roles: {names}).",
                "Pick one of the roles Zoom lists.",
                {"exists": False},
            )
        return Check(
            "role",
            label,
            CheckOutcome.PASS,
            f"Zoom lists the role {role.name} (id {role.id}).",
            "",
            {"role_id": role.id},
        )

    def _not_already(self, current: dict[str, Any], role: ZoomRole) -> Check:
        label = "The user is not already in that role"
        if current.get("role_id") == role.id:
            return Check(
                "already",
                label,
                CheckOutcome.FAIL,
                f"{current['email']} is already {role.name} in Zoom.",
                "Nothing to do.",
                {"role_id": role.id},
            )
        return Check(
            "already",
            label,
            CheckOutcome.PASS,
            f"{current['email']} is {current.get('role_name') or current.get('role_id')} now.",
            "",
            {"role_id": current.get("role_id")},
        )

    def _owner_check(self, current: dict[str, Any], role: ZoomRole) -> Check:
        label = "Neither role is Owner"
        if OWNER_ROLE_ID in (current.get("role_id"), role.id) or role.name.lower() == "owner":
            return Check(
                "owner",
                label,
                CheckOutcome.FAIL,
                "The account owner changes only in Zoom's portal (Account Management → Account Profile → "
                "Change owner); the API refuses Owner role members.",
                "Change the owner in Zoom's portal.",
                {"owner": True},
            )
        return Check(
            "owner",
            label,
            CheckOutcome.PASS,
            "Neither the current nor the new role is Owner.",
            "",
            {"owner": False},
        )

    def _method_check(self, current: dict[str, Any], role: ZoomRole, calls: list[PlannedCall]) -> Check:
        label = "The right Zoom call"
        call = calls[0] if calls else None
        reason = (
            f"{call} ({call.purpose}). Never PATCH /users/{{id}}: Zoom answers 204 to a role there and "
            "changes nothing."
            if call
            else "No call can make this change."
        )
        return Check(
            "method",
            label,
            CheckOutcome.PASS if call else CheckOutcome.FAIL,
            reason,
            "" if call else "Change it in Zoom's portal.",
            {"call": str(call) if call else ""},
        )

    def _scopes_check(self, scopes: Any, current: dict[str, Any], target: dict[str, str]) -> Check:
        write = "unassign_role" if _is_member(target["role_id"], target["role_name"]) else "assign_role"
        return scopes_check(scopes, ["get_user", "list_roles", write])

    def _sso_check(self, current: dict[str, Any]) -> Check | None:
        domain = str(current.get("email") or "").rpartition("@")[2].lower()
        if not domain or domain not in settings.ZOOM_SSO_ROLE_MAPPED_DOMAINS:
            return None
        return Check(
            "sso",
            "SSO role mapping",
            CheckOutcome.WARN,
            f"{domain} signs in with SSO/SAML role mapping: Zoom may set the role back at the user's next "
            "sign-in.",
            "Change the role mapping in the identity provider too, or this change may not last.",
            {"domain": domain},
        )

    def _calls(self, current: dict[str, Any], target: dict[str, str]) -> list[PlannedCall]:
        zoom_id = current["zoom_id"]
        if _is_member(target["role_id"], target["role_name"]):
            role_id = current.get("role_id") or ""
            if not role_id or _is_member(role_id, current.get("role_name") or ""):
                return []
            return [
                PlannedCall(
                    "DELETE",
                    f"/roles/{role_id}/members/{zoom_id}",
                    purpose=f"take the user out of {current.get('role_name') or role_id}: they become Member",
                )
            ]
        return [
            PlannedCall(
                "POST",
                f"/roles/{target['role_id']}/members",
                {"members": [{"id": zoom_id}]},
                purpose=f"move the user into {target['role_name']} (out of their current role)",
            )
        ]

    # --- decisions and execution -------------------------------------------------------------------

    def approvals_required(self, plan: Plan) -> int:
        names = {n.strip().lower() for n in settings.ROLE_CHANGE_NO_APPROVAL_ROLES}
        if str(plan.intended.get("role_name", "")).strip().lower() in names:
            return 0
        return max(1, settings.ROLE_CHANGE_APPROVERS_REQUIRED)

    def write(self, client: zoom.ZoomClient, plan: Plan) -> None:
        for call in plan.calls:
            role_id = call.path.split("/")[2]
            if call.method == "POST":
                client.assign_role(role_id=role_id, user_ids=[plan.current["zoom_id"]])
            else:
                client.unassign_role(role_id=role_id, member_id=plan.current["zoom_id"])

    def read_back(self, client: zoom.ZoomClient, plan: Plan) -> ReadBack:
        user = client.get_user(user_id=plan.current.get("zoom_id") or plan.target_id)
        after = {"role_id": user.role_id, "role_name": user.role_name, "status": user.status}
        applied = user.role_id == plan.intended["role_id"]
        at = timezone.now().strftime("%H:%M:%S UTC")
        if applied:
            detail = f"Zoom shows {user.email} as {user.role_name or user.role_id} (read back {at})."
        else:
            detail = (
                f"Zoom still shows {user.email} as {user.role_name or user.role_id}, not "
                f"{plan.intended.get('role_name') or plan.intended['role_id']} (read back {at})."
            )
        return ReadBack(applied=applied, after=after, detail=detail, record=user)

    def mirror(self, read: ReadBack) -> None:
        mirror_write_user(user_values(read.record), when=timezone.now(), gone=False, take_email=True)

    def revert_intent(self, current: dict[str, Any]) -> dict[str, Any]:
        return {"role_id": current.get("role_id", ""), "role_name": current.get("role_name", "")}


ROLE_CHANGE = RoleChangeFlow()
register_flow(ROLE_CHANGE)


# --- services ----------------------------------------------------------------------------------------


def role_change_roles() -> tuple[ZoomRole, ...]:
    """The account's roles as Zoom reports them now (GET /roles)."""
    return get_zoom_client().list_roles()


def role_change_preflight(*, user_key: str, role: dict[str, Any], actor: Any) -> Plan:
    """Read-only: the plan for moving `user_key` to `role` ({"role_id"} or {"role_name"})."""
    return ROLE_CHANGE.preflight(target_id=user_key, intended=role, actor=actor)


def role_change_request(
    *,
    user_key: str,
    role: dict[str, Any],
    reason: str,
    actor: Any,
    source: str = Source.WEB,
    duration_hours: int | None = None,
    dry_run: bool = False,
) -> Submitted:
    return change_submit(
        Kind.ROLE_CHANGE,
        actor=actor,
        target_id=user_key,
        intended=role,
        reason=reason,
        source=source,
        duration_hours=duration_hours,
        dry_run=dry_run,
    )


def role_change_approve(*, request_id: int, actor: Any, comment: str) -> ChangeRequest:
    return change_approve(request_id=request_id, actor=actor, comment=comment)


def role_change_reject(*, request_id: int, actor: Any, comment: str) -> ChangeRequest:
    return change_reject(request_id=request_id, actor=actor, comment=comment)


def role_change_cancel(*, request_id: int, actor: Any, reason: str = "") -> ChangeRequest:
    return change_cancel(request_id=request_id, actor=actor, reason=reason)


__all__ = [
    "ROLE_CHANGE",
    "ChangeRefused",
    "role_change_approve",
    "role_change_cancel",
    "role_change_preflight",
    "role_change_reject",
    "role_change_request",
    "role_change_roles",
]
