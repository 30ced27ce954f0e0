"""The text-search index stays in step with every kind of write, including the sync's bulk upserts."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import ZoomUser
from accounts.search import USER_SEARCH
from accounts.selectors import user_search
from meetings.models import ZoomMeeting
from meetings.search import MEETING_SEARCH
from meetings.selectors import meeting_search
from tests.accounts.factories import make_user, user_fields
from tests.meetings.factories import make_meeting, meeting_fields
from zoomadmin_site.search.filters import NO_FILTERS, NOT_GONE, SearchFilters, Where
from zoomadmin_site.search.index import (
    ensure_search_indexes,
    rebuild_search_index,
    search_index_is_consistent,
)

pytestmark = pytest.mark.django_db
SPECS = (USER_SEARCH, MEETING_SEARCH)
sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="FTS5 is SQLite's index")
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_trgm is PostgreSQL's index")


def found(query: str) -> list[str]:
    return [u.email for u in user_search(query=query, include_gone=True).rows]


def subquery(sql: str) -> str:
    """The subquery in `... IN (SELECT ...)`: the walk for a page's ids (keyset.fetch_page's ids_first)."""
    start = sql.index(" IN (SELECT") + 4
    depth = 0
    for end, char in enumerate(sql[start:], start):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0:
            return sql[start + 1 : end]
    raise AssertionError(sql)


def common_term_walk(monkeypatch, text_test: str) -> str:
    """The SQL of the walk for a page of upcoming meetings matching a common term (its text test reads
    `text_test`: strpos on PostgreSQL, LIKE on SQLite)."""
    from django.test.utils import CaptureQueriesContext

    from tests.meetings.factories import make_meetings

    monkeypatch.setattr("zoomadmin_site.search.searching.COUNT_CAP", 3)  # "meeting" is then a common term
    make_meetings(60)
    with CaptureQueriesContext(connection) as queries:
        page = meeting_search(query="meeting", start_from=timezone.localdate(), page_size=5)
    assert len(page.rows) == 5
    return subquery(next(q["sql"] for q in queries if text_test in q["sql"] and " IN (SELECT" in q["sql"]))


def assert_consistent():
    assert search_index_is_consistent(USER_SEARCH)
    assert search_index_is_consistent(MEETING_SEARCH)


def test_index_follows_save_update_and_delete():
    user = make_user(first_name="Marguerite", email="mdupont@example.com")
    assert found("marguer") == ["mdupont@example.com"]
    user.first_name, user.display_name = "Margot", "Margot Dupont"
    user.save()
    assert found("marguer") == [] and found("margot") == ["mdupont@example.com"]
    ZoomUser.objects.filter(pk=user.pk).update(dept="Astronomy")
    assert found("astronom") == ["mdupont@example.com"]
    user.delete()
    assert found("margot") == []
    assert_consistent()


def test_index_follows_the_syncs_bulk_upsert_and_pending_users_getting_an_id():
    """The recipe in accounts/models.py: upsert by email, then mark what the run did not see as gone."""
    first_run = timezone.now() - datetime.timedelta(hours=1)
    rows = [
        ZoomUser(
            **user_fields(email="pending@example.com", zoom_id=None, status="pending", synced_at=first_run)
        ),
        ZoomUser(**user_fields(email="leaver@example.com", first_name="Leaver", synced_at=first_run)),
    ]
    ZoomUser.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["email"], update_fields=ZoomUser.MIRROR_FIELDS
    )
    second_run = timezone.now()
    accepted = ZoomUser(
        **user_fields(
            email="pending@example.com", zoom_id="NewZoomId42", first_name="Priya", synced_at=second_run
        )
    )
    ZoomUser.objects.bulk_create(
        [accepted], update_conflicts=True, unique_fields=["email"], update_fields=ZoomUser.MIRROR_FIELDS
    )
    ZoomUser.objects.filter(gone_at__isnull=True, synced_at__lt=second_run).update(gone_at=second_run)

    assert ZoomUser.objects.count() == 2
    assert found("NewZoomId42") == ["pending@example.com"] and found("priya") == ["pending@example.com"]
    assert [u.email for u in user_search(query="leaver").rows] == []  # gone: hidden by default
    assert found("leaver") == ["leaver@example.com"]
    assert_consistent()


def test_meeting_index_follows_bulk_upsert_of_changed_topics():
    meeting = make_meeting(topic="Quarterly budget review")
    assert [m.meeting_id for m in meeting_search(query="budget").rows] == [meeting.meeting_id]
    changed = ZoomMeeting(**meeting_fields(meeting_id=meeting.meeting_id, topic="Annual roadmap"))
    ZoomMeeting.objects.bulk_create(
        [changed],
        update_conflicts=True,
        unique_fields=["meeting_id"],
        update_fields=ZoomMeeting.MIRROR_FIELDS,
    )
    assert meeting_search(query="budget").rows == []
    assert [m.meeting_id for m in meeting_search(query="roadmap").rows] == [meeting.meeting_id]
    assert [m.topic for m in meeting_search(query=str(meeting.meeting_id)[3:9]).rows] == ["Annual roadmap"]
    assert_consistent()


@sqlite_only
def test_missing_triggers_are_recreated_and_the_index_rebuilt_after_migrate():
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER accounts_zoomuser_fts_ai")
    make_user(first_name="Unindexed", email="late@example.com")  # written while the trigger was missing
    assert found("unindexed") == []
    assert ensure_search_indexes(SPECS, using="default") == ["accounts_zoomuser"]
    assert found("unindexed") == ["late@example.com"]
    assert ensure_search_indexes(SPECS, using="default") == []  # nothing to do the second time
    assert_consistent()


@sqlite_only
def test_a_missing_walk_index_is_recreated_after_migrate():
    """Django's SQLite schema editor rebuilds a table without the indexes its models do not declare."""
    name = MEETING_SEARCH.walk_index(("start_sort",))
    with connection.cursor() as cursor:
        cursor.execute(f"DROP INDEX {name}")
        ensure_search_indexes(SPECS, using="default")
        cursor.execute("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = %s", [name])
        (sql,) = cursor.fetchone()
    assert "(start_sort, id, topic, meeting_id, host_name, host_email) WHERE gone_at IS NULL" in sql


