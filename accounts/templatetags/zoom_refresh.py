"""Whether a page may offer "Refresh from Zoom" for a user or meeting: only for a key Zoom would take
(accounts/zoom_keys.py); the refresh views refuse any other without calling Zoom."""

from __future__ import annotations

from django import template

from accounts.zoom_keys import zoom_meeting_id_ok, zoom_user_key_ok

register = template.Library()
register.filter("zoom_user_key_ok", zoom_user_key_ok)
register.filter("zoom_meeting_id_ok", zoom_meeting_id_ok)
