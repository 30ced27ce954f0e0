"""Offboarding: move every upcoming and recurring meeting of a departing host to new hosts, in one job.

- `offboarding_plan`: read-only. Lists the host's meetings from Zoom, reads each one (for its scheduler
  of record) and each new host once, and builds every meeting's plan with the single-meeting checks
  (`HostTransferFlow.plan_from`): a readiness matrix, PMI meetings that must be re-created, and the
  assistant grants the plan needs, listed once.
- `transfer_job_create` / `transfer_job_run`: a background job (Django's tasks framework) moves the items
  one by one through the change machinery's executor, at background priority within the shared rate
  budget, and waits for the next UTC day when the host's daily quota of meeting updates is used up.
  An item is claimed by a conditional UPDATE and carries its change request: no meeting moves twice.
- Pause, resume, and retry of the failed items only (each re-checked fresh: one that moved after all is
  recognised, not moved again).
"""

from __future__ import annotations

import contextvars
import datetime
import hashlib
import json
import logging
import threading
import zlib
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.db.models import Count, F
from django.utils import timezone

from meetings.host_transfers import (
    EXHAUSTED_KEY,
    HOST_TRANSFER,
    HostQuota,
    daily_writes,
    host_quota,
    host_transfers_today,
)
from meetings.models import TransferItem, TransferJob
from zoomadmin_site import zoom
from zoomadmin_site.changes.executor import execute_plan
from zoomadmin_site.changes.models import ChangeRequest, Source, Status
from zoomadmin_site.changes.plans import Plan
from zoomadmin_site.changes.reads import parallel_reads, read_in_thread
from zoomadmin_site.changes.services import SHOWN_PLAN_SECONDS, ChangeRefused, change_record
from zoomadmin_site.zoom import Priority, ZoomError, get_zoom_client, record_zoom_calls, zoom_priority

logger = logging.getLogger(__name__)

READ_WORKERS = 8  # meetings read at the same time while planning (the shared rate budget paces them)
SHARED_WORKERS = 4  # the departing user, and the new hosts', their assistants' and the API user's reads
TURNS = 2  # items of a job getting ready (database work up to their first Zoom call) at the same time
RECREATE_KEYS = {"meeting"}  # a failing meeting check on a PMI meeting means: re-create it
SHOWN_KEY = "meetings:offboarding-plan-shown:{fingerprint}"
STATUS_WORDS: dict[str, str] = {
    TransferItem.Status.PENDING: "ready",
    TransferItem.Status.BLOCKED: "needs attention",
    TransferItem.Status.RECREATE: "must be re-created",
}
CHANGES_SHOWN = 20  # lines of differences in words; every changed row is marked in the matrix anyway
PLAN_CHANGED = (
    "Zoom changed since you made this plan, so no job was started. The differences are listed here and "
    "marked in the table; run again if the plan still makes sense."
)
PLAN_NOT_SEEN = (
    "This is the plan made now: the one you ran is not known here any more (or none was shown), so no job "
    "was started. Run again if it is right."
)


class OffboardingRefused(Exception):
    """The plan cannot be made (unknown user, Zoom unreachable): the reason in plain words."""


@dataclass
class ItemPlan:
    meeting_id: int
    topic: str
    start_time: datetime.datetime | None
    recurring: bool
    new_host: str
    plan: Plan
    status: str  # TransferItem.Status: pending (ready), blocked, recreate
    reason: str = ""
    plan_json: dict[str, Any] | None = field(default=None, repr=False)  # plan.to_json(), made once

    @property
    def checks(self) -> dict[str, str]:
        return {check.key: str(check.outcome) for check in self.plan.checks}


@dataclass
class OffboardingPlan:
    source: zoom.ZoomUser
    default_new_host: str
    items: list[ItemPlan]
    fixes: list[dict[str, Any]] = field(default_factory=list)
    zoom_reads: int = 0

    @property
    def columns(self) -> list[str]:
        keys: list[str] = []
        for item in self.items:
            keys += [key for key in item.checks if key not in keys]
        return keys

    @property
    def ready(self) -> list[ItemPlan]:
        return [item for item in self.items if item.status == TransferItem.Status.PENDING]

    def fingerprint(self) -> str:
        """A hash of what Run would do: whose meetings, and each meeting's new host, readiness and plan
        (its `Plan.fingerprint()`)."""
        material = {
            "source": self.source.id,
            "default_new_host": self.default_new_host,
            "items": [[i.meeting_id, i.new_host, str(i.status), i.plan.fingerprint()] for i in self.items],
        }
        return hashlib.sha256(json.dumps(material, sort_keys=True, default=str).encode()).hexdigest()


