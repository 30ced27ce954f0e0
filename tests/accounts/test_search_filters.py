"""The filters a selector describes to the search (zoomadmin_site/search/filters.py): worded in SQL, they
keep exactly the rows that QuerySet.filter() keeps with them."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from meetings.models import ZoomMeeting
from tests.meetings.factories import make_meeting
from zoomadmin_site.search.filters import NOT_GONE, SearchFilters, Where

pytestmark = pytest.mark.django_db
NOW = timezone.now()


def rows_of_own_sql(filters: SearchFilters) -> set[int]:
    conditions, params = filters.sql(ZoomMeeting, connection)
    where = " AND ".join(conditions) or "1 = 1"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM meetings_zoommeeting WHERE {where}", params)
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.parametrize(
    "wheres",
    [
        (),
        (NOT_GONE,),
        (Where("gone_at", "isnull", True, negated=True),),
        (Where("type", "exact", 8),),
        (Where("type", "in", (3, 8)),),
        (Where("type", "in", (3, 8), negated=True),),
        (Where("type", "in", ()),),
        (Where("status", "exact", "", negated=True), Where("status", "exact", "started")),
        (Where("is_pmi", "exact", True),),
        (Where("is_pmi", "exact", False),),
        (Where("start_sort", "gte", NOW), Where("start_sort", "lt", NOW + datetime.timedelta(days=2))),
        (Where("host_email", "in", ("A@example.com", "a@example.com")),),
    ],
)
def test_own_sql_keeps_the_rows_the_orm_keeps(wheres):
    make_meeting(type=8, status="started", start_time=NOW + datetime.timedelta(days=1))
    make_meeting(type=3, start_time=None, is_pmi=True, host_email="a@example.com")
    make_meeting(type=2, start_time=NOW - datetime.timedelta(days=1), gone_at=NOW, status="waiting")
    make_meeting(type=2, start_time=NOW + datetime.timedelta(days=3))
    filters = SearchFilters(wheres)
    kept = set(filters.apply(ZoomMeeting.objects.all()).values_list("id", flat=True))
    assert rows_of_own_sql(filters) == kept


def test_filters_say_which_fields_they_read_and_whether_gone_rows_are_left_out():
    filters = SearchFilters((NOT_GONE, Where("type", "in", (3, 8), negated=True)))
    assert filters.fields == {"gone_at", "type"} and filters.excludes_gone
    assert not SearchFilters((Where("gone_at", "isnull", True, negated=True),)).excludes_gone


@pytest.mark.parametrize(
    ("field", "lookup", "value"),
    [
        ("type", "icontains", "8"),  # not a lookup the search words in SQL
        ("type", "in", [3, 8]),  # a list: IN takes a tuple
        ("type", "exact", (3, 8)),
        ("status", "exact", None),  # isnull says that
        ("gone_at", "isnull", False),  # negate it instead
    ],
)
def test_filters_the_search_cannot_word_are_refused(field, lookup, value):
    with pytest.raises(ValueError, match="search filter"):
        Where(field, lookup, value)


def test_negating_a_filter_on_a_null_column_is_refused():
    """exclude() would also keep the NULLs there, which a plain NOT does not."""
    with pytest.raises(ValueError, match="non-NULL column"):
        SearchFilters((Where("start_time", "lt", NOW, negated=True),)).sql(ZoomMeeting, connection)
