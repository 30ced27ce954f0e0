"""Chains of custody: every audit event of one change request, or of one offboarding (transfer) job, in
order, and the story they tell ("alice asked, morgan approved, Zoom applied it, read back at 12:04:31").

The audit app sits below the change machinery, so this reads only the log. What ties events together is
what the change flows record in them (zoomadmin_site/changes/services.py and executor.py):
- every event of a change request names it: `after.request` (request, decisions, preflight, read-back,
  the execution's closing event, reconcile) or `preflight.request` (the execution's started event);
- an offboarding job's requests name the job: `after.job` on their `host_transfer.request` event (an
  item refused because another change of its meeting was open records no request, but its denied
  `host_transfer.request` event names the job and the open request, `after.open_request`, all the same);
- the events of one execution share an `operation_id`.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field
from typing import Any

from django.db.models import CharField, Func, Q, QuerySet
from django.db.models.fields.json import KeyTextTransform

from zoomadmin_site.audit.models import Action, AuditEvent, Outcome

CHANGE_PREFIXES = ("role_change.", "host_transfer.")
REQUEST_ACTIONS = (Action.ROLE_CHANGE_REQUEST, Action.HOST_TRANSFER_REQUEST)
EXECUTE_ACTIONS = (Action.ROLE_CHANGE_EXECUTE, Action.HOST_TRANSFER_EXECUTE)
READ_BACK_ACTIONS = (Action.ROLE_CHANGE_READ_BACK, Action.HOST_TRANSFER_READ_BACK)
DECISION_VERBS = {"approve": "Approved", "reject": "Rejected", "cancel": "Cancelled", "expire": "Expired"}
TIMELINE_LIMIT = 500  # events of one change request shown (a request has about six)
JOB_PAGE_SIZE = 100  # events of an offboarding job per page (a 300-meeting job has about 1,800)
MAX_ID = 2**63 - 1


class AfterKey(Func):
    """The event's `after.<key>` as text, in SQL spelled exactly as the expression indexes of migration
    *_timeline_indexes (audit_after_request, audit_after_job), so that the database uses them. Django's
    own key lookups pass the key as a query parameter on SQLite, which an index on an expression cannot
    match."""

    SQL = {
        "sqlite": "CAST(JSON_EXTRACT(\"after\", '$.{key}') AS TEXT)",
        "postgresql": "(\"after\" ->> '{key}')",
    }
    INDEXED = ("request", "job")

    def __init__(self, key: str) -> None:
        if key not in self.INDEXED:
            raise ValueError(f"after.{key} has no index; add one to a migration first.")
        self.key = key
        super().__init__(output_field=CharField())

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:  # type: ignore[override]
        if connection.vendor in self.SQL:
            return self.SQL[connection.vendor].format(key=self.key), []
        return compiler.compile(KeyTextTransform(self.key, "after"))


def _after_is(key: str, *values: int) -> QuerySet[AuditEvent]:
    """Events whose `after.<key>` is one of `values`, on the index of that key."""
    events = AuditEvent.objects.alias(**{f"after_{key}": AfterKey(key)})
    return events.filter(**{f"after_{key}__in": [str(value) for value in values]})


def _positive_int(data: object, key: str) -> int | None:
    value = data.get(key) if isinstance(data, dict) else None
    # bool is an int in Python; a recorded true is not a request number.
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID:
        return value
    return None


def event_change_request(event: AuditEvent) -> int | None:
    """The change request `event` belongs to, if it is a step of one."""
    if not event.action.startswith(CHANGE_PREFIXES):
        return None
    return _positive_int(event.after, "request") or _positive_int(event.preflight, "request")


def event_transfer_job(event: AuditEvent) -> int | None:
    """The offboarding job named by `event` (its request event names it)."""
    if not event.action.startswith("host_transfer."):
        return None
    return _positive_int(event.after, "job")


def _names_requests(ids: list[int]) -> Q:
    if len(ids) == 1:
        return Q(after__request=ids[0]) | Q(preflight__request=ids[0])
    return Q(after__request__in=ids) | Q(preflight__request__in=ids)


def change_request_events(
    *, request_id: int, about: AuditEvent | None = None, limit: int = TIMELINE_LIMIT
) -> list[AuditEvent]:
    """Every event of change request `request_id`, oldest first ([] for an id no event names).

    Every step of a request is about its target, so the events are read on the target index: that of
    `about` (one of the request's events, as on an event's page), else that of the request's opening
    event; without one (pruned), over the change actions."""
    if not 0 < request_id <= MAX_ID:
        return []
    if about is None:
        about = _after_is("request", request_id).filter(action__in=REQUEST_ACTIONS).order_by("seq").first()
    candidates: QuerySet[AuditEvent]
    if about is not None:
        candidates = AuditEvent.objects.filter(
            target_type=about.target_type,
            target_id=about.target_id,
            action__startswith=about.action.split(".")[0] + ".",
        )
    else:
        candidates = AuditEvent.objects.filter(
            Q(action__startswith=CHANGE_PREFIXES[0]) | Q(action__startswith=CHANGE_PREFIXES[1])
        )
    return list(candidates.filter(_names_requests([request_id])).order_by("seq")[: max(1, limit)])


def change_request_reverted_by(*, request_id: int) -> int | None:
    """The request that put back the time-bound change `request_id` made, if one was made (a scan of the
    request events: asked only for a time-bound request)."""
    if not 0 < request_id <= MAX_ID:
        return None
    event = AuditEvent.objects.filter(action__in=REQUEST_ACTIONS, after__reverts=request_id).first()
    return event_change_request(event) if event is not None else None


@dataclass(frozen=True)
class JobTimeline:
    events: list[AuditEvent]  # oldest first, from `from_seq` on
    requests: list[int]  # the job's change requests, in the order they were made
    next_seq: int | None  # pass as from_seq for the next page; None on the last page
    prev_seq: int | None = None  # pass as from_seq for the page before; None on the first page


def transfer_job_events(*, job_id: int, from_seq: int = 0, limit: int = JOB_PAGE_SIZE) -> JobTimeline:
    """Every event of offboarding job `job_id`: its requests (one per meeting) and each one's steps, oldest
    first, `limit` at a time from `from_seq` (keyset: the page says where the next and the previous one
    start). Read on indexes only: the job's and the requests' numbers in
    `after`, and the executions' operation ids (their started events name the request in `preflight`)."""
    if not 0 < job_id <= MAX_ID:
        return JobTimeline([], [], None)
    opening = list(
        _after_is("job", job_id)
        .filter(action=Action.HOST_TRANSFER_REQUEST)
        .order_by("seq")
        .values_list("seq", "after")
    )
    requests = [n for _, after in opening if (n := _positive_int(after, "request")) is not None]
    seqs = {seq for seq, _ in opening}
    operations = set()
    if requests:
        for seq, action, operation in (
            _after_is("request", *requests)
            .filter(action__startswith="host_transfer.")
            .values_list("seq", "action", "operation_id")
        ):
            seqs.add(seq)
            if action in EXECUTE_ACTIONS or action in READ_BACK_ACTIONS:
                operations.add(operation)
    if operations:
        # On the operation index alone: with the outcome in the WHERE clause too, SQLite walks every
        # started event of the log instead.
        steps = AuditEvent.objects.filter(operation_id__in=operations).values_list("seq", "outcome")
        seqs.update(seq for seq, outcome in steps if outcome == Outcome.STARTED)
    limit = max(1, limit)
    ordered = sorted(seqs)
    start = bisect_left(ordered, from_seq)
    page = ordered[start : start + limit + 1]
    events = list(AuditEvent.objects.filter(seq__in=page[:limit]).order_by("seq"))
    # The page before ends just before this one: it starts `limit` events earlier (or at the first).
    prev_seq = ordered[max(0, start - limit)] if start > 0 else None
    return JobTimeline(events, requests, page[limit] if len(page) > limit else None, prev_seq)