@dataclass(frozen=True)
class PlanChanges:
    """How the plan made at Run differs from the one the operator saw."""

    message: str
    changes: list[str]  # in words, the first CHANGES_SHOWN
    more: int  # differences not listed
    changed_meetings: set[int]


def offboarding_plan_shown(plan: OffboardingPlan) -> str:
    """Remember the plan as shown (compressed, in the shared cache for a day) so that Run can say what
    changed; its fingerprint, which the Run form sends back."""
    fingerprint = plan.fingerprint()
    items = {
        str(i.meeting_id): {
            "topic": i.topic,
            "status": str(i.status),
            "plan": i.plan_json or i.plan.to_json(),
        }
        for i in plan.items
    }
    packed = zlib.compress(json.dumps(items, default=str).encode())
    cache.set(SHOWN_KEY.format(fingerprint=fingerprint), packed, SHOWN_PLAN_SECONDS)
    return fingerprint


def offboarding_plan_changes(plan: OffboardingPlan, seen_fingerprint: str) -> PlanChanges | None:
    """None when `plan` is the plan the operator saw (same fingerprint); else what differs, in words."""
    if plan.fingerprint() == seen_fingerprint:
        return None
    packed = cache.get(SHOWN_KEY.format(fingerprint=seen_fingerprint)) if seen_fingerprint else None
    if not isinstance(packed, bytes):
        return PlanChanges(PLAN_NOT_SEEN, [], 0, set())
    earlier = json.loads(zlib.decompress(packed))
    changes: list[str] = []
    changed: set[int] = set()
    for item in plan.items:
        was = earlier.pop(str(item.meeting_id), None)
        name = f"“{item.topic or '(no topic)'}” ({item.meeting_id})"
        if was is None:
            changes.append(f"{name} is new in the plan: {STATUS_WORDS.get(item.status, item.status)}.")
        else:
            was_plan = Plan.from_json(was["plan"])
            if was_plan.fingerprint() == item.plan.fingerprint() and was["status"] == item.status:
                continue
            status = ""
            if was["status"] != item.status:
                status = (
                    f" was {STATUS_WORDS.get(was['status'], was['status'])}, "
                    f"now {STATUS_WORDS.get(item.status, item.status)}."
                )
            details = " ".join(item.plan.changes_since(was_plan))
            changes.append(f"{name}{status or ':'} {details}".strip())
        changed.add(item.meeting_id)
    for meeting_id, was in earlier.items():
        name = f"“{was.get('topic') or '(no topic)'}” ({meeting_id})"
        changes.append(
            f"{name} is no longer in the plan: Zoom no longer lists it among the upcoming meetings."
        )
    if not changes:
        changes = ["Details of the plan differ."]
    return PlanChanges(PLAN_CHANGED, changes[:CHANGES_SHOWN], max(0, len(changes) - CHANGES_SHOWN), changed)


def offboarding_plan(
    *, source: str, default_new_host: str, overrides: dict[int, str] | None = None, actor: Any = None
) -> OffboardingPlan:
    """Read Zoom and plan the move of every upcoming and recurring meeting `source` hosts."""
    overrides = overrides or {}
    client = get_zoom_client()
    with record_zoom_calls() as calls:
        read = _read_zoom(client, source, default_new_host, overrides)
        later = {m: v for m, v in read.meetings.items() if m not in read.planned}
        schedulers = _schedulers_in_question(client, later, overrides, default_new_host, read.shared)
    quota = read.quota()
    items = []
    for listed_meeting in read.listed:
        item = read.planned.get(listed_meeting.id)
        if item is None:
            new_host = overrides.get(listed_meeting.id, default_new_host)
            meeting = read.meetings[listed_meeting.id]
            scheduler = (
                schedulers.get(meeting.scheduler_of_record) if isinstance(meeting, zoom.Meeting) else None
            )
            item = _item_plan(listed_meeting, new_host, meeting, read.shared, quota, scheduler)
        items.append(item)
    return OffboardingPlan(read.user, default_new_host, items, _fixes(items), zoom_reads=len(calls))


