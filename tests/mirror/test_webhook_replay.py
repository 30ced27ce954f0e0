"""A delivery is identified by what its signature covers (timestamp and body), not by x-zm-request-id,
which anybody replaying a captured delivery within its five minutes may change or leave out."""

from __future__ import annotations

import time

import pytest

from accounts.models import ZoomUser
from tests.mirror.webhook_support import LONG_AGO, make_event, mirrored_user, post_event
from zoomadmin_site.mirror.models import WebhookDelivery

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("webhook_secret")]


def _dept() -> str:
    return ZoomUser.objects.get(zoom_id="u1").dept


@pytest.mark.parametrize("replayed_id", ["attacker-chosen", ""], ids=["another request id", "none"])
def test_a_captured_delivery_replayed_with_another_request_id_is_not_applied_again(client, replayed_id):
    mirrored_user()
    captured = make_event("user.updated", {"id": "u1", "dept": "Research"})
    ts = int(time.time())
    assert post_event(client, captured, timestamp=ts, request_id="zoom-1").json()["result"] == "applied"
    # Since then the row changed in a way an older event could overwrite (as a sync reconciling it would).
    ZoomUser.objects.filter(zoom_id="u1").update(dept="Since", synced_at=LONG_AGO)

    response = post_event(client, captured, timestamp=ts, request_id=replayed_id)

    assert response.status_code == 200 and response.json() == {"result": "duplicate"}
    assert _dept() == "Since"
    delivery = WebhookDelivery.objects.get()
    assert (delivery.zoom_request_id, delivery.result) == ("zoom-1", "applied")


def test_the_same_event_signed_at_another_time_is_a_new_delivery_that_never_undoes_a_newer_one(client):
    mirrored_user()
    older = make_event("user.updated", {"id": "u1", "dept": "Research"})
    newer = make_event("user.updated", {"id": "u1", "dept": "Sales"})
    newer["event_ts"] = older["event_ts"] + 1000
    ts = int(time.time())

    assert post_event(client, older, timestamp=ts - 2).json()["result"] == "applied"
    resent = post_event(client, older, timestamp=ts - 1)  # as Zoom's retry does: signed anew
    assert resent.json()["result"] == "applied" and _dept() == "Research"  # the same values again
    assert post_event(client, newer, timestamp=ts).json()["result"] == "applied"
    late = post_event(client, older, timestamp=ts + 1)

    assert late.status_code == 200 and late.json()["result"] == "ignored"
    assert _dept() == "Sales"
    assert WebhookDelivery.objects.count() == 4
