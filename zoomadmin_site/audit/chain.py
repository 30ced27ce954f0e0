"""The hash chain: the canonical content of an event, its hash, and the walk that checks the whole log.

Canonical content is a JSON object of every hashed field, keys sorted, no whitespace, UTF-8; the time as
a UTC ISO-8601 string with microseconds and the operation id as a dashed UUID string. JSON values are
normalised before they are written (`json_safe`), so what is hashed is exactly what SQLite's text JSON
and PostgreSQL's jsonb give back: integral floats become ints, non-finite floats and unknown types
become strings, NUL and lone surrogates (refused by PostgreSQL) are replaced.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from django.utils.dateparse import parse_datetime

from zoomadmin_site.audit.models import Action, AuditChainHead, AuditCheckpoint, AuditClockStep, AuditEvent

HASHED_FIELDS: tuple[str, ...] = (
    "seq",
    "time",
    "actor_label",
    "action",
    "target_type",
    "target_id",
    "target_label",
    "before",
    "after",
    "reason",
    "preflight",
    "zoom_calls",
    "outcome",
    "request_id",
    "source_ip",
    "operation_id",
    "prev_hash",
)
GENESIS_HASH = ""  # prev_hash of seq 1
# Sorted keys, no whitespace, UTF-8 as is, no NaN. Built once: json.dumps() with options builds one per call.
_CANONICAL_JSON = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
UTC = dt.UTC

MISSING = "event {seq} is missing (the next event is {found}): events were deleted"
CHANGED = "its content does not match its hash: it was changed after being written, or moved from elsewhere"
UNLINKED = (
    "its prev_hash does not match the hash of event {prev}: an event was inserted, replaced or reordered"
)
TAIL_MISSING = (
    "the chain head records seq {head}, but the log ends at seq {last}: the latest events were deleted"
)
HEAD_MISMATCH = "the chain head's hash does not match event {seq}: the latest event was replaced"
BEYOND_HEAD = "event {seq} lies beyond the chain head (seq {head}): it was inserted without audit_record()"
HEAD_MISSING = "the chain head row is missing although events exist: it was deleted"
CHECKPOINT_OPEN = (
    "the prune checkpoint at seq {seq} is still open, which audit_prune never leaves it: it was inserted "
    "by hand, to let events be deleted"
)
CHECKPOINT_UNRECORDED = (
    "the prune checkpoint at seq {seq} is not the one its audit.prune event (seq {event}) records: it was "
    "forged or changed"
)
STEP_MISSING = (
    "event {seq} is timed before the event it follows, but no clock step is on record for it: date "
    "filters and date-bounded exports can skip events around it"
)
STEP_FORGED = "a clock step is on record at event {seq}, which is not timed before the event it follows"
STEP_ALTERED = "the clock step on record at event {seq} does not give the times of the events either side"
# The clock steps the events' own (hashed) times show: each event timed before the one it follows.
DERIVED_STEPS_SQL = """
SELECT seq, time, previous_time FROM (
    SELECT seq, time, LAG(time) OVER (ORDER BY seq) AS previous_time FROM {events}
    WHERE seq > %s AND seq <= %s
) AS stepped WHERE time < previous_time ORDER BY seq
"""
# Every event's seq in time order. No condition on seq, so that SQLite scans the time index alone.
TIME_ORDER_SQL = "SELECT seq FROM {events} ORDER BY time, seq"
RECORDED_STEPS_SQL = "SELECT seq, time, previous_time FROM {steps} WHERE seq > %s AND seq <= %s ORDER BY seq"


def clean_text(value: str) -> str:
    """Text PostgreSQL accepts and hands back unchanged: no NUL, no lone surrogates."""
    if "\x00" in value:
        value = value.replace("\x00", "\ufffd")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        value = value.encode("utf-8", "replace").decode("utf-8")
    return value


def json_safe(value: Any) -> Any:
    """`value` as plain JSON types that read back identically from SQLite JSON and PostgreSQL jsonb."""
    if value is None or isinstance(value, int):  # bool is an int
        return value
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        return int(value) if value.is_integer() else value
    if isinstance(value, Mapping):
        # Keys in sorted order, as the hash writes them: stored so (SQLite keeps the text), the log can
        # be re-hashed by the database's own JSON functions (rows.py's fast path).
        items = sorted(((clean_text(str(k)), v) for k, v in value.items()), key=_first)
        return {k: json_safe(v) for k, v in items}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted((json_safe(v) for v in value), key=repr)
    if isinstance(value, dt.datetime):
        return utc_iso(value) if value.tzinfo else value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return clean_text(str(value))


def _first(item: tuple[str, Any]) -> str:
    return item[0]


def utc_iso(value: dt.datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def canonical_bytes(values: Mapping[str, Any]) -> bytes:
    """The bytes that are hashed: `values` holds every name in HASHED_FIELDS, as read from the model."""
    content = {name: values[name] for name in HASHED_FIELDS}
    content["time"] = utc_iso(content["time"])
    content["operation_id"] = str(content["operation_id"])
    return _CANONICAL_JSON.encode(content).encode()


def event_hash(values: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical_bytes(values)).hexdigest()


@dataclass(frozen=True)
class ChainReport:
    events: int  # events checked and found intact
    last_seq: int  # the last intact event (0: none)
    last_hash: str
    broken_seq: int | None = None  # the first event that breaks the chain, when one does
    problem: str = ""
    start_seq: int = 0  # events up to this one were pruned at a checkpoint (0: none)
    # The event where the clock steps on record (the date filters' index) and the events' times part,
    # when they do; the chain itself is then intact.
    steps_seq: int | None = None

    @property
    def intact(self) -> bool:
        return not self.problem

    def summary(self) -> str:
        pruned = f" (events 1-{self.start_seq} were pruned at a checkpoint)" if self.start_seq else ""
        last = f"seq {self.last_seq} (hash {self.last_hash or '-'})"
        if self.intact:
            return f"OK: {self.events} events, chain intact up to {last}{pruned}"
        if self.steps_seq is not None:
            return (
                f"BROKEN clock-step record at seq {self.steps_seq}: {self.problem}. The chain itself is "
                f"intact: {self.events} events up to {last}{pruned}."
            )
        where = f"at seq {self.broken_seq}" if self.broken_seq is not None else "at the chain head"
        intact = (
            f"events {self.start_seq + 1}-{self.last_seq} are intact (hash {self.last_hash}){pruned}"
            if self.last_seq > self.start_seq
            else f"no event is intact{pruned}"
        )
        return f"BROKEN {where}: {self.problem}. Before that, {intact}."


def chain_walk(
    rows: Iterable[tuple[Any, ...]], *, start_seq: int = 0, start_hash: str = GENESIS_HASH
) -> ChainReport:
    """Check rows of (*HASHED_FIELDS, hash) in seq order, as read through the ORM (Python values); stop
    at the first one that breaks the chain. The chain starts after `start_seq` (0, or the checkpoint
    of a prune), whose hash is `start_hash`."""
    return _walk(
        ((row[0], event_hash(dict(zip(HASHED_FIELDS, row, strict=False))), row[-2], row[-1]) for row in rows),
        start_seq,
        start_hash,
    )


def chain_walk_raw(
    rows: Iterable[tuple[Any, ...]], *, start_seq: int = 0, start_hash: str = GENESIS_HASH
) -> ChainReport:
    """chain_walk() over raw rows (zoomadmin_site.audit.rows.RAW_COLUMNS, as the database returns them)."""
    from zoomadmin_site.audit.rows import canonical_bytes_raw

    sha256 = hashlib.sha256
    return _walk(
        ((row[0], sha256(canonical_bytes_raw(row)).hexdigest(), row[-2], row[-1]) for row in rows),
        start_seq,
        start_hash,
    )


def _walk(checked: Iterable[tuple[int, str, str, str]], start_seq: int, prev_hash: str) -> ChainReport:
    """(seq, computed hash, prev_hash, stored hash) in seq order -> the report."""
    expected, count = start_seq + 1, 0
    for seq, computed, row_prev_hash, stored_hash in checked:
        problem = ""
        if seq != expected:
            problem, seq = MISSING.format(seq=expected, found=seq), expected
        elif computed != stored_hash:
            problem = CHANGED
        elif row_prev_hash != prev_hash:
            problem = UNLINKED.format(prev=seq - 1)
        if problem:
            return ChainReport(count, expected - 1, prev_hash, seq, problem, start_seq)
        prev_hash, expected, count = stored_hash, expected + 1, count + 1
    return ChainReport(count, expected - 1, prev_hash, start_seq=start_seq)


PARALLEL_MIN_EVENTS = 200_000  # below this, one process is quicker than starting others


def chain_verify(*, chunk_size: int = 5000, workers: int = 1, parts: int | None = None) -> ChainReport:
    """Walk the log in seq order from the latest prune checkpoint (or seq 1), streaming raw rows, then
    check the checkpoint against its audit.prune event and the log's end against the chain head.

    The walk may be split into `parts` consecutive seq ranges (default: `workers`), walked by up to
    `workers` processes. A range starts from the *stored* hash of the event before it; the range before
    checks that very event (its content against that hash), and the first broken range in seq order is
    the one reported, so the result is the same as one walk's.
    """
    checkpoint = (
        AuditCheckpoint.objects.order_by("-seq").values_list("seq", "hash", "event_seq", "open").first()
    )
    start_seq, start_hash = (checkpoint[0], checkpoint[1]) if checkpoint else (0, GENESIS_HASH)
    if checkpoint and checkpoint[3]:
        return ChainReport(
            0, start_seq, start_hash, start_seq + 1, CHECKPOINT_OPEN.format(seq=start_seq), start_seq
        )
    report, steps = _walk_parts(start_seq, start_hash, chunk_size, workers, parts)
    if not report.intact:
        return report
    if checkpoint and not _checkpoint_recorded(*checkpoint[:3]):
        problem = CHECKPOINT_UNRECORDED.format(seq=start_seq, event=checkpoint[2])
        return replace(report, broken_seq=None, problem=problem)
    # Read after the walk: the head is committed with each append, so it is never behind a row we saw.
    head = AuditChainHead.objects.filter(pk=1).values_list("seq", "hash").first()
    report = _check_head(report, head)
    if report.intact and steps is not None:
        seq, problem = steps
        return replace(report, problem=problem, steps_seq=seq)
    return report


def _walk_parts(
    start_seq: int, start_hash: str, chunk_size: int, workers: int, parts: int | None
) -> tuple[ChainReport, tuple[int, str] | None]:
    """The walk's report, and the first disagreement between the clock steps on record and the events'
    times up to the last event at the start (clock_steps_check), checked meanwhile when processes walk."""
    from django.db import connection

    last = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or start_seq
    parts = max(1, parts or workers)
    if last - start_seq < PARALLEL_MIN_EVENTS and parts == workers:
        parts = 1  # not worth splitting (an explicit `parts` is for tests)
    starts_at = [start_seq + (last - start_seq) * i // parts for i in range(parts)]
    hashes = dict(AuditEvent.objects.filter(seq__in=starts_at[1:]).values_list("seq", "hash"))
    ends: list[int | None] = [*starts_at[1:], None]
    ranges = [
        (lo, hi, start_hash if i == 0 else hashes.get(lo, GENESIS_HASH), chunk_size)
        for i, (lo, hi) in enumerate(zip(starts_at, ends, strict=True))
    ]
    in_memory = connection.vendor == "sqlite" and getattr(connection, "is_in_memory_db", lambda: True)()
    if workers > 1 and len(ranges) > 1 and not in_memory and not connection.in_atomic_block:
        reports, steps = _walk_in_processes(ranges, workers, lambda: clock_steps_check(start_seq, last))
        return _combine(reports, ends, start_seq), steps
    report = _combine([_walk_range(*r) for r in ranges], ends, start_seq)
    return report, clock_steps_check(start_seq, last) if report.intact else None


def _walk_range(lo: int, hi: int | None, start_hash: str, chunk_size: int) -> ChainReport:
    """Walk events lo+1..hi (hi None: to the end) from `start_hash`, the hash of event lo."""
    from zoomadmin_site.audit.rows import hashed_rows

    return _walk(hashed_rows(lo, hi, chunk_size=chunk_size), lo, start_hash)


def _walk_in_processes[T](
    ranges: list[tuple[Any, ...]], workers: int, meanwhile: Callable[[], T]
) -> tuple[list[ChainReport], T]:
    """Walk the ranges in worker processes, and call `meanwhile` in this one while they do."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from django.db import connections

    connections.close_all()  # each process opens its own connection; none may share this one
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=min(workers, len(ranges)), mp_context=context) as pool:
        walks = pool.map(_walk_range_in_child, ranges)  # the processes are forked here
        return_value = meanwhile()
        return list(walks), return_value