def _item_plan(
    listed: zoom.Meeting,
    new_host: str,
    meeting: Any,
    shared: dict[str, Any],
    quota: HostQuota,
    scheduler: Any,
) -> ItemPlan:
    """One meeting's plan, from its read and the reads every plan shares, with the JSON it is recorded as."""
    reads = {
        "meeting": meeting,
        "new_host": shared[f"user:{new_host}"],
        "assistants": shared[f"assistants:{new_host}"],
        "api_schedulers": shared["api_schedulers"],
        "scopes": shared["scopes"],
        "quota": quota,
        "scheduler": scheduler,
    }
    plan = HOST_TRANSFER.plan_from(
        reads, target_id=str(listed.id), intended={"new_host": new_host}, zoom_reads=[]
    )
    item = _item(listed, new_host, plan)
    item.plan_json = plan.to_json()
    return item


def _upcoming(meeting: zoom.Meeting) -> bool:
    if meeting.is_recurring or meeting.start_time is None:
        return True
    return meeting.start_time + datetime.timedelta(minutes=meeting.duration or 0) >= timezone.now()


@dataclass
class _ZoomRead:
    user: zoom.ZoomUser
    listed: list[zoom.Meeting]
    meetings: dict[int, Any]  # meeting id: its read, or the ZoomError it raised
    shared: dict[str, Any]  # the reads the plans share, by name
    planned: dict[int, ItemPlan]  # the plans made as the reads came in (see _read_zoom)
    quota: Callable[[], HostQuota]


def _read_zoom(
    client: zoom.ZoomClient, source: str, default_new_host: str, overrides: dict[int, str]
) -> _ZoomRead:
    """The departing user, their upcoming meetings (each read by GET /meetings/{id}: the list does not
    name the scheduler of record), and the reads the meetings' plans share, all at the same time.

    The user and the first page of their list go at once (Zoom takes an email in the list's path too);
    each meeting is read as soon as its page arrives, while the next page is fetched (pages follow
    each other by their token); a new host and their assistants are read with the first meeting that
    goes to them, and the API user's schedulers with the first meeting: nothing is read that no plan
    needs. Values are the ZoomError a read raised; the user's or the list's error refuses the plan.

    Each meeting's plan is made in the thread that read it, while the rate budget holds back the next
    reads, unless its scheduler of record may not schedule for the new host (whose account is read
    once all meetings are in): the plan is ready when the last read answers."""
    shared: dict[str, Future[Any]] = {}
    reads: dict[int, Future[tuple[Any, ItemPlan | None]]] = {}
    listed: list[zoom.Meeting] = []
    listing_error: ZoomError | None = None
    # The departing host's daily quota, read once for all their meetings, by this thread: its database
    # reads then see what the caller sees (a transaction's own rows, say), and no worker thread queries
    # the database beside it. Read as soon as the user is known; the plans made in workers wait for it.
    quota: Future[HostQuota] = Future()

    with (
        ThreadPoolExecutor(max_workers=SHARED_WORKERS, thread_name_prefix="offboarding-shared") as side,
        ThreadPoolExecutor(max_workers=READ_WORKERS, thread_name_prefix="offboarding") as pool,
    ):
        found = side.submit(
            contextvars.copy_context().run, read_in_thread, partial(client.get_user, user_id=source)
        )

        def share(name: str, read: Callable[[], Any]) -> None:
            if name not in shared:
                shared[name] = side.submit(contextvars.copy_context().run, read_in_thread, read)

        def read_quota(*, wait: bool) -> None:
            if quota.done() or not (wait or found.done()):
                return
            user = found.result()
            try:
                if isinstance(user, ZoomError):
                    raise user  # no plan is made: the plan is refused
                quota.set_result(host_quota(user.id))
            except BaseException as error:
                quota.set_exception(error)  # no worker waits for ever
                if not isinstance(error, ZoomError):
                    raise

        def read_and_plan(listed_meeting: zoom.Meeting, new_host: str) -> tuple[Any, ItemPlan | None]:
            meeting = read_in_thread(partial(client.get_meeting, meeting_id=listed_meeting.id))
            try:
                values = {name: shared[name].result() for name in _shared_names(new_host)}
                user, assistants = values[f"user:{new_host}"], values[f"assistants:{new_host}"]
                if isinstance(found.result(), ZoomError) or (
                    isinstance(meeting, zoom.Meeting)
                    and not HOST_TRANSFER.may_schedule(meeting, user, assistants)
                ):
                    return meeting, None  # made once the schedulers in question are read
                return meeting, _item_plan(listed_meeting, new_host, meeting, values, quota.result(), None)
            finally:
                connections.close_all()

        try:
            for meeting in client.iter_meetings(user_id=source, type="scheduled"):
                read_quota(wait=False)
                if not _upcoming(meeting):
                    continue
                listed.append(meeting)
                new_host = overrides.get(meeting.id, default_new_host)
                share(f"user:{new_host}", partial(client.get_user, user_id=new_host))
                share(f"assistants:{new_host}", partial(client.list_assistants, user_id=new_host))
                share("api_schedulers", partial(client.list_schedulers, user_id="me"))
                share("scopes", client.granted_scopes)
                reads[meeting.id] = pool.submit(
                    contextvars.copy_context().run, read_and_plan, meeting, new_host
                )
        except ZoomError as error:
            listing_error = error
            pool.shutdown(cancel_futures=True)  # the plan is refused: read no more meetings
        finally:
            read_quota(wait=True)
        user = found.result()
        for refusal in (user, listing_error):
            if isinstance(refusal, ZoomError):
                raise OffboardingRefused(f"{refusal.explanation} {refusal.remedy}".strip()) from refusal
        done = {meeting_id: read.result() for meeting_id, read in reads.items()}
        return _ZoomRead(
            user=user,
            listed=listed,
            meetings={meeting_id: meeting for meeting_id, (meeting, _) in done.items()},
            shared={name: read.result() for name, read in shared.items()},
            planned={meeting_id: item for meeting_id, (_, item) in done.items() if item is not None},
            quota=quota.result,
        )


