from __future__ import annotations

from typing import Any

from django.db.models import Max

from accounts.models import ZoomUser
from meetings.models import ZoomMeeting
from zoomadmin_site.mirror.lease import run_is_dead
from zoomadmin_site.mirror.models import SyncRun, WebhookDelivery


def mirror_overview() -> dict[str, Any]:
    runs = list(SyncRun.objects.select_related("requested_by")[:10])
    # A run whose process stopped is not waited on: "Sync now" (or the next start) marks it interrupted
    # and continues it.
    stalled = next((r for r in runs if r.active and run_is_dead(r)), None)
    active = next((r for r in runs if r.active and r is not stalled), None)
    last_success = next((r for r in runs if r.status == SyncRun.Status.SUCCEEDED), None)
    return {
        "active_run": active,
        "stalled_run": stalled,
        "runs": runs,
        "last_success": last_success,
        "resumable": bool(runs) and (runs[0].resumable or runs[0] is stalled),
        "users_synced_at": ZoomUser.objects.aggregate(at=Max("synced_at"))["at"],
        "meetings_synced_at": ZoomMeeting.objects.aggregate(at=Max("synced_at"))["at"],
        "webhook_last": WebhookDelivery.objects.order_by("-received_at").first(),
    }
