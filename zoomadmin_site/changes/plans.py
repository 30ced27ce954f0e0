"""What a preflight returns: a `Plan`, read-only, JSON-ready (it is stored on the request and in the
audit log exactly as the operator saw it)."""

from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass, field, fields, is_dataclass
from enum import StrEnum
from typing import Any


class CheckOutcome(StrEnum):
    PASS = "pass"  # noqa: S105 - an outcome
    WARN = "warn"
    FAIL = "fail"


@dataclass(frozen=True)
class Check:
    """One line of the checklist. `facts` are the values the outcome rests on: when they differ between
    two runs of a preflight, something changed in Zoom that the operator has to see again."""

    key: str
    label: str
    outcome: CheckOutcome
    reason: str
    remedy: str = ""
    facts: dict[str, Any] = field(default_factory=dict)

    @property
    def failed(self) -> bool:
        return self.outcome == CheckOutcome.FAIL


@dataclass(frozen=True)
class PlannedCall:
    """A Zoom call that execution will make, as it will be sent."""

    method: str
    path: str
    body: dict[str, Any] | None = None
    purpose: str = ""

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


@dataclass
class Plan:
    kind: str
    target_type: str
    target_id: str
    target_label: str
    current: dict[str, Any]
    intended: dict[str, Any]
    checks: list[Check]
    calls: list[PlannedCall]
    summary: str = ""  # one sentence: what the change does, in words
    needs_approval: bool = False
    approval_reason: str = ""
    zoom_reads: list[dict[str, Any]] = field(default_factory=list)  # the Zoom calls the preflight made

    @property
    def blocked(self) -> bool:
        return any(check.failed for check in self.checks)

    @property
    def failures(self) -> list[Check]:
        return [check for check in self.checks if check.outcome == CheckOutcome.FAIL]

    @property
    def warnings(self) -> list[Check]:
        return [check for check in self.checks if check.outcome == CheckOutcome.WARN]

    def check(self, key: str) -> Check | None:
        return next((check for check in self.checks if check.key == key), None)

    def fingerprint(self) -> str:
        """A hash of what the decision rests on: current and intended state, each check's outcome and
        facts, and the calls. Two runs with the same fingerprint would let an approver decide the same."""
        material = {
            "current": self.current,
            "intended": self.intended,
            "checks": [[c.key, str(c.outcome), c.facts] for c in self.checks],
            "calls": [[c.method, c.path, c.body] for c in self.calls],
        }
        return hashlib.sha256(json.dumps(material, sort_keys=True, default=str).encode()).hexdigest()

    def to_json(self) -> dict[str, Any]:
        data = {f.name: _copied(getattr(self, f.name)) for f in fields(self)}
        data["checks"] = [{**check, "outcome": str(check["outcome"])} for check in data["checks"]]
        data["fingerprint"] = self.fingerprint()
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Plan:
        fields = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        fields["checks"] = [
            Check(**{**c, "outcome": CheckOutcome(c["outcome"])}) for c in data.get("checks", [])
        ]
        fields["calls"] = [PlannedCall(**c) for c in data.get("calls", [])]
        return cls(**fields)

    def changes_since(self, earlier: Plan) -> list[str]:
        """What differs from `earlier`, in words, for the operator who has to decide again."""
        changes: list[str] = []
        for key in sorted(set(earlier.current) | set(self.current)):
            before, now = earlier.current.get(key), self.current.get(key)
            if before != now:
                changes.append(
                    f"{key.replace('_', ' ').capitalize()}: was {_shown(before)}, now {_shown(now)}."
                )
        for key in sorted(set(earlier.intended) | set(self.intended)):
            before, now = earlier.intended.get(key), self.intended.get(key)
            if before != now:
                changes.append(f"Intended {key.replace('_', ' ')}: was {_shown(before)}, now {_shown(now)}.")
        earlier_checks = {c.key: c for c in earlier.checks}
        for check in self.checks:
            was = earlier_checks.get(check.key)
            if was is None:
                changes.append(f"New check “{check.label}”: {check.outcome}. {check.reason}")
            elif was.outcome != check.outcome or was.facts != check.facts:
                changes.append(f"“{check.label}” was {was.outcome}, now {check.outcome}: {check.reason}")
        gone = [c.label for c in earlier.checks if self.check(c.key) is None]
        if gone:
            changes.append(f"No longer checked: {', '.join(f'“{label}”' for label in gone)}.")
        if [[str(c), c.body] for c in earlier.calls] != [[str(c), c.body] for c in self.calls]:
            calls = ", ".join(str(c) for c in self.calls) or "none"
            changes.append(f"The Zoom calls changed: now {calls}.")
        return changes

    def changed_checks_since(self, earlier: Plan) -> set[str]:
        """The keys of the checks that are new or whose outcome or facts differ from `earlier`."""
        earlier_checks = {c.key: c for c in earlier.checks}
        return {
            c.key
            for c in self.checks
            if (was := earlier_checks.get(c.key)) is None or (was.outcome, was.facts) != (c.outcome, c.facts)
        }


_ATOMIC = (str, int, float, bool, type(None))


def _copied(value: Any) -> Any:
    """What `dataclasses.asdict` makes of a value (dataclasses as dicts, containers copied, anything else
    deep-copied), without its per-value overhead on the plain JSON values a plan holds: a job records
    hundreds of plans, each several times."""
    if isinstance(value, _ATOMIC):
        return value
    if isinstance(value, dict):
        return type(value)((_copied(k), _copied(v)) for k, v in value.items())
    if isinstance(value, list):
        return [_copied(v) for v in value]
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _copied(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, tuple) and not hasattr(value, "_fields"):
        return type(value)(_copied(v) for v in value)
    return copy.deepcopy(value)


def _shown(value: Any) -> str:
    return "nothing" if value in (None, "") else f"“{value}”"