def _shared_names(new_host: str) -> list[str]:
    return [f"user:{new_host}", f"assistants:{new_host}", "api_schedulers", "scopes"]


def _schedulers_in_question(
    client: zoom.ZoomClient,
    meetings: dict[int, Any],
    overrides: dict[int, str],
    default_new_host: str,
    shared: dict[str, Any],
) -> dict[str, Any]:
    """The accounts of the schedulers of record who may not schedule for their meeting's new host (can
    they be made an assistant?), each read once."""
    wanted: set[str] = set()
    for meeting_id, meeting in meetings.items():
        new_host = overrides.get(meeting_id, default_new_host)
        user, assistants = shared[f"user:{new_host}"], shared[f"assistants:{new_host}"]
        if isinstance(meeting, zoom.Meeting) and not HOST_TRANSFER.may_schedule(meeting, user, assistants):
            wanted.add(meeting.scheduler_of_record)
    return parallel_reads({s: partial(client.get_user, user_id=s) for s in sorted(wanted)})


def _item(meeting: zoom.Meeting, new_host: str, plan: Plan) -> ItemPlan:
    status, reason = TransferItem.Status.PENDING, ""
    if plan.blocked:
        failed = plan.failures[0]
        pmi = failed.key in RECREATE_KEYS and failed.facts.get("pmi")
        status = TransferItem.Status.RECREATE if pmi else TransferItem.Status.BLOCKED
        reason = " ".join(f"{c.reason} {c.remedy}".strip() for c in plan.failures)
    return ItemPlan(
        meeting.id, meeting.topic, meeting.start_time, meeting.is_recurring, new_host, plan, status, reason
    )


def _fixes(items: Iterable[ItemPlan]) -> list[dict[str, Any]]:
    """Each assistant grant the plan needs, once, with the meetings it unblocks: those whose only failing
    check is the scheduler's (a grant cannot help a PMI meeting, or one that fails for another reason)."""
    fixes: dict[tuple[str, str], dict[str, Any]] = {}
    for item in items:
        check = item.plan.check("scheduler")
        if check and check.failed and check.facts.get("fixable") and len(item.plan.failures) == 1:
            key = (check.facts["scheduler_email"], item.plan.intended["host_email"])
            fix = fixes.setdefault(key, {"assistant": key[0], "host": key[1], "meetings": []})
            fix["meetings"].append(item.meeting_id)
    return list(fixes.values())


