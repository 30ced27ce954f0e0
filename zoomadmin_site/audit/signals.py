"""Operators signing in and out, failed sign-ins, and changes to operators' access go to the audit log."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.utils.crypto import salted_hmac

from zoomadmin_site.audit import actions
from zoomadmin_site.audit.models import Outcome
from zoomadmin_site.audit.services import audit_record

OPERATOR = actions.OPERATOR
UNKNOWN_USERNAME = "(no username)"
UNKNOWN_OPERATOR = "unknown username {digest}"
USERNAME_DIGEST_SALT = "zoomadmin_site.audit.attempted_username"


def connect_auth_signals() -> None:
    from zoomadmin_site.audit import operator_changes

    user_logged_in.connect(audit_login, dispatch_uid="audit_login")
    user_logged_out.connect(audit_logout, dispatch_uid="audit_logout")
    user_login_failed.connect(audit_login_failed, dispatch_uid="audit_login_failed")
    operator_changes.connect_operator_change_signals()


def attempted_username_label(username: str) -> str:
    """What the audit log may say about a username somebody tried to log in with: the username when it
    names an operator; otherwise "unknown username" and a keyed hash of what was typed (HMAC keyed with
    SECRET_KEY), so that repeated attempts with the same text still correlate. People type their
    password into the username field; it must reach neither the log nor its auditors."""
    if not username:
        return UNKNOWN_USERNAME
    users = get_user_model()._default_manager
    if users.filter(**{get_user_model().USERNAME_FIELD: username}).exists():
        return username
    digest = salted_hmac(USERNAME_DIGEST_SALT, username, algorithm="sha256").hexdigest()[:16]
    return UNKNOWN_OPERATOR.format(digest=digest)


def audit_login(sender: Any, request: Any = None, user: Any = None, **kwargs: Any) -> None:
    audit_record(
        action=actions.AUTH_LOGIN,
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
        action=actions.AUTH_LOGOUT,
        outcome=Outcome.SUCCEEDED,
        actor=user,
        target_type=OPERATOR,
        target_id=user.get_username(),
        target_label=user.get_username(),
    )


def audit_login_failed(
    sender: Any, credentials: dict[str, Any] | None = None, request: Any = None, **kwargs: Any
) -> None:
    # Only the username is considered; Django has already masked the password, and we never read it.
    label = attempted_username_label(str((credentials or {}).get(get_user_model().USERNAME_FIELD) or ""))
    audit_record(
        action=actions.AUTH_LOGIN_FAILED,
        outcome=Outcome.FAILED,
        actor=None,
        actor_label=label,
        target_type=OPERATOR,
        target_id=label,
        target_label=label,
        reason="Wrong username or password, or the account is inactive.",
    )
