"""Sessions are Django's cached_db sessions: kept in the database, read through the shared cache, and gone
from both the moment the operator logs out."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.sessions.backends.cached_db import SessionStore
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.urls import reverse
from django.utils import timezone

from tests.conftest import PASSWORD


def saved(data: dict) -> str:
    store = SessionStore()
    store.update(data)
    store.save()
    return store.session_key


def cached(key: str) -> bool:
    return SessionStore.cache_key_prefix + key in caches[settings.SESSION_CACHE_ALIAS]


def log_in(client) -> str:
    client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def test_the_site_uses_django_s_cached_db_sessions():
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.cached_db"


def test_a_saved_session_is_read_from_the_cache_without_a_query(db, django_assert_num_queries):
    key = saved({"a": 1, "nested": {"b": [1, 2]}})
    with django_assert_num_queries(0):
        assert SessionStore(key).load() == {"a": 1, "nested": {"b": [1, 2]}}


def test_a_session_missing_from_the_cache_is_read_from_the_database_and_cached_again(
    db, django_assert_num_queries
):
    key = saved({"a": 1})
    caches[settings.SESSION_CACHE_ALIAS].clear()
    with django_assert_num_queries(1):
        assert SessionStore(key).load() == {"a": 1}
    assert cached(key)


def test_an_expired_session_loads_empty(db):
    key = saved({"a": 1})
    caches[settings.SESSION_CACHE_ALIAS].clear()
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    assert SessionStore(key).load() == {}


def test_login_survives_requests_and_logout_ends_it(client, alice):
    key = log_in(client)
    assert cached(key) and Session.objects.filter(session_key=key).exists()
    assert client.get(reverse("home")).status_code == 200
    assert client.get(reverse("home")).status_code == 200
    client.post(reverse("logout"))
    assert not Session.objects.filter(session_key=key).exists()
    assert not cached(key)
    client.cookies[settings.SESSION_COOKIE_NAME] = key  # a stolen cookie is no good after logout
    assert client.get(reverse("home")).status_code == 302


def test_logging_in_moves_the_visitor_to_a_new_session_and_retires_the_old_one(client, alice):
    before = saved({"visited": True})  # a session fixed before login (say, planted by an attacker)
    client.cookies[settings.SESSION_COOKIE_NAME] = before
    after = log_in(client)
    assert after != before
    assert not cached(before) and not Session.objects.filter(session_key=before).exists()
    client.cookies[settings.SESSION_COOKIE_NAME] = before
    assert client.get(reverse("home")).status_code == 302
