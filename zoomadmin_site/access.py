"""Access control: every view names the one permission it needs; everything else is denied."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from zoomadmin_site.audit import actions
from zoomadmin_site.audit.models import Outcome
from zoomadmin_site.audit.services import audit_record
from zoomadmin_site.roles import PERMISSIONS, perm

MISSING_PERMISSION = (
    "You need the “{label}” permission ({codename}) for this page. Ask a Zoom Admin superuser."
)

STATE_CHANGING_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
ACCESS_DENIED_REASON = "{method} {path} refused: {detail}"


class MissingPermission(PermissionDenied):
    """A 403 for an operator who lacks `codename`; the message names it in words."""

    def __init__(self, codename: str) -> None:
        self.codename = codename
        super().__init__(MISSING_PERMISSION.format(label=PERMISSIONS[codename], codename=codename))


def operator_required[View: Callable[..., HttpResponseBase]](
    codename: str, *, or_read_only: str = ""
) -> Callable[[View], View]:
    """Require a logged-in operator holding `codename` (anonymous users are sent to log in by
    LoginRequiredMiddleware before this runs); a 403 page names the missing permission.

    `or_read_only` names a second permission that also opens a read-only view (GET/HEAD pages only),
    e.g. auditors reading a transfer job's page; the template hides the controls they may not use."""
    full_name = perm(codename)
    also = perm(or_read_only) if or_read_only else ""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.has_perm(full_name) and not (also and request.user.has_perm(also)):
                raise MissingPermission(codename)
            return view(request, *args, **kwargs)

        wrapped.required_permission = codename  # type: ignore[attr-defined]
        wrapped.read_only_permission = or_read_only  # type: ignore[attr-defined]
        return cast("View", wrapped)

    return decorator


def access_denied_record(*, request: HttpRequest, exception: Exception | None) -> None:
    """Record a 403 answered to a state-changing request (POST, PUT, PATCH, DELETE) as `access.denied`:
    who, which method and path, and the permission that was missing when a view named it.

    Refused GETs are not recorded: they change nothing, and they are the everyday sign of a link or
    bookmark the operator may not follow; recording them would bury the refusals that matter.
    Only logged-in operators are recorded: LoginRequiredMiddleware sends anonymous callers to the login
    page before any view runs, so an anonymous 403 can only come from the few public views (none raises
    one today), and recording those would let anybody write to the audit log without limit. Each
    operator had to log in, and logins are throttled, so what is recorded is bounded and attributable.
    """
    user = getattr(request, "user", None)
    if request.method not in STATE_CHANGING_METHODS or user is None or not user.is_authenticated:
        return
    codename = getattr(exception, "codename", "")
    detail = f"missing permission {codename}" if codename else (str(exception or "") or "permission denied")
    audit_record(
        action=actions.ACCESS_DENIED,
        outcome=Outcome.DENIED,
        actor=user,
        target_type=actions.URL,
        target_id=request.path,
        target_label=f"{request.method} {request.path}",
        after={"method": request.method, "path": request.path, "permission": codename},
        reason=ACCESS_DENIED_REASON.format(method=request.method, path=request.path, detail=detail),
    )
