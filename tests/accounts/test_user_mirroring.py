"""One mapping of a Zoom user to its mirror row (accounts/mirroring.py), and one writer of single rows: the
full sync, webhooks and "refresh this row" all go through them, so the same Zoom data makes the same row
whichever way it arrives."""

from __future__ import annotations

import datetime
import logging
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts import mirroring
from accounts.mirroring import (
    NO_EMAIL,
    mirror_write_user,
    released_email,
    user_row,
    user_values,
)
from accounts.models import ZoomUser
from tests.mirror.webhook_support import SECRET, make_event, mirrored_user, post_event
from zoomadmin_site.mirror.mapping import Field, FieldMap
from zoomadmin_site.sandbox import SCENARIOS
from zoomadmin_site.sync.services import mirror_refresh_user
from zoomadmin_site.sync.upsert import Drift, upsert_users
from zoomadmin_site.zoom import ZoomUser as ZoomApiUser

pytestmark = pytest.mark.django_db

LONG_AGO = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
BOOKKEEPING = {"synced_at", "gone_at"}
# A user as GET /users lists them (field names and formats as Zoom sends them).
ZOOM_USER = {
    "id": "KDcuGIm1QgePTO8WbOqwIQ",
    "first_name": "Jill",
    "last_name": "Chill",
    "display_name": "Jill Chill",
    "email": "Jill.Chill@Example.com",
    "type": 2,
    "pmi": 3542471135,
    "timezone": "Asia/Shanghai",
    "verified": 1,
    "dept": "Field Sales",
    "created_at": "2019-06-01T07:58:03Z",
    "user_created_at": "2019-06-01T07:58:03Z",
    "last_login_time": "2024-03-25T05:40:55Z",
    "language": "en-US",
    "role_id": "2",
    "status": "inactive",
}


@pytest.fixture(autouse=True)
def _webhook_secret(settings):
    settings.ZOOM_WEBHOOK_SECRET_TOKEN = SECRET


def the_row() -> dict[str, Any]:
    """The one user row, as the mirror holds it (without its primary key and when it was written)."""
    row = ZoomUser.objects.values().get()
    return {name: value for name, value in row.items() if name not in {"id", "synced_at", "last_login_sort"}}


def synced(data: dict[str, Any]) -> dict[str, Any]:
    """The row the full sync writes for `data` (the client's typed user, bulk upsert)."""
    upsert_users([user_row(ZoomApiUser.from_zoom(data), now=timezone.now())], drift=Drift())
    row = the_row()
    ZoomUser.objects.all().delete()
    return row


def by_webhook(name: str, data: dict[str, Any], **payload: Any) -> dict[str, Any]:
    assert post_event_result(name, data, **payload) == "applied"
    row = the_row()
    ZoomUser.objects.all().delete()
    return row


def post_event_result(name: str, data: dict[str, Any], **payload: Any) -> str:
    from django.test import Client

    return post_event(Client(), make_event(name, data, **payload)).json()["result"]


# --- the mapping -----------------------------------------------------------------------------------------


def test_a_complete_user_gives_every_mirror_field():
    values = user_values(ZoomApiUser.from_zoom(ZOOM_USER)).values
    assert set(values) == {*ZoomUser.MIRROR_FIELDS, "email"} - BOOKKEEPING
    assert values["email"] == "jill.chill@example.com"  # as the mirror keeps emails: lowercase
    assert values["created_at"] == datetime.datetime(2019, 6, 1, 7, 58, 3, tzinfo=datetime.UTC)
    assert values["last_login"] == datetime.datetime(2024, 3, 25, 5, 40, 55, tzinfo=datetime.UTC)


def test_a_typed_user_and_its_json_map_to_the_same_values():
    assert user_values(ZoomApiUser.from_zoom(ZOOM_USER)).values == user_values(ZOOM_USER).values


def test_a_partial_user_gives_only_the_fields_it_carries():
    user = user_values({"id": "u1", "dept": "Research", "type": "1"}, partial=True)
    assert (user.values, user.rejected) == ({"zoom_id": "u1", "dept": "Research", "type": 1}, {})


def test_a_complete_user_without_names_sorts_by_email_and_takes_the_lists_status():
    values = user_values(ZoomApiUser(id="", email="Invitee@Example.com"), status="pending").values
    assert (values["zoom_id"], values["display_name"], values["status"]) == (
        None,
        "invitee@example.com",
        "pending",
    )


def test_bad_values_are_rejected_with_a_reason_and_the_rest_is_used():
    data = {"id": "u1", "type": "abc", "pmi": 10**30, "dept": "R&D\x00", "email": "nobody", "timezone": "UTC"}
    partial = user_values(data, partial=True)
    assert partial.values == {"zoom_id": "u1", "timezone": "UTC"}
    assert set(partial.rejected) == {"type", "pmi", "dept", "email"}
    complete = user_values(data)  # a read: the fields rejected keep their defaults, the row stays whole
    assert (complete.values["type"], complete.values["pmi"], complete.values["dept"]) == (1, None, "")
    assert "email" not in complete.values


def test_a_user_without_an_email_is_not_synced_and_the_reason_is_logged(caplog):
    with caplog.at_level(logging.WARNING, logger="accounts.mirroring"):
        assert user_row(ZoomApiUser(id="u1", email=""), now=timezone.now()) is None
    assert NO_EMAIL in caplog.text


