"""A sync whose process stopped never blocks the next one. Its process holds a lease, renewed as it goes; a
run not heard from within ZOOM_SYNC_LEASE_SECONDS (at once, when its process is gone from this machine)
is marked interrupted, audited with what it had done, and continued by the next start."""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
import threading
import time

import pytest
from django.core.management import call_command
from django.db import connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import ZoomUser
from meetings.models import ZoomMeeting
from zoomadmin_site.audit.models import AuditEvent
from zoomadmin_site.mirror.freshness import forget_mirror_freshness, mirror_freshness
from zoomadmin_site.mirror.lease import LeaseLost, new_owner, owner_gone
from zoomadmin_site.mirror.models import SyncRun
from zoomadmin_site.sync import engine as sync
from zoomadmin_site.sync import services
from zoomadmin_site.sync.services import (
    AUTO_RESUME_WITHIN,
    SyncBusy,
    sync_run_execute,
    sync_run_expire_stale,
    sync_run_request,
)

pytestmark = pytest.mark.django_db
on_linux = pytest.mark.skipif(
    not os.path.exists("/proc/self/ns/pid"), reason="processes are told apart through /proc"
)
INTERRUPTED = "mirror.sync_interrupted"


class Killed(BaseException):
    """Stands in for SIGKILL: nothing of the sync's own error handling runs."""


def _sync() -> SyncRun:
    return sync_run_execute(run_id=sync_run_request(trigger=SyncRun.Trigger.CLI).pk, workers=2)


def _stop_after(hosts: int, stop: BaseException):
    def on_progress(phase: str, done: int, total: int) -> None:
        if phase == "meetings" and done >= hosts:
            raise stop

    return on_progress


def _ended_process_of_this_machine() -> str:
    """An owner as a process of this machine leaves it once it has ended."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    host, namespace, _, _, token = new_owner().split("|")
    return "|".join([host, namespace, str(child.pid), "1", token])


def _left_running(run: SyncRun, *, owner: str, heard: datetime.datetime) -> SyncRun:
    """The run's row as a killed process leaves it: running, with its owner and last heartbeat."""
    SyncRun.objects.filter(pk=run.pk).update(
        status=SyncRun.Status.RUNNING,
        active=True,
        owner=owner,
        heartbeat_at=heard,
        finished_at=None,
        error="",
    )
    forget_mirror_freshness()  # as its claim did
    run.refresh_from_db()
    return run


@pytest.fixture
def killed_midway(zoom_sandbox, monkeypatch):
    """A first sync killed while reading meeting lists, after some of them were written."""
    run = sync_run_request(trigger=SyncRun.Trigger.CLI)
    with monkeypatch.context() as patch, pytest.raises(Killed):
        patch.setattr(sync, "BATCH_ROWS", 1)  # every collected host moves the resume point
        patch.setattr(sync, "PROGRESS_EVERY_SECONDS", 0)  # and its progress is saved
        patch.setattr(services, "_record_interruption", lambda *args, **kwargs: False)  # SIGKILL: no word
        sync_run_execute(run_id=run.pk, on_progress=_stop_after(10, Killed()), workers=1)
    run.refresh_from_db()
    assert run.status == SyncRun.Status.RUNNING and run.resume_state["hosts_done_through"] > 0
    assert ZoomMeeting.objects.exists()
    return run


def _live_meeting_ids() -> set[int]:
    return set(ZoomMeeting.objects.filter(gone_at__isnull=True).values_list("meeting_id", flat=True))


@on_linux
def test_a_run_whose_process_is_gone_is_interrupted_at_once_and_the_next_start_continues_it(
    killed_midway, zoom_sandbox
):
    run = _left_running(killed_midway, owner=_ended_process_of_this_machine(), heard=timezone.now())
    written_before = ZoomMeeting.objects.count()
    zoom_sandbox.clear_calls()

    queued = sync_run_request(trigger=SyncRun.Trigger.UI)  # "Sync now": no waiting on the dead run

    assert queued.pk == run.pk and queued.status == SyncRun.Status.QUEUED and queued.active
    event = AuditEvent.objects.get(action=INTERRUPTED)
    assert event.outcome == "failed" and event.target_id == str(run.pk)
    assert "its process stopped" in event.reason and "continues it" in event.reason
    assert event.after["phase"] == "meetings" and 0 < event.after["done"] < event.after["total"]
    assert event.after["users_done"] and event.after["hosts_done_through"] > 0
    assert 0 < event.after["counts"]["meetings"] <= written_before
    finished = sync_run_execute(run_id=queued.pk, workers=2)
    assert finished.status == SyncRun.Status.SUCCEEDED
    assert zoom_sandbox.calls(route="GET /users") == []  # the users phase is not repeated
    mirrored = _live_meeting_ids()
    again = _sync()  # a whole sync finds nothing missing, nothing extra
    assert again.counts["meetings"] == len(mirrored) == len(_live_meeting_ids())
    drift = AuditEvent.objects.filter(action="mirror.sync").order_by("-seq").first().after["drift"]
    assert (drift["meetings"]["created"], drift["meetings"]["gone"]) == (0, 0)


