"""Refused webhook deliveries, kept as evidence without letting anybody fill the audit log.

/zoom/webhooks/ answers anyone, so a refusal costs its sender nothing while an audit event is permanent.
Refusals are therefore counted per source address, reason and window (ZOOM_WEBHOOK_REJECTION_WINDOW_SECONDS,
10 minutes by default; windows are aligned to the epoch so every process agrees on them):

- the first refusal of a window creates a WebhookRejection row and, at once, one `webhook.rejected` audit
  event naming the row (`after.counter`);
- every further refusal in that window is one atomic UPDATE of the row's `count`, nothing else;
- the audit event that next opens a window for the same address and reason carries the final count of
  the last one (`after.previous_window`), so the totals of a flood that goes on reach the hash chain too.

Beyond MAX_ROWS_PER_WINDOW rows in one window, further addresses share one row per reason (source "*"):
a sender with many addresses gets no more than that many audit events a window either. The row's unique
(source, reason, window) makes processes agree: the loser of a race to create it counts into the winner's.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from zoomadmin_site.audit.models import Action
from zoomadmin_site.audit.services import audit_record
from zoomadmin_site.mirror.models import WebhookRejection

MAX_ROWS_PER_WINDOW = 50
OTHER_SOURCES = "*"
FURTHER = (
    "Further rejections from {who} for the same reason until {end:%Y-%m-%d %H:%M:%S} UTC are counted "
    "in webhook rejection counter #{counter}, not logged one by one."
)


def window_start(moment: datetime.datetime) -> datetime.datetime:
    seconds = settings.ZOOM_WEBHOOK_REJECTION_WINDOW_SECONDS
    epoch = int(moment.timestamp())
    return datetime.datetime.fromtimestamp(epoch - epoch % seconds, tz=datetime.UTC)


def rejection_record(*, source: str, reason: str, detail: str, now: datetime.datetime | None = None) -> bool:
    """Count one refused delivery; True when it opened a window and so was written to the audit log."""
    now = now or timezone.now()
    key: dict[str, Any] = {"source": source[:64], "reason": reason[:32], "window_start": window_start(now)}
    if _count(key, now):
        return False
    opened = WebhookRejection.objects.filter(window_start=key["window_start"])
    if opened.exclude(source=OTHER_SOURCES).count() >= MAX_ROWS_PER_WINDOW:
        key["source"] = OTHER_SOURCES
        if _count(key, now):
            return False
    try:
        with transaction.atomic():
            row = WebhookRejection.objects.create(**key, count=1, first_at=now, last_at=now)
    except IntegrityError:  # another process opened this window a moment ago: count into its row
        _count(key, now)
        return False
    _audit(row, source=source, detail=detail)
    return True


def _count(key: dict[str, object], now: datetime.datetime) -> bool:
    return WebhookRejection.objects.filter(**key).update(count=F("count") + 1, last_at=now) > 0


def _audit(row: WebhookRejection, *, source: str, detail: str) -> None:
    earlier = WebhookRejection.objects.filter(
        source=row.source, reason=row.reason, window_start__lt=row.window_start
    )
    previous = earlier.order_by("-window_start").first()
    end = row.window_start + datetime.timedelta(seconds=settings.ZOOM_WEBHOOK_REJECTION_WINDOW_SECONDS)
    who = "this address" if row.source != OTHER_SOURCES else "addresses beyond the first few"
    audit_record(
        action=Action.WEBHOOK_REJECTED,
        outcome="denied",
        actor_label="zoom-webhook",
        target_type="zoom_webhook",
        target_label="/zoom/webhooks/",
        reason=f"Rejected a webhook delivery from {source}: {detail}. "
        + FURTHER.format(who=who, end=end, counter=row.pk),
        after={
            "counter": row.pk,
            "source": row.source,
            "reason": row.reason,
            "window_start": row.window_start.isoformat(),
            "window_seconds": settings.ZOOM_WEBHOOK_REJECTION_WINDOW_SECONDS,
            "previous_window": _summary(previous) if previous else None,
        },
    )


def _summary(row: WebhookRejection) -> dict[str, object]:
    return {"counter": row.pk, "window_start": row.window_start.isoformat(), "count": row.count}