def _walk_range_in_child(args: tuple[Any, ...]) -> ChainReport:
    from django.db import connections

    try:
        return _walk_range(*args)
    finally:
        connections.close_all()


def _combine(reports: list[ChainReport], ends: list[int | None], start_seq: int) -> ChainReport:
    """One report for consecutive ranges, as one walk would give: the first broken range, or a range
    that ends short of where the next begins (its last events are missing), or the whole intact walk."""
    events = 0
    for report, end in zip(reports, ends, strict=True):
        events += report.events
        if not report.intact:
            return replace(report, events=events, start_seq=start_seq)
        if end is not None and report.last_seq != end:
            later = (
                AuditEvent.objects.filter(seq__gt=report.last_seq)
                .order_by("seq")
                .values_list("seq", flat=True)
            )
            if (found := later.first()) is None:
                break  # nothing after: the head check tells the tail is missing
            missing = report.last_seq + 1
            return replace(
                report,
                events=events,
                broken_seq=missing,
                problem=MISSING.format(seq=missing, found=found),
                start_seq=start_seq,
            )
    else:
        return replace(reports[-1], events=events, start_seq=start_seq)
    return replace(report, events=events, start_seq=start_seq)


def _checkpoint_recorded(seq: int, hash_: str, event_seq: int) -> bool:
    """Whether event `event_seq` (already checked by the walk) is the audit.prune naming this checkpoint."""
    event = AuditEvent.objects.filter(seq=event_seq, seq__gt=seq, action=Action.AUDIT_PRUNE).first()
    after = event.after if event is not None and isinstance(event.after, dict) else {}
    return after.get("last_pruned_seq") == seq and after.get("last_pruned_hash") == hash_


