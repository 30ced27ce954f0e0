"""Keep secrets out of the audit log: applied to every JSON and text field before an event is written."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

REDACTED = "[redacted]"

# Keys whose values are secrets, compared case-insensitively. Zoom's start_url embeds the host's ZAK
# token; meeting objects carry password, h323_password, pstn_password and encrypted_password.
SECRET_KEYS = frozenset(
    {
        "access_token",
        "refresh_token",
        "id_token",
        "token",
        "client_secret",
        "secret",
        "secret_token",
        "password",
        "passcode",
        "authorization",
        "proxy-authorization",
        "cookie",
        "set-cookie",
        "api_key",
        "start_url",
        "zak",
        "h323_password",
        "pstn_password",
        "encrypted_password",
    }
)
SECRET_KEY_SUFFIXES = ("_token", "_secret", "_password", "_passcode")

# Secrets that travel inside strings: ?pwd= in join URLs, ?zak= in start URLs, bearer credentials.
_QUERY_SECRET = re.compile(r"([?&;](?:pwd|zak|tk|token|access_token|password)=)[^&#\s\"']*", re.IGNORECASE)
_BEARER = re.compile(r"\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+", re.IGNORECASE)


def is_secret_key(key: object) -> bool:
    name = str(key).lower()
    return name in SECRET_KEYS or name.endswith(SECRET_KEY_SUFFIXES)


def redact_text(value: str) -> str:
    """`value` with query-string secrets and bearer/basic credentials replaced."""
    if "=" in value:
        value = _QUERY_SECRET.sub(rf"\g<1>{REDACTED}", value)
    if " " in value or "\t" in value:
        value = _BEARER.sub(rf"\g<1> {REDACTED}", value)
    return value


def redact(value: Any) -> Any:
    """A copy of `value` with every secret replaced by "[redacted]", at any depth.

    Values under secret-looking keys are replaced whole (an empty or null one is left as it is, so an
    auditor can still see that no password was set); strings anywhere lose embedded secrets.
    """
    if isinstance(value, Mapping):
        return {
            key: (REDACTED if is_secret_key(key) and item not in (None, "") else redact(item))
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [redact(item) for item in value]
    if isinstance(value, str):
        return redact_text(value)
    return value
