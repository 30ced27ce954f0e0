"""meeting_search: text search, filters (upcoming by default), sorting and keyset paging."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from meetings.models import ZoomMeeting
from meetings.selectors import MEETING_SORTS, meeting_search
from tests.accounts.factories import make_user
from tests.meetings.factories import make_meeting, make_meetings

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def ids(page) -> list[int]:
    return [m.meeting_id for m in page.rows]


@pytest.fixture
def jill(db):
    return make_user(
        zoom_id="30R7kT7bTIKSNUFEuH_Qlg", email="jchill@example.com", first_name="Jill", last_name="Chill"
    )


@pytest.fixture
def standup(jill):
    return make_meeting(jill, meeting_id=97763643886, topic="Daily stand-up: platform team")


@pytest.fixture
def others(db):
    return [make_meeting(topic="Board meeting"), make_meeting(topic="Lunch & learn")]


@pytest.mark.parametrize(
    "query",
    [
        "stand",
        "Stand-up",
        "platform team",
        "PLATFORM",
        "97763643886",
        "7763643",
        "Jill",
        "chill",
        "jchill@example",
        "example.com stand",
        "up:",
        '"daily stand-up"',
    ],
)
def test_search_finds_meeting_by_topic_id_and_host(standup, others, query):
    assert ids(meeting_search(query=query)) == [97763643886]


@pytest.mark.parametrize("query", ["d", "st", "97", "&"])
def test_one_and_two_character_queries_still_work(standup, others, query):
    page = meeting_search(query=query)
    assert page.rows
    for m in page.rows:
        assert query.lower() in f"{m.topic} {m.meeting_id} {m.host_name} {m.host_email}".lower()


def test_upcoming_by_default_and_any_date_on_request(db):
    past = make_meeting(topic="Last week", start_time=timezone.now() - 7 * DAY)
    soon = make_meeting(topic="Tomorrow")
    no_time = make_meeting(
        topic="Any time room", type=ZoomMeeting.Type.RECURRING_NO_FIXED_TIME, start_time=None
    )
    today = timezone.localdate()
    assert ids(meeting_search(start_from=today)) == [soon.meeting_id, no_time.meeting_id]
    assert ids(meeting_search()) == [past.meeting_id, soon.meeting_id, no_time.meeting_id]


def test_date_range_is_inclusive_and_excludes_meetings_without_a_fixed_time(db):
    start = timezone.now().replace(hour=12, minute=0, second=0, microsecond=0)
    inside = [make_meeting(start_time=start + n * DAY) for n in (0, 1, 2)]
    make_meeting(start_time=start + 5 * DAY)
    make_meeting(type=3, start_time=None)
    page = meeting_search(start_from=start.date(), start_to=(start + 2 * DAY).date())
    assert ids(page) == [m.meeting_id for m in inside]


def test_extreme_dates_do_not_overflow(db):
    make_meeting()
    assert meeting_search(start_from=datetime.date.min, start_to=datetime.date.max).count == 1
    assert meeting_search(start_from=datetime.date.max).count == 0


def test_filters_by_type_host_status_recurring_and_pmi(jill, standup, others):
    recurring = make_meeting(jill, type=ZoomMeeting.Type.RECURRING_FIXED_TIME, topic="Weekly 1:1")
    started = make_meeting(status=ZoomMeeting.Status.STARTED, topic="Live now")
    pmi = make_meeting(is_pmi=True, topic="Office hours")
    assert ids(meeting_search(meeting_type=8)) == [recurring.meeting_id]
    assert set(ids(meeting_search(host=jill.zoom_id))) == {standup.meeting_id, recurring.meeting_id}
    assert set(ids(meeting_search(host="JCHILL@example.com"))) == {standup.meeting_id, recurring.meeting_id}
    assert ids(meeting_search(status="started")) == [started.meeting_id]
    assert ids(meeting_search(recurring=True)) == [recurring.meeting_id]
    assert recurring.meeting_id not in ids(meeting_search(recurring=False))
    assert ids(meeting_search(pmi=True)) == [pmi.meeting_id]
    assert pmi.meeting_id not in ids(meeting_search(pmi=False))


def test_gone_meetings_are_hidden_unless_asked_for(db):
    gone = make_meeting(topic="Deleted in Zoom", gone_at=timezone.now())
    assert meeting_search(query="deleted").count == 0
    assert ids(meeting_search(query="deleted", include_gone=True)) == [gone.meeting_id]


@pytest.mark.parametrize("sort", sorted(MEETING_SORTS))
def test_every_sort_order_is_reversible(db, sort):
    make_meetings(4, topic="Same topic")
    make_meetings(3, type=3, start_time=None)
    ascending = [m.pk for m in meeting_search(sort=sort).rows]
    assert [m.pk for m in meeting_search(sort=f"-{sort}").rows] == list(reversed(ascending))
    assert len(ascending) == 7


def test_meetings_without_a_fixed_time_sort_after_dated_ones(db):
    undated = make_meeting(type=3, start_time=None)
    dated = make_meeting(start_time=timezone.now() + 400 * DAY)
    assert ids(meeting_search()) == [dated.meeting_id, undated.meeting_id]


@pytest.mark.parametrize("sort", ["start", "-start", "topic", "-id", "host"])
def test_keyset_paging_has_no_duplicates_or_gaps(db, sort):
    same_time = timezone.now() + 2 * DAY
    make_meetings(15, topic="Tie", start_time=same_time, host_name="Same Host")
    make_meetings(10, type=3, start_time=None)
    make_meetings(8)
    expected = [m.pk for m in meeting_search(sort=sort, page_size=100).rows]
    seen, page = [], meeting_search(sort=sort, page_size=6)
    seen += [m.pk for m in page.rows]
    while page.next_cursor:
        page = meeting_search(sort=sort, page_size=6, after=page.next_cursor)
        seen += [m.pk for m in page.rows]
    assert seen == expected and len(seen) == 33
    back = [m.pk for m in page.rows]
    while page.prev_cursor:
        page = meeting_search(sort=sort, page_size=6, before=page.prev_cursor)
        back = [m.pk for m in page.rows] + back
    assert back == expected


@pytest.mark.parametrize("sort", ["start", "-start", "topic"])
@pytest.mark.parametrize("query", ["meeting", "number 1", "host", "81000", "mee"])
def test_common_term_walk_finds_what_the_index_finds(db, monkeypatch, query, sort):
    """The default order (start time) is unrelated to the text: common terms walk it instead."""
    make_meetings(20)
    make_meetings(5, type=3, start_time=None)
    expected = [m.pk for m in meeting_search(query=query, sort=sort, page_size=100).rows]
    monkeypatch.setattr("zoomadmin_site.search.searching.COUNT_CAP", 3)
    monkeypatch.setattr("zoomadmin_site.search.searching.PG_COMMON_ESTIMATE", 10)
    seen, page = [], meeting_search(query=query, sort=sort, page_size=4)
    seen += [m.pk for m in page.rows]
    while page.next_cursor:
        page = meeting_search(query=query, sort=sort, page_size=4, after=page.next_cursor)
        seen += [m.pk for m in page.rows]
    assert seen == expected and expected


@pytest.fixture
def reviews(jill):
    """Meetings with "review" in the topic in every combination the filters tell apart, and others."""
    now = timezone.now()
    starts = [now - 3 * DAY, now + 2 * DAY, None]  # past, upcoming, no fixed time
    kinds = [
        (ZoomMeeting.Type.SCHEDULED, ""),
        (ZoomMeeting.Type.RECURRING_FIXED_TIME, "started"),
        (3, "waiting"),
    ]
    for n, (start, (kind, status)) in enumerate((s, k) for s in starts for k in kinds):
        make_meeting(
            jill if n % 2 else None, topic=f"Design review {n}", start_time=start, type=kind, status=status
        )
        make_meeting(topic=f"Planning {n}", start_time=start, type=kind, status=status)
    make_meeting(jill, topic="Budget review", is_pmi=True)
    make_meeting(topic="Old review", gone_at=now)
    return list(ZoomMeeting.objects.all())


def upcoming(m: ZoomMeeting) -> bool:
    return m.start_sort >= timezone.now() - DAY


@pytest.mark.parametrize(
    ("filters", "keeps"),
    [
        ({}, lambda m: m.gone_at is None),
        ({"include_gone": True}, lambda m: True),
        ({"meeting_type": 8}, lambda m: m.gone_at is None and m.type == 8),
        (
            {"host": "30R7kT7bTIKSNUFEuH_Qlg"},
            lambda m: m.gone_at is None and m.host_email == "jchill@example.com",
        ),
        (
            {"host": "JChill@Example.com"},
            lambda m: m.gone_at is None and m.host_email == "jchill@example.com",
        ),
        ({"status": "started"}, lambda m: m.gone_at is None and m.status == "started"),
        ({"status": "unknown"}, lambda m: m.gone_at is None and m.status == ""),
        ({"recurring": True}, lambda m: m.gone_at is None and m.type in (3, 8)),
        ({"recurring": False}, lambda m: m.gone_at is None and m.type not in (3, 8)),
        ({"pmi": True}, lambda m: m.gone_at is None and m.is_pmi),
        ({"pmi": False}, lambda m: m.gone_at is None and not m.is_pmi),
        ({"start_from": timezone.localdate()}, lambda m: m.gone_at is None and upcoming(m)),
        (
            {"start_from": timezone.localdate() - 5 * DAY, "start_to": timezone.localdate()},
            lambda m: m.gone_at is None and m.start_time is not None and m.start_sort < timezone.now(),
        ),
    ],
)
@pytest.mark.parametrize(("query", "words"), [("review", ["review"]), ("review 1", ["review", "1"])])
def test_a_text_search_counts_exactly_the_rows_each_filter_keeps(reviews, filters, keeps, query, words):
    """The count comes from the search's own SQL, which words the filters apart from the rows' query."""

    def text(m: ZoomMeeting) -> str:
        return f"{m.topic} {m.meeting_id} {m.host_name} {m.host_email}".lower()

    expected = {m.meeting_id for m in reviews if keeps(m) and all(w in text(m) for w in words)}
    page = meeting_search(query=query, page_size=100, **filters)
    assert (page.count, set(ids(page))) == (len(expected), expected)


def test_a_known_status_repeats_the_status_indexs_condition_word_for_word():
    from meetings.models import KNOWN_STATUS
    from meetings.selectors import STATUS_KNOWN

    assert STATUS_KNOWN.q() == KNOWN_STATUS
