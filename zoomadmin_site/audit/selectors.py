"""Reading the audit log: filtered, keyset-paginated lists (newest first), one target's or one
operation's history, the export stream and the last chain verification."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypedDict, Unpack

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connections
from django.db.models import Count, Min, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from zoomadmin_site.audit.models import Action, AuditChainHead, AuditEvent, Outcome
from zoomadmin_site.audit.rows import raw_rows
from zoomadmin_site.audit.text_index import (
    FTS_COUNT_SQL,
    FTS_MATCH_SQL,
    MIN_INDEXED_TERM,
    fts_phrase,
    has_fts,
)

VERIFY_ACTION = Action.AUDIT_VERIFY
MAX_LIMIT = 500
# Counts per outcome are taken among the newest this many matching events (beyond: "1,000+", "12+"), so
# counting costs the same over a thousand events as over millions, whatever the filters.
OUTCOME_COUNT_CAP = 1000
# SQLite: a `q` found in fewer events than this is looked up in the text index; a commoner one is checked
# row by row along the list's order (see _text_filter).
TEXT_INDEX_DRIVES_BELOW = 2000


class AuditFilters(TypedDict, total=False):
    q: str  # free text: target label, reason (icontains)
    actor: str  # actor label (username, "system", "zoom-webhook"...), exact
    action: str  # exact ("auth.login"), or an area without a dot ("auth") for all of its actions
    outcome: str
    target_type: str
    target_id: str
    request_id: str  # the X-Request-ID of the HTTP request that caused the events, exact
    operation_id: uuid.UUID | None
    date_from: dt.date | None  # inclusive, in the site's time zone
    date_to: dt.date | None  # inclusive


@dataclass(frozen=True)
class AuditEventPage:
    events: list[AuditEvent]  # newest first
    older_cursor: int | None  # pass as after_seq for the next older page; None on the oldest page
    newer_cursor: int | None  # pass as before_seq for the next newer page; None on the newest page


@dataclass(frozen=True)
class OutcomeCount:
    outcome: str  # an Outcome value
    label: str
    count: int  # among the newest `cap` matching events
    capped: bool  # more events match than were counted: `count` is a lower bound

    @property
    def shown(self) -> str:
        """As the list shows it: "12", or "120+" (at least) when not every matching event was counted."""
        return f"{self.count:,}{'+' if self.capped else ''}"


def audit_outcome_counts(
    *, cap: int = OUTCOME_COUNT_CAP, **filters: Unpack[AuditFilters]
) -> list[OutcomeCount]:
    """How many events match `filters` (the `outcome` filter itself ignored) with each outcome, counted
    among the newest `cap` of them: one query reading at most cap + 1 outcomes along the list's own
    order and indexes, so its cost is bounded whatever the filters. Up to `cap` matching events the
    counts are exact; beyond, each is a lower bound (`capped`), and the chips say so with a "+". (Seqs
    first, as for the list, then those events' outcomes.)"""
    others = AuditFilters(**filters)
    others["outcome"] = ""
    newest = audit_event_queryset(**others).order_by("-seq").values("seq")[: cap + 1]
    # Counted by the database, one row per outcome: with cap + 1 events found, the oldest of them (the
    # outcome holding the smallest seq) is the one beyond the cap, taken off again.
    groups = list(
        AuditEvent.objects.filter(seq__in=newest)
        .order_by()
        .values_list("outcome")
        .annotate(n=Count("seq"), oldest=Min("seq"))
    )
    tally = Counter({outcome: n for outcome, n, _oldest in groups})
    capped = tally.total() > cap
    if capped:
        tally[min(groups, key=lambda group: group[2])[0]] -= 1
    return [
        OutcomeCount(outcome=value, label=str(label), count=tally[value], capped=capped)
        for value, label in Outcome.choices
    ]


def audit_first_page_and_counts(
    *, cap: int = OUTCOME_COUNT_CAP, limit: int = 50, **filters: Unpack[AuditFilters]
) -> tuple[AuditEventPage, list[OutcomeCount]]:
    """audit_event_list(limit=limit, **filters) and audit_outcome_counts(cap=cap, **filters), the same
    answers, from one walk of the matching events when the list has no `outcome` filter: its newest page
    is then the newest of the events the counts count, so the matching seqs are found (and sorted, over a
    date range) once rather than twice; their outcomes are then counted by seq."""
    if filters.get("outcome"):
        return audit_event_list(limit=limit, **filters), audit_outcome_counts(cap=cap, **filters)
    limit = max(1, min(limit, MAX_LIMIT))
    seqs = _seqs(audit_event_queryset(**filters).order_by("-seq"), max(cap, limit) + 1)
    events = _events(seqs[:limit])
    page = AuditEventPage(
        events=events, older_cursor=events[-1].seq if len(seqs) > limit else None, newer_cursor=None
    )
    counted = seqs[:cap]
    tally: Counter[str] = Counter()
    if counted:
        grouped = (
            AuditEvent.objects.filter(seq__in=counted)
            .order_by()
            .values_list("outcome")
            .annotate(n=Count("seq"))
        )
        tally.update({outcome: n for outcome, n in grouped})
    capped = len(seqs) > cap
    counts = [
        OutcomeCount(outcome=value, label=str(label), count=tally[value], capped=capped)
        for value, label in Outcome.choices
    ]
    return page, counts


def audit_event_list(
    *,
    after_seq: int | None = None,
    before_seq: int | None = None,
    limit: int = 50,
    **filters: Unpack[AuditFilters],
) -> AuditEventPage:
    """One page of events matching `filters`, newest first.

    Keyset paging on seq: `after_seq` continues after that event in the list (older events),
    `before_seq` goes back to the events just before it (newer ones). Neither: the newest page.
    """
    limit = max(1, min(limit, MAX_LIMIT))
    matching = audit_event_queryset(**filters)
    # The page's seqs first, then its rows: the first query reads only the filtered columns and seq, so a
    # covering index answers it and a sort (of a date range, say) sorts numbers, not whole events.
    if before_seq is not None:
        seqs = _seqs(matching.filter(seq__gt=before_seq).order_by("seq"), limit + 1)
        has_newer, events = len(seqs) > limit, _events(seqs[:limit])
        has_older = bool(events) and matching.filter(seq__lt=events[-1].seq).exists()
    else:
        window = matching.filter(seq__lt=after_seq) if after_seq is not None else matching
        seqs = _seqs(window.order_by("-seq"), limit + 1)
        has_older, events = len(seqs) > limit, _events(seqs[:limit])
        has_newer = after_seq is not None and bool(events) and matching.filter(seq__gt=events[0].seq).exists()
    return AuditEventPage(
        events=events,
        older_cursor=events[-1].seq if has_older else None,
        newer_cursor=events[0].seq if has_newer else None,
    )


def _seqs(events: QuerySet[AuditEvent], count: int) -> list[int]:
    return list(events.values_list("seq", flat=True)[:count])


# What a list row shows (accounts/templatetags/audit_tables.py, sentences.py): only these columns are
# read, so a page decodes no JSON but `after` and converts no operation UUID; the event's own page
# shows the rest (a column read anyway is fetched then).
LIST_COLUMNS = (
    "seq",
    "time",
    "actor_label",
    "action",
    "target_type",
    "target_id",
    "target_label",
    "after",
    "reason",
    "outcome",
)


def _events(seqs: list[int]) -> list[AuditEvent]:
    """The events `seqs`, newest first, with the columns a list row shows (LIST_COLUMNS)."""
    if not seqs:
        return []
    return list(AuditEvent.objects.filter(seq__in=seqs).only(*LIST_COLUMNS).order_by("-seq"))


def audit_event_queryset(**filters: Unpack[AuditFilters]) -> QuerySet[AuditEvent]:
    events: QuerySet[AuditEvent] = AuditEvent.objects.all()
    if q := (filters.get("q") or "").strip():
        events = _text_filter(events, q)
    if actor := filters.get("actor"):
        events = events.filter(actor_label=actor)
    if action := filters.get("action"):
        events = (
            events.filter(action=action) if "." in action else events.filter(action__startswith=f"{action}.")
        )
    for name in ("outcome", "target_type", "target_id", "request_id", "operation_id"):
        if value := filters.get(name):
            events = events.filter(**{name: value})
    if date_from := filters.get("date_from"):
        events = events.filter(time__gte=_start_of_day(date_from))
    if (date_to := filters.get("date_to")) and date_to < dt.date.max:
        events = events.filter(time__lt=_start_of_day(date_to + dt.timedelta(days=1)))
    return events


def _text_filter(events: QuerySet[AuditEvent], q: str) -> QuerySet[AuditEvent]:
    """Events whose target label or reason contains `q` (icontains: what the list shows is defined by
    this alone). On SQLite the text index (text_index.py) drives the search when `q` is rare: at most
    TEXT_INDEX_DRIVES_BELOW events contain it, so the candidates are those few rows. A commoner term is
    found sooner by walking the events newest first (or along another filter's index) and checking
    each; PostgreSQL's planner makes the same choice itself from its trigram indexes' statistics."""
    contains = Q(target_label__icontains=q) | Q(reason__icontains=q)
    connection = connections[events.db]
    if len(q) < MIN_INDEXED_TERM or not has_fts(connection):
        return events.filter(contains)
    phrase = fts_phrase(q)
    if not _rare_in_text_index(events.db, phrase, TEXT_INDEX_DRIVES_BELOW):
        return events.filter(contains)
    return events.filter(contains, seq__in=RawSQL(FTS_MATCH_SQL, [phrase]))  # noqa: S611 - a constant


@lru_cache(maxsize=512)
def _rare_in_text_index(alias: str, phrase: str, below: int) -> bool:
    """Whether fewer than `below` events contain the phrase (SQLite's text index). Remembered: the
    answer only picks how `q` is looked up (the rows are icontains' either way), and a page and its
    counts, or the next page, ask it again."""
    with connections[alias].cursor() as cursor:
        cursor.execute(FTS_COUNT_SQL, [phrase, below])
        (candidates,) = cursor.fetchone()
    return bool(candidates < below)


def audit_event_export(*, chunk_size: int = 2000, **filters: Unpack[AuditFilters]) -> Iterator[AuditEvent]:
    """Every event matching `filters`, newest first, streamed from the database in chunks."""
    return audit_event_queryset(**filters).order_by("-seq").iterator(chunk_size=chunk_size)


def audit_event_export_where(
    *, as_of_seq: int, **filters: Unpack[AuditFilters]
) -> tuple[str, tuple[Any, ...]] | None:
    """The SQL condition (and its params) of the events matching `filters` with seq <= as_of_seq: the
    WHERE clause Django builds for the list's queryset, so an export holds exactly what the list shows.
    None when nothing can match."""
    queryset = audit_event_queryset(**filters).filter(seq__lte=as_of_seq)
    compiler = queryset.query.get_compiler(using=queryset.db)
    try:
        where, params = compiler.compile(queryset.query.where)
    except EmptyResultSet:
        return None
    except FullResultSet:
        return "", ()
    return where, tuple(params)


def audit_event_export_rows(
    *, as_of_seq: int, chunk_size: int = 2000, **filters: Unpack[AuditFilters]
) -> Iterator[tuple[Any, ...]]:
    """Every event matching `filters` with seq <= as_of_seq (audit_event_export_where), newest first,
    as raw rows (rows.RAW_COLUMNS), streamed."""
    found = audit_event_export_where(as_of_seq=as_of_seq, **filters)
    if found is None:
        return iter(())
    return raw_rows(*found, order="seq DESC", chunk_size=chunk_size)


def audit_chain_head_seq() -> int:
    """The seq of the last event appended (0 for an empty log): what an export "as of now" includes."""
    return AuditChainHead.objects.filter(pk=1).values_list("seq", flat=True).first() or 0


def audit_event_get(*, seq: int) -> AuditEvent:
    """The event `seq`; raises AuditEvent.DoesNotExist."""
    if not 0 < seq < 2**63:
        raise AuditEvent.DoesNotExist(f"No audit event {seq}.")
    return AuditEvent.objects.select_related("actor").get(seq=seq)


def audit_events_for_target(*, target_type: str, target_id: str, limit: int = 20) -> list[AuditEvent]:
    """The latest events about one thing (a Zoom user: "zoom_user" + user id; a meeting: "zoom_meeting" +
    meeting id as a string), newest first."""
    events = AuditEvent.objects.filter(target_type=target_type, target_id=str(target_id)).order_by("-seq")
    return list(events[: max(0, limit)])


def audit_operation_events(*, operation_id: uuid.UUID | str) -> list[AuditEvent]:
    """Every event of one operation (started, then how it ended), oldest first."""
    return list(AuditEvent.objects.filter(operation_id=operation_id).order_by("seq"))


def audit_last_verification() -> AuditEvent | None:
    """The latest `audit.verify` event: when the chain was last checked, and what was found (the columns
    the list shows, LIST_COLUMNS; any other is fetched when read)."""
    events = AuditEvent.objects.filter(action=VERIFY_ACTION).only(*LIST_COLUMNS)
    return events.order_by("-seq").first()


def _start_of_day(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))