# --- the job ---------------------------------------------------------------------------------------------


def transfer_job_create(*, plan: OffboardingPlan, reason: str, actor: Any, start: bool = True) -> TransferJob:
    """Record the plan as a job (its items in plan order) and, with `start`, queue it for the worker."""
    label = actor.get_username() if actor is not None else "system"
    job = TransferJob.objects.create(
        status=TransferJob.Status.RUNNING,
        created_by=actor,
        created_by_label=label,
        source_zoom_id=plan.source.id,
        source_email=plan.source.email,
        default_new_host=plan.default_new_host,
        reason=reason,
        fixes=plan.fixes,
        started_at=timezone.now(),
    )
    TransferItem.objects.bulk_create(
        TransferItem(
            job=job,
            meeting_id=item.meeting_id,
            topic=item.topic[:300],
            start_time=item.start_time,
            recurring=item.recurring,
            new_host=item.new_host,
            status=item.status,
            checks=item.checks,
            plan=item.plan_json or item.plan.to_json(),
            reason=item.reason,
        )
        for item in plan.items
    )
    if start:
        _queue(job.pk)
    return job


def transfer_job_run(*, job_id: int, workers: int | None = None) -> TransferJob:
    """Move the job's waiting items until none is left, the job is paused, or the host's daily quota is
    used up (then the job waits for 00:00 UTC and is queued again for then).

    `workers` items move at the same time (default settings.TRANSFER_JOB_WORKERS): with Zoom's latency a
    single one at a time would leave most of the rate budget unused. The shared rate budget paces them
    all, at background priority; each item is claimed by a conditional UPDATE, so workers never share
    one."""
    workers = max(1, workers or settings.TRANSFER_JOB_WORKERS)
    _settle_running_items(TransferJob.objects.get(pk=job_id))
    turns = threading.BoundedSemaphore(TURNS)  # items of this job getting ready at the same time (_Turn)
    with zoom_priority(Priority.BACKGROUND):
        if workers == 1:
            _work(job_id, turns)
        else:
            with ThreadPoolExecutor(max_workers=workers, thread_name_prefix=f"transfer-job-{job_id}") as pool:
                for done in [
                    pool.submit(contextvars.copy_context().run, _work_in_thread, job_id, turns)
                    for _ in range(workers)
                ]:
                    done.result()
    job = TransferJob.objects.get(pk=job_id)
    if job.status != TransferJob.Status.RUNNING:
        return job
    if job.items.filter(status__in=[TransferItem.Status.PENDING, TransferItem.Status.RUNNING]).exists():
        return _wait_for_quota(job) if _quota_used_up(job) else job
    return _finish(job)


def _work_in_thread(job_id: int, turns: threading.BoundedSemaphore) -> None:
    try:
        _work(job_id, turns)
    finally:
        connections.close_all()


def _work(job_id: int, turns: threading.BoundedSemaphore) -> None:
    """One worker: claim the next waiting item and move it, until there is none, the job stops running,
    or the quota is used up. Picking the item is part of its turn: workers never pick the same one."""
    quota = _QuotaWatch()
    while True:
        with _Turn(turns) as turn:
            job = TransferJob.objects.select_related("created_by").get(pk=job_id)  # its actor, per item
            if job.status != TransferJob.Status.RUNNING or quota.used_up(job):
                return
            item = (
                job.items.filter(status=TransferItem.Status.PENDING)
                .order_by("start_time", "meeting_id")
                .first()
            )
            if item is None:
                return
            _move(job, item, turn)


def _claim(item: TransferItem) -> bool:
    return bool(
        TransferItem.objects.filter(pk=item.pk, status=TransferItem.Status.PENDING).update(
            status=TransferItem.Status.RUNNING, attempts=F("attempts") + 1
        )
    )


class _Turn:
    """An item's turn to get ready: picked, claimed, its change request recorded and its execution
    started, up to its first Zoom call. The job's workers take turns for that database work, TURNS at a
    time (never across a Zoom call): workers that are ready send while the next ones get ready, instead
    of all of them writing at once and sending together (SQLite makes concurrent writers wait in sleeps
    of up to 100 ms). Two turns rather than one: on a busy machine one item's turn can last 100-300 ms,
    and the others would queue behind it. The work after the calls (reading back, recording the outcome)
    is not in turn."""

    def __init__(self, turns: threading.BoundedSemaphore) -> None:
        self._turns = turns
        self._held = False

    def __enter__(self) -> _Turn:
        self._turns.acquire()
        self._held = True
        return self

    def done(self) -> None:
        if self._held:
            self._held = False
            self._turns.release()

    def __exit__(self, *exc: object) -> None:
        self.done()


