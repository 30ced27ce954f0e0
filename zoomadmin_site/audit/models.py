"""The audit log: append-only, hash-chained records of everything that changed (or tried to change) Zoom,
and of operators signing in and out."""

from __future__ import annotations

import uuid
from typing import Any, NoReturn

from django.conf import settings
from django.db import models

APPEND_ONLY = (
    "The audit log is append-only: {what} is refused. Record a new event with audit_record() instead."
)
WRITE_THROUGH_SERVICE = (
    "Audit events are written by zoomadmin_site.audit.services.audit_record(), which chains them."
)


class AppendOnlyError(RuntimeError):
    """Raised when code tries to change or delete an audit event."""


class Outcome(models.TextChoices):
    STARTED = "started", "Started"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    UNVERIFIED = "unverified", "Unverified"
    DENIED = "denied", "Denied"
    SKIPPED = "skipped", "Skipped"


class Action(models.TextChoices):
    """Every action the log records, dotted `<area>.<verb>`. `audit_record` refuses any other name, so
    the auditor's filters and readable sentences know every action there is."""

    # Operators signing in and out, and the login throttle (one event per lockout).
    AUTH_LOGIN = "auth.login", "Signed in"
    AUTH_LOGOUT = "auth.logout", "Signed out"
    AUTH_LOGIN_FAILED = "auth.login_failed", "Failed sign-in"
    AUTH_LOCKOUT = "auth.lockout", "Sign-in locked out"
    # A state-changing request refused with a 403 (the permission that was missing is the reason).
    ACCESS_DENIED = "access.denied", "Access denied"
    # Operator accounts and groups, as changed in Django admin or by a command.
    OPERATOR_CREATE = "operator.create", "Operator created"
    OPERATOR_UPDATE = "operator.update", "Operator changed"
    OPERATOR_PASSWORD_CHANGE = "operator.password_change", "Operator password changed"
    OPERATOR_GROUPS_CHANGE = "operator.groups_change", "Operator roles changed"
    OPERATOR_PERMISSIONS_CHANGE = "operator.permissions_change", "Operator permissions changed"
    OPERATOR_DELETE = "operator.delete", "Operator deleted"
    OPERATOR_GROUP_CREATE = "operator_group.create", "Operator role created"
    OPERATOR_GROUP_UPDATE = "operator_group.update", "Operator role changed"
    OPERATOR_GROUP_PERMISSIONS_CHANGE = (
        "operator_group.permissions_change",
        "Operator role permissions changed",
    )
    OPERATOR_GROUP_DELETE = "operator_group.delete", "Operator role deleted"
    # API tokens of operators (the JSON API).
    API_TOKEN_CREATE = "api_token.create", "API token created"
    API_TOKEN_REVOKE = "api_token.revoke", "API token revoked"
    # The audit log itself.
    AUDIT_VERIFY = "audit.verify", "Audit chain verified"
    AUDIT_EXPORT = "audit.export", "Audit log exported"
    AUDIT_PRUNE = "audit.prune", "Old audit events pruned"
    # The mirror and Zoom's webhooks.
    MIRROR_SYNC = "mirror.sync", "Mirror sync"
    MIRROR_SYNC_INTERRUPTED = "mirror.sync_interrupted", "Mirror sync interrupted"
    # A user's role or a meeting's host changed in Zoom with no change request of ours behind it.
    MIRROR_DRIFT = "mirror.drift", "Changed outside Zoom Admin"
    WEBHOOK_REJECTED = "webhook.rejected", "Webhooks refused"
    WEBHOOK_PARTIAL = "webhook.partial", "Webhook partly applied"
    WEBHOOK_INVALID = "webhook.invalid", "Webhook not applied"
    WEBHOOK_CONFLICT = "webhook.conflict", "Webhook in conflict"
    # Role changes: a request and each step of its life (see zoomadmin_site.changes).
    ROLE_CHANGE_REQUEST = "role_change.request", "Role change requested"
    ROLE_CHANGE_PREFLIGHT = "role_change.preflight", "Role change checked"
    ROLE_CHANGE_APPROVE = "role_change.approve", "Role change approved"
    ROLE_CHANGE_REJECT = "role_change.reject", "Role change rejected"
    ROLE_CHANGE_CANCEL = "role_change.cancel", "Role change cancelled"
    ROLE_CHANGE_EXPIRE = "role_change.expire", "Role change expired"
    ROLE_CHANGE_EXECUTE = "role_change.execute", "Role change executed"
    ROLE_CHANGE_READ_BACK = "role_change.read_back", "Role change read back"
    ROLE_CHANGE_RECONCILE = "role_change.reconcile", "Role change reconciled"
    # Host transfers, and the scheduling-assistant grants that make them possible.
    HOST_TRANSFER_REQUEST = "host_transfer.request", "Host transfer requested"
    HOST_TRANSFER_PREFLIGHT = "host_transfer.preflight", "Host transfer checked"
    HOST_TRANSFER_EXECUTE = "host_transfer.execute", "Host transfer executed"
    HOST_TRANSFER_READ_BACK = "host_transfer.read_back", "Host transfer read back"
    HOST_TRANSFER_RECONCILE = "host_transfer.reconcile", "Host transfer reconciled"
    ASSISTANT_GRANT = "assistant.grant", "Scheduling assistant added"
    ASSISTANT_REVOKE = "assistant.revoke", "Scheduling assistant removed"