def test_a_value_the_mirror_cannot_hold_does_not_stop_the_sync(caplog):
    zoom_user = ZoomApiUser(id="u1", email="a@example.com", first_name="Ann", display_name="x" * 401)
    with caplog.at_level(logging.WARNING, logger="accounts.mirroring"):
        upsert_users([user_row(zoom_user, now=timezone.now())], drift=Drift())
    assert ZoomUser.objects.get(zoom_id="u1").display_name == "Ann"
    assert "display_name" in caplog.text


# --- one mapping, every path -----------------------------------------------------------------------------


def test_the_same_zoom_user_makes_the_same_row_by_sync_webhook_and_refresh_writer():
    from_sync = synced(ZOOM_USER)
    from_created = by_webhook("user.created", ZOOM_USER, creation_type="custCreate")
    mirrored_user(zoom_id=ZOOM_USER["id"], email="old@example.com", display_name="Old", dept="Old")
    from_updated = by_webhook("user.updated", ZOOM_USER)
    mirror_write_user(user_values(ZOOM_USER), when=timezone.now(), take_email=True)
    from_refresh = the_row()

    assert from_sync["email"] == "jill.chill@example.com" and from_sync["status"] == "inactive"
    assert from_created == from_sync
    assert from_updated == from_sync
    assert from_refresh == from_sync


def test_a_field_added_to_the_mapping_reaches_the_mirror_by_sync_webhook_and_refresh(
    monkeypatch, zoom_sandbox
):
    """Where a mirror field comes from is said once: here the department is taken from Zoom's job title."""
    mapping = [field for field in mirroring.USER_FIELDS if field.name != "dept"]
    monkeypatch.setattr(mirroring, "USER_FIELDS", FieldMap(ZoomUser, *mapping, Field("job_title", "dept")))

    assert synced({**ZOOM_USER, "job_title": "Pilot"})["dept"] == "Pilot"

    mirrored_user(zoom_id="u1", dept="Before")
    assert (
        post_event_result("user.updated", {"id": "u1", "job_title": "Navigator", "dept": "Ignored"})
        == "applied"
    )
    assert ZoomUser.objects.get(zoom_id="u1").dept == "Navigator"

    email = SCENARIOS["new_host"]["email"]
    zoom_sandbox.update_user(email, job_title="Engineer", dept="Ignored too")
    assert mirror_refresh_user(user_key=email).dept == "Engineer"


# --- the writer ------------------------------------------------------------------------------------------


def test_an_older_read_or_event_than_the_row_writes_nothing():
    row = mirrored_user(dept="Now", synced_at=timezone.now())
    earlier = row.synced_at - datetime.timedelta(seconds=1)
    assert mirror_write_user(user_values({"id": "u1", "dept": "Old"}, partial=True), when=earlier) is None
    assert ZoomUser.objects.get(pk=row.pk).dept == "Now"


def test_a_read_takes_an_email_another_row_still_holds_an_event_does_not():
    mirrored_user(zoom_id="u1", email="ana@example.com")
    ben = mirrored_user(zoom_id="u2", email="ben@example.com")
    change = user_values({"id": "u1", "email": "ben@example.com"}, partial=True)

    with pytest.raises(IntegrityError), transaction.atomic():
        mirror_write_user(change, when=timezone.now())

    read = user_values({**ZOOM_USER, "id": "u1", "email": "ben@example.com"})
    mirror_write_user(read, when=timezone.now(), take_email=True)
    assert ZoomUser.objects.get(zoom_id="u1").email == "ben@example.com"
    assert ZoomUser.objects.get(zoom_id="u2").email == released_email("ben@example.com", pk=ben.pk)


def test_a_pending_user_named_with_an_id_is_the_same_row_and_takes_the_id():
    pending = mirrored_user(zoom_id=None, email="olivia@example.com", status="pending")
    user = user_values({"id": "u5", "email": "olivia@example.com", "status": "active"}, partial=True)
    assert mirror_write_user(user, when=timezone.now(), create=False) == pending.pk
    assert ZoomUser.objects.filter(pk=pending.pk, zoom_id="u5", status="active").exists()


def test_an_event_about_a_user_not_mirrored_creates_nothing():
    user = user_values({"id": "u9", "email": "new@example.com", "dept": "Ops"}, partial=True)
    assert mirror_write_user(user, when=timezone.now(), create=False) is None
    assert not ZoomUser.objects.exists()


def test_a_user_deleted_then_activated_is_gone_then_back():
    mirrored_user()
    assert post_event_result("user.deleted", {"id": "u1", "email": "ana@example.com"}) == "applied"
    assert ZoomUser.objects.get(zoom_id="u1").gone_at is not None
    assert post_event_result("user.activated", {"id": "u1", "email": "ana@example.com"}) == "applied"
    back = ZoomUser.objects.get(zoom_id="u1")
    assert (back.gone_at, back.status) == (None, "active")


def test_user_created_leaves_a_user_already_mirrored_as_it_is():
    mirrored_user(dept="Kept")
    event = {"id": "u1", "email": "ana@example.com", "first_name": "Other"}
    assert post_event_result("user.created", event, creation_type="create") == "ignored"
    assert ZoomUser.objects.get(zoom_id="u1").dept == "Kept"


def test_an_empty_id_is_no_id_and_never_overwrites_the_one_the_mirror_knows():
    mirrored_user()
    event = {"id": "", "email": "ana@example.com", "dept": "Ops"}
    assert post_event_result("user.updated", event) == "applied"
    assert ZoomUser.objects.filter(zoom_id="u1", dept="Ops").exists()
