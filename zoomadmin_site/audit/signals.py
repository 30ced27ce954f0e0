"""Operators signing in and out, and failed sign-ins, go to the audit log."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

from zoomadmin_site.audit.models import Outcome
from zoomadmin_site.audit.services import audit_record

OPERATOR = "operator"
UNKNOWN_USERNAME = "(no username)"


def connect_auth_signals() -> None:
    user_logged_in.connect(audit_login, dispatch_uid="audit_login")
    user_logged_out.connect(audit_logout, dispatch_uid="audit_logout")
    user_login_failed.connect(audit_login_failed, dispatch_uid="audit_login_failed")


def audit_login(sender: Any, request: Any = None, user: Any = None, **kwargs: Any) -> None:
    audit_record(
        action="auth.login",
        outcome=Outcome.SUCCEEDED,
        actor=user,
        target_type=OPERATOR,
        target_id=user.get_username(),
        target_label=user.get_username(),
    )


def audit_logout(sender: Any, request: Any = None, user: Any = None, **kwargs: Any) -> None:
    if user is None or not user.is_authenticated:
        return  # logging out while logged out: nothing happened
    audit_record(
        action="auth.logout",
        outcome=Outcome.SUCCEEDED,
        actor=user,
        target_type=OPERATOR,
        target_id=user.get_username(),
        target_label=user.get_username(),
    )


def audit_login_failed(
    sender: Any, credentials: dict[str, Any] | None = None, request: Any = None, **kwargs: Any
) -> None:
    # Only the username is kept; Django has already masked the password, and we never read it.
    username = str((credentials or {}).get(get_user_model().USERNAME_FIELD) or "")[:150] or UNKNOWN_USERNAME
    audit_record(
        action="auth.login_failed",
        outcome=Outcome.FAILED,
        actor=None,
        actor_label=username,
        target_type=OPERATOR,
        target_id=username,
        target_label=username,
        reason="Wrong username or password, or the account is inactive.",
    )
