"""Reads of the meeting mirror for the search and detail pages (a fixed number of queries each)."""

from __future__ import annotations

import csv
import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils import timezone

from accounts.history import audit_history_for_target
from accounts.models import ZoomUser
from accounts.selectors import user_get, user_pick_candidates
from meetings.models import TransferItem, TransferJob, ZoomMeeting
from meetings.offboarding import transfer_job_progress
from meetings.schedule import Occurrence, in_zone, occurrence_list, recurrence_in_words
from meetings.search import MEETING_SEARCH
from zoomadmin_site.audit.export import csv_cell
from zoomadmin_site.changes.models import ChangeRequest, Kind, Status
from zoomadmin_site.search.filters import NOT_GONE, SearchFilters, Where
from zoomadmin_site.search.keyset import SortOption
from zoomadmin_site.search.searching import INT64, PAGE_SIZE, SearchPage, SearchSpec, search_page

MEETING_SORTS = {
    "start": SortOption("Start", ("start_sort",)),
    "topic": SortOption("Topic", ("topic",)),
    "id": SortOption("Meeting ID", ("meeting_id",)),
    "host": SortOption("Host", ("host_name", "start_sort")),
}
MEETING_DEFAULT_SORT = "start"
MEETING_LIST_FIELDS = (
    "id",
    "meeting_id",
    "topic",
    "type",
    "host_zoom_id",
    "host_email",
    "host_name",
    "start_time",
    "duration",
    "timezone",
    "status",
    "is_pmi",
    "gone_at",
    "start_sort",
)
# Plain rows: the Meetings page's rows (meeting_tables.meeting_rows) read fields only.
MEETING_SEARCH_SPEC = SearchSpec(
    MEETING_SEARCH, MEETING_SORTS, MEETING_DEFAULT_SORT, MEETING_LIST_FIELDS, plain_rows=True
)
# The status filter's value for meetings whose status the mirror does not know (see ZoomMeeting.status_known).
STATUS_NOT_KNOWN = "unknown"
_FIRST_DAY, _LAST_DAY = datetime.date(1970, 1, 1), datetime.date(9998, 12, 30)
# models.KNOWN_STATUS, the status index's condition, which a query must repeat word for word to use it.
STATUS_KNOWN = Where("status", "exact", "", negated=True)


def day_start(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of `day` in the site's time zone (dates clamped to a sane range)."""
    day = min(max(day, _FIRST_DAY), _LAST_DAY)
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_current_timezone())


def meeting_search(
    *,
    query: str = "",
    meeting_type: int | None = None,
    host: str | None = None,
    start_from: datetime.date | None = None,
    start_to: datetime.date | None = None,
    status: str | None = None,
    recurring: bool | None = None,
    pmi: bool | None = None,
    include_gone: bool = False,
    sort: str | None = None,
    after: str | None = None,
    before: str | None = None,
    page_size: int = PAGE_SIZE,
) -> SearchPage:
    """Meetings matching every word of `query` (in topic, meeting id, host name or email) and the filters.

    Dates are inclusive days in the site's time zone; meetings without a fixed time count as later than
    any date, so they are "upcoming" but fall outside any range with an end date. `status` may be
    STATUS_NOT_KNOWN: meetings no webhook or single read has told us the status of."""
    wheres = [] if include_gone else [NOT_GONE]
    if meeting_type is not None:
        wheres.append(Where("type", "exact", meeting_type))
    if host and "@" in host:
        wheres.append(Where("host_email", "in", tuple(sorted({host, host.lower()}))))
    elif host:
        wheres.append(Where("host_zoom_id", "exact", host))
    if start_from:
        wheres.append(Where("start_sort", "gte", day_start(start_from)))
    if start_to:
        wheres.append(Where("start_sort", "lt", day_start(start_to) + datetime.timedelta(days=1)))
    if status == STATUS_NOT_KNOWN:
        wheres.append(Where("status", "exact", ""))
    elif status:
        wheres += [STATUS_KNOWN, Where("status", "exact", status)]
    if recurring is not None:
        wheres.append(Where("type", "in", tuple(ZoomMeeting.RECURRING_TYPES), negated=not recurring))
    if pmi is not None:
        wheres.append(Where("is_pmi", "exact", pmi))
    filters = SearchFilters(tuple(wheres))
    return search_page(
        filters.apply(ZoomMeeting.objects.all()),
        MEETING_SEARCH_SPEC,
        filters=filters,
        query=query,
        sort=sort,
        after=after,
        before=before,
        page_size=page_size,
    )


def meeting_get(*, meeting_id: int) -> ZoomMeeting | None:
    """A meeting by Zoom meeting id, gone or not."""
    if not -INT64 <= meeting_id < INT64:
        return None
    return ZoomMeeting.objects.filter(meeting_id=meeting_id).first()


