"""The lease of a running sync. The process that claims a run writes its name in `owner` and renews
`heartbeat_at` as it goes (with each progress write, and from a small thread when progress stalls: a long
Zoom call, retries). A run is taken for dead when it has not been heard from for ZOOM_SYNC_LEASE_SECONDS,
or at once when its owner is a process of this machine that no longer runs. Every write of the owner is
conditional on still holding the lease: once a run was taken for dead, its old process stops at its next
write (LeaseLost) instead of overwriting the run.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import os
import secrets
import socket
import threading
import time
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone

from zoomadmin_site.mirror.models import SyncRun

logger = logging.getLogger(__name__)
BEATS_PER_LEASE = 6  # the thread renews a stalled run's lease every lease / 6 (10 s with the default 60 s)
FORGET_FRESHNESS_PER_LEASE = 3  # the cached mirror freshness holds a running run's lease: refresh it


class LeaseLost(Exception):
    """The run was taken for dead (and maybe resumed elsewhere) while this process still ran it."""


def lease_duration() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.ZOOM_SYNC_LEASE_SECONDS)


def last_heard_from(run: SyncRun) -> datetime.datetime:
    return run.heartbeat_at or run.queued_at


def run_is_dead(run: SyncRun, *, now: datetime.datetime | None = None) -> bool:
    """A running run whose process stopped: silent for longer than the lease, or gone from this machine."""
    if run.status != SyncRun.Status.RUNNING:
        return False
    if (now or timezone.now()) - last_heard_from(run) > lease_duration():
        return True
    return owner_gone(run.owner)


# --- naming processes ---------------------------------------------------------------------------------


def new_owner() -> str:
    """This process, as a run's `owner`: its host, PID namespace, PID and start time (PIDs are reused),
    and a token of this claim."""
    pid = os.getpid()
    return "|".join([_host(), _pid_namespace(), str(pid), _started(pid) or "", secrets.token_hex(4)])


def owner_gone(owner: str) -> bool:
    """True when `owner` names a process of this machine (same host and PID namespace) that no longer
    runs. False when it runs, or when it cannot be told from here (another machine, or no /proc)."""
    parts = owner.split("|")
    if len(parts) != 5 or not parts[1] or not parts[2].isdigit() or not parts[3].isdigit():
        return False
    host, namespace, pid, started, _ = parts
    if host != _host() or namespace != _pid_namespace() or int(pid) <= 0:
        return False
    now_started = _started(int(pid))
    return now_started is None or now_started not in {"", started}


def _host() -> str:
    return socket.gethostname()[:100].replace("|", "-")


def _pid_namespace() -> str:
    try:
        return os.readlink("/proc/self/ns/pid")
    except OSError:
        return ""  # no /proc (macOS): processes are not told apart, the lease alone decides


def _started(pid: int) -> str | None:
    """When process `pid` started (clock ticks since boot, to tell a reused PID apart); None when no such
    process runs (a zombie, killed and not yet reaped, counts as stopped); "" when it runs but cannot be
    read (another user's, with /proc hidden)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass  # it runs, as another user
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rpartition(")")[2].split()
    except OSError:
        return ""
    if len(fields) < 20:
        return ""
    return None if fields[0] in {"Z", "X"} else fields[19]


# --- holding a lease ----------------------------------------------------------------------------------


class Lease:
    """The claim of one run by this process. `renew(**fields)` writes fields of the run together with the
    heartbeat, only while the lease is held (else LeaseLost). Used as a context manager it keeps a small
    thread that renews the lease whenever nothing else has for a while."""

    def __init__(self, *, run_id: int, owner: str) -> None:
        self.run_id = run_id
        self.owner = owner
        self.every = settings.ZOOM_SYNC_LEASE_SECONDS / BEATS_PER_LEASE
        self._renewed = time.monotonic()
        self._freshness_forgotten = time.monotonic()
        self._lost = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def renew(self, **fields: Any) -> None:
        if self._lost:
            raise LeaseLost(self._lost_message())
        held = SyncRun.objects.filter(pk=self.run_id, owner=self.owner, status=SyncRun.Status.RUNNING)
        if not held.update(heartbeat_at=timezone.now(), **fields):
            self._lost = True
            raise LeaseLost(self._lost_message())
        now = time.monotonic()
        self._renewed = now
        if now - self._freshness_forgotten >= settings.ZOOM_SYNC_LEASE_SECONDS / FORGET_FRESHNESS_PER_LEASE:
            from zoomadmin_site.mirror.freshness import forget_mirror_freshness

            self._freshness_forgotten = now
            forget_mirror_freshness()  # cached with this run's lease: read it again with the new one

    def __enter__(self) -> Lease:
        self._thread = threading.Thread(target=self._keep, name=f"sync-lease-{self.run_id}", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.every + 15)

    def _keep(self) -> None:
        try:
            while not self._stop.wait(self.every / 2):
                if time.monotonic() - self._renewed < self.every:
                    continue
                try:
                    self.renew()
                except LeaseLost:
                    logger.warning(self._lost_message())
                    return
                except DatabaseError as error:  # locked or unreachable for a moment: try again soon
                    logger.warning("Sync #%s: could not renew its lease (%s).", self.run_id, error)
        finally:
            with contextlib.suppress(DatabaseError):
                connection.close()  # this thread's own connection

    def _lost_message(self) -> str:
        return (
            f"Sync #{self.run_id} was taken for dead (no heartbeat within the lease) while this process "
            "still ran it; stopping here, the next start continues it."
        )
