"""How pages address Zoom users and meetings, and which keys are worth a call to Zoom.

A user's pages are keyed by `ZoomUser.url_key`: the Zoom id, or the email of a pending user (who has none
yet). Zoom accepts emails with a "/" in them, which no path segment can carry as it is: servers decode
"%2F" back into "/" before Django sees the path. So user keys go into URLs through the "zoomuser" path
converter, which escapes "/", "%" and a key of dots ("." or "..", which browsers would resolve away)
before reverse() percent-encodes the result, and undoes that after the server's decoding.

Zoom's keys have known shapes (zoom-api.md §3, the sandbox's ids.py): user ids are 22 base64url
characters, emails are emails, meeting ids are 9 to 11 digits. The refresh endpoints check a key's shape
before spending a Zoom call on it; the pages offer no Refresh button for a key that would fail the check.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.urls import register_converter

# Lenient (Zoom's ids are 22 characters) but bounded, and never "me" (Zoom's alias for the app's creator).
ZOOM_USER_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
EMAIL_MAX_LENGTH = 254  # ZoomUser.email's length, and RFC 5321's
ZOOM_MEETING_ID_MIN, ZOOM_MEETING_ID_MAX = 10**8, 10**12 - 1  # 9 to 12 digits: a digit of margin above Zoom's
_email = EmailValidator()


def zoom_user_key_ok(key: str) -> bool:
    """Whether `key` is shaped like something Zoom's GET /users/{userId} takes: a user id or an email."""
    if ZOOM_USER_ID.fullmatch(key):
        return key.lower() != "me"
    if len(key) > EMAIL_MAX_LENGTH:
        return False
    try:
        _email(key)
    except ValidationError:
        return False
    return True


def zoom_meeting_id_ok(meeting_id: int) -> bool:
    return ZOOM_MEETING_ID_MIN <= meeting_id <= ZOOM_MEETING_ID_MAX


def user_key_to_url(key: str) -> str:
    """The path segment for `key` before reverse() percent-encodes it (so "/" ends up as "%252F")."""
    text = key.replace("%", "%25").replace("/", "%2F")
    return text.replace(".", "%2E") if not text.strip(".") else text


class UserKeyConverter:
    regex = "[^/]+"

    def to_python(self, value: str) -> str:
        # Every "%" of a key was escaped by to_url(), so unquoting restores it exactly; a typed URL
        # without escapes comes through unchanged.
        return unquote(value)

    def to_url(self, value: str) -> str:
        text = str(value)
        if not text:
            raise ValueError("An empty key addresses no user.")
        return user_key_to_url(text)


register_converter(UserKeyConverter, "zoomuser")