def meeting_list_upcoming_for_host(*, host_zoom_id: str, limit: int = 10) -> tuple[list[ZoomMeeting], bool]:
    """The host's next meetings (from the start of today), and whether there are more."""
    rows = list(
        ZoomMeeting.objects.filter(
            host_zoom_id=host_zoom_id, gone_at__isnull=True, start_sort__gte=day_start(timezone.localdate())
        )
        .only(*MEETING_LIST_FIELDS)
        .order_by("start_sort", "id")[: limit + 1]
    )
    return rows[:limit], len(rows) > limit


@dataclass(frozen=True)
class Person:
    """Someone a meeting names (by Zoom id or email), with their mirrored user when we have one."""

    ref: str
    user: ZoomUser | None
    fallback_label: str = ""

    @property
    def label(self) -> str:
        return self.user.name if self.user else (self.fallback_label or self.ref)


@dataclass(frozen=True)
class MeetingPeople:
    """Host, scheduler of record and alternative hosts. `first_host` and `moved_at` come from the host
    transfers Zoom Admin made of this meeting (verified ones): who hosted it before the first of them, and
    when the last one was made. Zoom keeps the scheduler of record (`assistant_id`) through a move, so
    without them a scheduler who is not the host reads as the host's assistant when they need not be."""

    host: Person
    scheduler: Person
    alternative_hosts: list[Person]
    first_host: Person | None = None
    moved_at: datetime.datetime | None = None

    @property
    def scheduled_by_assistant(self) -> bool:
        return self.scheduler.ref != self.host.ref

    @property
    def moved(self) -> bool:
        return self.moved_at is not None

    @property
    def scheduler_hosted_it(self) -> bool:
        """The scheduler of record hosted it before Zoom Admin first moved it: they created it as host."""
        first, scheduler = self.first_host, self.scheduler
        if first is None:
            return False
        return first.ref == scheduler.ref or (first.user is not None and first.user == scheduler.user)


def meeting_moves(*, meeting_id: int) -> tuple[dict[str, Any], datetime.datetime] | None:
    """The state before the first verified host transfer Zoom Admin made of the meeting, and when the last
    one finished; None when it made none."""
    moves = list(
        ChangeRequest.objects.filter(
            kind=Kind.HOST_TRANSFER,
            target_type="zoom_meeting",
            target_id=str(meeting_id),
            status=Status.SUCCEEDED,
        )
        .order_by("finished_at", "id")
        .values_list("current", "finished_at", "updated_at")
    )
    if not moves:
        return None
    last = moves[-1]
    return dict(moves[0][0] or {}), last[1] or last[2]


def meeting_people(*, meeting: ZoomMeeting) -> MeetingPeople:
    """Host, scheduler of record and alternative hosts, resolved against the user mirror in one query (two
    once the scheduler is known: the host transfers Zoom Admin made of the meeting)."""
    moves = meeting_moves(meeting_id=meeting.meeting_id) if meeting.scheduler_known else None
    first_host_ref = str(moves[0].get("host_id") or moves[0].get("host_email") or "") if moves else ""
    ids = {meeting.host_zoom_id, meeting.scheduler_of_record_id}
    alternates = meeting.alternative_host_list
    emails = {a for a in alternates if "@" in a} | {a.lower() for a in alternates if "@" in a}
    ids |= {a for a in alternates if "@" not in a}
    if first_host_ref:
        (emails if "@" in first_host_ref else ids).add(first_host_ref)
    ids.discard("")
    users = list(ZoomUser.objects.filter(Q(zoom_id__in=ids) | Q(email__in=emails))) if ids or emails else []
    by_ref = {u.email.lower(): u for u in users} | {u.zoom_id: u for u in users if u.zoom_id}

    def person(ref: str, fallback: str = "") -> Person:
        return Person(ref, by_ref.get(ref) or by_ref.get(ref.lower()), fallback)

    host_fallback = meeting.host_name or meeting.host_email
    first_host = None
    if moves:
        first_host = person(first_host_ref, str(moves[0].get("host_email") or ""))
    return MeetingPeople(
        host=person(meeting.host_zoom_id, host_fallback),
        scheduler=person(meeting.scheduler_of_record_id, host_fallback if not meeting.assistant_id else ""),
        alternative_hosts=[person(a) for a in alternates],
        first_host=first_host,
        moved_at=moves[1] if moves else None,
    )


@dataclass(frozen=True)
class MeetingProfile:
    meeting: ZoomMeeting
    people: MeetingPeople
    repeats: str | None  # how it repeats, in words; None: not known until the meeting is read from Zoom
    occurrences_known: bool  # False: a fixed-time series whose occurrences only GET /meetings/{id} lists
    occurrences: list[Occurrence]
    more_occurrences: int
    start_local: datetime.datetime | None  # the start in the meeting's own time zone
    audit_events: list[Any]