# --- the story ------------------------------------------------------------------------------------------


@dataclass
class ChangeStory:
    """Who asked, who decided, and whether Zoom applied it, from a change request's events."""

    request_id: int
    kind: str = ""  # role_change or host_transfer
    requested: AuditEvent | None = None
    decisions: list[AuditEvent] = field(default_factory=list)  # approvals, rejection, cancel, expiry
    started: AuditEvent | None = None  # the execution's started event
    finished: AuditEvent | None = None  # how the execution ended
    verified: AuditEvent | None = None  # the read-back that showed the intended state
    refusals: list[AuditEvent] = field(default_factory=list)  # denied steps (own request, not pending...)
    job: int | None = None
    reverts: int | None = None  # the time-bound request this one put back

    @property
    def decided(self) -> list[tuple[str, AuditEvent]]:
        """Each decision with its verb ("Approved", "Rejected", "Cancelled", "Expired")."""
        return [(DECISION_VERBS[e.action.rpartition(".")[2]], e) for e in self.decisions]

    @property
    def needed_no_approval(self) -> bool:
        """Recorded as approved on submission (a demotion, a host transfer, a revert)."""
        after = self.requested.after if self.requested is not None else None
        # A revert's request records no status: its elevation was approved with its end.
        return isinstance(after, dict) and (after.get("status") == "approved" or bool(after.get("reverts")))

    @property
    def time_bound(self) -> bool:
        """Asked for a limited time: another request puts the old state back when it ends."""
        after = self.requested.after if self.requested is not None else None
        return isinstance(after, dict) and bool(after.get("duration_hours"))

    @property
    def approvals(self) -> list[AuditEvent]:
        return [e for e in self.decisions if e.action.endswith(".approve")]

    @property
    def ended_without_execution(self) -> AuditEvent | None:
        """The rejection, cancellation or expiry that ended the request before Zoom was called."""
        return next((e for e in self.decisions if not e.action.endswith(".approve")), None)

    @property
    def applied(self) -> bool:
        return self.finished is not None and self.finished.outcome == Outcome.SUCCEEDED

    @property
    def verdict(self) -> str:
        """Did Zoom apply it, in a few words (the page adds the reason)."""
        if self.finished is not None:
            return {
                Outcome.SUCCEEDED: "Yes: Zoom applied it",
                Outcome.FAILED: "No: it failed",
                Outcome.UNVERIFIED: "Not verified",
            }.get(Outcome(self.finished.outcome), self.finished.get_outcome_display())
        if self.started is not None:
            return "Being applied: started, no result recorded yet"
        if (ended := self.ended_without_execution) is not None:
            return f"No: {ended.get_action_display().lower()}, Zoom was not called"
        return "Not yet: waiting for a decision" if self.requested else "Not known from the log"


def change_story(request_id: int, events: list[AuditEvent]) -> ChangeStory:
    story = ChangeStory(request_id=request_id)
    for event in events:
        if event.outcome == Outcome.DENIED:
            story.refusals.append(event)
        elif event.action in REQUEST_ACTIONS:
            story.requested = story.requested or event
            story.kind = event.action.split(".")[0]
            story.job = event_transfer_job(event)
            story.reverts = _positive_int(event.after, "reverts")
        elif event.action.endswith((".approve", ".reject", ".cancel", ".expire")):
            story.decisions.append(event)
        elif event.action in EXECUTE_ACTIONS:
            if event.outcome == Outcome.STARTED:
                story.started = event
            else:
                story.finished = event
        elif event.action in READ_BACK_ACTIONS and event.outcome == Outcome.SUCCEEDED:
            story.verified = event
    return story
