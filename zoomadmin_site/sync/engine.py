"""Full sync of the local mirror from Zoom: roles, users of every status, scheduling delegations, and each
user's unexpired meetings (upcoming and recurring).

The fewest calls Zoom allows: one `GET /roles`; `GET /users` per status at page_size 2000 (the list
carries role ids, so no call per role or per user); then per user with an id one `GET /users/{id}/meetings`
at page_size 300 (more pages only for users with more meetings), and for licensed users one
`GET /users/{id}/assistants` (only licensed users can hold scheduling privilege). The per-user reads run
concurrently at background priority inside the shared rate budget; all database writes happen on the
calling thread, in batches. A failed run can be resumed: users already done are skipped, and users whose
meeting list could not be read are read again (their rows are never marked gone on the strength of a list
we did not get). The counts of a resumed run cover all of its parts.
"""

from __future__ import annotations

import contextlib
import contextvars
import gc
import re
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

from django.db import connections
from django.db.models import Q

from accounts.mirroring import delegation_row, role_row, user_row
from accounts.models import ZoomUser
from accounts.selectors import forget_filter_lists
from meetings.mirroring import HostFacts, meeting_row
from zoomadmin_site.mirror.lease import Lease
from zoomadmin_site.mirror.models import SyncRun
from zoomadmin_site.sync import upsert
from zoomadmin_site.sync.drift import record_outside_changes
from zoomadmin_site.sync.upsert import DELEGATIONS, MEETINGS, ROLES, USERS, Drift
from zoomadmin_site.zoom import (
    ZoomAuthError,
    ZoomClient,
    ZoomEndpointNotAvailable,
    ZoomError,
    ZoomNotFound,
    ZoomRateLimited,
    ZoomScopeError,
)
from zoomadmin_site.zoom.budget import Priority, zoom_priority
from zoomadmin_site.zoom.recorder import ZoomCall, record_zoom_calls

USER_PAGE_SIZE = 2000
MEETING_PAGE_SIZE = 300
BATCH_ROWS = 500  # small batches keep the writer's pauses short, so paced Zoom calls stay evenly spaced
PROGRESS_EVERY_SECONDS = 1.0
MAX_FAILED_USER_SHARE = 0.05

ProgressCallback = Callable[[str, int, int], None]


class SyncAborted(Exception):
    """The run stopped before the end; `manage.py zoom_sync --resume` (or the UI) continues it."""


@dataclass
class HostResult:
    host: HostFacts
    meetings: list[Any] = field(default_factory=list)
    assistants: list[Any] = field(default_factory=list)
    error: ZoomError | None = None
    vanished: bool = False


TABLE_NAMES = ("roles", "users", "delegations", "meetings")


@dataclass
class SyncReport:
    drift: dict[str, Drift] = field(default_factory=lambda: {t: Drift() for t in TABLE_NAMES})
    calls: Counter = field(default_factory=Counter)
    failed_hosts: list[str] = field(default_factory=list)
    skipped_hosts: int = 0

    def counts(self) -> dict[str, Any]:
        totals = {name: d.created + d.updated + d.returned + d.unchanged for name, d in self.drift.items()}
        return {**totals, "zoom_calls": sum(self.calls.values()), "failed_hosts": len(self.failed_hosts)}

    def call_summary(self) -> list[dict[str, Any]]:
        return [
            {"method": m, "path": p, "status": s, "count": n} for (m, p, s), n in sorted(self.calls.items())
        ]

    # A resumed run carries on from what its earlier parts saved in the run's resume_state.
    def saved_drift(self) -> dict[str, dict[str, Any]]:
        return {name: d.as_dict() for name, d in self.drift.items()}

    def saved_calls(self) -> list[list[Any]]:
        return [[m, p, s, n] for (m, p, s), n in self.calls.items()]

    @classmethod
    def resumed(cls, state: dict[str, Any]) -> SyncReport:
        report = cls()
        for name, saved in state.get("drift", {}).items():
            report.drift[name] = Drift(**saved)
        for method, path, status, count in state.get("calls", []):
            report.calls[(method, path, status)] += count
        return report


