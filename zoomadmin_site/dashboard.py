"""What the dashboard home page shows: the state of the mirror and of recent activity."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from accounts.models import ZoomUser
from meetings.models import ZoomMeeting
from zoomadmin_site.audit.models import AuditEvent
from zoomadmin_site.mirror.freshness import mirror_freshness
from zoomadmin_site.mirror.models import SyncRun


def dashboard_summary(*, include_audit: bool) -> dict[str, Any]:
    now = timezone.now()
    users = ZoomUser.objects.filter(gone_at__isnull=True).aggregate(
        total=Count("id"),
        active=Count("id", filter=Q(status=ZoomUser.Status.ACTIVE)),
        pending=Count("id", filter=Q(status=ZoomUser.Status.PENDING)),
        licensed=Count("id", filter=Q(type=ZoomUser.Type.LICENSED)),
    )
    week = ZoomMeeting.objects.filter(
        gone_at__isnull=True, start_sort__gte=now, start_sort__lt=now + datetime.timedelta(days=7)
    ).count()
    return {
        "users": users,
        "mirror": mirror_freshness(),  # from full syncs only, as on the search pages
        "meetings_this_week": week,
        "active_sync": SyncRun.objects.filter(active=True).first(),
        "last_sync": SyncRun.objects.filter(status=SyncRun.Status.SUCCEEDED).first(),
        "recent_events": list(AuditEvent.objects.order_by("-seq")[:8]) if include_audit else [],
    }