def test_rebuild_is_harmless():
    make_user(first_name="Rebuilt")
    rebuild_search_index(USER_SEARCH)
    assert len(found("rebuilt")) == 1


@sqlite_only
def test_sqlite_search_reads_the_fts5_trigram_index():
    from zoomadmin_site.search.searching import text_search

    qs = text_search(ZoomUser.objects.all(), USER_SEARCH, ["chill"], filters=NO_FILTERS).rows
    assert "accounts_zoomuser_fts VIRTUAL TABLE INDEX" in qs.explain()


@postgres_only
@pytest.mark.parametrize(("spec", "model"), [(USER_SEARCH, ZoomUser), (MEETING_SEARCH, ZoomMeeting)])
def test_postgres_search_can_use_the_trigram_gin_index(spec, model):
    from zoomadmin_site.search.searching import text_search

    qs = text_search(model.objects.all(), spec, ["chill"], filters=NO_FILTERS).rows
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    assert spec.pg_text_index in qs.explain()


@postgres_only
def test_postgres_search_text_is_the_lowercase_of_the_searched_columns():
    from tests.accounts.factories import make_user

    user = make_user(display_name="Ünïcode ADA", email="Ada.King@Example.com", dept="R&D", zoom_id="AbC")
    with connection.cursor() as cursor:
        cursor.execute("SELECT search_text FROM accounts_zoomuser WHERE id = %s", [user.pk])
        (text,) = cursor.fetchone()
    assert "ünïcode ada" in text and "ada.king@example.com" in text and "r&d" in text and "abc" in text


@postgres_only
def test_postgres_walks_the_start_time_through_the_covering_index_alone(monkeypatch):
    """Common terms walk upcoming meetings by start time testing each row's text: an index-only scan.
    Only index-only scans are left to the planner: on a small table whose pages earlier tests left not
    all-visible (the sync's VACUUM makes them so), it may as well read the narrower start_sort index and
    the table, which says nothing about the walk's SQL."""
    monkeypatch.setattr("zoomadmin_site.search.searching.PG_COMMON_ESTIMATE", 10)
    walk = common_term_walk(monkeypatch, "strpos")
    with connection.cursor() as cursor:
        for scan in ("seqscan", "bitmapscan", "indexscan"):
            cursor.execute(f"SET LOCAL enable_{scan} = off")
        cursor.execute(f"EXPLAIN {walk}")
        plan = " ".join(row[0] for row in cursor.fetchall())
    assert f"Index Only Scan using {MEETING_SEARCH.walk_index(('start_sort',))}" in plan


