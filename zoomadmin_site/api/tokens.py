"""API tokens: create, revoke, authenticate. Creation and revocation are audit events; a refused token
is logged, never audited (anybody can send one, and the audit log is not theirs to fill)."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_backends
from django.contrib.auth.backends import ModelBackend
from django.db import transaction
from django.utils import timezone

from zoomadmin_site.api.models import TOKEN_PREFIX, ApiToken
from zoomadmin_site.audit.models import Action, Outcome
from zoomadmin_site.audit.services import audit_record

TARGET_TYPE = "api_token"
NAME_MAX_LENGTH = 100
MAX_ACTIVE_TOKENS = 20
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)
# za_ + 8 hex characters + _ + 43 base64url characters (32 random bytes).
TOKEN_PATTERN = re.compile(rf"{TOKEN_PREFIX}_([0-9a-f]{{8}})_([A-Za-z0-9_-]{{43}})", re.ASCII)

NAME_REQUIRED = "Name the token after the system that will use it (up to 100 characters)."
TOO_MANY = (
    "{operator} already has {count} active API tokens, the most allowed: revoke one that is no longer used."
)
ALREADY_REVOKED = "API token {display} was already revoked."
NOT_YOURS = "Only the token's own operator, or a superuser, can revoke API token {display}."


class TokenRefused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Authenticated:
    """The result of checking a presented token: the token, or None and why (for the log only)."""

    token: ApiToken | None
    why: str = ""
    prefix: str = ""


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _label(token: ApiToken) -> str:
    return f"{token.name} ({token.display}) of {token.operator.get_username()}"


def api_token_create(*, operator: Any, name: str, actor: Any) -> tuple[ApiToken, str]:
    """A new token for `operator`; returns it and the token text, which is never stored or shown again."""
    name = (name or "").strip()
    if not name or len(name) > NAME_MAX_LENGTH:
        raise TokenRefused(NAME_REQUIRED)
    active = ApiToken.objects.filter(operator=operator, revoked_at__isnull=True).count()
    if active >= MAX_ACTIVE_TOKENS:
        raise TokenRefused(TOO_MANY.format(operator=operator.get_username(), count=active))
    while True:
        prefix = secrets.token_hex(4)
        if not ApiToken.objects.filter(prefix=prefix).exists():
            break
    raw = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    with transaction.atomic():  # the token and its audit event exist together or not at all
        token = ApiToken.objects.create(
            operator=operator, name=name, prefix=prefix, secret_hash=token_hash(raw)
        )
        audit_record(
            action=Action.API_TOKEN_CREATE,
            outcome=Outcome.SUCCEEDED,
            actor=actor,
            target_type=TARGET_TYPE,
            target_id=prefix,
            target_label=_label(token),
            after={"operator": operator.get_username(), "name": name, "prefix": prefix},
        )
    return token, raw


def api_token_revoke(*, token_id: int, actor: Any) -> ApiToken:
    """Revoke a token: its own operator or a superuser may. One conditional UPDATE, one event."""
    token = ApiToken.objects.select_related("operator").get(pk=token_id)
    if token.operator_id != getattr(actor, "pk", None) and not getattr(actor, "is_superuser", False):
        raise TokenRefused(NOT_YOURS.format(display=token.display))
    now = timezone.now()
    with transaction.atomic():
        if not ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now):
            raise TokenRefused(ALREADY_REVOKED.format(display=token.display))
        audit_record(
            action=Action.API_TOKEN_REVOKE,
            outcome=Outcome.SUCCEEDED,
            actor=actor,
            target_type=TARGET_TYPE,
            target_id=token.prefix,
            target_label=_label(token),
            before={"revoked_at": None, "last_used_at": token.last_used_at},
            after={"operator": token.operator.get_username(), "name": token.name, "revoked_at": now},
        )
    token.revoked_at = now
    return token


def api_token_authenticate(raw: str) -> Authenticated:
    """The active token `raw` is, with a usable operator; else None and why. The secret is compared in
    constant time; a malformed token is refused without a query."""
    match = TOKEN_PATTERN.fullmatch(raw)
    if match is None:
        return Authenticated(None, "malformed")
    prefix = match.group(1)
    token = ApiToken.objects.select_related("operator").filter(prefix=prefix).first()
    presented = token_hash(raw)
    if token is None:
        hmac.compare_digest(presented, presented)  # about the same time as a wrong secret
        return Authenticated(None, "unknown", prefix)
    if not hmac.compare_digest(token.secret_hash, presented):
        return Authenticated(None, "wrong secret", prefix)
    if token.revoked_at is not None:
        return Authenticated(None, "revoked", prefix)
    if not _operator_can_sign_in(token.operator):
        return Authenticated(None, "operator cannot sign in", prefix)
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return Authenticated(token, prefix=prefix)


def _operator_can_sign_in(operator: Any) -> bool:
    """As the login's backends decide: active, and (demo operators) only against the sandbox."""
    return operator.is_active and all(
        backend.user_can_authenticate(operator)
        for backend in get_backends()
        if isinstance(backend, ModelBackend)
    )