def test_a_run_of_another_machine_is_waited_for_within_its_lease_and_continued_after_it(
    killed_midway, settings
):
    elsewhere = "other-host|pid:[4026531836]|4242|123456|abcd1234"
    run = _left_running(killed_midway, owner=elsewhere, heard=timezone.now())
    assert not owner_gone(elsewhere)  # another machine's processes cannot be looked at: the lease decides
    with pytest.raises(SyncBusy, match="already running"):
        sync_run_request(trigger=SyncRun.Trigger.UI)
    lease = datetime.timedelta(seconds=settings.ZOOM_SYNC_LEASE_SECONDS)
    SyncRun.objects.filter(pk=run.pk).update(
        heartbeat_at=timezone.now() - lease - datetime.timedelta(seconds=1)
    )
    assert sync_run_request(trigger=SyncRun.Trigger.SCHEDULE).pk == run.pk
    assert AuditEvent.objects.filter(action=INTERRUPTED).count() == 1


def test_a_run_this_process_holds_is_never_taken(zoom_sandbox):
    run = sync_run_request(trigger=SyncRun.Trigger.CLI)
    _left_running(run, owner=new_owner(), heard=timezone.now())
    assert sync_run_expire_stale() == 0
    with pytest.raises(SyncBusy):
        sync_run_request(trigger=SyncRun.Trigger.UI)


def test_a_run_that_beat_after_it_was_seen_is_not_taken(zoom_sandbox, monkeypatch, settings):
    run = sync_run_request(trigger=SyncRun.Trigger.CLI)
    long_ago = timezone.now() - datetime.timedelta(hours=1)
    _left_running(run, owner="other-host|pid:[1]|7|7|aa", heard=long_ago)
    looked_dead = services.run_is_dead

    def beats_just_then(seen: SyncRun, **kwargs) -> bool:
        dead = looked_dead(seen, **kwargs)
        SyncRun.objects.filter(pk=seen.pk).update(heartbeat_at=timezone.now())  # its process renews
        return dead

    monkeypatch.setattr(services, "run_is_dead", beats_just_then)
    assert sync_run_expire_stale() == 0
    run.refresh_from_db()
    assert run.status == SyncRun.Status.RUNNING and not AuditEvent.objects.filter(action=INTERRUPTED).exists()


def test_a_process_that_lost_its_lease_stops_without_touching_the_run(zoom_sandbox, monkeypatch):
    monkeypatch.setattr(sync, "PROGRESS_EVERY_SECONDS", 0)  # every progress step renews the lease
    run = sync_run_request(trigger=SyncRun.Trigger.CLI)
    taken: list[int] = []

    def taken_for_dead(phase: str, done: int, total: int) -> None:
        if phase == "meetings" and done == 3:  # as another start does once the lease ran out
            SyncRun.objects.filter(pk=run.pk).update(status=SyncRun.Status.INTERRUPTED, active=False)
            taken.append(SyncRun.objects.get(pk=run.pk).done)

    with pytest.raises(LeaseLost, match="taken for dead"):
        sync_run_execute(run_id=run.pk, on_progress=taken_for_dead, workers=1)
    run.refresh_from_db()
    assert run.status == SyncRun.Status.INTERRUPTED and [run.done] == taken  # no write after
    assert not AuditEvent.objects.filter(action="mirror.sync").exists()


def test_ctrl_c_records_the_run_interrupted_and_the_next_sync_continues_it(zoom_sandbox, capsys):
    run = sync_run_request(trigger=SyncRun.Trigger.CLI)
    with pytest.raises(KeyboardInterrupt):
        sync_run_execute(run_id=run.pk, on_progress=_stop_after(5, KeyboardInterrupt()), workers=1)
    run.refresh_from_db()
    assert (run.status, run.active, run.owner != "") == (SyncRun.Status.INTERRUPTED, False, True)
    assert "stopped with Ctrl-C" in run.error
    assert "stopped with Ctrl-C" in AuditEvent.objects.get(action=INTERRUPTED).reason

    call_command("zoom_sync", "--workers", "2")

    assert f"Sync #{run.pk} continues where it stopped." in capsys.readouterr().out
    run.refresh_from_db()
    assert run.status == SyncRun.Status.SUCCEEDED and SyncRun.objects.count() == 1
    assert ZoomUser.objects.count() == zoom_sandbox.user_count()