def _refuse(what: str) -> NoReturn:
    raise AppendOnlyError(APPEND_ONLY.format(what=what))


class ChainSeqField(models.BigIntegerField):
    """A 64-bit integer that SQLite stores as the table's rowid ("integer primary key"), so walking the
    chain in seq order is a straight scan of the table instead of an index lookup per row."""

    def db_type(self, connection: Any) -> str | None:
        if connection.vendor == "sqlite" and self.primary_key:
            return "integer"
        return super().db_type(connection)


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        _refuse("QuerySet.update()")

    def delete(self) -> NoReturn:
        _refuse("QuerySet.delete()")

    def bulk_update(self, objs: Any, fields: Any, batch_size: int | None = None) -> NoReturn:
        _refuse("bulk_update()")

    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError(WRITE_THROUGH_SERVICE)

    def update_or_create(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse("update_or_create()")


class AuditEvent(models.Model):
    """One thing that happened, recorded once and never changed.

    Changes to Zoom are recorded as an *operation* of several events sharing one `operation_id`: a
    `started` event written and committed before the first Zoom call, then one closing event
    (`succeeded`, `failed` or `unverified`) after Zoom was read back. A one-step fact (a login, a
    rejected webhook, a verification run) is an operation of a single event.

    Fields:
    - `seq`: position in the chain, 1, 2, 3... without gaps; assigned under a lock, so it is also the
      order in which events were committed. The primary key and the id shown to auditors.
    - `time`: when the event was recorded (UTC), taken under the same lock, so it never goes backwards
      within one clock.
    - `actor`: the operator who acted, or NULL for the system (mirror sync, webhooks). A convenience
      link only (not hashed). It protects the operator: an account with events cannot be deleted, only
      deactivated, so the record never loses who acted (zoomadmin_site/audit/admin.py says so in
      Django admin).
    - `actor_label`: who acted, as recorded at the time and kept forever: the operator's username,
      "system", a component such as "zoom-webhook", or for a failed login the username that was tried.
    - `action`: what was attempted, dotted `<area>.<verb>` (`auth.login`, `role_change.execute`,
      `host_transfer.execute`, `mirror.sync`, `webhook.rejected`, `audit.verify`).
    - `target_type`, `target_id`, `target_label`: what it was done to: `zoom_user` + Zoom user id,
      `zoom_meeting` + meeting id, `operator` + username...; the label is the human name at the time.
    - `before`, `after`: the target's relevant state before and after (JSON, secrets redacted).
    - `reason`: the operator's stated reason, or why the event failed / was denied / skipped.
    - `preflight`: the preflight plan the change was checked against (JSON), on `started` events.
    - `zoom_calls`: the Zoom API calls made, in order: a list of {method, path, status, zoom_code,
      zoom_message, tracking_id}.
    - `outcome`: started, succeeded, failed, unverified (Zoom's state could not be read back), denied
      (refused by a permission or a rule) or skipped (nothing to do).
    - `request_id`: the X-Request-ID of the HTTP request that caused it (empty for commands and tasks).
    - `source_ip`: the client address of that request (empty outside a request).
    - `operation_id`: ties the events of one operation together (see above).
    - `prev_hash`: `hash` of the event with `seq - 1` ("" for seq 1).
    - `hash`: SHA-256 (hex) of the canonical JSON of every field above except `actor` (see
      `zoomadmin_site.audit.chain`). Changing, removing or reordering rows breaks the chain, which
      `manage.py audit_verify` detects.

    Rows are refused UPDATE and DELETE by this model, its manager and by database triggers; the one
    deletion allowed is `manage.py audit_prune`'s, of the events before a checkpoint (AuditCheckpoint).
    """

    seq = ChainSeqField(primary_key=True)
    time = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audit_events",
    )
    actor_label = models.CharField(max_length=150)
    action = models.CharField(max_length=64, choices=Action.choices)
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.CharField(max_length=128, blank=True)
    target_label = models.CharField(max_length=255, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    reason = models.TextField(blank=True)
    preflight = models.JSONField(null=True, blank=True)
    zoom_calls = models.JSONField(default=list, blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    request_id = models.CharField(max_length=64, blank=True)
    source_ip = models.CharField(max_length=64, blank=True)
    operation_id = models.UUIDField(default=uuid.uuid4)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        base_manager_name = "objects"
        ordering = ("-seq",)
        default_permissions = ()
        indexes = [
            models.Index(fields=["action", "-seq"], name="audit_action_seq"),
            models.Index(fields=["outcome", "-seq"], name="audit_outcome_seq"),
            # One actor's events newest first, with the time, action and outcome too, so that the list
            # walks an actor's events (in a date range: between the seqs selectors._date_seq_window
            # finds) and reads their outcomes (PostgreSQL) from this index alone.
            models.Index(
                fields=["actor_label", "-seq", "time", "action", "outcome"], name="audit_actor_seq_time"
            ),
            models.Index(fields=["target_type", "target_id", "-seq"], name="audit_target_seq"),
            # A target id without its type (the filter form has the two apart).
            models.Index(fields=["target_id", "-seq"], name="audit_target_id_seq"),
            models.Index(fields=["operation_id", "seq"], name="audit_operation_seq"),
            models.Index(fields=["request_id", "-seq"], name="audit_request_seq"),
            # "What did this operator do in that week": the first and last of one actor's events in a
            # date range (selectors._date_seq_window), from the index alone.
            models.Index(fields=["actor_label", "time", "action", "seq"], name="audit_actor_label_time"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.outcome} by {self.actor_label}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding or kwargs.get("force_update") or kwargs.get("update_fields"):
            _refuse("saving an existing event")
        if not self.hash:
            raise AppendOnlyError(WRITE_THROUGH_SERVICE)
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse("delete()")

    @property
    def is_started(self) -> bool:
        return self.outcome == Outcome.STARTED


class AuditChainHead(models.Model):
    """The single row (id=1) holding the last appended seq and hash.

    Appends lock it (`select_for_update`) so that concurrent writers, in any number of processes,
    queue up and extend one chain. `audit_verify` also compares it with the last event, which catches
    events deleted from the end of the log.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, blank=True)

    class Meta:
        default_permissions = ()

    def __str__(self) -> str:
        return f"audit chain head at seq {self.seq}"


class AuditClockStep(models.Model):
    """An event recorded at an earlier time than the event before it: the server's clock was stepped
    back (a VM resumed, a manual fix, NTP stepping). Written by audit_record under the chain lock (and
    for older events by migration 0012), one row per step, never changed.

    Between two steps, times only grow with seqs, so the events of a date range are one run of seqs
    within each such stretch: the list finds that run from the time index in two lookups
    (selectors._date_seq_window) instead of walking every newer event down to the range. With no step
    on record, the whole log is one stretch. A step row names the first event after the step (`seq`),
    its time, and the time of the event before it (`previous_time`, the end of the previous stretch).
    """

    seq = models.BigIntegerField(primary_key=True)
    time = models.DateTimeField()
    previous_time = models.DateTimeField()

    class Meta:
        default_permissions = ()
        ordering = ("seq",)

    def __str__(self) -> str:
        return f"clock stepped back at seq {self.seq}"


class AuditCheckpoint(models.Model):
    """Where the chain starts after old events were pruned (`manage.py audit_prune`).

    `seq` and `hash` are those of the last pruned event: verification starts at `seq + 1`, whose
    prev_hash must be `hash`. `event_seq` is the `audit.prune` event that recorded the prune (after
    `seq`, so it survives it); its hashed content names the same seq and hash, which is what makes a
    checkpoint trustworthy: one inserted by hand has no such event and `audit_verify` says so.

    `open` is true only inside the prune's own transaction: the database triggers let events be deleted
    only while an open checkpoint covers them, and close it only once none at or before `seq` is left.
    Rows are never deleted or otherwise changed, and a new checkpoint must lie beyond the last one.
    """

    id = models.BigAutoField(primary_key=True)
    seq = models.BigIntegerField(unique=True)
    hash = models.CharField(max_length=64)
    event_seq = models.BigIntegerField()
    open = models.BooleanField(default=True)

    class Meta:
        default_permissions = ()
        ordering = ("-seq",)

    def __str__(self) -> str:
        return f"audit checkpoint after seq {self.seq}"


class VerifyRun(models.Model):
    """One verification of the chain asked for from the dashboard ("Verify now") or by the nightly
    schedule, run by the background worker (zoomadmin_site.audit.integrity). Its result is the
    `audit.verify` event it recorded (`event_seq`); this row only tracks the queue: one run may be
    queued or running at a time (`active`, a partial unique constraint), so pressing the button twice,
    or the schedule firing during a run, makes one walk of the log. `manage.py audit_verify` takes the
    slot too, as a run already running (trigger cli, `requested_by_label` naming the OS user, host and
    process), so the page shows it; when the slot is taken it walks anyway, without a row, and says so."""

    class Trigger(models.TextChoices):
        UI = "ui", "Verify now"
        SCHEDULE = "schedule", "Nightly schedule"
        CLI = "cli", "Command line"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"  # the walk itself failed (no result recorded); `error` says why
        ABANDONED = "abandoned", "Abandoned"  # its worker stopped answering; a new run may start

    id = models.BigAutoField(primary_key=True)
    trigger = models.CharField(max_length=16, choices=Trigger.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_by_label = models.CharField(max_length=150, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    # True while queued or running; the partial unique constraint allows one such run at a time.
    active = models.BooleanField(default=True)
    requested_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    event_seq = models.BigIntegerField(null=True, blank=True)  # the audit.verify event it recorded
    error = models.TextField(blank=True)

    class Meta:
        default_permissions = ()
        ordering = ("-id",)
        constraints = [
            models.UniqueConstraint(
                fields=["active"], condition=models.Q(active=True), name="one_active_verify_run"
            )
        ]

    def __str__(self) -> str:
        return f"audit verification #{self.pk} ({self.status})"
