"""The audit log's settings, read from the environment with django-environ like every other setting
(zoomadmin_site/settings.py has already loaded .env into it). A value in Django's settings wins, so
tests and a deployment's settings module can set them too.

- AUDIT_RETENTION_DAYS: how long `manage.py audit_prune` keeps events. Unset (the default): for ever.
- AUDIT_EXPORT_KEY: the HMAC-SHA256 key that signs export manifests. Unset: a key derived from
  SECRET_KEY with a salt of its own (EXPORT_KEY_SALT), so it is never SECRET_KEY itself; set it when
  manifests must stay verifiable after SECRET_KEY is rotated, or by someone without SECRET_KEY.
- AUDIT_VERIFY_SCHEDULE: when the background worker verifies the chain every night, a 24-hour UTC time
  HH:MM (default 03:30, after the nightly sync), or "off".
"""

from __future__ import annotations

import hashlib
import hmac
import re

import environ
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

env = environ.Env()
EXPORT_KEY_SALT = "zoomadmin_site.audit.export-manifest-key"
KEY_CONFIGURED = "AUDIT_EXPORT_KEY"
KEY_DERIVED = "derived from SECRET_KEY"
DEFAULT_VERIFY_SCHEDULE = "03:30"
SCHEDULE_OFF = frozenset({"", "off", "none"})
BAD_VERIFY_SCHEDULE = (
    "AUDIT_VERIFY_SCHEDULE must be a 24-hour UTC time HH:MM (like 03:30) or 'off', not {value!r}."
)
BAD_RETENTION = (
    "AUDIT_RETENTION_DAYS must be a whole number of days, 1 or more (got {value!r}); "
    "leave it unset to keep audit events for ever."
)


def retention_days() -> int | None:
    """Days to keep events, or None to keep them for ever."""
    value = getattr(settings, "AUDIT_RETENTION_DAYS", None)
    if value is None:
        value = env.str("AUDIT_RETENTION_DAYS", default="").strip() or None
    if value is None:
        return None
    try:
        days = int(value)
    except (TypeError, ValueError):
        raise ImproperlyConfigured(BAD_RETENTION.format(value=value)) from None
    if days < 1:
        raise ImproperlyConfigured(BAD_RETENTION.format(value=value))
    return days


def export_key() -> tuple[bytes, str]:
    """The manifest signing key, and where it comes from (KEY_CONFIGURED or KEY_DERIVED)."""
    key = getattr(settings, "AUDIT_EXPORT_KEY", None) or env.str("AUDIT_EXPORT_KEY", default="")
    if key:
        return key.encode(), KEY_CONFIGURED
    derived = hmac.new(settings.SECRET_KEY.encode(), EXPORT_KEY_SALT.encode(), hashlib.sha256).digest()
    return derived, KEY_DERIVED


def verify_schedule() -> tuple[int, int] | None:
    """The nightly verification's (hour, minute) in UTC, or None when it is off."""
    value = getattr(settings, "AUDIT_VERIFY_SCHEDULE", None)
    if value is None:
        value = env.str("AUDIT_VERIFY_SCHEDULE", default=DEFAULT_VERIFY_SCHEDULE)
    text = str(value).strip()
    if text.lower() in SCHEDULE_OFF:
        return None
    if not re.fullmatch(r"([01]?[0-9]|2[0-3]):[0-5][0-9]", text, flags=re.ASCII):
        raise ImproperlyConfigured(BAD_VERIFY_SCHEDULE.format(value=value))
    hours, minutes = text.split(":")
    return int(hours), int(minutes)
