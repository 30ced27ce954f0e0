"""How fresh the mirror is, as every search page states it: from full syncs only, cached in the shared
cache and dropped whenever a SyncRun row changes."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models import Max
from django.db.models.functions import Coalesce
from django.utils import timezone

from zoomadmin_site.mirror.lease import lease_duration
from zoomadmin_site.mirror.models import SyncRun

# mirror_freshness(), cached; dropped whenever a SyncRun row changes (forget_mirror_freshness).
MIRROR_FRESHNESS_CACHE_KEY = "mirror:freshness:v2"
MIRROR_FRESHNESS_CACHE_SECONDS = 300
# The full sync runs nightly by default: a last success older than this means it has stopped succeeding.
MIRROR_STALE_AFTER = datetime.timedelta(hours=36)
FOREVER = datetime.datetime.max.replace(tzinfo=datetime.UTC)  # a queued sync runs once a worker takes it


@dataclass(frozen=True)
class MirrorFreshness:
    """How fresh the mirror is, from full syncs only. Webhooks and single-row refreshes bump rows'
    synced_at too, so the newest synced_at would look fresh while the nightly sync fails."""

    synced_at: datetime.datetime | None  # when the last successful full sync finished
    failed_at: datetime.datetime | None  # when the latest full sync failed, if none succeeded since
    # Until when a full sync is queued or running: a running one's last heartbeat plus its lease (its
    # process renews both, and drops this cache entry as it does); after that it is taken for dead.
    running_until: datetime.datetime | None

    @property
    def running(self) -> bool:
        """A full sync is queued, or running and heard from within its lease."""
        return self.running_until is not None and timezone.now() < self.running_until

    @property
    def state(self) -> str:
        """One of: "never" (no full sync has finished), "failed" (the latest one failed), "stale" (the last
        success is older than MIRROR_STALE_AFTER: the schedule may have stopped), or "ok"."""
        if self.failed_at is not None:
            return "failed"
        if self.synced_at is None:
            return "never"
        return "stale" if timezone.now() - self.synced_at > MIRROR_STALE_AFTER else "ok"


def freshness_from_runs() -> MirrorFreshness:
    """The last successful and the latest failed (or interrupted) full sync, and until when one is running,
    in one grouped query (SyncRun is one row a night)."""
    last: dict[str, datetime.datetime] = {}
    running_until = None
    runs = (
        SyncRun.objects.order_by()
        .values_list("status", "active")
        .annotate(last=Max("finished_at"), heard=Max(Coalesce("heartbeat_at", "queued_at")))
    )
    for status, active, finished_at, heard in runs:
        if active:
            until = FOREVER if status == SyncRun.Status.QUEUED else heard + lease_duration()
            running_until = max(running_until or until, until)
        status = SyncRun.Status.FAILED if status == SyncRun.Status.INTERRUPTED else status
        if finished_at is not None and (status not in last or finished_at > last[status]):
            last[status] = finished_at
    success, failure = last.get(SyncRun.Status.SUCCEEDED), last.get(SyncRun.Status.FAILED)
    latest_failed = failure is not None and (success is None or failure > success)
    return MirrorFreshness(success, failure if latest_failed else None, running_until)


def mirror_freshness() -> MirrorFreshness:
    """How fresh the mirror is, from the shared cache (never out of date: see forget_mirror_freshness)."""
    freshness = cache.get(MIRROR_FRESHNESS_CACHE_KEY)
    if freshness is None:
        freshness = freshness_from_runs()
        cache.set(MIRROR_FRESHNESS_CACHE_KEY, freshness, MIRROR_FRESHNESS_CACHE_SECONDS)
    return freshness


def forget_mirror_freshness(**kwargs: Any) -> None:
    """Drop the cached mirror_freshness(): called by every writer of SyncRun rows (the sync services'
    update()s; saves and deletes through the signals connected in mirror/apps.py). Now, for readers in
    the same transaction, and again once it commits, in case another worker cached the old state in
    between."""
    cache.delete(MIRROR_FRESHNESS_CACHE_KEY)
    transaction.on_commit(lambda: cache.delete(MIRROR_FRESHNESS_CACHE_KEY))
