"""Read-only admin view of the meeting mirror; search_fields match the Meetings page's search."""

from __future__ import annotations

from django.contrib import admin

from accounts.admin import ReadOnlyMirrorAdmin
from meetings.models import ZoomMeeting


@admin.register(ZoomMeeting)
class ZoomMeetingAdmin(ReadOnlyMirrorAdmin):
    list_display = [
        "meeting_id",
        "topic",
        "host_name",
        "host_email",
        "type",
        "start_time",
        "status",
        "gone_at",
    ]
    list_filter = ["type", "status", "is_pmi"]
    search_fields = ["topic", "meeting_id", "host_name", "host_email"]
    ordering = ["start_sort", "id"]
