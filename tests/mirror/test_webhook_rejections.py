"""Anybody may POST to /zoom/webhooks/ without logging in, so refusals must not fill the audit log: one
`webhook.rejected` event per source address and reason per window, and a counter row for the rest."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.db import connection

from accounts.models import ZoomUser
from tests.mirror.webhook_support import URL, make_event, mirrored_user, post_body, post_event
from zoomadmin_site.audit.chain import chain_verify
from zoomadmin_site.audit.models import AuditEvent
from zoomadmin_site.mirror.models import WebhookDelivery, WebhookRejection
from zoomadmin_site.sync import rejections
from zoomadmin_site.sync.rejections import rejection_record

pytestmark = pytest.mark.usefixtures("webhook_secret")

WINDOW = 600
T0 = datetime.datetime(2026, 3, 1, 12, 0, 5, tzinfo=datetime.UTC)  # 5 s into a 10-minute window


@pytest.fixture
def one_window(settings):
    """Windows start at multiples of their length since 1970: a window of 10**9 s runs from 2001-09-09
    to 2033-05-18, so a test's requests cannot straddle two."""
    settings.ZOOM_WEBHOOK_REJECTION_WINDOW_SECONDS = 10**9


def _rejected() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="webhook.rejected").order_by("seq"))


def _junk(client, n: int, *, address: str = "203.0.113.7", **kwargs) -> list[int]:
    answers = [client.post(URL, f"junk {i}", "text/plain", REMOTE_ADDR=address, **kwargs) for i in range(n)]
    return [answer.status_code for answer in answers]


@pytest.mark.django_db
def test_a_hundred_junk_posts_make_one_audit_event_and_a_count_of_a_hundred(client, one_window):
    mirrored_user()

    assert _junk(client, 100) == [401] * 100

    [event] = _rejected()
    assert event.outcome == "denied" and event.source_ip == "203.0.113.7"
    assert "from 203.0.113.7" in event.reason and "not logged one by one" in event.reason
    counter = WebhookRejection.objects.get(pk=event.after["counter"])
    assert (counter.source, counter.reason, counter.count) == ("203.0.113.7", "malformed_timestamp", 100)
    assert counter.first_at <= counter.last_at
    assert not WebhookDelivery.objects.exists() and ZoomUser.objects.get().dept == ""
    assert chain_verify().intact


@pytest.mark.django_db
def test_signed_but_unusable_bodies_are_counted_the_same_way(client, one_window):
    answers = [post_body(client, b"[]").status_code for _ in range(20)]
    assert answers == [400] * 20
    [event] = _rejected()
    assert WebhookRejection.objects.get(pk=event.after["counter"]).count == 20


@pytest.mark.django_db
def test_each_address_and_each_reason_gets_its_own_event(client, one_window):
    _junk(client, 5, address="203.0.113.7")
    _junk(client, 5, address="198.51.100.9")
    stale = {"x-zm-request-timestamp": "1000000000", "x-zm-signature": "v0=00"}
    _junk(client, 5, address="203.0.113.7", headers=stale)

    events = _rejected()
    assert sorted((e.after["source"], e.after["reason"]) for e in events) == [
        ("198.51.100.9", "malformed_timestamp"),
        ("203.0.113.7", "malformed_timestamp"),
        ("203.0.113.7", "stale_timestamp"),
    ]
    assert sorted(WebhookRejection.objects.values_list("count", flat=True)) == [5, 5, 5]


@pytest.mark.django_db
def test_accepted_deliveries_are_not_counted(client, one_window):
    mirrored_user()
    assert post_event(client, make_event("user.updated", {"id": "u1", "dept": "Ops"})).status_code == 200
    assert not WebhookRejection.objects.exists() and not _rejected()


@pytest.mark.django_db
def test_the_next_window_opens_with_a_new_event_carrying_the_count_of_the_window_before(settings):
    settings.ZOOM_WEBHOOK_REJECTION_WINDOW_SECONDS = WINDOW
    key = {"source": "203.0.113.7", "reason": "bad_signature", "detail": "x-zm-signature does not match"}

    opened = [rejection_record(**key, now=T0 + datetime.timedelta(seconds=s)) for s in range(0, 590, 10)]
    assert opened == [True] + [False] * 58  # 59 refusals in the window [12:00, 12:10)
    assert rejection_record(**key, now=T0 + datetime.timedelta(seconds=WINDOW)) is True

    first, second = _rejected()
    assert first.after["previous_window"] is None
    assert first.after["window_start"] == "2026-03-01T12:00:00+00:00"
    assert "until 2026-03-01 12:10:00 UTC" in first.reason
    assert second.after["window_start"] == "2026-03-01T12:10:00+00:00"
    assert second.after["previous_window"] == {
        "counter": first.after["counter"],
        "window_start": "2026-03-01T12:00:00+00:00",
        "count": 59,
    }


@pytest.mark.django_db
def test_addresses_beyond_the_first_few_of_a_window_share_one_event(client, one_window, monkeypatch):
    monkeypatch.setattr(rejections, "MAX_ROWS_PER_WINDOW", 3)
    for n in range(10):
        _junk(client, 2, address=f"2001:db8::{n}")

    events = _rejected()
    assert [e.after["source"] for e in events] == ["2001:db8::0", "2001:db8::1", "2001:db8::2", "*"]
    assert "addresses beyond the first few" in events[-1].reason and "from 2001:db8::3" in events[-1].reason
    assert WebhookRejection.objects.get(source="*").count == 14
    assert sum(WebhookRejection.objects.values_list("count", flat=True)) == 20


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite's test database has one writer")
@pytest.mark.django_db(transaction=True)
def test_processes_refusing_at_once_agree_on_one_event_and_the_count(
    client, one_window, audit_triggers_off_for_flush
):
    threads, each = 6, 15
    start = threading.Barrier(threads)
    errors: list[BaseException] = []

    def refuse() -> None:
        try:
            start.wait()
            for _ in range(each):
                rejection_record(source="203.0.113.7", reason="bad_signature", detail="does not match")
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    workers = [threading.Thread(target=refuse) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)

    assert errors == []
    assert len(_rejected()) == 1
    assert WebhookRejection.objects.get().count == threads * each
