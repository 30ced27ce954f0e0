"""Login throttling: too many failed logins for one username, or from one client address, lock that
username or that address out for a cool-off time, during which even the right password is refused.

Settings: LOGIN_FAILURE_LIMIT_PER_USERNAME and LOGIN_FAILURE_LIMIT_PER_ADDRESS failures within
LOGIN_FAILURE_WINDOW_SECONDS start a lockout of LOGIN_LOCKOUT_SECONDS.

Counting is shared by every worker process and machine: it lives in Django's cache (the database cache
by default, Redis with CACHE_URL). Each failure claims a numbered slot with `cache.add()`, which is
atomic on every backend (on the database cache the key is the table's primary key). `cache.incr()` is
not: on the database cache it reads, then writes, and concurrent failures would be lost.

Failures are counted in fixed windows; a username or address is locked when its failures in the current
and the previous window together reach the limit, so any `limit` failures within one window's length
lock it. Times are this module's `clock()` and are stored in the cache values: cache expiry only clears
old entries.

The client address is `zoomadmin_site.middleware.client_ip`: REMOTE_ADDR, or, behind our TLS proxy
(BEHIND_TLS_PROXY), the address the proxy appended to X-Forwarded-For. Without that setting behind a
proxy, every login would count against the proxy's one address.

Cache keys carry a keyed hash of the username, never the name: people type passwords there.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.utils.crypto import salted_hmac

from zoomadmin_site.audit import actions
from zoomadmin_site.audit.models import Outcome
from zoomadmin_site.audit.services import audit_record
from zoomadmin_site.audit.signals import attempted_username_label

LOCKED_OUT = "Too many failed attempts for this account or address; try again in {minutes} {unit}."
LOCKOUT_REASON = (
    "{failures} failed logins within {window} minutes for this {kind}; "
    "logins refused until {until:%Y-%m-%d %H:%M} UTC."
)
THROTTLE_ACTOR = "login-throttle"
USERNAME, ADDRESS = "username", "address"
KEY_PREFIX = "login-throttle"


def clock() -> float:
    """Seconds since the epoch; tests replace it to move time without sleeping."""
    return time.time()


@dataclass(frozen=True)
class Lockout:
    until: float  # clock() time when logins are accepted again

    def minutes_left(self) -> int:
        return max(1, math.ceil((self.until - clock()) / 60))

    @property
    def message(self) -> str:
        minutes = self.minutes_left()
        return LOCKED_OUT.format(minutes=minutes, unit="minute" if minutes == 1 else "minutes")


def login_lockout(*, username: str, address: str) -> Lockout | None:
    """The lockout in force for this username or this address (whichever ends later), or None."""
    now = clock()
    keys = [_lock_key(kind, value) for kind, value in _subjects(username, address)]
    untils = [until for until in cache.get_many(keys).values() if until > now]
    return Lockout(until=max(untils)) if untils else None


def login_failure_record(*, username: str, address: str) -> Lockout | None:
    """Count one failed login against the username and the address, and lock out each that reached its
    limit (audited once per lockout). Returns the lockout now in force, if any."""
    now = clock()
    for kind, value in _subjects(username, address):
        failures = _count_failure(kind, value, now)
        if failures >= _limit(kind):
            _lockout_start(kind, value, now, failures=failures, username=username)
    return login_lockout(username=username, address=address)


def login_success_record(*, username: str) -> None:
    """Forget the username's failures. Not the address's: an attacker who also holds an account of
    their own must not reset the count of the address they guess from."""
    now = clock()
    cache.delete_many(_slot_keys(USERNAME, _normal(username), now))


def _subjects(username: str, address: str) -> list[tuple[str, str]]:
    subjects = []
    if username:
        subjects.append((USERNAME, _normal(username)))
    if address:
        subjects.append((ADDRESS, address))
    return subjects


def _normal(username: str) -> str:
    # Case-blind counting is the stricter choice: "Alice" and "alice" share one count.
    return username.casefold()


def _count_failure(kind: str, value: str, now: float) -> int:
    """Claim the first free slot of the current window; the failures of this and the previous window,
    this one included. A slot another process claimed first is one more failure, counted too."""
    window = _window(now)
    current = [_slot_key(kind, value, window, n) for n in range(_limit(kind))]
    previous = [_slot_key(kind, value, window - 1, n) for n in range(_limit(kind))]
    held = cache.get_many(current + previous)
    lost = 0
    for key in current:
        if key in held:
            continue
        if cache.add(key, now, timeout=2 * settings.LOGIN_FAILURE_WINDOW_SECONDS + 60):
            return len(held) + lost + 1
        lost += 1
    return len(held) + lost  # every slot taken: at the limit already


def _lockout_start(kind: str, value: str, now: float, *, failures: int, username: str) -> None:
    until = now + settings.LOGIN_LOCKOUT_SECONDS
    key = _lock_key(kind, value)
    if not cache.add(key, until, timeout=settings.LOGIN_LOCKOUT_SECONDS):
        current = cache.get(key)
        if current is not None and current > now:
            return  # another request started this lockout, and recorded it
        # An entry the cache still keeps although its time is up (clocks of two machines differ).
        cache.set(key, until, timeout=settings.LOGIN_LOCKOUT_SECONDS)
    # After the cool-off the count starts again from nothing.
    cache.delete_many(_slot_keys(kind, value, now))
    if kind == USERNAME:
        label = attempted_username_label(username)
        target_type, target_id, target_label = actions.OPERATOR, label, label
    else:
        target_type, target_id, target_label = actions.CLIENT_ADDRESS, value, value
    locked_until = dt.datetime.fromtimestamp(until, tz=dt.UTC)
    audit_record(
        action=actions.AUTH_LOCKOUT,
        outcome=Outcome.DENIED,
        actor_label=THROTTLE_ACTOR,
        target_type=target_type,
        target_id=target_id,
        target_label=target_label,
        after={"failures": failures, "locked_until": locked_until.isoformat(timespec="seconds")},
        reason=LOCKOUT_REASON.format(
            failures=failures,
            window=settings.LOGIN_FAILURE_WINDOW_SECONDS // 60,
            kind="username" if kind == USERNAME else "client address",
            until=locked_until,
        ),
    )


def _limit(kind: str) -> int:
    if kind == USERNAME:
        return settings.LOGIN_FAILURE_LIMIT_PER_USERNAME
    return settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS


def _window(now: float) -> int:
    return int(now // settings.LOGIN_FAILURE_WINDOW_SECONDS)


def _slot_keys(kind: str, value: str, now: float) -> list[str]:
    window = _window(now)
    return [_slot_key(kind, value, w, n) for w in (window, window - 1) for n in range(_limit(kind))]


def _slot_key(kind: str, value: str, window: int, n: int) -> str:
    return f"{KEY_PREFIX}:failure:{_digest(kind, value)}:{window}:{n}"


def _lock_key(kind: str, value: str) -> str:
    return f"{KEY_PREFIX}:lock:{_digest(kind, value)}"


def _digest(kind: str, value: str) -> str:
    return salted_hmac(KEY_PREFIX, f"{kind}:{value}", algorithm="sha256").hexdigest()[:32]
