"""Audit events as sentences an auditor reads: "itadmin asked to make Jane Roe <jane@corp> Admin (reason:
…)", "manager approved request #12 (…)", "Zoom applied it: Zoom shows jane@corp as Admin (read back
12:04:31 UTC)", instead of an action code and JSON."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, Protocol

from zoomadmin_site.audit.models import Action, Outcome


class Event(Protocol):
    """What a sentence (and a list row) reads of an event: an AuditEvent has it, and so has the list's
    lighter selectors.ListedEvent."""

    @property
    def seq(self) -> int: ...
    @property
    def time(self) -> dt.datetime: ...
    @property
    def actor_label(self) -> str: ...
    @property
    def action(self) -> str: ...
    @property
    def target_type(self) -> str: ...
    @property
    def target_id(self) -> str: ...
    @property
    def target_label(self) -> str: ...
    @property
    def after(self) -> Any: ...
    @property
    def reason(self) -> str: ...
    @property
    def outcome(self) -> str: ...


Sentence = Callable[[Event, str, str], str]
# The choices' labels as get_action_display() / get_outcome_display() give them (a value without a label:
# itself), looked up in a dict: those methods flatten the field's choices on every call, 50 times a page.
ACTION_LABELS = {value: str(label) for value, label in Action.choices}
OUTCOME_LABELS = {value: str(label) for value, label in Outcome.choices}


def _get(data: Any, key: str, default: str = "") -> str:
    value = data.get(key) if isinstance(data, dict) else None
    return default if value in (None, "") else str(value)


def _reason(event: Event) -> str:
    return f" (reason: {event.reason})" if event.reason else ""


def _request_no(event: Event) -> str:
    number = _get(event.after, "request")
    return f"request #{number}" if number else "the request"


def _role_request(event: Event, who: str, what: str) -> str:
    role = _get(event.after, "role_name") or _get(event.after, "role_id", "another role")
    if event.outcome == Outcome.DENIED:
        return f"{who}'s request to make {what} {role} was refused: {event.reason}"
    hours = _get(event.after, "duration_hours")
    limit = f" for {hours} hours" if hours else ""
    asker = who if who != "system" else "Zoom Admin"
    return f"{asker} asked to make {what} {role}{limit} ({_request_no(event)}){_reason(event)}"


def _decision(verb: str) -> Sentence:
    def sentence(event: Event, who: str, what: str) -> str:
        if event.outcome == Outcome.DENIED:
            return f"{who} was refused: {event.reason}"
        comment = f": “{event.reason}”" if event.reason else ""
        return f"{who} {verb} {_request_no(event)} about {what}{comment}"

    return sentence


def _expired(event: Event, who: str, what: str) -> str:
    return f"{_request_no(event).capitalize()} about {what} expired: {event.reason}"


def _checked(event: Event, who: str, what: str) -> str:
    result = "failed" if event.outcome == Outcome.FAILED else "passed"
    return f"The check before changing {what} {result}: {event.reason}"


VERDICTS = {
    Outcome.SUCCEEDED: "Zoom applied it",
    Outcome.FAILED: "It failed",
    Outcome.UNVERIFIED: "Not verified",
}


def _execution(noun: str) -> Sentence:
    def sentence(event: Event, who: str, what: str) -> str:
        if event.outcome == Outcome.STARTED:
            return f"Zoom Admin started changing {what}'s {noun} for {who}"
        verdict = VERDICTS.get(Outcome(event.outcome)) or OUTCOME_LABELS.get(event.outcome, event.outcome)
        return f"{verdict}: {event.reason}" if event.reason else verdict

    return sentence


def _read_back(event: Event, who: str, what: str) -> str:
    return f"Zoom was read back: {event.reason}" if event.reason else "Zoom was read back."


def _reconciled(event: Event, who: str, what: str) -> str:
    return event.reason or f"An interrupted change of {what} was settled by reading Zoom back."


def _transfer_request(event: Event, who: str, what: str) -> str:
    host = _get(event.after, "host_email") or _get(event.after, "new_host", "a new host")
    if event.outcome == Outcome.DENIED:
        return f"{who}'s move of {what} to {host} was refused: {event.reason}"
    job = _get(event.after, "job")
    part = f" (offboarding job #{job})" if job else ""
    return f"{who} asked to move {what} to {host}{part}{_reason(event)}"


def _verified(event: Event, who: str, what: str) -> str:
    """A verification of the chain, saying what started it (after.trigger; before it existed: the CLI)."""
    subject, how = {
        "ui": (who, " (Verify now)"),
        "schedule": ("The nightly run", ""),
    }.get(_get(event.after, "trigger"), ("audit_verify", " from the command line"))
    found = event.reason or "broken"
    if event.outcome == Outcome.SUCCEEDED:
        events, last = _get(event.after, "events", "?"), _get(event.after, "last_seq", "?")
        found = f"intact, {events} events checked up to seq {last}"
    return f"{subject} verified the audit log's hash chain{how}: {found}"


def _simple(text: str) -> Sentence:
    return lambda event, who, what: text.format(who=who, what=what, reason=event.reason)


SENTENCES: dict[str, Sentence] = {
    Action.ROLE_CHANGE_REQUEST: _role_request,
    Action.ROLE_CHANGE_APPROVE: _decision("approved"),
    Action.ROLE_CHANGE_REJECT: _decision("rejected"),
    Action.ROLE_CHANGE_CANCEL: _decision("cancelled"),
    Action.ROLE_CHANGE_EXPIRE: _expired,
    Action.ROLE_CHANGE_PREFLIGHT: _checked,
    Action.ROLE_CHANGE_EXECUTE: _execution("role"),
    Action.ROLE_CHANGE_READ_BACK: _read_back,
    Action.ROLE_CHANGE_RECONCILE: _reconciled,
    Action.HOST_TRANSFER_REQUEST: _transfer_request,
    Action.HOST_TRANSFER_PREFLIGHT: _checked,
    Action.HOST_TRANSFER_EXECUTE: _execution("host"),
    Action.HOST_TRANSFER_READ_BACK: _read_back,
    Action.HOST_TRANSFER_RECONCILE: _reconciled,
    Action.ASSISTANT_GRANT: _simple("{who} added a scheduling assistant to {what}: {reason}"),
    Action.AUTH_LOGIN: _simple("{who} signed in"),
    Action.AUTH_LOGOUT: _simple("{who} signed out"),
    Action.AUTH_LOGIN_FAILED: _simple("A sign-in as {who} failed"),
    Action.AUTH_LOCKOUT: _simple("Sign-ins were locked out: {reason}"),
    Action.ACCESS_DENIED: _simple("{who} was refused: {reason}"),
    Action.MIRROR_DRIFT: _simple("{reason}"),
    Action.AUDIT_VERIFY: _verified,
}


def event_sentence(event: Event) -> str:
    """One sentence for `event`, from its action, actor, target and recorded state."""
    who = event.actor_label or "system"
    what = event.target_label or event.target_id or "the target"
    make = SENTENCES.get(event.action)
    if make is not None:
        return make(event, who, what)
    label = ACTION_LABELS.get(event.action, event.action)
    target = f" — {what}" if event.target_type else ""
    reason = f": {event.reason}" if event.reason else ""
    return f"{label} by {who}{target}{reason}"
