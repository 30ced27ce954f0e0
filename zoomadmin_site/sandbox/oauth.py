"""Server-to-Server OAuth (zoom-api.md §2): the token endpoint and bearer-token checks.

Only a SHA-256 of each token is stored. A token carries the app's scopes *as they were when it was
minted*; changing the app's scopes (``Sandbox.set_scopes``) only affects later tokens. With the
``legacy_tokens`` knob on, each grant revokes every earlier token (Zoom's 2022-2023 behaviour).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import sqlite3
from dataclasses import dataclass
from urllib.parse import parse_qs

from . import db
from .context import Reply
from .errors import SCOPES_MISSING, TOKEN_EXPIRED, TOKEN_INVALID, ZoomError
from .ids import Draw
from .knobs import Knobs

TOKEN_TTL_S = 3600
REPORTED_EXPIRES_IN = 3599
TOKEN_PREFIX = "eyJzdiI6IjAwMDAwMSIsImFsZyI6IkhTNTEyIiwidiI6IjIuMCIsImtpZCI6InNhbmRib3gifQ."  # noqa: S105 - a JWT-like header


@dataclass(frozen=True)
class AppCredentials:
    account_id: str
    client_id: str
    client_secret: str


def _token_error(reason: str, error: str) -> Reply:
    return Reply(400, {"reason": reason, "error": error})


def _basic_credentials(header: str) -> tuple[str, str] | None:
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic" or not value:
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, sep, secret = decoded.partition(":")
    return (client_id, secret) if sep else None


def grant_params(query: str, body: bytes) -> dict[str, str]:
    """``grant_type``/``account_id`` from the query string or a form body (the query wins)."""
    params = {k: v[-1] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
    params.update({k: v[-1] for k, v in parse_qs(query).items()})
    return params


def token_endpoint(
    conn: sqlite3.Connection, knobs: Knobs, app: AppCredentials, *, authorization: str, params: dict[str, str]
) -> Reply:
    creds = _basic_credentials(authorization)
    if creds is None:
        return _token_error("Client ID or client secret is missing.", "invalid_client")
    ok_id = hmac.compare_digest(creds[0], app.client_id)
    ok_secret = hmac.compare_digest(creds[1], app.client_secret)
    if not (ok_id and ok_secret):
        return _token_error("Invalid client_id or client_secret", "invalid_client")
    if knobs["app_disabled"]:
        return _token_error("The app has been disabled by the developer", "invalid_client")
    grant = params.get("grant_type", "")
    if not grant:
        return _token_error("Missing grant type", "invalid_request")
    if grant != "account_credentials":
        return _token_error("unsupported grant type", "unsupported_grant_type")
    if params.get("account_id", "") != app.account_id:
        return _token_error("Invalid account_id", "invalid_request")
    return Reply(200, mint(conn, knobs))


def mint(conn: sqlite3.Connection, knobs: Knobs) -> dict[str, object]:
    now = knobs.now()
    scopes = list(knobs["scopes"])
    token = TOKEN_PREFIX + Draw(conn).token(43) + Draw(conn).token(43)
    if knobs["legacy_tokens"]:
        conn.execute("UPDATE tokens SET revoked = 1")
    conn.execute("DELETE FROM tokens WHERE expires_ts < ?", (now - 7 * 86400,))
    conn.execute(
        "INSERT INTO tokens(hash, scopes, issued_ts, expires_ts) VALUES (?, ?, ?, ?)",
        (_hash(token), db.dumps(scopes), now, now + TOKEN_TTL_S),
    )
    return {
        "access_token": token,
        "token_type": "bearer",
        "expires_in": REPORTED_EXPIRES_IN,
        "scope": " ".join(scopes),
        "api_url": "https://api.zoom.us",
    }


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def authenticate(conn: sqlite3.Connection, authorization: str, now: float) -> frozenset[str]:
    """The scopes of the request's bearer token; 401/124 when it is missing, unknown, revoked or expired."""
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ZoomError(401, 124, TOKEN_INVALID)
    row = conn.execute("SELECT * FROM tokens WHERE hash = ?", (_hash(token.strip()),)).fetchone()
    if row is None or row["revoked"]:
        raise ZoomError(401, 124, TOKEN_INVALID)
    if row["expires_ts"] <= now:
        raise ZoomError(401, 124, TOKEN_EXPIRED)
    return frozenset(db.loads(row["scopes"], []))


def check_scopes(granted: frozenset[str], granular: str, classic: str) -> None:
    if granular in granted or classic in granted:
        return
    raise ZoomError(400, 4711, SCOPES_MISSING.format(scopes=granular))