def _move(job: TransferJob, item: TransferItem, turn: _Turn) -> None:
    """Move the item; `turn` is held until its first Zoom call (or its fresh check's reads)."""
    if not _claim(item):
        return
    plan = Plan.from_json(item.plan)
    if item.attempts > 0 and item.change_request_id is not None:
        turn.done()  # the fresh check reads Zoom: not in turn
        plan = HOST_TRANSFER.preflight(
            target_id=str(item.meeting_id), intended={"new_host": item.new_host}, actor=job.created_by
        )
        same_host = plan.check("same_host")
        if same_host is not None and same_host.failed:
            _set(item, TransferItem.Status.MOVED, f"{item.new_host} hosts it already.")
            return
        if plan.blocked:
            _set(item, TransferItem.Status.BLOCKED, " ".join(c.reason for c in plan.failures))
            return
    try:
        request = _approved_request(job, item, plan)
    except ChangeRefused as refused:  # someone is moving this meeting by hand right now
        _set(item, TransferItem.Status.FAILED, refused.message)
        return
    TransferItem.objects.filter(pk=item.pk).update(change_request=request)
    done = execute_plan(request, flow=HOST_TRANSFER, plan=plan, actor=job.created_by, before_write=turn.done)
    _settle(item, done)


def _approved_request(job: TransferJob, item: TransferItem, plan: Plan) -> ChangeRequest:
    """A host transfer needs no approval: the request is recorded approved, with the plan the job
    checked, and names the job and the item."""
    return change_record(
        HOST_TRANSFER,
        plan,
        actor=job.created_by,
        reason=f"Offboarding job #{job.pk} ({job.source_email}): {job.reason}",
        source=Source.SYSTEM,
        required=0,
        context={"job": job.pk, "item": item.pk},
    )


def _settle(item: TransferItem, request: ChangeRequest) -> None:
    if request.status == Status.SUCCEEDED:
        _set(item, TransferItem.Status.MOVED, request.outcome_reason)
    elif request.status in (Status.FAILED, Status.UNVERIFIED):
        exhausted = "daily" in request.outcome_reason.lower() and "limit" in request.outcome_reason.lower()
        # A daily-quota refusal changed nothing: the item waits for the next day instead of failing.
        _set(
            item,
            TransferItem.Status.PENDING if exhausted else TransferItem.Status.FAILED,
            request.outcome_reason,
        )


def _set(item: TransferItem, status: str, reason: str) -> None:
    TransferItem.objects.filter(pk=item.pk, status=TransferItem.Status.RUNNING).update(
        status=status, reason=reason
    )


def _settle_running_items(job: TransferJob) -> None:
    """Items left running by a worker that died: back to waiting if no change request was made (nothing
    was sent), settled from their request once that is final (reconciliation resolves executing ones)."""
    for item in job.items.filter(status=TransferItem.Status.RUNNING).select_related("change_request"):
        if item.change_request is None:
            _set(item, TransferItem.Status.PENDING, "")
        elif item.change_request.is_final:
            _settle(item, item.change_request)


def _exhausted(host_id: str) -> bool:
    """Zoom refused a meeting update of this host today for its daily quota (remembered until 00:00 UTC)."""
    return bool(host_id) and bool(cache.get(EXHAUSTED_KEY.format(host=host_id)))


def _quota_used_up(job: TransferJob) -> bool:
    return _exhausted(job.source_zoom_id) or host_transfers_today(job.source_zoom_id) >= daily_writes()


