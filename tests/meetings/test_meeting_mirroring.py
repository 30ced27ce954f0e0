"""One mapping of a Zoom meeting to its mirror row (meetings/mirroring.py), and one writer of single rows:
the full sync, webhooks and "refresh this row" all go through them, so the same Zoom data makes the same
row whichever way it arrives."""

from __future__ import annotations

import datetime
import logging
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from meetings import mirroring
from meetings.mirroring import HostFacts, meeting_row, meeting_values, mirror_write_meeting
from meetings.models import ZoomMeeting
from tests.mirror.webhook_support import SECRET, make_event, mirrored_meeting, mirrored_user, post_event
from zoomadmin_site.mirror.mapping import Field, FieldMap
from zoomadmin_site.sync import upsert
from zoomadmin_site.zoom import Meeting

pytestmark = pytest.mark.django_db

MEETING_ID = 85010000042
BOOKKEEPING = {"host_name", "details_synced_at", "synced_at", "gone_at"}
# A recurring meeting as Zoom describes it in meeting.created (and GET /meetings/{id}).
ZOOM_MEETING = {
    "uuid": "aDYlohsHRtCd4ii1uC2+hA==",
    "id": MEETING_ID,
    "host_id": "u1",
    "host_email": "ana@example.com",
    "assistant_id": "u7",
    "topic": "Weekly pipeline",
    "type": 8,
    "status": "waiting",
    "start_time": "2030-01-07T10:00:00Z",
    "duration": 45,
    "timezone": "Europe/Berlin",
    "agenda": "Numbers, then risks",
    "created_at": "2029-12-01T09:00:00Z",
    "join_url": f"https://example.zoom.us/j/{MEETING_ID}?pwd=abc",
    "pmi": "3542471135",
    "settings": {"alternative_hosts": "ben@example.com;cy@example.com", "use_pmi": True},
    "recurrence": {"type": 2, "repeat_interval": 1, "weekly_days": "2", "end_times": 10},
    "occurrences": [
        {"occurrence_id": "1894870800000", "start_time": "2030-01-07T10:00:00Z", "duration": 45},
        {"occurrence_id": "1895475600000", "start_time": "2030-01-14T10:00:00Z", "duration": 45},
    ],
}


@pytest.fixture(autouse=True)
def _webhook_secret(settings):
    settings.ZOOM_WEBHOOK_SECRET_TOKEN = SECRET


@pytest.fixture
def host():
    return mirrored_user(zoom_id="u1", email="ana@example.com", display_name="Ana Lima")


def the_row() -> dict[str, Any]:
    """The one meeting row, as the mirror holds it (without its primary key and bookkeeping)."""
    row = ZoomMeeting.objects.values().get()
    skip = {"id", "synced_at", "details_synced_at", "start_sort"}
    return {name: value for name, value in row.items() if name not in skip}


def synced(data: dict[str, Any], host_row) -> dict[str, Any]:
    """The row the full sync writes for `data` in its host's meeting list (typed meeting, bulk upsert)."""
    facts = HostFacts(
        pk=host_row.pk, zoom_id=host_row.zoom_id, email=host_row.email, name=host_row.name, licensed=True
    )
    row = meeting_row(Meeting.from_zoom(data), host=facts, now=timezone.now())
    upsert.upsert(
        upsert.MEETINGS, [row], update_fields=upsert.MEETING_FIELDS_FROM_LISTS, drift=upsert.Drift()
    )
    return pop_the_row()


def pop_the_row() -> dict[str, Any]:
    row = the_row()
    ZoomMeeting.objects.all().delete()
    return row


def result_of(name: str, data: dict[str, Any]) -> str:
    return post_event(Client(), make_event(name, data)).json()["result"]


# --- the mapping -----------------------------------------------------------------------------------------


def test_a_complete_meeting_gives_every_mirror_field():
    values = meeting_values(Meeting.from_zoom(ZOOM_MEETING)).values
    assert set(values) == {*ZoomMeeting.MIRROR_FIELDS, "meeting_id"} - BOOKKEEPING
    assert values["is_pmi"] and values["alternative_hosts"] == "ben@example.com;cy@example.com"
    assert [o["occurrence_id"] for o in values["occurrences"]] == ["1894870800000", "1895475600000"]
    assert values["recurrence"]["weekly_days"] == "2"


def test_a_typed_meeting_and_its_json_map_to_the_same_values():
    assert meeting_values(Meeting.from_zoom(ZOOM_MEETING)).values == meeting_values(ZOOM_MEETING).values


def test_a_partial_meeting_gives_only_the_fields_it_carries_and_never_an_events_occurrences():
    event = {"id": str(MEETING_ID), "topic": "Moved", "occurrences": [{"occurrence_id": "1"}]}
    meeting = meeting_values(event, partial=True)
    assert (meeting.values, meeting.rejected) == ({"meeting_id": MEETING_ID, "topic": "Moved"}, {})


def test_bad_values_are_rejected_with_a_reason_and_the_rest_is_used():
    event = {
        "id": MEETING_ID,
        "duration": -5,
        "start_time": "next tuesday",
        "settings": {"alternative_hosts": 7},
        "recurrence": {"type": 1, "weekly_days": "1\x00"},  # jsonb cannot hold a NUL either
        "timezone": "UTC",
    }
    meeting = meeting_values(event, partial=True)
    assert meeting.values == {"meeting_id": MEETING_ID, "timezone": "UTC"}
    assert set(meeting.rejected) == {"duration", "start_time", "settings.alternative_hosts", "recurrence"}


