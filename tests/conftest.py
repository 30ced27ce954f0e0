"""Shared fixtures: operator personas (one per role, plus one with no role) and their logged-in clients.

Personas, as in every permission test:
- Alice: IT admin (browse, refresh the mirror, request role changes, transfer hosts)
- Morgan: Manager (browse, approve role requests); Nina: a second Manager
- Audrey: Auditor (browse, audit log)
- Charlie: logged in but in no group (sees nothing)
- Root: superuser
"""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # ORM beside Playwright's sync API (tests only)

PASSWORD = "correct-horse-battery"


def _make_operator(django_user_model, username: str, group: str | None = None, **extra):
    from django.contrib.auth.models import Group

    from zoomadmin_site.roles import ensure_operator_groups

    ensure_operator_groups()
    user = django_user_model.objects.create_user(
        username=username, password=PASSWORD, email=f"{username}@ops.example.com", **extra
    )
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def alice(db, django_user_model):
    from zoomadmin_site.roles import IT_ADMIN

    return _make_operator(django_user_model, "alice", IT_ADMIN)


@pytest.fixture
def morgan(db, django_user_model):
    from zoomadmin_site.roles import MANAGER

    return _make_operator(django_user_model, "morgan", MANAGER)


@pytest.fixture
def nina(db, django_user_model):
    from zoomadmin_site.roles import MANAGER

    return _make_operator(django_user_model, "nina", MANAGER)


@pytest.fixture
def audrey(db, django_user_model):
    from zoomadmin_site.roles import AUDITOR

    return _make_operator(django_user_model, "audrey", AUDITOR)


@pytest.fixture
def charlie(db, django_user_model):
    return _make_operator(django_user_model, "charlie")


@pytest.fixture
def root(db, django_user_model):
    return _make_operator(django_user_model, "root", is_superuser=True, is_staff=True)


def _client_for(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def alice_client(client, alice):
    return _client_for(client, alice)


@pytest.fixture
def morgan_client(client, morgan):
    return _client_for(client, morgan)


@pytest.fixture
def audrey_client(client, audrey):
    return _client_for(client, audrey)


@pytest.fixture
def charlie_client(client, charlie):
    return _client_for(client, charlie)


@pytest.fixture
def root_client(client, root):
    return _client_for(client, root)


@pytest.fixture
def persona_client(request, client, django_user_model):
    """Parametrise with indirect=True over 'alice', 'morgan', 'audrey', 'charlie', 'root', 'anonymous'."""
    name = request.param
    if name == "anonymous":
        return client
    user = request.getfixturevalue(name)
    return _client_for(client, user)
