"""Meetings endpoints: list per user, get, create (optionally ``schedule_for``), update, delete."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal

from .endpoints import Endpoints, flag, json_body, plain_dict, seg
from .models import Meeting, Page
from .parsing import parse_meeting_id

MeetingListType = Literal["scheduled", "live", "upcoming", "upcoming_meetings", "previous_meetings"]


class MeetingEndpoints(Endpoints):
    def list_meetings(
        self,
        *,
        user_id: str,
        type: MeetingListType | None = None,
        page_size: int | None = None,
        next_page_token: str | None = None,
        from_date: str | None = None,
        to_date: str | None = None,
        timezone: str | None = None,
    ) -> Page[Meeting]:
        """Scheduled (not instant), unexpired meetings hosted by ``user_id``."""
        # Reference: https://developers.zoom.us/docs/api/meetings/#tag/meetings/GET/users/{userId}/meetings
        params = {
            "type": type,
            "page_size": page_size,
            "next_page_token": next_page_token or None,
            "from": from_date,
            "to": to_date,
            "timezone": timezone,
        }
        data = self._get(f"/users/{seg(user_id)}/meetings", operation="list_meetings", params=params)
        return self._page(data, "meetings", Meeting.from_zoom)

    def get_meeting(
        self,
        *,
        meeting_id: int | str,
        occurrence_id: str | None = None,
        show_previous_occurrences: bool | None = None,
    ) -> Meeting:
        # Reference: https://developers.zoom.us/docs/api/meetings/#tag/meetings/GET/meetings/{meetingId}
        params = {
            "occurrence_id": occurrence_id,
            "show_previous_occurrences": flag(show_previous_occurrences),
        }
        data = self._get(f"/meetings/{parse_meeting_id(meeting_id)}", operation="get_meeting", params=params)
        return self._one(data, Meeting.from_zoom)

    def create_meeting(
        self,
        *,
        user_id: str = "me",
        topic: str,
        type: int = 2,
        start_time: datetime | str | None = None,
        duration: int | None = None,
        timezone: str | None = None,
        agenda: str | None = None,
        schedule_for: str | None = None,
        settings: Mapping[str, Any] | None = None,
        recurrence: Mapping[str, Any] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> Meeting:
        """Never retried (Zoom has no idempotency): on a timeout or 5xx, look before creating again.
        With ``schedule_for`` the host is that user and ``user_id`` becomes the scheduler of record."""
        # Reference: https://developers.zoom.us/docs/api/meetings/#tag/meetings/POST/users/{userId}/meetings
        body = json_body(
            extra,
            topic=topic,
            type=type,
            start_time=start_time,
            duration=duration,
            timezone=timezone,
            agenda=agenda,
            schedule_for=schedule_for,
            settings=plain_dict(settings),
            recurrence=plain_dict(recurrence),
        )
        data = self._session.call(
            "POST", f"/users/{seg(user_id)}/meetings", operation="create_meeting", json=body
        )
        return self._one(data, Meeting.from_zoom)

    def update_meeting(
        self,
        *,
        meeting_id: int | str,
        occurrence_id: str | None = None,
        schedule_for: str | None = None,
        topic: str | None = None,
        start_time: datetime | str | None = None,
        duration: int | None = None,
        timezone: str | None = None,
        agenda: str | None = None,
        settings: Mapping[str, Any] | None = None,
        recurrence: Mapping[str, Any] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        """``schedule_for`` moves the meeting (the whole series) to a new host; Zoom checks that the
        meeting's scheduler of record may schedule for that host (code 3000 otherwise)."""
        # Reference: https://developers.zoom.us/docs/api/meetings/#tag/meetings/PATCH/meetings/{meetingId}
        if occurrence_id and schedule_for:
            raise ValueError(
                "schedule_for applies to the whole meeting; do not combine it with occurrence_id."
            )
        body = json_body(
            extra,
            schedule_for=schedule_for,
            topic=topic,
            start_time=start_time,
            duration=duration,
            timezone=timezone,
            agenda=agenda,
            settings=plain_dict(settings),
            recurrence=plain_dict(recurrence),
        )
        if not body:
            raise ValueError("Nothing to update.")
        self._session.call(
            "PATCH",
            f"/meetings/{parse_meeting_id(meeting_id)}",
            operation="update_meeting",
            params={"occurrence_id": occurrence_id},
            json=body,
        )

    def delete_meeting(
        self,
        *,
        meeting_id: int | str,
        occurrence_id: str | None = None,
        schedule_for_reminder: bool | None = None,
        cancel_meeting_reminder: bool | None = None,
    ) -> None:
        # Reference: https://developers.zoom.us/docs/api/meetings/#tag/meetings/DELETE/meetings/{meetingId}
        params = {
            "occurrence_id": occurrence_id,
            "schedule_for_reminder": flag(schedule_for_reminder),
            "cancel_meeting_reminder": flag(cancel_meeting_reminder),
        }
        self._session.call(
            "DELETE", f"/meetings/{parse_meeting_id(meeting_id)}", operation="delete_meeting", params=params
        )
