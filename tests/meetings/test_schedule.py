"""Recurrence and occurrences in words, read defensively from Zoom's JSON."""

from __future__ import annotations

import datetime

import pytest

from meetings.schedule import in_zone, occurrence_list, recurrence_in_words


@pytest.mark.parametrize(
    ("recurrence", "words"),
    [
        ({"type": 1, "repeat_interval": 1}, "Every day"),
        ({"type": 1, "repeat_interval": 3, "end_times": 4}, "Every 3 days, 4 times"),
        ({"type": 2, "weekly_days": "1"}, "Every week on Sunday"),
        (
            {"type": 2, "repeat_interval": 2, "weekly_days": "2,4,6"},
            "Every 2 weeks on Monday, Wednesday and Friday",
        ),
        (
            {"type": 3, "monthly_day": 15, "end_date_time": "2030-06-01T00:00:00Z"},
            "Every month on day 15, until 2030-06-01",
        ),
        ({"type": 3, "monthly_week": -1, "monthly_week_day": 6}, "Every month on the last Friday"),
        ({"type": 9}, ""),
        ({"type": "x", "repeat_interval": "y"}, ""),
        ({"type": 2, "weekly_days": "<b>,99"}, "Every week"),
        ("not a dict", ""),
        (None, ""),
    ],
)
def test_recurrence_in_words(recurrence, words):
    assert recurrence_in_words(recurrence) == words


def test_occurrences_tolerate_odd_entries_and_are_capped():
    items = [{"occurrence_id": n, "start_time": "2030-01-01T10:00:00Z", "duration": "60"} for n in range(60)]
    items += ["junk", None, {"start_time": "0001-01-01T00:00:00+14:00"}]
    shown, more = occurrence_list(items)
    assert len(shown) == 50 and more == 11
    assert (
        shown[0].start_time == datetime.datetime(2030, 1, 1, 10, tzinfo=datetime.UTC)
        and shown[0].duration == 60
    )
    assert occurrence_list({"not": "a list"}) == ([], 0)
    assert occurrence_list([{"start_time": "0001-01-01T00:00:00+14:00"}])[0][0].start_time is None


@pytest.mark.parametrize("zone", ["", "Not/AZone", "../../etc/passwd", "Europe", "x\x00"])
def test_unusable_time_zones_give_no_local_time(zone):
    assert in_zone(datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC), zone) is None


def test_local_time_in_the_meetings_zone():
    local = in_zone(datetime.datetime(2030, 1, 1, 12, tzinfo=datetime.UTC), "Asia/Tokyo")
    assert (local.hour, str(local.tzinfo)) == (21, "Asia/Tokyo")