class MirrorSync:
    """One run. `run()` does it all; progress goes to the SyncRun row (through the run's lease: each write
    renews it, and raises LeaseLost once the run was taken for dead) and to `on_progress`."""

    def __init__(
        self,
        *,
        client: ZoomClient,
        sync_run: SyncRun,
        lease: Lease,
        on_progress: ProgressCallback | None = None,
        workers: int = 6,
    ) -> None:
        self.client = client
        self.sync_run = sync_run
        self.lease = lease
        self.on_progress = on_progress
        self.workers = max(1, workers)
        state = sync_run.resume_state
        self.report = SyncReport.resumed(state)
        # Hosts at or below the resume point whose meeting list an earlier part could not read.
        self._owed: set[str] = set(state.get("failed_hosts", []))
        self._done_through = 0
        self._calls: list[ZoomCall] = []
        self._calls_counted = 0
        self._calls_before = sum(self.report.calls.values())
        self._last_saved = 0.0
        self._hosts_total = 0

    # --- the phases ---------------------------------------------------------------------------------

    def run(self) -> SyncReport:
        started = self.sync_run.started_at
        assert started is not None
        state = self.sync_run.resume_state
        with zoom_priority(Priority.BACKGROUND), record_zoom_calls() as calls:
            self._calls = calls
            try:
                if not state.get("users_done"):
                    self._sync_roles(started)
                    self._sync_users(started)
                    self._save_state(users_done=True, hosts_done_through=0, failed_hosts=[])
                    forget_filter_lists()  # roles and departments as just read
                self._sync_hosts(started, done_through=int(state.get("hosts_done_through", 0)))
                self._mark_gone(started)
            finally:
                # Every call made counts, also those after the last saved point (sync_run_execute saves it).
                self._count_calls()
                self.sync_run.resume_state = {
                    **self.sync_run.resume_state,
                    "calls": self.report.saved_calls(),
                }
        return self.report

    def _sync_roles(self, started) -> None:
        self._progress("roles", 0, 1, force=True)
        rows = [role_row(r, now=started) for r in self.client.list_roles()]
        upsert.upsert(
            ROLES, rows, update_fields=upsert.ZoomRole.MIRROR_FIELDS, drift=self.report.drift["roles"]
        )
        self._progress("roles", 1, 1, force=True)

    def _sync_users(self, started) -> None:
        done, total = 0, 0
        for status in ("active", "inactive", "pending"):
            for page in self.client.iter_pages(
                self.client.list_users, status=status, page_size=USER_PAGE_SIZE
            ):
                total = max(total, done + (page.total_records or 0))
                users = (user_row(u, now=started, listed_status=status) for u in page.items)
                rows = [row for row in users if row is not None]
                record_outside_changes(upsert.upsert_users(rows, drift=self.report.drift["users"]))
                done += len(page.items)
                self._progress("users", done, max(total, done))

    def _sync_hosts(self, started, *, done_through: int) -> None:
        hosts = list(_hosts_to_read(after_pk=done_through, owed=self._owed))
        self._done_through = done_through
        after = sum(1 for h in hosts if h.pk > done_through)
        self._hosts_total = total = after + _count_hosts_through(done_through)
        done = total - len(hosts)
        meeting_rows: list[Any] = []
        delegation_rows: list[Any] = []
        in_flight: dict[Future, HostFacts] = {}
        pending = iter(hosts)
        threads = ThreadPoolExecutor(self.workers, thread_name_prefix="zoom-sync")
        with _steady_pacing(), threads as pool:
            try:
                self._fill(pool, pending, in_flight)
                while in_flight:
                    finished, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                    for future in finished:
                        in_flight.pop(future)
                        self._collect(future.result(), started, meeting_rows, delegation_rows)
                        done += 1
                    self._fill(pool, pending, in_flight)
                    if len(meeting_rows) >= BATCH_ROWS or len(delegation_rows) >= BATCH_ROWS:
                        self._flush(meeting_rows, delegation_rows, done_through=_low_water(in_flight, hosts))
                    self._progress("meetings", done, total)
                self._flush(
                    meeting_rows, delegation_rows, done_through=hosts[-1].pk if hosts else done_through
                )
            finally:
                for future in in_flight:
                    future.cancel()
                _close_thread_connections(pool, self.workers)

    def _mark_gone(self, started) -> None:
        # Owed hosts still unread here were not readable now (pending, or gone since): not read either.
        self.report.failed_hosts = failed = sorted({*self.report.failed_hosts, *self._owed})
        drift = self.report.drift
        upsert.mark_gone(ROLES, seen_before=started, drift=drift["roles"])
        upsert.mark_gone(USERS, seen_before=started, drift=drift["users"])
        forget_filter_lists()
        upsert.mark_gone(
            DELEGATIONS, seen_before=started, drift=drift["delegations"], exclude={"host_zoom_id": failed}
        )
        upsert.mark_gone(
            MEETINGS, seen_before=started, drift=drift["meetings"], exclude={"host_zoom_id": failed}
        )
        self._progress("done", 1, 1, force=True)

    # --- per-host reads (worker threads: Zoom calls only, no database writes) ------------------------

    def _read_host(self, host: HostFacts) -> HostResult:
        result = HostResult(host=host)
        try:
            result.meetings = list(
                self.client.iter_meetings(user_id=host.zoom_id, type="scheduled", page_size=MEETING_PAGE_SIZE)
            )
            if host.licensed:
                result.assistants = list(self.client.list_assistants(user_id=host.zoom_id))
        except ZoomNotFound:
            result.vanished = True  # deleted in Zoom since the user list was read; the next sync sees it
        except ZoomError as error:
            if _stops_the_run(error):
                raise
            result.error = error
        return result

    def _fill(self, pool: ThreadPoolExecutor, pending: Iterator[HostFacts], in_flight: dict) -> None:
        while len(in_flight) < self.workers * 2:
            host = next(pending, None)
            if host is None:
                return
            context = contextvars.copy_context()
            in_flight[pool.submit(context.run, self._read_host, host)] = host

    def _collect(self, result: HostResult, started, meeting_rows: list, delegation_rows: list) -> None:
        host = result.host
        if result.vanished:
            self.report.skipped_hosts += 1
            self._owed.discard(host.zoom_id)
            return
        if result.error is not None:
            self.report.failed_hosts.append(host.zoom_id)
            self._check_failure_share()
            return
        self._owed.discard(host.zoom_id)  # its rows are in the buffer: the next flush writes them
        meetings = (meeting_row(m, host=host, now=started) for m in result.meetings)
        meeting_rows.extend(row for row in meetings if row is not None)
        delegation_rows.extend(
            delegation_row(assistant=a, host_zoom_id=host.zoom_id, now=started)
            for a in result.assistants
            if a.id
        )

    def _flush(self, meeting_rows: list, delegation_rows: list, *, done_through: int) -> None:
        """Write the buffered rows, then move the resume point: every host up to `done_through` is in."""
        drift = self.report.drift
        unique_meetings = list({row.meeting_id: row for row in meeting_rows}.values())
        hosts_changed = upsert.upsert(
            MEETINGS, unique_meetings, update_fields=upsert.MEETING_FIELDS_FROM_LISTS, drift=drift["meetings"]
        )
        record_outside_changes(hosts_changed)
        upsert.upsert(
            DELEGATIONS,
            delegation_rows,
            update_fields=upsert.Delegation.MIRROR_FIELDS,
            drift=drift["delegations"],
        )
        meeting_rows.clear()
        delegation_rows.clear()
        # Retried hosts lie below the resume point: the point never moves back.
        self._done_through = max(self._done_through, done_through)
        self._save_state(
            hosts_done_through=self._done_through,
            failed_hosts=sorted({*self._owed, *self.report.failed_hosts}),
        )

    def _check_failure_share(self) -> None:
        if len(self.report.failed_hosts) > max(5, MAX_FAILED_USER_SHARE * self._hosts_total):
            raise SyncAborted(
                f"Zoom refused the meeting list of {len(self.report.failed_hosts)} users "
                "(after retries); stopping rather than marking their meetings gone."
            )

    # --- bookkeeping ---------------------------------------------------------------------------------

    def _progress(self, phase: str, done: int, total: int, *, force: bool = False) -> None:
        if self.on_progress:
            self.on_progress(phase, done, total)
        now = time.monotonic()
        if not force and now - self._last_saved < PROGRESS_EVERY_SECONDS:
            return
        self._last_saved = now
        run = self.sync_run
        run.phase, run.done, run.total = phase, done, total
        run.zoom_calls = self._calls_before + self._calls_counted + len(self._calls)
        self.lease.renew(phase=phase, done=done, total=total, zoom_calls=run.zoom_calls)

    def _save_state(self, **state: Any) -> None:
        """A resume point: what is written so far, with the drift it found (a resumed run's counts start
        from here, so rows written after it are not counted twice) and the calls made."""
        self._count_calls()
        self.sync_run.resume_state = {
            **self.sync_run.resume_state,
            **state,
            "drift": self.report.saved_drift(),
            "calls": self.report.saved_calls(),
        }
        self.lease.renew(resume_state=self.sync_run.resume_state)

    def _count_calls(self) -> None:
        """Count the calls recorded since the last count, and let go of them: a full sync makes ~170k,
        and every object kept alive lengthens each full garbage collection, which pauses the paced calls
        (see _steady_pacing). Worker threads keep appending to the list meanwhile: only what was taken
        is removed."""
        new = self._calls[:]
        del self._calls[: len(new)]
        self._calls_counted += len(new)
        for call in new:
            self.report.calls[(call.method, _template(call.path), call.status)] += 1