def test_a_value_the_mirror_cannot_hold_does_not_stop_the_sync(host, caplog):
    listed = {**ZOOM_MEETING, "topic": "t" * 400, "join_url": "https://x/" + "j" * 2000}
    with caplog.at_level(logging.WARNING, logger="meetings.mirroring"):
        row = synced(listed, host)
    assert row["topic"] == "t" * 300 and row["join_url"] == ""  # a topic is cut to fit, as it always was
    assert "join_url" in caplog.text


# --- one mapping, every path -----------------------------------------------------------------------------


def test_the_same_zoom_meeting_makes_the_same_row_by_sync_webhook_and_refresh_writer(host):
    from_sync = synced(ZOOM_MEETING, host)
    assert result_of("meeting.created", ZOOM_MEETING) == "applied"
    from_created = pop_the_row()
    mirrored_meeting(meeting_id=MEETING_ID, topic="Old", host_zoom_id="u9", duration=5)
    assert (
        result_of("meeting.updated", {k: v for k, v in ZOOM_MEETING.items() if k != "occurrences"})
        == "applied"
    )
    from_updated = pop_the_row()
    mirror_write_meeting(meeting_values(Meeting.from_zoom(ZOOM_MEETING)), when=timezone.now(), detailed=True)
    from_refresh = the_row()

    assert (from_sync["host_email"], from_sync["host_name"]) == ("ana@example.com", "Ana Lima")
    assert from_sync["is_pmi"] and from_sync["assistant_id"] == "u7" and len(from_sync["occurrences"]) == 2
    assert from_created == from_sync
    assert from_updated == {**from_sync, "occurrences": []}  # an event's occurrences are not the meeting's
    assert from_refresh == from_sync


def test_a_change_to_the_mapping_reaches_the_mirror_by_sync_webhook_and_refresh_writer(monkeypatch, host):
    """Where a mirror field comes from is said once: here the agenda is taken from Zoom's topic."""
    mapping = [field for field in mirroring.MEETING_FIELDS if field.name != "agenda"]
    monkeypatch.setattr(
        mirroring, "MEETING_FIELDS", FieldMap(ZoomMeeting, *mapping, Field("topic", "agenda"))
    )

    assert synced(ZOOM_MEETING, host)["agenda"] == "Weekly pipeline"
    assert result_of("meeting.created", ZOOM_MEETING) == "applied"
    assert pop_the_row()["agenda"] == "Weekly pipeline"
    mirror_write_meeting(meeting_values(Meeting.from_zoom(ZOOM_MEETING)), when=timezone.now(), detailed=True)
    assert the_row()["agenda"] == "Weekly pipeline"


def test_the_list_sync_keeps_what_only_the_meeting_itself_tells(host):
    mirror_write_meeting(meeting_values(ZOOM_MEETING), when=timezone.now(), detailed=True)
    detailed = the_row()
    listed = {key: ZOOM_MEETING[key] for key in ("uuid", "id", "host_id", "type", "start_time", "duration")}
    facts = HostFacts(pk=host.pk, zoom_id="u1", email=host.email, name=host.name, licensed=True)
    row = meeting_row(Meeting.from_zoom({**listed, "topic": "Renamed"}), host=facts, now=timezone.now())
    upsert.upsert(
        upsert.MEETINGS, [row], update_fields=upsert.MEETING_FIELDS_FROM_LISTS, drift=upsert.Drift()
    )

    after = the_row()
    assert after["topic"] == "Renamed"
    for name in ("assistant_id", "status", "alternative_hosts", "recurrence", "occurrences"):
        assert after[name] == detailed[name], name
    assert ZoomMeeting.objects.get().details_known


# --- the writer ------------------------------------------------------------------------------------------


def test_an_older_event_than_the_row_writes_nothing(host):
    row = mirrored_meeting(topic="Now", synced_at=timezone.now())
    earlier = row.synced_at - datetime.timedelta(seconds=1)
    change = meeting_values({"id": row.meeting_id, "topic": "Old"}, partial=True)
    assert mirror_write_meeting(change, when=earlier) is None
    assert ZoomMeeting.objects.get(pk=row.pk).topic == "Now"


def test_a_host_email_without_the_host_changing_is_not_taken(host):
    mirrored_meeting(meeting_id=MEETING_ID)
    change = meeting_values({"id": MEETING_ID, "host_email": "someone@example.com"}, partial=True)
    mirror_write_meeting(change, when=timezone.now(), create=False)
    assert ZoomMeeting.objects.get().host_email == "ana@example.com"  # it follows the host (host_id)


def test_a_meeting_deleted_is_gone_and_started_leaves_it_so(host):
    mirrored_meeting(meeting_id=MEETING_ID)
    assert result_of("meeting.deleted", {"id": MEETING_ID, "host_id": "u1"}) == "applied"
    assert result_of("meeting.started", {"id": MEETING_ID, "host_id": "u1"}) == "applied"
    meeting = ZoomMeeting.objects.get()
    assert meeting.status == "started" and meeting.gone_at is not None
    assert result_of("meeting.updated", {"id": MEETING_ID, "topic": "Back"}) == "applied"
    assert ZoomMeeting.objects.get().gone_at is None


def test_meeting_created_leaves_a_meeting_already_mirrored_as_it_is(host):
    mirrored_meeting(meeting_id=MEETING_ID, topic="Kept")
    assert result_of("meeting.created", ZOOM_MEETING) == "ignored"
    assert ZoomMeeting.objects.get().topic == "Kept"
