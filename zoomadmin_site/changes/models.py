"""Change requests and the managers' decisions on them.

Every status change is a conditional UPDATE (`ChangeRequest.objects.transition`): it names the statuses
the request may be in and succeeds for exactly one caller. That is what makes double clicks, retries and
racing approvers cause one Zoom write.

    pending ──approve──► approved ──claim──► executing ──► succeeded | failed | unverified
       │ └─reject──► rejected                    ▲
       │ └─cancel──► cancelled                   └── a request that needs no approval is approved
       └──(72 h)──► expired                          on submission (a demotion, a revert)
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone


class Status(models.TextChoices):
    PENDING = "pending", "Waiting for approval"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    EXPIRED = "expired", "Expired"
    CANCELLED = "cancelled", "Cancelled"
    EXECUTING = "executing", "Being applied in Zoom"
    SUCCEEDED = "succeeded", "Done, verified in Zoom"
    FAILED = "failed", "Failed"
    UNVERIFIED = "unverified", "Unverified"


OPEN_STATUSES = (Status.PENDING, Status.APPROVED, Status.EXECUTING)
FINAL_STATUSES = (
    Status.REJECTED,
    Status.EXPIRED,
    Status.CANCELLED,
    Status.SUCCEEDED,
    Status.FAILED,
    Status.UNVERIFIED,
)


class Kind(models.TextChoices):
    ROLE_CHANGE = "role_change", "Role change"
    HOST_TRANSFER = "host_transfer", "Host transfer"


class Source(models.TextChoices):
    WEB = "web", "Web"
    CLI = "cli", "Command line"
    API = "api", "JSON API"
    SYSTEM = "system", "Zoom Admin"


class ChangeRequestQuerySet(models.QuerySet["ChangeRequest"]):
    def transition(self, pk: int, *, from_statuses: Iterable[str], to: str, **fields: Any) -> bool:
        """Move request `pk` to `to` if it is in one of `from_statuses`, setting `fields` too: one
        conditional UPDATE, True for the one caller whose UPDATE changed the row."""
        changed = self.filter(pk=pk, status__in=list(from_statuses)).update(
            status=to, updated_at=timezone.now(), **fields
        )
        return changed == 1

    def pending(self) -> ChangeRequestQuerySet:
        return self.filter(status=Status.PENDING)

    def about(self, target_type: str, target_id: str) -> ChangeRequestQuerySet:
        return self.filter(target_type=target_type, target_id=target_id)


class ChangeRequest(models.Model):
    """A change to Zoom that an operator asked for, and everything that happened to it.

    - `current`, `intended`: the target's state when the request was made and the state asked for.
    - `plan`: the preflight the decision rests on (as shown); `plan_fingerprint` its `Plan.fingerprint()`.
      An approval counts for one fingerprint: when the preflight at execution differs, the request goes
      back to pending with the differences in `changes_note`, to be approved again.
    - `approvals_required`: 0 when the change needs no approval (a demotion), else 1 or 2.
    - `duration_hours`, `revert_at`: a time-bound elevation and when it ends; `revert_of` links the
      request that ended it to the one it reverts.
    - `operation_id`: the audit operation of the execution (its started event).
    """

    kind = models.CharField(max_length=32, choices=Kind.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.WEB)
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="change_requests",
    )
    requester_label = models.CharField(max_length=150)
    target_type = models.CharField(max_length=64)
    target_id = models.CharField(max_length=128)
    target_label = models.CharField(max_length=255, blank=True)
    target_email = models.CharField(max_length=255, blank=True)
    current = models.JSONField(default=dict, blank=True)
    intended = models.JSONField(default=dict, blank=True)
    summary = models.CharField(max_length=255, blank=True)
    reason = models.TextField()
    plan = models.JSONField(default=dict, blank=True)
    plan_fingerprint = models.CharField(max_length=64, blank=True)
    changes_note = models.TextField(blank=True)
    approvals_required = models.PositiveSmallIntegerField(default=1)
    duration_hours = models.PositiveIntegerField(null=True, blank=True)
    revert_at = models.DateTimeField(null=True, blank=True)
    revert_of = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reverted_by"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome_reason = models.TextField(blank=True)
    operation_id = models.UUIDField(null=True, blank=True)

    objects = ChangeRequestQuerySet.as_manager()

    class Meta:
        ordering = ("-created_at", "-id")
        default_permissions = ()
        indexes = [
            models.Index(fields=["status", "-created_at", "-id"], name="change_status_created"),
            models.Index(fields=["target_type", "target_id", "-created_at"], name="change_target_created"),
            models.Index(fields=["status", "expires_at"], name="change_status_expires"),
            models.Index(fields=["status", "revert_at"], name="change_status_revert"),
            models.Index(fields=["requester", "-created_at"], name="change_requester_created"),
            # The decided list: most requests are decided, so walking this newest first finds a page soon.
            models.Index(fields=["-created_at", "-id"], name="change_created"),
        ]
        constraints = [
            # One open change per target: two at once would race each other in Zoom (and a second
            # transfer of a moving meeting would be a second write).
            models.UniqueConstraint(
                fields=["kind", "target_type", "target_id"],
                condition=models.Q(status__in=["pending", "approved", "executing"]),
                name="one_open_change_per_target",
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.summary or self.get_kind_display()} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES

    def approvals(self) -> models.QuerySet[Approval]:
        """The approvals that count: those given to the plan as it stands."""
        return self.decisions.filter(
            decision=Approval.Decision.APPROVE, plan_fingerprint=self.plan_fingerprint
        )


class Approval(models.Model):
    """One manager's decision on one version of a request's plan (approve or reject, with a comment)."""

    class Decision(models.TextChoices):
        APPROVE = "approve", "Approved"
        REJECT = "reject", "Rejected"

    request = models.ForeignKey(ChangeRequest, on_delete=models.CASCADE, related_name="decisions")
    approver = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approver_label = models.CharField(max_length=150)
    decision = models.CharField(max_length=8, choices=Decision.choices)
    comment = models.TextField()
    plan_fingerprint = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    operation_id = models.UUIDField(default=uuid.uuid4)

    class Meta:
        ordering = ("created_at", "id")
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(
                fields=["request", "approver", "plan_fingerprint"], name="one_decision_per_approver_and_plan"
            )
        ]

    def __str__(self) -> str:
        return f"{self.approver_label} {self.decision} #{self.request_id}"
