"""Host transfers of single meetings: the flow the change machinery runs (`zoomadmin_site.changes`).

Zoom's rule (zoom-api.md §1.3, §8): `PATCH /meetings/{id}` with `schedule_for` moves the meeting (the
whole series) to a new host only if the meeting's scheduler of record (the user in the path of the
create call, Zoom's `assistant_id`, else the host) may schedule for the new host: the new host has them
as a scheduling assistant (`GET /users/{newHost}/assistants`). Otherwise Zoom answers 400/3000, whoever
calls. The preflight checks it before calling and names the fix: add the scheduler as an assistant of the
new host (`POST /users/{newHost}/assistants`), its own audited step (`host_transfer_grant_assistant`).
The move keeps the meeting's id, passcode and join link.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from meetings.mirroring import meeting_values, mirror_write_meeting
from zoomadmin_site import zoom
from zoomadmin_site.audit.models import Action, Outcome
from zoomadmin_site.audit.services import audit_finish, audit_start
from zoomadmin_site.changes.checks import read_failed, scopes_check
from zoomadmin_site.changes.flows import FlowActions, ReadBack, register_flow
from zoomadmin_site.changes.models import ChangeRequest, Kind, Source, Status
from zoomadmin_site.changes.plans import Check, CheckOutcome, Plan, PlannedCall
from zoomadmin_site.changes.reads import parallel_reads
from zoomadmin_site.changes.services import Submitted, change_submit
from zoomadmin_site.zoom import (
    ZoomError,
    ZoomNotFound,
    ZoomRateLimited,
    get_zoom_client,
    record_zoom_calls,
)

TARGET_MEETING = "zoom_meeting"
EXHAUSTED_KEY = "meetings:daily-writes-exhausted:{host}"
INSTANT, SCHEDULED, RECURRING_NO_TIME, RECURRING = 1, 2, 3, 8
UNVERIFIED_ADVICE = (
    "Zoom answered the PATCH without error but still shows the old host. Open the meeting in Zoom's "
    "portal to see who hosts it, refresh it here, and try again; if it keeps happening, send Zoom support "
    "the tracking ids of the calls below."
)
RECREATE = (
    "Fallback: re-create the meeting under the new host and delete the old one. The meeting id and the "
    "join link change, so invitees need the new link."
)


def _person(user: zoom.ZoomUser) -> str:
    name = f"{user.first_name} {user.last_name}".strip()
    return f"{name} <{user.email}>" if name else user.email


class HostTransferFlow:
    kind: str = Kind.HOST_TRANSFER
    actions = FlowActions(
        request=Action.HOST_TRANSFER_REQUEST,
        preflight=Action.HOST_TRANSFER_PREFLIGHT,
        approve=Action.HOST_TRANSFER_REQUEST,  # host transfers need no approval
        reject=Action.HOST_TRANSFER_REQUEST,
        cancel=Action.HOST_TRANSFER_REQUEST,
        expire=Action.HOST_TRANSFER_REQUEST,
        execute=Action.HOST_TRANSFER_EXECUTE,
        read_back=Action.HOST_TRANSFER_READ_BACK,
        reconcile=Action.HOST_TRANSFER_RECONCILE,
    )
    unverified_advice = UNVERIFIED_ADVICE

    # --- preflight -------------------------------------------------------------------------------

    def preflight(self, *, target_id: str, intended: dict[str, Any], actor: Any) -> Plan:
        client = get_zoom_client()
        new_host_key = str(intended.get("new_host") or "")
        with record_zoom_calls() as calls:
            reads = parallel_reads(
                {
                    "meeting": lambda: client.get_meeting(meeting_id=target_id),
                    "new_host": lambda: client.get_user(user_id=new_host_key),
                    "assistants": lambda: client.list_assistants(user_id=new_host_key),
                    "api_schedulers": lambda: client.list_schedulers(user_id="me"),
                    "scopes": lambda: client.granted_scopes(),
                }
            )
            meeting, new_host = reads["meeting"], reads["new_host"]
            scheduler = None
            if isinstance(meeting, zoom.Meeting) and not self.may_schedule(
                meeting, new_host, reads["assistants"]
            ):
                scheduler = parallel_reads(
                    {"s": lambda: client.get_user(user_id=meeting.scheduler_of_record)}
                )["s"]
        reads["scheduler"] = scheduler
        return self.plan_from(reads, target_id=target_id, intended=intended, zoom_reads=calls)

    def plan_from(
        self, reads: dict[str, Any], *, target_id: str, intended: dict[str, Any], zoom_reads: list[Any]
    ) -> Plan:
        """The plan from what was read (each value a result or the ZoomError it raised): "meeting",
        "new_host", "assistants" (the new host's), "api_schedulers", "scopes", "scheduler" (the scheduler
        of record's account when they may not schedule for the new host, else None), and optionally
        "quota" (the host's HostQuota). Offboarding reads these once for many meetings and builds each
        meeting's plan here."""
        meeting, new_host, scheduler = reads["meeting"], reads["new_host"], reads.get("scheduler")
        new_host_key = str(intended.get("new_host") or "")
        checks = [self._meeting_check(meeting, target_id)]
        current: dict[str, Any] = {"meeting_id": target_id}
        if isinstance(meeting, zoom.Meeting):
            current = self._current(meeting)
            series = self._series_check(meeting)
            if series:
                checks.append(series)
        checks.append(self._new_host_check(new_host, new_host_key))
        if isinstance(meeting, zoom.Meeting) and isinstance(new_host, zoom.ZoomUser):
            checks.append(self._not_current_host(meeting, new_host))
            checks.append(self._scheduler_check(meeting, new_host, reads["assistants"], scheduler))
            checks.append(self._api_user_check(meeting, new_host, reads["api_schedulers"]))
            alternative = self._alternative_host_check(meeting, new_host)
            if alternative:
                checks.append(alternative)
            checks.append(self._quota_check(meeting, reads.get("quota")))
        checks.append(self._scopes_check(reads["scopes"]))
        intended_state = {
            "new_host": new_host_key,
            "host_id": new_host.id if isinstance(new_host, zoom.ZoomUser) else "",
            "host_email": new_host.email if isinstance(new_host, zoom.ZoomUser) else new_host_key,
            "remove_alternative_host": bool(intended.get("remove_alternative_host", True)),
        }
        plan_calls = (
            self._calls(meeting, new_host, intended_state) if isinstance(meeting, zoom.Meeting) else []
        )
        topic = current.get("topic") or f"meeting {target_id}"
        return Plan(
            kind=self.kind,
            target_type=TARGET_MEETING,
            target_id=str(current.get("meeting_id") or target_id),
            target_label=f"{topic} ({current.get('meeting_id') or target_id})",
            current=current,
            intended=intended_state,
            checks=checks,
            calls=plan_calls,
            summary=f"Move “{topic}” from {current.get('host_email') or 'its host'} to "
            f"{intended_state['host_email']}",
            approval_reason="A host transfer needs no approval: it runs when you confirm.",
            zoom_reads=[call.to_dict() for call in zoom_reads],
        )

    def _current(self, meeting: zoom.Meeting) -> dict[str, Any]:
        return {
            "meeting_id": meeting.id,
            "topic": meeting.topic,
            "type": meeting.type,
            "status": meeting.status,
            "host_id": meeting.host_id,
            "host_email": meeting.host_email,
            "scheduler_of_record": meeting.scheduler_of_record,
            "start_time": meeting.start_time.isoformat() if meeting.start_time else None,
            "alternative_hosts": meeting.settings.alternative_hosts if meeting.settings else "",
            "join_url": meeting.join_url,
        }

    @staticmethod
    def may_schedule(meeting: zoom.Meeting, new_host: Any, assistants: Any) -> bool:
        if not isinstance(new_host, zoom.ZoomUser) or isinstance(assistants, ZoomError):
            return True  # nothing to learn about the scheduler: another check fails first
        scheduler = meeting.scheduler_of_record
        return scheduler == new_host.id or any(scheduler in (a.id, a.email) for a in assistants)

    def _meeting_check(self, meeting: Any, meeting_id: str) -> Check:
        label = "The meeting can be moved"
        if isinstance(meeting, ZoomNotFound):
            return Check(
                "meeting",
                label,
                CheckOutcome.FAIL,
                f"Zoom has no meeting {meeting_id} now (code {meeting.code}).",
                "It may have been deleted or has ended; refresh the mirror.",
                {"exists": False},
            )
        if isinstance(meeting, ZoomError):
            return read_failed("meeting", label, meeting)
        if meeting.has_started:
            return Check(
                "meeting",
                label,
                CheckOutcome.FAIL,
                "The meeting is in progress: Zoom refuses to change a started meeting (code 3000).",
                "Try again after it ends.",
                {"status": meeting.status},
            )
        if meeting.type == INSTANT:
            return Check(
                "meeting",
                label,
                CheckOutcome.FAIL,
                "An instant meeting cannot change host.",
                "Start a new meeting under the new host.",
                {"type": meeting.type},
            )
        if meeting.pmi or (meeting.settings and meeting.settings.use_pmi):
            return Check(
                "meeting",
                label,
                CheckOutcome.FAIL,
                "The meeting runs on the host's personal meeting ID, "
                "which belongs to that person and cannot move.",
                f"It must be re-created. {RECREATE}",
                {"pmi": True},
            )
        if (
            meeting.type == SCHEDULED
            and meeting.start_time
            and meeting.start_time + datetime.timedelta(minutes=meeting.duration or 0) < timezone.now()
        ):
            return Check(
                "meeting",
                label,
                CheckOutcome.FAIL,
                "The meeting is in the past.",
                "Nothing to move.",
                {"past": True},
            )
        return Check(
            "meeting",
            label,
            CheckOutcome.PASS,
            "Scheduled, not started, not instant, not on a personal meeting ID.",
            "",
            {"status": meeting.status, "type": meeting.type},
        )

    def _series_check(self, meeting: zoom.Meeting) -> Check | None:
        if not meeting.is_recurring:
            return None
        count = len(meeting.occurrences)
        occurrences = f"{count} occurrence{'s' if count != 1 else ''}" if count else "every occurrence"
        return Check(
            "series",
            "A recurring meeting moves as a whole",
            CheckOutcome.WARN,
            f"Zoom moves the whole series ({occurrences}); one occurrence cannot change host.",
            "",
            {"occurrences": count},
        )

    def _new_host_check(self, user: Any, key: str) -> Check:
        label = "The new host can host"
        if isinstance(user, ZoomNotFound):
            return Check(
                "new_host",
                label,
                CheckOutcome.FAIL,
                f"Zoom has no user {key} in this account.",
                "Pick someone in this account.",
                {"exists": False},
            )
        if isinstance(user, ZoomError):
            return read_failed("new_host", label, user)
        if user.status != "active":
            return Check(
                "new_host",
                label,
                CheckOutcome.FAIL,
                f"{user.email} is {user.status or 'not active'} in Zoom.",
                "Pick an active user.",
                {"status": user.status},
            )
        if user.type != 2:
            return Check(
                "new_host",
                label,
                CheckOutcome.FAIL,
                f"{user.email} has a Basic licence: Zoom moves meetings only to Licensed users.",
                "Give them a licence in Zoom first, or pick another host.",
                {"type": user.type},
            )
        return Check(
            "new_host",
            label,
            CheckOutcome.PASS,
            f"{_person(user)} is active and Licensed.",
            "",
            {"status": user.status, "type": user.type},
        )

    def _not_current_host(self, meeting: zoom.Meeting, user: zoom.ZoomUser) -> Check:
        if meeting.host_id == user.id:
            return Check(
                "same_host",
                "The new host is not the current host",
                CheckOutcome.FAIL,
                f"{user.email} already hosts this meeting.",
                "Nothing to do.",
                {"same": True},
            )
        return Check(
            "same_host",
            "The new host is not the current host",
            CheckOutcome.PASS,
            f"The meeting is hosted by {meeting.host_email or meeting.host_id} now.",
            "",
            {"same": False},
        )

    def _scheduler_check(
        self, meeting: zoom.Meeting, user: zoom.ZoomUser, assistants: Any, scheduler: Any
    ) -> Check:
        label = "The meeting's scheduler of record may schedule for the new host"
        record = meeting.scheduler_of_record
        if isinstance(assistants, ZoomError):
            return Check(
                "scheduler",
                label,
                CheckOutcome.FAIL,
                f"Zoom could not list {user.email}'s assistants: {assistants.explanation}",
                assistants.remedy,
                {"error": assistants.reason},
            )
        if self.may_schedule(meeting, user, assistants):
            who = "is the new host" if record == user.id else f"is a scheduling assistant of {user.email}"
            return Check(
                "scheduler",
                label,
                CheckOutcome.PASS,
                f"The scheduler of record ({record}) {who}.",
                "",
                {"scheduler": record, "may": True},
            )
        if isinstance(scheduler, zoom.ZoomUser) and scheduler.status == "active" and scheduler.type == 2:
            return Check(
                "scheduler",
                label,
                CheckOutcome.FAIL,
                f"The meeting was created under {scheduler.email}, who is not a scheduling assistant of "
                f"{user.email}: Zoom would refuse the move with code 3000, whoever asks.",
                f"Add {scheduler.email} as a scheduling assistant of {user.email} (one click below), then "
                "check again.",
                {"scheduler": record, "may": False, "fixable": True, "scheduler_email": scheduler.email},
            )
        why = (
            "is no longer in this account"
            if isinstance(scheduler, ZoomError)
            else f"is {'Basic' if scheduler.type != 2 else scheduler.status}"
        )
        return Check(
            "scheduler",
            label,
            CheckOutcome.FAIL,
            f"The meeting was created under {record}, who {why}: they cannot be made an assistant, so Zoom "
            "cannot move this meeting.",
            RECREATE,
            {"scheduler": record, "may": False, "fixable": False},
        )

    def _api_user_check(self, meeting: zoom.Meeting, user: zoom.ZoomUser, schedulers: Any) -> Check:
        label = "Zoom Admin's API user can schedule for both hosts"
        if isinstance(schedulers, ZoomError):
            return Check(
                "api_user",
                label,
                CheckOutcome.WARN,
                f"Not known: {schedulers.explanation}",
                "",
                {"known": False},
            )
        ids = {s.id for s in schedulers} | {s.email for s in schedulers}
        missing = [who for who in (meeting.host_id, user.id) if who not in ids]
        if missing:
            return Check(
                "api_user",
                label,
                CheckOutcome.WARN,
                "The API user is not an assistant of "
                f"{', '.join(missing)}. That does not block this move (the scheduler of record counts), "
                "but meetings Zoom Admin creates for them later would be hard to move.",
                "Make the API user an assistant of every host.",
                {"missing": missing},
            )
        return Check(
            "api_user",
            label,
            CheckOutcome.PASS,
            "The API user is an assistant of both hosts.",
            "",
            {"missing": []},
        )

    def _alternative_host_check(self, meeting: zoom.Meeting, user: zoom.ZoomUser) -> Check | None:
        alternatives = meeting.settings.alternative_host_list if meeting.settings else ()
        if user.email not in alternatives and user.id not in alternatives:
            return None
        return Check(
            "alternative_host",
            "The new host is not also an alternative host",
            CheckOutcome.WARN,
            f"{user.email} is an alternative host of this meeting; a host cannot be their own alternative.",
            "The same update removes them from the alternative hosts.",
            {"alternative": True},
        )

    def _quota_check(self, meeting: zoom.Meeting, known: HostQuota | None = None) -> Check:
        label = "The host's daily meeting-update budget is not used up"
        if known is None or known.host_id != meeting.host_id:
            known = host_quota(meeting.host_id)
        exhausted, used = known.exhausted, known.used
        if exhausted:
            return Check(
                "quota",
                label,
                CheckOutcome.FAIL,
                f"Zoom refused meeting updates for {meeting.host_email} "
                f"today: {daily_writes()} per host per UTC day.",
                f"Try again after {exhausted} (00:00 UTC).",
                {"exhausted": True},
            )
        near = used >= daily_writes() * 0.9
        outcome = CheckOutcome.WARN if near else CheckOutcome.PASS
        return Check(
            "quota",
            label,
            outcome,
            f"Zoom Admin made {used} of the {daily_writes()} meeting updates Zoom "
            f"allows for {meeting.host_email or meeting.host_id} today (UTC); other apps' updates count too.",
            "",
            {"exhausted": False, "near": near},
        )

    def _scopes_check(self, scopes: Any) -> Check:
        return scopes_check(scopes, ["get_meeting", "update_meeting", "get_user", "list_assistants"])

    def _calls(self, meeting: zoom.Meeting, user: Any, intended: dict[str, Any]) -> list[PlannedCall]:
        if not isinstance(user, zoom.ZoomUser):
            return []
        body: dict[str, Any] = {"schedule_for": user.email}
        alternatives = meeting.settings.alternative_host_list if meeting.settings else ()
        if intended["remove_alternative_host"] and (user.email in alternatives or user.id in alternatives):
            kept = [a for a in alternatives if a not in (user.email, user.id)]
            body["settings"] = {"alternative_hosts": ";".join(kept)}
        return [PlannedCall("PATCH", f"/meetings/{meeting.id}", body, purpose=f"make {user.email} the host")]

    # --- execution ---------------------------------------------------------------------------------

    def approvals_required(self, plan: Plan) -> int:
        return 0

    def write(self, client: zoom.ZoomClient, plan: Plan) -> None:
        for call in plan.calls:
            body = call.body or {}
            try:
                client.update_meeting(
                    meeting_id=plan.current["meeting_id"],
                    schedule_for=body["schedule_for"],
                    settings=body.get("settings"),
                )
            except ZoomRateLimited as error:
                if error.is_daily:
                    _remember_exhausted(plan.current.get("host_id", ""), error)
                raise

    def read_back(self, client: zoom.ZoomClient, plan: Plan) -> ReadBack:
        meeting = client.get_meeting(meeting_id=plan.current["meeting_id"])
        applied = meeting.host_id == plan.intended["host_id"]
        at = timezone.now().strftime("%H:%M:%S UTC")
        after = {"host_id": meeting.host_id, "host_email": meeting.host_email, "join_url": meeting.join_url}
        same_link = meeting.join_url == plan.current.get("join_url")
        if applied:
            detail = (
                f"Zoom shows {meeting.host_email} as the host (read back {at}); the meeting id"
                f"{' and join link are' if same_link else ' is'} unchanged."
            )
        else:
            detail = f"Zoom still shows {meeting.host_email or meeting.host_id} as the host (read back {at})."
        return ReadBack(applied=applied, after=after, detail=detail, record=meeting)

    def mirror(self, read: ReadBack) -> None:
        mirror_write_meeting(meeting_values(read.record), when=timezone.now(), detailed=True)

    def revert_intent(self, current: dict[str, Any]) -> dict[str, Any]:
        return {"new_host": current.get("host_email") or current.get("host_id", "")}


def _remember_exhausted(host_id: str, error: ZoomRateLimited) -> None:
    reset = error.reset_at or (timezone.now() + datetime.timedelta(days=1)).replace(
        hour=0, minute=0, second=0
    )
    seconds = max(60, int((reset - timezone.now()).total_seconds()))
    cache.set(EXHAUSTED_KEY.format(host=host_id), reset.strftime("%Y-%m-%d %H:%M UTC"), timeout=seconds)


@dataclass(frozen=True)
class HostQuota:
    """What Zoom Admin knows of a host's daily meeting updates: Zoom's refusal remembered until 00:00
    UTC ("" when none), and the host transfers it sent today."""

    host_id: str
    exhausted: str
    used: int


def host_quota(host_id: str) -> HostQuota:
    """Read once for a host whose many meetings are planned at once (offboarding)."""
    return HostQuota(
        host_id, cache.get(EXHAUSTED_KEY.format(host=host_id)) or "", host_transfers_today(host_id)
    )


def daily_writes() -> int:
    """Zoom's meeting create/update requests per host user per UTC day (100; zoom-api.md §9.3)."""
    return int(settings.ZOOM_MEETING_DAILY_UPDATES)


def host_transfers_today(host_id: str) -> int:
    """Host transfers away from `host_id` that Zoom Admin sent today (UTC): each is a meeting update that
    counts against the host's daily budget."""
    midnight = timezone.now().astimezone(datetime.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return (
        ChangeRequest.objects.filter(
            kind=Kind.HOST_TRANSFER, started_at__gte=midnight, current__host_id=host_id
        )
        .exclude(status__in=[Status.PENDING, Status.APPROVED])
        .count()
    )


HOST_TRANSFER = HostTransferFlow()
register_flow(HOST_TRANSFER)


# --- services ----------------------------------------------------------------------------------------


def host_transfer_preflight(*, meeting_id: str, new_host: str, actor: Any) -> Plan:
    """Read-only: the plan for moving meeting `meeting_id` to `new_host` (a Zoom user id or email)."""
    return HOST_TRANSFER.preflight(target_id=str(meeting_id), intended={"new_host": new_host}, actor=actor)


def host_transfer_execute(
    *,
    meeting_id: str,
    new_host: str,
    reason: str,
    actor: Any,
    source: str = Source.WEB,
    dry_run: bool = False,
    seen_fingerprint: str | None = None,
) -> Submitted:
    """Check again and move the meeting (no approval: it runs at once), or only plan it (`dry_run`).
    `seen_fingerprint`: the check the operator confirmed; when the check now differs nothing moves
    (`PlanChanged`, with what changed)."""
    return change_submit(
        Kind.HOST_TRANSFER,
        actor=actor,
        target_id=str(meeting_id),
        intended={"new_host": new_host},
        reason=reason,
        source=source,
        dry_run=dry_run,
        seen_fingerprint=seen_fingerprint,
    )


def host_transfer_grant_assistant(*, host: str, assistant: str, actor: Any, reason: str) -> bool:
    """The remedy of a failing scheduler check: let `assistant` (the meeting's scheduler of record)
    schedule for `host` (`POST /users/{host}/assistants`), as its own audited step. True when Zoom shows
    the grant afterwards."""
    client = get_zoom_client()

    def grant() -> None:
        by_email = "@" in assistant
        client.add_assistants(
            user_id=host,
            assistant_emails=[assistant] if by_email else [],
            assistant_ids=[] if by_email else [assistant],
        )

    return _assistant_step(
        Action.ASSISTANT_GRANT,
        host=host,
        assistant=assistant,
        actor=actor,
        reason=reason,
        write=grant,
        listed=True,
    )


def host_transfer_revoke_assistant(*, host: str, assistant: str, actor: Any, reason: str) -> bool:
    """Undo a grant made for a move (`DELETE /users/{host}/assistants/{assistantId}`), as its own audited
    step. Zoom's path takes the assistant's id: an email is looked up among the host's assistants first.
    True when Zoom no longer lists `assistant` among `host`'s assistants afterwards."""
    client = get_zoom_client()

    def revoke() -> None:
        listed = client.list_assistants(user_id=host)
        assistant_id = next((a.id for a in listed if assistant in (a.id, a.email)), None)
        if assistant_id is not None:
            client.delete_assistant(user_id=host, assistant_id=assistant_id)

    return _assistant_step(
        Action.ASSISTANT_REVOKE,
        host=host,
        assistant=assistant,
        actor=actor,
        reason=reason,
        write=revoke,
        listed=False,
    )


def _assistant_step(
    action: Action,
    *,
    host: str,
    assistant: str,
    actor: Any,
    reason: str,
    write: Callable[[], None],
    listed: bool,
) -> bool:
    """One audited change of `host`'s scheduling assistants: `write` it, then read the list back. True
    when Zoom lists `assistant` afterwards as wanted (`listed`: granted, or not: revoked)."""
    client = get_zoom_client()
    started = audit_start(
        action=action,
        actor=actor,
        target_type="zoom_user",
        target_id=host,
        target_label=host,
        before={"assistant": assistant},
        reason=reason,
    )
    error: ZoomError | None = None
    with record_zoom_calls() as calls:
        try:
            write()
        except ZoomError as failure:
            error = failure
        try:
            shown = any(assistant in (a.id, a.email) for a in client.list_assistants(user_id=host))
            done = shown == listed
        except ZoomError as failure:
            done, error = False, error or failure
    may = "may now" if listed else "may no longer"
    outcome = Outcome.SUCCEEDED if done else (Outcome.FAILED if error else Outcome.UNVERIFIED)
    if done:
        why = f"{assistant} {may} schedule for {host} (read back)."
    elif error:
        why = f"{error.explanation} {error.remedy}".strip()
    else:
        lists = "does not list" if listed else "still lists"
        why = f"Zoom answered, but {lists} {assistant} among {host}'s assistants."
    audit_finish(
        started,
        outcome=outcome,
        after={"assistant": assistant, "granted" if listed else "revoked": done},
        zoom_calls=[call.to_dict() for call in calls],
        reason=why,
    )
    return done