@sqlite_only
def test_sqlite_walks_the_start_time_through_the_walk_index_alone(monkeypatch):
    """Common terms walk upcoming meetings by start time checking each row's text: every column the
    walk reads comes from the walk index, none from the table (EXPLAIN's bytecode)."""
    walk = common_term_walk(monkeypatch, "LIKE")
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {walk}")
        plan = " ".join(str(row) for row in cursor.fetchall())
        cursor.execute(f"EXPLAIN {walk}")
        program = cursor.fetchall()  # (addr, opcode, p1, p2, p3, p4, ...)
    assert f"USING INDEX {MEETING_SEARCH.walk_index(('start_sort',))}" in plan
    index_cursors = {row[2] for row in program if row[1] == "OpenRead" and str(row[5]).startswith("k(")}
    read = {row[2] for row in program if row[1] == "Column"}
    assert read and read <= index_cursors


def counting_plan(spec, matches) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The tables are nearly empty: any index would do for a LIMIT, so only an index that serves
            # the LIKE (a bitmap scan) is left to the planner.
            for scan in ("seqscan", "indexscan", "indexonlyscan"):
                cursor.execute(f"SET LOCAL enable_{scan} = off")
            cursor.execute(f"EXPLAIN {matches.capped(['id'], 1001)}", matches.params)
            return " ".join(row[0] for row in cursor.fetchall())
        cursor.execute(f"EXPLAIN QUERY PLAN {matches.capped(['id'], 1001)}", matches.params)
        return " | ".join(row[3] for row in cursor.fetchall())


@sqlite_only
@pytest.mark.parametrize("terms", [["meeting"], ["meeting", "ab"]])
def test_sqlite_counts_with_the_fts5_index_as_the_outer_loop(terms):
    """The index's matches drive the counting query, each looked up in the table by id, so that its
    LIMIT stops reading matches at the cap (no list of every match first, no other order)."""
    from zoomadmin_site.search.searching import matches_sql

    filters = SearchFilters(
        (NOT_GONE, Where("start_sort", "gte", timezone.now()), Where("is_pmi", "exact", False))
    )
    matches = matches_sql(filters.apply(ZoomMeeting.objects.all()), MEETING_SEARCH, terms, filters=filters)
    scan, search = counting_plan(MEETING_SEARCH, matches).split(" | ")
    assert scan.startswith(f"SCAN {MEETING_SEARCH.fts_table} VIRTUAL TABLE INDEX")
    assert search == f"SEARCH {MEETING_SEARCH.table} USING INTEGER PRIMARY KEY (rowid=?)"


@postgres_only
@pytest.mark.parametrize(("spec", "model"), [(USER_SEARCH, ZoomUser), (MEETING_SEARCH, ZoomMeeting)])
def test_postgres_counts_through_the_trigram_gin_index(spec, model):
    from zoomadmin_site.search.searching import matches_sql

    matches = matches_sql(model.objects.all(), spec, ["chill", "x"], filters=NO_FILTERS)
    assert f"Bitmap Index Scan on {spec.pg_text_index}" in counting_plan(spec, matches)


@pytest.mark.parametrize(
    ("wheres", "covered"),
    [
        ((NOT_GONE,), True),
        ((NOT_GONE, Where("start_sort", "gte", datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC))), True),
        ((NOT_GONE, Where("topic", "exact", "x")), True),  # a searched column: in the index
        ((), False),  # gone meetings too: the walk index holds none
        ((Where("gone_at", "isnull", True, negated=True),), False),
        ((NOT_GONE, Where("is_pmi", "exact", True)), False),  # a column the index does not hold
        ((NOT_GONE, Where("type", "in", (8, 9))), False),
        ((NOT_GONE, Where("is_pmi", "exact", True, negated=True)), False),
    ],
)
def test_the_walk_index_covers_a_walk_only_when_it_holds_every_filtered_column(wheres, covered):
    from zoomadmin_site.search.searching import _sqlite_walk_covered

    filters = SearchFilters(wheres)
    assert _sqlite_walk_covered(MEETING_SEARCH, ["start_sort"], filters) is covered
    assert _sqlite_walk_covered(MEETING_SEARCH, ["topic"], filters) is False  # no walk index for this order


@postgres_only
@pytest.mark.usefixtures("audit_triggers_off_for_flush")  # a transactional test: the flush truncates
def test_postgres_search_tables_are_vacuumed_after_a_full_sync_outside_a_transaction():
    from zoomadmin_site.search.index import vacuum_search_tables

    vacuum_search_tables(SPECS)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_stat_user_tables WHERE last_vacuum IS NOT NULL AND relname = ANY(%s)",
            [[USER_SEARCH.table, MEETING_SEARCH.table]],
        )
        assert {name for (name,) in cursor.fetchall()} == {USER_SEARCH.table, MEETING_SEARCH.table}