@contextlib.contextmanager
def _steady_pacing() -> Iterator[None]:
    """Paced Zoom calls must leave when their turn comes: late calls bunch up, and Zoom counts per sliding
    second, so a bunch answers 429. Two things hold a whole process up:
    - Python's switch interval: 5 ms by default per busy thread before a woken one may run.
    - Full garbage collections, which walk every object alive: with the hosts of a 100k-user account in
      memory they pause every thread for 50-150 ms. What lives when the reads start (Django, the list of
      hosts) is frozen out of them, so they only walk what the reads themselves create."""
    previous = sys.getswitchinterval()
    sys.setswitchinterval(0.001)
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
        sys.setswitchinterval(previous)


def _hosts_to_read(*, after_pk: int, owed: set[str]) -> Iterator[HostFacts]:
    wanted = Q(pk__gt=after_pk) | Q(zoom_id__in=sorted(owed)) if owed else Q(pk__gt=after_pk)
    users = (
        ZoomUser.objects.filter(wanted, gone_at__isnull=True, zoom_id__isnull=False)
        .exclude(status=ZoomUser.Status.PENDING)
        .order_by("pk")
        .values_list("pk", "zoom_id", "email", "display_name", "type")
    )
    for pk, zoom_id, email, name, user_type in users.iterator(chunk_size=5000):
        yield HostFacts(
            pk=pk, zoom_id=zoom_id or "", email=email, name=name, licensed=user_type == ZoomUser.Type.LICENSED
        )


