"""Meeting mirror rows for tests."""

from __future__ import annotations

import datetime
import itertools
from typing import Any

from django.utils import timezone

from accounts.models import ZoomUser
from meetings.models import ZoomMeeting

_numbers = itertools.count(1)


def meeting_fields(host: ZoomUser | None = None, **fields: Any) -> dict[str, Any]:
    n = next(_numbers)
    meeting_id = 81_000_000_000 + n
    values = {
        "meeting_id": meeting_id,
        "uuid": f"uuid{n}==",
        "topic": f"Meeting number {n}",
        "type": ZoomMeeting.Type.SCHEDULED,
        "host_zoom_id": host.zoom_id if host else f"host{n}",
        "host_email": host.email if host else f"host{n}@example.com",
        "host_name": host.name if host else f"Host {n}",
        "start_time": timezone.now() + datetime.timedelta(days=1, minutes=n),
        "duration": 30,
        "timezone": "Europe/London",
        "join_url": f"https://example.zoom.us/j/{meeting_id}?pwd=secretpass",
        "synced_at": timezone.now(),
    }
    return values | fields


def make_meeting(host: ZoomUser | None = None, **fields: Any) -> ZoomMeeting:
    return ZoomMeeting.objects.create(**meeting_fields(host, **fields))


def make_meetings(count: int, host: ZoomUser | None = None, **fields: Any) -> list[ZoomMeeting]:
    return ZoomMeeting.objects.bulk_create(
        [ZoomMeeting(**meeting_fields(host, **fields)) for _ in range(count)]
    )
