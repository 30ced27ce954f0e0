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

# Tests that share an expensive module- or session-scoped fixture run on one pytest-xdist worker
# (`make test-suite` runs `-n auto --dist loadgroup`), so that fixture is built once, not once per worker:
# the browser tests share one served dashboard and one Chromium (tests/e2e/conftest.py), the README
# commands share one fresh copy of the project after `make setup` (tests/test_readme_commands.py).
# Every other test is scheduled on its own. The groups are given by path here rather than by
# `xdist_group` marks: on pytest 9.2 xdist 3.8's loadgroup no longer sees those marks (it tags node ids,
# which pytest now derives from structured ids: pytest-dev/pytest-xdist#1386).
XDIST_GROUPS = {"tests/e2e/": "e2e", "tests/test_readme_commands.py": "readme"}


class _GroupsByPath:
    @pytest.hookimpl(tryfirst=True)
    def pytest_xdist_make_scheduler(self, config, log):
        if config.getoption("dist") != "loadgroup":
            return None
        from xdist.scheduler import LoadGroupScheduling

        class Scheduler(LoadGroupScheduling):
            def _split_scope(self, nodeid: str) -> str:
                for prefix, group in XDIST_GROUPS.items():
                    if nodeid.startswith(prefix):
                        return group
                return super()._split_scope(nodeid)

        return Scheduler(config, log)


def pytest_configure(config):
    if config.pluginmanager.hasplugin("xdist"):
        config.pluginmanager.register(_GroupsByPath(), "zoomadmin-xdist-groups")


@pytest.fixture(scope="session", autouse=True)
def _no_collected_static_files(tmp_path_factory):
    """Every test client builds its middleware, and WhiteNoise then scans STATIC_ROOT: with the ~700
    files `make run` collects into staticfiles/, that takes 0.1-0.25 s per client, and about a thousand
    tests make a client. No in-process test reads a collected file (the test settings' plain storage
    names /static/ URLs without them), so tests see an empty STATIC_ROOT, as on a fresh checkout.
    The served dashboards of tests/e2e/ collect into a directory of their own."""
    from django.conf import settings

    collected = settings.STATIC_ROOT
    settings.STATIC_ROOT = str(tmp_path_factory.mktemp("static-root"))
    yield
    settings.STATIC_ROOT = collected


@pytest.fixture(autouse=True)
def _empty_cache():
    """Roles, departments and Zoom tokens are cached, and the test cache (local memory) outlives each
    test's database: start every test cold, so that nothing depends on the order tests run in."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


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


@pytest.fixture
def zoom_sandbox(tmp_path, settings):
    """A small seeded Zoom sandbox that the app's `get_zoom_client()` talks to in-process.

    Zoom's rate limits are off (tests don't wait for the clock); the scenario users and meetings of
    `zoomadmin_site.sandbox.SCENARIOS` are all there.
    """
    from zoomadmin_site.sandbox import Sandbox
    from zoomadmin_site.zoom import reset_zoom_clients

    state = tmp_path / "zoom-sandbox.sqlite3"
    sandbox = Sandbox(state)
    sandbox.seed_demo(users=40, meetings=200, seed=7)
    sandbox.set_rate_limits(False)
    settings.ZOOM_SANDBOX_STATE = str(state)
    settings.ZOOM_RATE_LIMIT_PER_SECOND = 10_000
    settings.ZOOM_BACKGROUND_SHARE = 1.0
    from django.core.cache import cache

    cache.clear()  # a token cached for another test's sandbox would cost a 401 and a retry
    reset_zoom_clients()
    yield sandbox
    reset_zoom_clients()


@pytest.fixture
def audit_triggers_off_for_flush(transactional_db):
    """Let pytest-django empty the database after a transactional test (on PostgreSQL: any; on SQLite:
    one that wrote audit events).

    After a transactional test pytest-django runs `flush` (DELETE on SQLite, TRUNCATE on PostgreSQL),
    which the append-only triggers refuse. This fixture depends on `transactional_db`, so its teardown
    runs just before that flush: it drops the triggers. The flush then sends post_migrate, and the audit
    app's post_migrate handler (`AuditConfig.ready`) installs them again, as after any `migrate`, so
    the next test finds them in place (`test_post_migrate_reinstalls_dropped_triggers` covers that
    handler). The flush also removes the operator groups, which the persona fixtures recreate with
    `ensure_operator_groups()`, and the chain head row, which `audit_record` recreates.
    """
    from django.db import connection

    from zoomadmin_site.audit.db_triggers import remove_append_only_triggers

    yield
    remove_append_only_triggers(connection)
