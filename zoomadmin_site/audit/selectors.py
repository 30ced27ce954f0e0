"""Reading the audit log: filtered, keyset-paginated lists (newest first), one target's or one
operation's history, the export stream and the last chain verification."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypedDict, Unpack

from django.conf import settings
from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connections
from django.db.models import F, Q, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, StrIndex, Upper
from django.db.models.lookups import GreaterThan
from django.utils import timezone

from zoomadmin_site.audit.models import Action, AuditChainHead, AuditClockStep, AuditEvent, Outcome
from zoomadmin_site.audit.rows import raw_rows
from zoomadmin_site.audit.text_index import (
    FTS_COUNT_SQL,
    FTS_MATCH_SQL,
    MIN_INDEXED_TERM,
    TRGM_COUNT_SQL,
    fts_phrase,
    has_fts,
)

VERIFY_ACTION = Action.AUDIT_VERIFY
MAX_LIMIT = 500
# Counts per outcome are taken among the newest this many matching events (beyond: "1,000+", "12+"), so
# counting costs the same over a thousand events as over millions, whatever the filters.
OUTCOME_COUNT_CAP = 1000
# A `q` (or a word of it) found in fewer events than this is looked up in the text index; a commoner one
# is checked row by row along the list's order (see _text_filter).
TEXT_INDEX_DRIVES_BELOW = 5000
# A word of `q` that the text index may look up on its own (index_terms): three letters or digits or more.
WORD = re.compile(rf"[^\W_]{{{MIN_INDEXED_TERM},}}")
# A list of seqs bound as one parameter (_events): a JSON array on SQLite, an array on PostgreSQL.
SEQS_SQLITE = "SELECT value FROM json_each(%s)"
# A date range's run of seqs (_unstepped_window), in one round trip: whether the clock ever stepped back,
# then the first event at or after the start and the last one before the end (of one actor, with an actor
# filter), each from a time index (the time's, or the actor's and time's).
STEPPED_SQL = "EXISTS (SELECT 1 FROM audit_auditclockstep)"
FIRST_FROM_SQL = "(SELECT seq FROM audit_auditevent WHERE {actor}time >= %s ORDER BY time, seq LIMIT 1)"
LAST_BEFORE_SQL = (
    "(SELECT seq FROM audit_auditevent WHERE {actor}time < %s ORDER BY time DESC, seq DESC LIMIT 1)"
)
OF_ACTOR_SQL = "actor_label = %s AND "


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


@dataclass(slots=True)
class ListedEvent:
    """An event as the list shows it: the LIST_COLUMNS, named as on AuditEvent and holding the values
    the model would (an aware `time`, the parsed `after`), read from a plain cursor. Building fifty model
    instances a page cost the list more than reading their rows; nothing on the list needs more than
    these values (the row markup, the event's sentence, the chain status line), and the event's own
    page reads the whole event."""

    seq: int
    time: dt.datetime
    actor_label: str
    action: str
    target_type: str
    target_id: str
    target_label: str
    after: Any
    reason: str
    outcome: str


@dataclass(frozen=True)
class AuditEventPage:
    events: list[ListedEvent]  # newest first
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
    among the newest `cap` of them: the outcomes of at most cap + 1 events, read along the list's own
    order and indexes, so its cost is bounded whatever the filters. Up to `cap` matching events the
    counts are exact; beyond, each is a lower bound (`capped`), and the chips say so with a "+"."""
    others = AuditFilters(**filters)
    others["outcome"] = ""
    walked = _by_seq(_list_queryset(others), others).values_list("outcome", flat=True)
    outcomes = list(walked[: cap + 1])
    tally = Counter(outcomes[:cap])
    capped = len(outcomes) > cap
    return [
        OutcomeCount(outcome=value, label=str(label), count=tally[value], capped=capped)
        for value, label in Outcome.choices
    ]


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
    matching = _list_queryset(filters)
    # The page's seqs first, then its rows: the first query reads only the filtered columns and seq, so a
    # covering index answers it and a sort (of a date range, say) sorts numbers, not whole events.
    if before_seq is not None:
        seqs = _seqs(_by_seq(matching.filter(seq__gt=before_seq), filters, newest_first=False), limit + 1)
        newer, events = len(seqs) > limit, _events(seqs[:limit])
        older = bool(events) and matching.filter(seq__lt=events[-1].seq).exists()
    else:
        window = matching.filter(seq__lt=after_seq) if after_seq is not None else matching
        seqs = _seqs(_by_seq(window, filters), limit + 1)
        older, events = len(seqs) > limit, _events(seqs[:limit])
        newer = after_seq is not None and bool(events) and matching.filter(seq__gt=events[0].seq).exists()
    return AuditEventPage(
        events=events,
        older_cursor=events[-1].seq if older else None,
        newer_cursor=events[0].seq if newer else None,
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


# The rows of a page by their seqs, newest first (_events): constant queries, of the LIST_COLUMNS only.
_QUOTED_LIST_COLUMNS = ", ".join(f'"{column}"' for column in LIST_COLUMNS)
_SELECT_LIST_COLUMNS = f"SELECT {_QUOTED_LIST_COLUMNS} FROM audit_auditevent"  # noqa: S608 - constants
EVENTS_SQL = {
    "sqlite": f"{_SELECT_LIST_COLUMNS} WHERE seq IN ({SEQS_SQLITE}) ORDER BY seq DESC",
    "postgresql": f"{_SELECT_LIST_COLUMNS} WHERE seq = ANY(%s::bigint[]) ORDER BY seq DESC",
}
CHAIN_HEAD_SEQ_SQL = f"SELECT seq FROM {AuditChainHead._meta.db_table} WHERE id = 1"  # noqa: S608 - constants
LAST_VERIFICATION_SQL = f"{_SELECT_LIST_COLUMNS} WHERE action = %s ORDER BY seq DESC LIMIT 1"


def _events(seqs: list[int]) -> list[ListedEvent]:
    """The events `seqs`, newest first, as the list shows them (ListedEvent): a constant query on SQLite
    and PostgreSQL, whose rows are converted as Django converts them for the model; any other database
    reads them through a queryset."""
    if not seqs:
        return []
    vendor = connections[AuditEvent.objects.db].vendor
    sql = EVENTS_SQL.get(vendor)
    if sql is not None:  # SQLite binds the seqs as a JSON array, PostgreSQL as an array
        return _listed(sql, [_json_array(seqs) if vendor == "sqlite" else seqs])
    events = AuditEvent.objects.filter(seq__in=seqs).order_by("-seq").values_list(*LIST_COLUMNS)
    return [ListedEvent(*row) for row in events]


def _listed(sql: str, params: list[Any]) -> list[ListedEvent]:
    """The rows of `sql` (a select of the LIST_COLUMNS on SQLite or PostgreSQL) as ListedEvents, with
    the values the model's fields would hold: Django's SQLite connection parses the stored time into a
    naive datetime, which Django's SQLite backend makes aware in the connection's time zone (UTC unless
    the database says otherwise); PostgreSQL's driver gives it aware already. Both give JSON as its text,
    which the model's own field parses (JSONField.from_db_value), so `after` is the model's value."""
    connection = connections[AuditEvent.objects.db]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    zone = connection.timezone if connection.vendor == "sqlite" and settings.USE_TZ else None
    parse_after: Callable[[str, Any, Any], Any] = AuditEvent._meta.get_field("after").from_db_value
    return [
        ListedEvent(
            seq,
            time.replace(tzinfo=zone) if zone is not None and time.tzinfo is None else time,
            actor,
            action,
            kind,
            target,
            label,
            None if after is None else parse_after(after, None, connection),
            reason,
            outcome,
        )
        for seq, time, actor, action, kind, target, label, after, reason, outcome in rows
    ]


def _json_array(seqs: list[int]) -> str:
    """The seqs as a JSON array (ints are JSON as Python writes them: quicker than json.dumps)."""
    return "[" + ",".join(map(str, seqs)) + "]"


def _list_queryset(filters: AuditFilters) -> QuerySet[AuditEvent]:
    """audit_event_queryset(**filters) as the list walks it, newest first, with a date range narrowed to
    the seqs between the first and the last event in it (one actor's, with an actor; _date_seq_window),
    so that the walk by seq starts at the range's newest event and stops at its oldest, instead of
    walking every later event down to the range (or sorting the range for its newest)."""
    window = _date_seq_window(filters)
    if window is None:
        return audit_event_queryset(**filters)
    condition, exact = window
    # Exact: the seqs are the range, so no time is left to check (nor a time index for the planner to
    # prefer over the walk by seq).
    walked = filters | AuditFilters(date_from=None, date_to=None) if exact else filters
    return audit_event_queryset(**walked).filter(condition)


def _date_seq_window(filters: AuditFilters) -> tuple[Q, bool] | None:
    """With a date range: the seqs between the first and the last event in it (of the actor, with an
    actor filter), as a condition (one that matches nothing when no event is in the range), and whether
    every such event between them is in the range; None without a date range.

    Between two clock steps (AuditClockStep: an event timed before the one it follows), times only grow
    with seqs, so a stretch's events in the range are one run of seqs, found from a time index (the
    time's, or the actor's and time's) in two lookups: its first event at or after the range's start,
    its last before the range's end. With no step on record (the usual case) the whole log is one
    stretch, and the run is exactly the range's events. When the range reaches into several stretches,
    the window spans their runs, and the list still checks each event's time: an event of another
    stretch inside it is not taken for one of the range."""
    date_from, date_to = filters.get("date_from"), filters.get("date_to")
    start = _start_of_day(date_from) if date_from else None
    end = _start_of_day(date_to + dt.timedelta(days=1)) if date_to and date_to < dt.date.max else None
    if start is None and end is None:
        return None
    if start is not None and end is not None and start >= end:
        return Q(pk__in=[]), True
    actor = filters.get("actor") or ""
    unstepped = _unstepped_window(actor, start, end)
    bounds = [unstepped] if unstepped is not None else _stretch_windows(actor, start, end)
    runs = [
        (low, high)
        for low, high in bounds
        if not (low is None or (end is not None and high is None) or (high is not None and low > high))
    ]  # the others hold none of the range's events
    if not runs:
        return Q(pk__in=[]), True
    highs = [high for _low, high in runs]
    window = Q(seq__gte=min(low for low, _high in runs))
    if None not in highs:
        window &= Q(seq__lte=max(highs))  # type: ignore[type-var]
    return window, len(runs) == 1


def _unstepped_window(
    actor: str, start: dt.datetime | None, end: dt.datetime | None
) -> tuple[int | None, int | None] | None:
    """The run of seqs from the first event at or after `start` (seq 1 without a start) to the last one
    before `end` (None: open-ended) of the whole log (of `actor`'s events, with an actor), in one round
    trip of a constant query, when no clock step is on record (the usual case); None when one is, and
    each stretch must be looked up on its own (_stretch_windows)."""
    connection = connections[AuditEvent.objects.db]
    time_field = AuditEvent._meta.get_field("time")
    of_actor = OF_ACTOR_SQL if actor else ""
    columns, params = [STEPPED_SQL], []
    for bound, sql in ((start, FIRST_FROM_SQL), (end, LAST_BEFORE_SQL)):
        if bound is not None:
            columns.append(sql.format(actor=of_actor))
            params += [*([actor] if actor else []), time_field.get_db_prep_value(bound, connection)]
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(columns), params)  # constant pieces; values are parameters
        stepped, *found = cursor.fetchone()
    if stepped:
        return None
    low = found.pop(0) if start is not None else 1
    high = found.pop(0) if end is not None else None
    return low, high


def _stretch_windows(
    actor: str, start: dt.datetime | None, end: dt.datetime | None
) -> list[tuple[int | None, int | None]]:
    """_unstepped_window's run for each stretch between clock steps whose times reach into the range."""
    events = AuditEvent.objects.all()
    if actor:
        events = events.filter(actor_label=actor)
    runs = []
    for first, last, earliest, latest in _stretches():
        if (start is not None and latest is not None and latest < start) or (
            end is not None and earliest is not None and earliest >= end
        ):
            continue  # the stretch's times (first to last event) lie outside the range
        stretch = events
        if first > 1:
            stretch = stretch.filter(seq__gte=first)
        if last is not None:
            stretch = stretch.filter(seq__lte=last)
        low: int | None = first
        if start is not None:
            low = (
                stretch.filter(time__gte=start).order_by("time", "seq").values_list("seq", flat=True).first()
            )
        high: int | None = last
        if end is not None:
            high = (
                stretch.filter(time__lt=end).order_by("-time", "-seq").values_list("seq", flat=True).first()
            )
        runs.append((low, high))
    return runs


def _stretches() -> list[tuple[int, int | None, dt.datetime | None, dt.datetime | None]]:
    """The log's stretches between clock steps, oldest first: (first seq, last seq, time of the first
    event, time of the last event), None where open-ended (the first stretch's start time, the last
    stretch's end). One stretch, (1, None, None, None), when the clock never stepped back."""
    steps = list(AuditClockStep.objects.order_by("seq").values_list("seq", "time", "previous_time"))
    firsts = [(1, None), *((seq, time) for seq, time, _previous in steps)]
    ends = [*((seq - 1, previous) for seq, _time, previous in steps), (None, None)]
    return [
        (first, last, earliest, latest)
        for (first, earliest), (last, latest) in zip(firsts, ends, strict=True)
    ]


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
    """Events whose target label or reason contains `q` (case-insensitively, as icontains: what the list
    shows is defined by this alone). When part of `q` is rare (fewer than TEXT_INDEX_DRIVES_BELOW events
    contain it: _rare_term), the text index (text_index.py) looks that part up and the candidates are
    those few rows. A commoner `q` is found sooner by walking the events newest first (or along another
    filter's index) and checking each.
    - SQLite: the FTS5 index drives the search from the rare part, or the walk does.
    - PostgreSQL: the planner chooses from its trigram indexes' statistics. The rare word of a longer `q`
      is a condition of its own (implied by `q`), and `q` itself is then checked in words that no index
      serves (STRPOS of the upper-cased texts, icontains' very test): the planner underrates a trigram
      scan for a term with a common word, which reads every event holding that word (40 ms for "User
      u01234" at 1M events, against 2 for "u01234"), and would otherwise add it to the word's."""
    contains = Q(target_label__icontains=q) | Q(reason__icontains=q)
    term = _driving_term(events.db, q)
    if term is None:
        return events.filter(contains)
    if connections[events.db].vendor == "sqlite":
        return events.filter(contains, seq__in=RawSQL(FTS_MATCH_SQL, [fts_phrase(term)]))  # noqa: S611 - a constant
    if term == q:  # one rare word: its own trigram scan finds it (and the list sorts its candidates)
        return events.filter(contains)
    return events.filter(
        Q(target_label__icontains=term) | Q(reason__icontains=term),
        _holds("target_label", q) | _holds("reason", q),
    )


def _driving_term(alias: str, q: str) -> str | None:
    """The part of `q` that a text index looks up to drive the search (_rare_term), or None: `q` is too
    short for trigrams, the database has no text index (SQLite's FTS5, PostgreSQL's trigrams), or no part
    of `q` is rare."""
    connection = connections[alias]
    if len(q) < MIN_INDEXED_TERM:
        return None
    if connection.vendor == "postgresql":
        return _rare_term(alias, q, TEXT_INDEX_DRIVES_BELOW, fts=False)
    if has_fts(connection):
        return _rare_term(alias, q, TEXT_INDEX_DRIVES_BELOW, fts=True)
    return None


def _holds(field: str, q: str) -> Q:
    """`field` contains `q`, case-insensitively, as icontains tests it on PostgreSQL (UPPER of both), in a
    form that no index serves."""
    return Q(GreaterThan(StrIndex(Upper(field), Upper(Value(q))), 0))


def _sorts_candidates(filters: AuditFilters) -> bool:
    """Whether a rare word of `q` (or `q`, one rare word) drives the search on PostgreSQL (_text_filter):
    the list then sorts its few candidates instead of walking every event newest first to meet them,
    which the planner would do (it underrates the walk's cost per row: 23 ms against 5 for a word in
    2,000 of 1M events)."""
    alias = AuditEvent.objects.db
    q = (filters.get("q") or "").strip()
    return connections[alias].vendor == "postgresql" and _driving_term(alias, q) is not None


def _by_seq(events: QuerySet[AuditEvent], filters: AuditFilters, *, newest_first: bool = True) -> QuerySet:
    """`events` in seq order; worded so that no index produces it when the list sorts a rare word's
    candidates (_sorts_candidates), as search pages do (search.keyset: use_sort_index)."""
    order: Any = Coalesce(F("seq"), F("seq")) if _sorts_candidates(filters) else F("seq")
    return events.order_by(order.desc() if newest_first else order.asc())


def index_terms(q: str) -> list[str]:
    """What the text index may look up to find the events that contain `q`: its words of three letters or
    digits and more, longest first, then `q` itself (an event that contains `q` contains each of them).
    A word is looked up on its own because the index finds a phrase no sooner than its commonest part:
    "User u01234" costs as much as "User", which every event's label holds."""
    words = sorted(dict.fromkeys(WORD.findall(q)), key=len, reverse=True)  # stable: in order, if as long
    return [*words, q] if q not in words else words


@lru_cache(maxsize=512)
def _rare_term(alias: str, q: str, below: int, *, fts: bool) -> str | None:
    """The first of index_terms(q) that fewer than `below` events contain, counted with SQLite's FTS5
    index (`fts`) or PostgreSQL's trigram indexes (words only: `q` itself only when it is one word), or
    None. Each count stops at `below`, so a common word costs little. Remembered: the answer only picks
    how `q` is looked up (the rows are icontains' either way), and a page and its counts, or the next
    page, ask it again."""
    with connections[alias].cursor() as cursor:
        for term in index_terms(q):
            if fts:
                cursor.execute(FTS_COUNT_SQL, [fts_phrase(term), below])
            elif not WORD.fullmatch(term):
                return None  # a phrase's trigram scan reads every event of its commonest word
            else:
                cursor.execute(TRGM_COUNT_SQL, [f"%{term}%", f"%{term}%", below])
            (candidates,) = cursor.fetchone()
            if candidates < below:
                return term
    return None


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
    """The seq of the last event appended (0 for an empty log): what an export "as of now" includes. A
    constant query: the list page asks it on every load (its export links), and building the queryset
    cost three times the database's answer."""
    with connections[AuditChainHead.objects.db].cursor() as cursor:
        cursor.execute(CHAIN_HEAD_SEQ_SQL)
        row = cursor.fetchone()
    return int(row[0]) if row else 0


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


def audit_last_verification() -> ListedEvent | None:
    """The latest `audit.verify` event: when the chain was last checked, and what was found, as the list
    shows it (ListedEvent)."""
    if connections[AuditEvent.objects.db].vendor in EVENTS_SQL:  # a constant query, as for the list's rows
        return next(iter(_listed(LAST_VERIFICATION_SQL, [VERIFY_ACTION])), None)
    events = AuditEvent.objects.filter(action=VERIFY_ACTION).order_by("-seq").values_list(*LIST_COLUMNS)
    row = events.first()
    return None if row is None else ListedEvent(*row)


def _start_of_day(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))