def meeting_profile(*, meeting_id: int) -> MeetingProfile | None:
    """Everything the meeting page shows, in a fixed number of queries; None for an unknown meeting."""
    meeting = meeting_get(meeting_id=meeting_id)
    if meeting is None:
        return None
    occurrences, more = occurrence_list(meeting.occurrences)
    return MeetingProfile(
        meeting=meeting,
        people=meeting_people(meeting=meeting),
        repeats=meeting_repeats(meeting=meeting),
        occurrences_known=bool(occurrences)
        or meeting.details_known
        or meeting.type != ZoomMeeting.Type.RECURRING_FIXED_TIME,
        occurrences=occurrences,
        more_occurrences=more,
        start_local=in_zone(meeting.start_time, meeting.timezone),
        audit_events=audit_history_for_target(target_type="zoom_meeting", target_id=str(meeting.meeting_id)),
    )


def meeting_repeats(*, meeting: ZoomMeeting) -> str | None:
    """How the meeting repeats, in words; None when only reading the meeting from Zoom can tell (the sync's
    meeting lists carry no recurrence, so a fixed-time series looks patternless until then)."""
    if not meeting.is_recurring:
        return "No"
    words = recurrence_in_words(meeting.recurrence)
    if words:
        return words
    if meeting.type == ZoomMeeting.Type.RECURRING_NO_FIXED_TIME:
        return "Recurring with no fixed time: the host can start it whenever they like"
    if meeting.details_known:
        return "Recurring at fixed times (Zoom gave no readable pattern)"
    return None


# --- host transfers ---------------------------------------------------------------------------------------

NEW_HOST_CHOICES = 8  # how many matches the live search of new hosts lists


def new_host_candidates(*, query: str, limit: int = NEW_HOST_CHOICES) -> list[ZoomUser]:
    """Licensed, active users matching `query` (name, email, department), from the mirror, at most
    `limit`, those whose name or email starts with what was typed first. Nothing for an empty query."""
    return user_pick_candidates(query=query, user_type=ZoomUser.Type.LICENSED, status="active", limit=limit)


def new_host_get(*, key: str) -> ZoomUser | None:
    """A user the new-host picker names (email or Zoom id), gone or not: the picker shows what it is."""
    return user_get(key=key)


@dataclass(frozen=True)
class TransferJobDetail:
    job: TransferJob
    items: list[TransferItem]
    progress: dict[str, Any]  # offboarding.transfer_job_progress: counts, left, total, eta

    @property
    def active(self) -> bool:
        """Whether items may still move without an operator's click (the page keeps polling)."""
        return self.job.status in (TransferJob.Status.RUNNING, TransferJob.Status.WAITING)

    @property
    def done_share(self) -> int:
        total = self.progress["total"] or 1
        return round(100 * (self.progress["total"] - self.progress["left"]) / total)


def transfer_job_detail(*, job_id: int) -> TransferJobDetail | None:
    """A transfer job with its items (plan order) and progress; None for an unknown job."""
    job = TransferJob.objects.filter(pk=job_id).first()
    if job is None:
        return None
    items = list(job.items.order_by("start_time", "meeting_id"))
    return TransferJobDetail(job=job, items=items, progress=transfer_job_progress(job))


def transfer_jobs_recent(*, limit: int = 25) -> list[TransferJob]:
    return list(TransferJob.objects.order_by("-created_at", "-id")[:limit])


def transfer_job_items_for_report(*, job_id: int) -> Iterator[TransferItem]:
    """The job's items for its CSV report, streamed in plan order."""
    return TransferItem.objects.filter(job_id=job_id).order_by("start_time", "meeting_id").iterator(1000)


TRANSFER_REPORT_COLUMNS = (
    "meeting_id",
    "topic",
    "start_time_utc",
    "recurring",
    "new_host",
    "status",
    "reason",
    "attempts",
    "change_request",
    "updated_utc",
)


class _Echo:
    def write(self, value: str) -> str:
        return value


def transfer_job_csv_lines(*, job_id: int) -> Iterator[str]:
    """The job's report as CSV lines, one item a line, streamed; every cell safe to open in a spreadsheet
    (csv_cell: no formula injection from a topic or Zoom's answer)."""
    writer = csv.writer(_Echo())
    yield writer.writerow(TRANSFER_REPORT_COLUMNS)
    for item in transfer_job_items_for_report(job_id=job_id):
        values = (
            item.meeting_id,
            item.topic,
            item.start_time.astimezone(datetime.UTC).isoformat() if item.start_time else "",
            "yes" if item.recurring else "no",
            item.new_host,
            item.get_status_display(),
            item.reason,
            item.attempts,
            item.change_request_id or "",
            item.updated_at.astimezone(datetime.UTC).isoformat(),
        )
        yield writer.writerow([csv_cell(value) for value in values])
