"""What a flow tells the machinery, and the registry of flows (filled by the flows' apps)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from zoomadmin_site.audit.models import Action
from zoomadmin_site.changes.plans import Plan
from zoomadmin_site.zoom import ZoomClient


@dataclass(frozen=True)
class FlowActions:
    """The audit action of each step of one flow."""

    request: Action
    preflight: Action
    approve: Action
    reject: Action
    cancel: Action
    expire: Action
    execute: Action
    read_back: Action
    reconcile: Action


@dataclass(frozen=True)
class ReadBack:
    """Zoom's state read after a write: whether it shows the intended state, that state, and a sentence."""

    applied: bool
    after: dict[str, Any]
    detail: str = ""
    record: Any = field(default=None, compare=False)  # what the flow's mirror writer needs (e.g. the user)


class Flow(Protocol):
    kind: str
    actions: FlowActions
    # Advice recorded with an `unverified` result: Zoom answered success but its state did not change.
    unverified_advice: str

    def preflight(self, *, target_id: str, intended: dict[str, Any], actor: Any) -> Plan:
        """Read Zoom (never write) and check everything; the plan's `calls` are what `write` will send."""
        ...

    def approvals_required(self, plan: Plan) -> int:
        """0 when the change needs no manager (a demotion), else how many distinct managers approve."""
        ...

    def write(self, client: ZoomClient, plan: Plan) -> None:
        """Send the plan's calls to Zoom."""
        ...

    def read_back(self, client: ZoomClient, plan: Plan) -> ReadBack:
        """Read the target from Zoom and say whether the intended state is there."""
        ...

    def mirror(self, read: ReadBack) -> None:
        """Write what was read into the mirror, through the mirror's one writer."""
        ...

    def revert_intent(self, current: dict[str, Any]) -> dict[str, Any]:
        """The `intended` of a request that puts back the state `current` (a time-bound change ending)."""
        ...


_FLOWS: dict[str, Flow] = {}


def register_flow(flow: Flow) -> None:
    _FLOWS[flow.kind] = flow


def flow_for(kind: str) -> Flow:
    try:
        return _FLOWS[kind]
    except KeyError:
        raise LookupError(f"No change flow is registered for {kind!r}.") from None
