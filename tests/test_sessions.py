"""Sessions are Django's database sessions, loaded with one plain SELECT (zoomadmin_site.sessions)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore as DjangoStore
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from zoomadmin_site.sessions import SessionStore


def saved(data: dict) -> str:
    store = SessionStore()
    store.update(data)
    store.save()
    return store.session_key


def test_the_site_uses_it():
    assert settings.SESSION_ENGINE == "zoomadmin_site.sessions"


def test_a_saved_session_loads_as_django_s_does(db, django_assert_num_queries):
    key = saved({"a": 1, "when": "2026-12-01", "nested": {"b": [1, 2]}})
    store = SessionStore(key)
    with django_assert_num_queries(1):
        data = store.load()
    assert data == DjangoStore(key).load() == {"a": 1, "when": "2026-12-01", "nested": {"b": [1, 2]}}
    assert store.session_key == key


def test_an_expired_session_loads_empty_and_gets_a_new_key_when_saved(db):
    key = saved({"a": 1})
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    store = SessionStore(key)
    assert store.load() == {}
    assert store.session_key is None
    store["b"] = 2
    store.save()
    assert store.session_key != key


def test_unknown_and_missing_keys_load_empty(db, django_assert_num_queries):
    assert SessionStore("x" * 32).load() == {}
    with django_assert_num_queries(0):
        assert SessionStore(None).load() == {}


def test_tampered_session_data_loads_empty(db):
    key = saved({"a": 1})
    Session.objects.filter(session_key=key).update(session_data="not-signed")
    assert SessionStore(key).load() == {}


def test_login_survives_requests_and_logout_ends_it(client, alice):
    from tests.conftest import PASSWORD

    client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert client.get(reverse("home")).status_code == 200
    assert client.get(reverse("home")).status_code == 200
    client.post(reverse("logout"))
    assert not Session.objects.filter(session_key=key).exists()
    client.cookies[settings.SESSION_COOKIE_NAME] = key  # a stolen cookie is no good after logout
    assert client.get(reverse("home")).status_code == 302
