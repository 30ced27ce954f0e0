"""Operators signing in and out, and failed sign-ins, are audited; passwords never are."""

from __future__ import annotations

import logging
import re

import pytest
from django.core import serializers
from django.urls import reverse

from tests.conftest import PASSWORD
from zoomadmin_site.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

WRONG_PASSWORD = "Tr0ub4dor&3-not-it"


def _events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("seq"))


def test_login_is_audited_with_request_id_and_source_ip(client, alice):
    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302
    [event] = _events("auth.login")
    assert (event.actor, event.actor_label, event.outcome) == (alice, "alice", "succeeded")
    assert (event.target_type, event.target_id) == ("operator", "alice")
    assert event.request_id == response["X-Request-ID"]
    assert event.source_ip == "127.0.0.1"


def test_logout_is_audited_with_request_id_and_source_ip(client, alice):
    client.force_login(alice)
    response = client.post(reverse("logout"), REMOTE_ADDR="198.51.100.7")
    [event] = _events("auth.logout")
    assert (event.actor, event.actor_label, event.outcome) == (alice, "alice", "succeeded")
    assert event.request_id == response["X-Request-ID"]
    assert event.source_ip == "198.51.100.7"


def test_logging_out_while_logged_out_records_nothing(client, db):
    client.post(reverse("logout"))
    assert _events("auth.logout") == []


def test_failed_login_records_the_attempted_username_as_actor_and_target(client, alice):
    response = client.post(reverse("login"), {"username": "alice", "password": WRONG_PASSWORD})
    assert response.status_code == 200
    [event] = _events("auth.login_failed")
    assert (event.actor, event.actor_label, event.outcome) == (None, "alice", "failed")
    assert (event.target_type, event.target_id, event.target_label) == ("operator", "alice", "alice")
    assert event.request_id == response["X-Request-ID"]
    assert event.source_ip == "127.0.0.1"


def test_failed_login_for_an_unknown_username_records_a_keyed_hash_instead_of_the_text(client, db):
    client.post(reverse("login"), {"username": "mallory", "password": WRONG_PASSWORD})
    [event] = _events("auth.login_failed")
    assert re.fullmatch(r"unknown username [0-9a-f]{16}", event.actor_label)
    assert event.target_id == event.target_label == event.actor_label
    assert "mallory" not in serializers.serialize("json", AuditEvent.objects.all())


def test_a_password_typed_into_the_username_field_reaches_neither_the_log_nor_the_auditors(
    client, alice, audrey
):
    client.post(reverse("login"), {"username": PASSWORD, "password": "alice"})
    assert PASSWORD not in serializers.serialize("json", AuditEvent.objects.all())
    client.force_login(audrey)
    for page in (reverse("audit:event_list"), reverse("audit:event_export"), reverse("home")):
        assert PASSWORD not in b"".join(client.get(page)).decode(), page


def test_repeated_attempts_with_the_same_unknown_username_correlate(client, db):
    for username in ("mallory", "mallory", "trudy"):
        client.post(reverse("login"), {"username": username, "password": WRONG_PASSWORD})
    first, second, third = (event.actor_label for event in _events("auth.login_failed"))
    assert first == second != third


def test_the_unknown_username_hash_is_keyed_with_the_secret_key(client, db, settings):
    client.post(reverse("login"), {"username": "mallory", "password": WRONG_PASSWORD})
    settings.SECRET_KEY = "another-deployments-secret-key-of-enough-length-0123456789"
    client.post(reverse("login"), {"username": "mallory", "password": WRONG_PASSWORD})
    first, second = (event.actor_label for event in _events("auth.login_failed"))
    assert first != second


def test_no_password_appears_in_the_audit_log_or_the_logs(client, alice, caplog):
    with caplog.at_level(logging.DEBUG):
        client.post(reverse("login"), {"username": "alice", "password": WRONG_PASSWORD})
        client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
        client.post(reverse("logout"))
    assert {e.action for e in AuditEvent.objects.all()} >= {"auth.login_failed", "auth.login", "auth.logout"}
    dumped = serializers.serialize("json", AuditEvent.objects.all())
    for secret in (WRONG_PASSWORD, PASSWORD, "****"):
        assert secret not in dumped
        assert secret not in caplog.text
