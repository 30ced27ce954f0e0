"""Failed logins lock out a username after 5 and a client address after 20 within 15 minutes, for a
15-minute cool-off during which even the right password is refused; each lockout is audited once."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD
from zoomadmin_site import throttle
from zoomadmin_site.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

WRONG = "not-the-password"
ATTACKER = "203.0.113.66"
OFFICE = "198.51.100.20"
WINDOW_START = 1_800_000_000 - 1_800_000_000 % 900  # a window boundary, so tests can cross one on purpose
LOCKED_MESSAGE = "Too many failed attempts for this account or address; try again in {} minutes."


class Clock:
    def __init__(self) -> None:
        self.now = float(WINDOW_START + 60)

    def advance(self, *, minutes: float = 0, seconds: float = 0) -> None:
        self.now += minutes * 60 + seconds


@pytest.fixture
def clock(monkeypatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(throttle, "clock", lambda: fake.now)
    return fake


def login(username: str, password: str, address: str = ATTACKER, client: Client | None = None):
    client = client or Client()
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def fail(times: int, username: str = "alice", address: str = ATTACKER, addresses=None):
    for n in range(times):
        response = login(username if username else f"guess{n}", WRONG, addresses[n] if addresses else address)
    return response


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("seq"))


def spread(n: int) -> list[str]:
    return [f"192.0.2.{i + 1}" for i in range(n)]


def test_four_failures_leave_the_right_password_working(clock, alice):
    fail(4, addresses=spread(4))
    response = login("alice", PASSWORD, OFFICE)
    assert response.status_code == 302


def test_fifth_failure_for_a_username_locks_it_from_every_address(clock, alice):
    response = fail(5, addresses=spread(5))
    assert response.status_code == 429
    assert LOCKED_MESSAGE.format(15) in response.content.decode()
    response = login("alice", PASSWORD, OFFICE)
    assert response.status_code == 429
    assert LOCKED_MESSAGE.format(15) in response.content.decode()
    assert "_auth_user_id" not in response.client.session


def test_a_username_lockout_leaves_other_operators_alone(clock, alice, morgan):
    fail(5, addresses=spread(5))
    assert login("morgan", PASSWORD, spread(5)[0]).status_code == 302


def test_twentieth_failure_from_an_address_locks_that_address_for_every_username(clock, alice):
    fail(19, username="")
    assert login("alice", PASSWORD, ATTACKER).status_code == 302  # still below the address limit
    response = fail(1, username="")  # the 20th
    assert response.status_code == 429
    refused = login("alice", PASSWORD, ATTACKER)
    assert refused.status_code == 429
    assert LOCKED_MESSAGE.format(15) in refused.content.decode()
    assert login("alice", PASSWORD, OFFICE).status_code == 302  # another address is not locked


def test_a_success_forgets_the_usernames_failures(clock, alice):
    fail(4, addresses=spread(4))
    assert login("alice", PASSWORD, OFFICE).status_code == 302
    fail(4, addresses=spread(4))
    assert login("alice", PASSWORD, OFFICE).status_code == 302


def test_usernames_are_counted_without_regard_to_case(clock, alice):
    for name in ("alice", "Alice", "ALICE", "aLice", "alicE"):
        response = login(name, WRONG, OFFICE)
    assert response.status_code == 429


def test_the_lockout_ends_after_the_cool_off(clock, alice):
    fail(5, addresses=spread(5))
    clock.advance(minutes=14)
    response = login("alice", PASSWORD, OFFICE)
    assert response.status_code == 429
    assert "try again in 1 minute." in response.content.decode()
    clock.advance(minutes=1, seconds=1)
    assert login("alice", PASSWORD, OFFICE).status_code == 302


def test_after_the_cool_off_the_count_starts_again(clock, alice):
    fail(5, addresses=spread(5))
    clock.advance(minutes=16)
    assert fail(4, addresses=spread(4)).status_code == 200
    assert fail(1).status_code == 429


def test_failures_spread_over_more_than_two_windows_do_not_lock(clock, alice):
    fail(4)
    clock.advance(minutes=31)
    assert fail(4).status_code == 200
    assert login("alice", PASSWORD, OFFICE).status_code == 302


def test_failures_across_a_window_boundary_still_count_together(clock, alice):
    clock.advance(minutes=13)  # two minutes before the next window
    fail(3)
    clock.advance(minutes=4)  # into the next window, six minutes after the first failure
    assert fail(2).status_code == 429


def test_failures_claimed_concurrently_by_another_process_still_count(clock, alice, monkeypatch):
    fail(4)
    real_get_many = throttle.cache.get_many
    calls = []

    def stale_get_many(keys):
        calls.append(keys)
        # The first read of the counting slots happened before the other four failures were stored.
        return {} if len(calls) == 2 else real_get_many(keys)

    monkeypatch.setattr(throttle.cache, "get_many", stale_get_many)
    assert fail(1).status_code == 429


def test_a_lockout_is_audited_once_and_refused_attempts_are_not_recorded(clock, alice):
    fail(5, addresses=spread(5))
    [lockout] = events("auth.lockout")
    assert (lockout.outcome, lockout.actor, lockout.actor_label) == ("denied", None, "login-throttle")
    assert (lockout.target_type, lockout.target_id) == ("operator", "alice")
    assert lockout.after["failures"] == 5
    assert "5 failed logins within 15 minutes for this username" in lockout.reason
    recorded = AuditEvent.objects.count()
    for _ in range(10):
        login("alice", WRONG, ATTACKER)
    login("alice", PASSWORD, OFFICE)
    assert AuditEvent.objects.count() == recorded
    assert len(events("auth.login_failed")) == 5


def test_an_address_lockout_is_audited_with_the_address(clock, db):
    fail(20, username="")
    [lockout] = events("auth.lockout")
    assert (lockout.target_type, lockout.target_id) == ("client_address", ATTACKER)
    assert lockout.source_ip == ATTACKER
    assert "for this client address" in lockout.reason


def test_a_lockout_of_an_unknown_username_does_not_record_what_was_typed(clock, db):
    typed = "Sup3r-Secret-Passw0rd!"
    fail(5, username=typed, addresses=spread(5))
    [lockout] = events("auth.lockout")
    assert lockout.target_id.startswith("unknown username ")
    assert typed not in str(AuditEvent.objects.values_list())


def test_the_admin_login_is_throttled_too(clock, root):
    fail(5, username="root", addresses=spread(5))
    response = Client().post(
        reverse("admin:login"), {"username": "root", "password": PASSWORD}, REMOTE_ADDR=OFFICE
    )
    assert LOCKED_MESSAGE.format(15) in response.content.decode()
    assert "_auth_user_id" not in response.client.session


def test_admin_login_failures_count_towards_the_lockout(clock, root):
    for address in spread(5):
        Client().post(reverse("admin:login"), {"username": "root", "password": WRONG}, REMOTE_ADDR=address)
    assert login("root", PASSWORD, OFFICE).status_code == 429


def test_a_non_staff_operator_refused_by_the_admin_login_is_not_counted_as_a_failure(clock, alice):
    for address in spread(6):
        Client().post(
            reverse("admin:login"), {"username": "alice", "password": PASSWORD}, REMOTE_ADDR=address
        )
    assert login("alice", PASSWORD, OFFICE).status_code == 302


def test_the_limits_come_from_settings(clock, alice, settings):
    settings.LOGIN_FAILURE_LIMIT_PER_USERNAME = 2
    settings.LOGIN_LOCKOUT_SECONDS = 120
    response = fail(2, addresses=spread(2))
    assert response.status_code == 429
    assert LOCKED_MESSAGE.format(2) in response.content.decode()