class _QuotaWatch:
    """A worker's view of the host's daily quota. Counting today's host transfers of the host scans them
    (slow once there are hundreds); so a worker counts them only at its start and again once its estimate
    is near the limit. The estimate is that count plus this job's items moved or moving since; while
    even all of the job's other items could not bring it near the limit, it is not worked out at all.
    Transfers of the same host by others meanwhile are seen at the next count, and Zoom's own refusal
    (remembered in the cache, checked before every item) stops the job in any case."""

    RECOUNT_MARGIN = 0.1  # count again once the estimate is within a tenth of the limit
    SPENT = (TransferItem.Status.MOVED, TransferItem.Status.RUNNING)

    def __init__(self) -> None:
        self._counted: int | None = None
        self._spent_then = 0
        self._unspent_then = 0  # the job's items neither moved nor moving at the count: the most to come

    def used_up(self, job: TransferJob) -> bool:
        if _exhausted(job.source_zoom_id):
            return True
        limit = daily_writes()
        near = limit * (1 - self.RECOUNT_MARGIN)
        if self._counted is not None and self._counted + self._unspent_then < near:
            return False
        spent = job.items.filter(status__in=self.SPENT).count()
        if self._counted is not None and self._counted + spent - self._spent_then < near:
            return False
        self._counted, self._spent_then = host_transfers_today(job.source_zoom_id), spent
        self._unspent_then = job.items.count() - spent
        return self._counted >= limit


def next_utc_midnight(now: datetime.datetime | None = None) -> datetime.datetime:
    now = (now or timezone.now()).astimezone(datetime.UTC)
    return (now + datetime.timedelta(days=1)).replace(hour=0, minute=0, second=5, microsecond=0)


def _wait_for_quota(job: TransferJob) -> TransferJob:
    resume = next_utc_midnight()
    if TransferJob.objects.filter(pk=job.pk, status=TransferJob.Status.RUNNING).update(
        status=TransferJob.Status.WAITING, resume_at=resume
    ):
        from meetings.tasks import transfer_job_task

        transfer_job_task.using(run_after=resume).enqueue(job.pk)
    return TransferJob.objects.get(pk=job.pk)


def _finish(job: TransferJob) -> TransferJob:
    TransferJob.objects.filter(pk=job.pk, status=TransferJob.Status.RUNNING).update(
        status=TransferJob.Status.DONE, finished_at=timezone.now()
    )
    return TransferJob.objects.get(pk=job.pk)


def transfer_job_pause(*, job_id: int) -> bool:
    return bool(
        TransferJob.objects.filter(pk=job_id, status=TransferJob.Status.RUNNING).update(
            status=TransferJob.Status.PAUSED
        )
    )


def transfer_job_resume(*, job_id: int) -> bool:
    """Continue a paused job, or one waiting for the quota (e.g. after Zoom raised it)."""
    resumed = TransferJob.objects.filter(
        pk=job_id, status__in=[TransferJob.Status.PAUSED, TransferJob.Status.WAITING]
    ).update(status=TransferJob.Status.RUNNING, resume_at=None)
    if resumed:
        _queue(job_id)
    return bool(resumed)


def transfer_job_retry_failed(*, job_id: int) -> int:
    """Put the failed items (only those) back in line; each is checked fresh before it moves."""
    retried = TransferItem.objects.filter(job_id=job_id, status=TransferItem.Status.FAILED).update(
        status=TransferItem.Status.PENDING
    )
    if retried:
        TransferJob.objects.filter(pk=job_id).exclude(status=TransferJob.Status.PAUSED).update(
            status=TransferJob.Status.RUNNING, finished_at=None
        )
        _queue(job_id)
    return retried


def _queue(job_id: int) -> None:
    from meetings.tasks import transfer_job_task

    transfer_job_task.enqueue(job_id)


def transfer_job_progress(job: TransferJob) -> dict[str, Any]:
    """Counts per item status, and an ETA from the pace so far and the host's daily quota."""
    counts = dict(job.items.values_list("status").annotate(n=Count("id")))
    left = counts.get(TransferItem.Status.PENDING, 0) + counts.get(TransferItem.Status.RUNNING, 0)
    moved = counts.get(TransferItem.Status.MOVED, 0)
    eta = None
    if left and job.started_at and moved:
        per_item = (timezone.now() - job.started_at) / max(1, moved)
        limit = daily_writes()
        room_today = max(0, limit - host_transfers_today(job.source_zoom_id))
        if left <= room_today:
            eta = timezone.now() + per_item * left
        else:
            days = (left - room_today + limit - 1) // limit
            eta = next_utc_midnight() + datetime.timedelta(days=days - 1) + per_item * min(left, limit)
    return {"counts": counts, "left": left, "total": sum(counts.values()), "eta": eta}
