"""Each user.* and meeting.* event Zoom sends changes the mirror, and the same event delivered three times
changes it once."""

from __future__ import annotations

import datetime
import json
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from accounts.models import ZoomUser
from meetings.models import ZoomMeeting
from tests.mirror.webhook_support import (
    MEETING_ID,
    SECRET,
    DjangoTestClientTransport,
    mirrored_user,
    post_event,
)
from zoomadmin_site.mirror.models import SyncRun, WebhookDelivery
from zoomadmin_site.sync.services import sync_run_execute, sync_run_request
from zoomadmin_site.zoom import get_zoom_client

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("webhook_secret")]


def _mirror() -> list[dict[str, Any]]:
    users = list(ZoomUser.objects.order_by("pk").values())
    return users + list(ZoomMeeting.objects.order_by("pk").values())


def _created_user() -> None:
    user = ZoomUser.objects.get(zoom_id="u9")
    assert (user.email, user.display_name, user.type, user.status) == (
        "new.person@example.com",
        "New Person",
        1,
        "pending",  # creation_type "create": invited, not yet accepted
    )


def _created_meeting() -> None:
    meeting = ZoomMeeting.objects.get(meeting_id=MEETING_ID)
    assert (meeting.topic, meeting.host_zoom_id, meeting.host_email, meeting.host_name) == (
        "Kick-off",
        "u1",
        "ana@example.com",
        "Ana Lima",
    )
    assert meeting.start_time == datetime.datetime(2030, 1, 7, 10, 0, tzinfo=datetime.UTC)
    assert meeting.duration == 30


CASES: dict[str, tuple[dict[str, Any], dict[str, Any], Callable[[], None]]] = {
    # event: (mirror row before, payload, what the mirror shows after)
    "user.created": (
        {},
        {
            "creation_type": "create",
            "object": {
                "id": "u9",
                "email": "New.Person@example.com",
                "first_name": "New",
                "last_name": "Person",
                "type": 1,
            },
        },
        _created_user,
    ),
    "user.activated": (
        {"status": "inactive"},
        {"object": {"id": "u1", "email": "ana@example.com"}},
        lambda: assert_status("active"),
    ),
    "user.deactivated": (
        {"status": "active"},
        {"object": {"id": "u1", "email": "ana@example.com"}},
        lambda: assert_status("inactive"),
    ),
    "user.deleted": (
        {},
        {"object": {"id": "u1", "email": "ana@example.com"}},
        lambda: assert_gone(),
    ),
    "meeting.created": (
        {},
        {
            "object": {
                "id": MEETING_ID,
                "uuid": "kQ3x==",
                "host_id": "u1",
                "topic": "Kick-off",
                "type": 2,
                "start_time": "2030-01-07T10:00:00Z",
                "duration": 30,
                "timezone": "UTC",
            }
        },
        _created_meeting,
    ),
}


def assert_status(status: str) -> None:
    user = ZoomUser.objects.get(zoom_id="u1")
    assert user.status == status and user.gone_at is None


def assert_gone() -> None:
    assert ZoomUser.objects.get(zoom_id="u1").gone_at is not None


@pytest.mark.parametrize(
    "request_ids",
    [["zoom-retry-id"] * 3, [""] * 3, ["first", "replayed", ""]],
    ids=["same request id", "no request id", "another request id each time"],
)
@pytest.mark.parametrize("name", list(CASES))
def test_an_event_is_applied_and_three_deliveries_change_the_mirror_once(client, name, request_ids):
    before, payload, check = CASES[name]
    if name != "user.created":
        mirrored_user(**before)
    event = {"event": name, "event_ts": int(time.time() * 1000), "payload": payload}
    ts = int(time.time())  # one signed message: the request id, which the signature leaves out, may vary

    first = post_event(client, event, timestamp=ts, request_id=request_ids[0]).json()["result"]
    check()
    after_first = _mirror()
    again = [post_event(client, event, timestamp=ts, request_id=r).json()["result"] for r in request_ids[1:]]

    assert [first, *again] == ["applied", "duplicate", "duplicate"]
    assert _mirror() == after_first
    assert WebhookDelivery.objects.get().result == "applied"


class TripleDelivery(DjangoTestClientTransport):
    """Delivers every sandbox webhook three times, as Zoom does when it does not hear back in time."""

    def __init__(self) -> None:
        super().__init__()
        self.results: dict[str, list[str]] = {}

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        answers = [super(TripleDelivery, self).handle_request(request) for _ in range(3)]
        if "result" in answers[0].json():  # not the URL validation challenge
            event = json.loads(request.content)["event"]
            self.results.setdefault(event, []).extend(a.json()["result"] for a in answers)
        return answers[0]


def test_sandbox_user_and_meeting_events_each_change_the_mirror_once(zoom_sandbox):
    sync_run_execute(run_id=sync_run_request(trigger=SyncRun.Trigger.CLI).pk)
    zoom_sandbox.set_webhook("http://testserver/zoom/webhooks/", SECRET)
    zoom = get_zoom_client()
    leaving, returning = "tom.fischer@example.com", "grace.lindqvist@example.com"  # active, inactive
    zoom_sandbox.create_user("joiner@example.com", first_name="Jo", last_name="Iner")
    zoom_sandbox.set_user_status(leaving, "inactive")
    zoom.update_user_status(user_id=ZoomUser.objects.get(email=returning).zoom_id, action="activate")
    created = zoom.create_meeting(user_id="dana.whitfield@example.com", topic="Webhook kick-off", duration=30)

    transport = TripleDelivery()
    zoom_sandbox.deliver_webhooks(transport=transport)

    three = ["applied", "duplicate", "duplicate"]
    for name in ("user.created", "user.deactivated", "user.activated", "meeting.created"):
        assert transport.results.get(name) == three, name
    assert ZoomUser.objects.get(email="joiner@example.com").display_name == "Jo Iner"
    assert ZoomUser.objects.get(email=leaving).status == "inactive"
    assert ZoomUser.objects.get(email=returning).status == "active"
    meeting = ZoomMeeting.objects.get(meeting_id=created.id)
    assert meeting.topic == "Webhook kick-off" and meeting.host_email == "dana.whitfield@example.com"
    assert WebhookDelivery.objects.filter(result="applied").count() == 4
