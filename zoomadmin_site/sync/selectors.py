from __future__ import annotations

from typing import Any

from django.db.models import Max

from accounts.models import ZoomUser
from meetings.models import ZoomMeeting
from zoomadmin_site.mirror.models import SyncRun, WebhookDelivery


def mirror_overview() -> dict[str, Any]:
    runs = list(SyncRun.objects.select_related("requested_by")[:10])
    active = next((r for r in runs if r.active), None)
    last_success = next((r for r in runs if r.status == SyncRun.Status.SUCCEEDED), None)
    return {
        "active_run": active,
        "runs": runs,
        "last_success": last_success,
        "resumable": bool(runs) and runs[0].status == SyncRun.Status.FAILED,
        "users_synced_at": ZoomUser.objects.aggregate(at=Max("synced_at"))["at"],
        "meetings_synced_at": ZoomMeeting.objects.aggregate(at=Max("synced_at"))["at"],
        "webhook_last": WebhookDelivery.objects.order_by("-received_at").first(),
    }