def test_an_interrupted_run_too_old_to_continue_gives_way_to_a_new_one(zoom_sandbox):
    old = sync_run_request(trigger=SyncRun.Trigger.CLI)
    SyncRun.objects.filter(pk=old.pk).update(
        status=SyncRun.Status.INTERRUPTED,
        active=False,
        started_at=timezone.now() - AUTO_RESUME_WITHIN - datetime.timedelta(minutes=1),
    )
    assert sync_run_request(trigger=SyncRun.Trigger.SCHEDULE).pk != old.pk


@on_linux
def test_make_runs_initial_sync_continues_a_first_sync_whose_worker_was_killed(killed_midway, capsys):
    run = _left_running(killed_midway, owner=_ended_process_of_this_machine(), heard=timezone.now())
    call_command("zoom_sync", "--initial")  # the test settings' task backend runs the task at once
    out = capsys.readouterr().out
    assert f"Sync #{run.pk} was interrupted; the background worker continues it where it stopped" in out
    run.refresh_from_db()
    assert run.status == SyncRun.Status.SUCCEEDED and SyncRun.objects.count() == 1


@on_linux
def test_sync_now_is_offered_and_continues_a_run_whose_process_is_gone(alice_client, killed_midway):
    run = _left_running(killed_midway, owner=_ended_process_of_this_machine(), heard=timezone.now())
    page = alice_client.get(reverse("mirror:overview")).content.decode()
    assert f"Sync #{run.pk} stopped answering" in page
    assert 'class="btn btn-primary">Sync now' in page  # not disabled
    alice_client.post(reverse("mirror:sync_start"))
    run.refresh_from_db()
    assert run.status == SyncRun.Status.SUCCEEDED  # the test settings' task backend runs it at once


def test_the_banner_stops_saying_a_sync_runs_once_its_lease_ran_out(zoom_sandbox, settings):
    settings.ZOOM_SYNC_LEASE_SECONDS = 0.5
    run = sync_run_request(trigger=SyncRun.Trigger.CLI)
    assert mirror_freshness().running  # queued: it runs once a worker takes it
    _left_running(run, owner="other-host|pid:[1]|7|7|aa", heard=timezone.now())
    assert mirror_freshness().running
    deadline = time.monotonic() + 5
    while mirror_freshness().running and time.monotonic() < deadline:  # the cached value, unchanged
        time.sleep(0.05)
    html = render_to_string("accounts/user_list.html#mirror_status", {"mirror": mirror_freshness()})
    assert "A full sync is running now" not in html


@pytest.mark.django_db(transaction=True)
def test_the_lease_is_renewed_while_the_sync_waits_for_zoom(
    zoom_sandbox, settings, audit_triggers_off_for_flush
):
    settings.ZOOM_SYNC_LEASE_SECONDS = 1.2  # renewed every 0.2 s by the lease's thread
    run = sync_run_request(trigger=SyncRun.Trigger.CLI)
    renewed: list[bool] = []

    def stalls(phase: str, done: int, total: int) -> None:
        if phase == "meetings" and not renewed:  # a long wait on Zoom: no progress for 1.5 leases
            before = SyncRun.objects.get(pk=run.pk).heartbeat_at
            deadline = time.monotonic() + 1.8
            while time.monotonic() < deadline:
                time.sleep(0.05)
            renewed.append(SyncRun.objects.get(pk=run.pk).heartbeat_at > before)
            assert sync_run_expire_stale() == 0  # alive, though silent for longer than its lease

    finished = sync_run_execute(run_id=run.pk, on_progress=stalls, workers=2)
    assert renewed == [True] and finished.status == SyncRun.Status.SUCCEEDED
    assert not AuditEvent.objects.filter(action=INTERRUPTED).exists()


@on_linux
@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="the SQLite test database lives in memory, where concurrent writers fail on table locks instead "
    "of queueing (a file database's busy timeout queues them: test_sync_killed runs on one)",
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_starts_interrupt_and_continue_a_dead_run_exactly_once(
    zoom_sandbox, audit_triggers_off_for_flush
):
    run = sync_run_request(trigger=SyncRun.Trigger.CLI)
    _left_running(run, owner=_ended_process_of_this_machine(), heard=timezone.now())
    start = threading.Barrier(4)
    results: list[object] = []

    def start_one() -> None:
        try:
            start.wait()
            results.append(sync_run_request(trigger=SyncRun.Trigger.UI).pk)
        except Exception as error:  # SyncBusy expected for all but one; anything else fails below
            results.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=start_one) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert results.count(run.pk) == 1, results
    assert all(isinstance(r, SyncBusy) for r in results if r != run.pk), results
    assert AuditEvent.objects.filter(action=INTERRUPTED).count() == 1
    assert SyncRun.objects.get().status == SyncRun.Status.QUEUED