def _check_head(report: ChainReport, head: tuple[int, str] | None) -> ChainReport:
    last = report.last_seq
    if head is None:
        return report if report.events == 0 else _broken_head(report, HEAD_MISSING)
    head_seq, head_hash = head
    if head_seq < last:
        return replace(
            report,
            events=report.events - (last - head_seq),
            last_seq=head_seq,
            last_hash=head_hash,
            broken_seq=head_seq + 1,
            problem=BEYOND_HEAD.format(seq=head_seq + 1, head=head_seq),
        )
    if head_seq == last and head_hash != report.last_hash:
        return _broken_head(report, HEAD_MISMATCH.format(seq=last))
    if (
        head_seq > last
        and AuditEvent.objects.filter(seq__gt=last, seq__lte=head_seq).count() < head_seq - last
    ):
        # Not events appended while we walked (those exist now): the end of the log was removed.
        return replace(report, broken_seq=last + 1, problem=TAIL_MISSING.format(head=head_seq, last=last))
    return report


def _broken_head(report: ChainReport, problem: str) -> ChainReport:
    return replace(report, broken_seq=None, problem=problem)


def clock_steps_check(low: int, high: int) -> tuple[int, str] | None:
    """Where the clock steps on record for events low+1..high disagree with those events' times, and how:
    (seq, problem), or None when they agree. The walk vouches for the times.

    The date filters and date-bounded exports find a range's events through the steps
    (selectors._date_seq_window): a step missing from the record would make them skip events without
    any other sign. A step at the first event after a prune checkpoint cannot be re-derived (the event
    before it is gone) and is left out. With no step on record and times that never go back (the usual
    case), SQLite answers from the time index alone; otherwise the steps are derived in full."""
    from django.db import connection

    events = connection.ops.quote_name(AuditEvent._meta.db_table)
    steps = connection.ops.quote_name(AuditClockStep._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(RECORDED_STEPS_SQL.format(steps=steps), [low + 1, high])
        recorded = {row[0]: _step_times(row) for row in cursor.fetchall()}
        if not recorded and connection.vendor == "sqlite" and _times_follow_seqs(cursor, events, low, high):
            return None
        cursor.execute(DERIVED_STEPS_SQL.format(events=events), [low, high])
        derived = {row[0]: _step_times(row) for row in cursor.fetchall()}
    differing = sorted(
        seq for seq in derived.keys() | recorded.keys() if derived.get(seq) != recorded.get(seq)
    )
    if not differing:
        return None
    seq = differing[0]
    problem = STEP_MISSING if seq not in recorded else STEP_FORGED if seq not in derived else STEP_ALTERED
    return seq, problem.format(seq=seq)


def _times_follow_seqs(cursor: Any, events: str, low: int, high: int) -> bool:
    """Whether events low+1..high, in time order, are in seq order too (no event is timed before the one
    it follows), from a scan of the time index (on SQLite it holds the seq, the rowid): a fraction of a
    window function over the table's rows."""
    cursor.execute(TIME_ORDER_SQL.format(events=events))
    previous = low
    while rows := cursor.fetchmany(50_000):
        for (seq,) in rows:
            if low < seq <= high:
                if seq < previous:
                    return False
                previous = seq
    return True


def _step_times(row: tuple[Any, ...]) -> tuple[dt.datetime | None, ...]:
    """A step's two times as datetimes: SQLite's driver converts a datetime column but not LAG()'s text."""
    return tuple(value if isinstance(value, dt.datetime) else parse_datetime(value) for value in row[1:])