def _count_hosts_through(done_through: int) -> int:
    if not done_through:
        return 0
    return (
        ZoomUser.objects.filter(gone_at__isnull=True, zoom_id__isnull=False, pk__lte=done_through)
        .exclude(status=ZoomUser.Status.PENDING)
        .count()
    )


def _low_water(in_flight: dict[Future, HostFacts], hosts: list[HostFacts]) -> int:
    """Hosts are submitted in primary-key order: every host below the oldest one still in flight has been
    read and collected."""
    if in_flight:
        return min(h.pk for h in in_flight.values()) - 1
    return hosts[-1].pk if hosts else 0


def _close_thread_connections(pool: ThreadPoolExecutor, workers: int) -> None:
    """Each worker thread opened its own database connection (the shared cache): close them all."""
    barrier = threading.Barrier(workers)

    def close() -> None:
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait(timeout=5)
        connections.close_all()

    for _ in range(workers):
        pool.submit(close)


_PATH_IDS = re.compile(r"/(users|meetings|roles|assistants|schedulers|members)/[^/?]+")
_PATH_NAMES = {
    "users": "{userId}",
    "meetings": "{meetingId}",
    "roles": "{roleId}",
    "assistants": "{assistantId}",
    "schedulers": "{schedulerId}",
    "members": "{memberId}",
}


def _template(path: str) -> str:
    """`/users/abc/meetings` → `/users/{userId}/meetings`, so the audit summary stays small."""
    return _PATH_IDS.sub(lambda m: f"/{m[1]}/{_PATH_NAMES[m[1]]}", path.split("?")[0])


def _stops_the_run(error: ZoomError) -> bool:
    """Errors that every further call would hit too: credentials, scopes, a daily limit, an unknown API."""
    if isinstance(error, ZoomAuthError | ZoomScopeError | ZoomEndpointNotAvailable):
        return True
    return isinstance(error, ZoomRateLimited) and error.limit_kind == "daily"
