"""Offboarding screens: the plan of a departing host's meetings (readiness matrix, fixes, Run) and the
transfer jobs it starts (live progress, pause, resume, retry, CSV report)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import Truncator
from django.views.decorators.http import require_POST, require_safe

from accounts.models import ZoomUser
from meetings.forms import AssistantGrantForm, OffboardingForm
from meetings.host_transfers import host_transfer_grant_assistant
from meetings.models import TransferItem, TransferJob
from meetings.offboarding import (
    OffboardingPlan,
    OffboardingRefused,
    PlanChanges,
    offboarding_plan,
    offboarding_plan_changes,
    offboarding_plan_shown,
    transfer_job_create,
    transfer_job_pause,
    transfer_job_resume,
    transfer_job_retry_failed,
)
from meetings.selectors import (
    TransferJobDetail,
    new_host_get,
    transfer_job_csv_lines,
    transfer_job_detail,
    transfer_jobs_recent,
)
from zoomadmin_site.access import operator_required
from zoomadmin_site.htmx import wants_fragment
from zoomadmin_site.zoom import ZoomError

USER_NOT_FOUND = (
    "There is no Zoom user “{key}” in the local mirror. Check the Zoom user id or email address, or search "
    "for them on the Users page."
)
NO_MEETINGS = "{email} has no Zoom user id yet (an invitation not accepted), so they host no meetings."
ZOOM_FAILED = "Zoom could not be read: {explanation} {remedy} Nothing was changed; your input is kept."
NOTHING_READY = (
    "No meeting is ready to move: every one needs attention or must be re-created. Apply the fixes, or "
    "pick other new hosts, then run again."
)
JOB_STARTED = "Job #{pk} started: {ready} meeting{s} to move. Every move is checked again and audited."
GRANTED = "{assistant} may now schedule for {host} (Zoom lists the grant). The plan was made again below."
NOT_GRANTED = (
    "Zoom did not show {assistant} among {host}'s scheduling assistants afterwards; see the audit log "
    "(Scheduling assistant added) for Zoom's answer. The plan was made again below."
)
GRANT_REASON = "Offboarding {source}: so that their meetings can move to {host}"
JOB_NOT_FOUND = "There is no transfer job #{pk}. The Transfer jobs page lists the recent ones."
PAUSED = "Job #{pk} is paused: the item moving now finishes, no other starts until you resume."
NOT_PAUSED = "Job #{pk} was not running, so there was nothing to pause."
RESUMED = "Job #{pk} runs again."
NOT_RESUMED = "Job #{pk} was neither paused nor waiting, so there was nothing to resume."
RETRIED = "{count} failed item{s} of job #{pk} are in line again; each is checked fresh before it moves."
NOTHING_TO_RETRY = "Job #{pk} has no failed items to retry."
# Short column heads for the readiness matrix; each cell names the check in full.
CHECK_COLUMNS = {
    "meeting": "Movable",
    "series": "Series",
    "new_host": "New host",
    "same_host": "Not same host",
    "scheduler": "Scheduler",
    "api_user": "API user",
    "alternative_host": "Alt. host",
    "quota": "Daily quota",
    "scopes": "Scopes",
}


def _source(user_key: str) -> ZoomUser:
    user = new_host_get(key=user_key)
    if user is None:
        raise Http404(USER_NOT_FOUND.format(key=Truncator(user_key).chars(80)))
    return user


def _offboarding_url(source: ZoomUser, params: dict[str, str] | None = None) -> str:
    url = reverse("meetings:offboarding", args=[source.url_key])
    return f"{url}?{urlencode(params)}" if params else url


def _matrix(plan: OffboardingPlan) -> dict[str, Any]:
    """The readiness matrix: a column per check key, a row per meeting, each cell the check (or None)."""
    columns = plan.columns
    rows = []
    for item in plan.items:
        by_key = {check.key: check for check in item.plan.checks}
        rows.append({"item": item, "cells": [by_key.get(key) for key in columns]})
    heads = [
        {"key": key, "label": CHECK_COLUMNS.get(key, key.replace("_", " ").capitalize())} for key in columns
    ]
    return {"heads": heads, "rows": rows}


def _plan(source: ZoomUser, form: OffboardingForm, actor: Any) -> tuple[OffboardingPlan | None, str]:
    if not source.zoom_id:
        return None, NO_MEETINGS.format(email=source.email)
    try:
        plan = offboarding_plan(
            source=source.zoom_id,
            default_new_host=form.cleaned_data["new_host"],
            overrides=form.overrides(),
            actor=actor,
        )
    except OffboardingRefused as refused:
        return None, str(refused)
    except ZoomError as failure:
        return None, ZOOM_FAILED.format(explanation=failure.explanation, remedy=failure.remedy)
    return plan, ""


def _render(
    request: HttpRequest,
    source: ZoomUser,
    form: OffboardingForm,
    plan: OffboardingPlan | None,
    error: str,
    changed: PlanChanges | None = None,
) -> HttpResponse:
    recreate = [i for i in plan.items if i.status == TransferItem.Status.RECREATE] if plan else []
    context = {
        # Sent back with Run: the job starts only if the plan made then is this one.
        "plan_fingerprint": offboarding_plan_shown(plan) if plan else "",
        "changed": changed,
        "source": source,
        "form": form,
        "plan": plan,
        "error": error,
        "matrix": _matrix(plan) if plan else None,
        "recreate": recreate,
        "recreate_count": len(recreate),
        "blocked_count": sum(i.status == TransferItem.Status.BLOCKED for i in plan.items) if plan else 0,
        "plan_params": form.plan_params() if plan else {},
    }
    return render(request, "meetings/offboarding.html", context)


@operator_required("transfer_host")
@require_safe
def offboarding(request: HttpRequest, user_key: str) -> HttpResponse:
    """The plan for moving every upcoming and recurring meeting `user_key` hosts (read-only: it travels
    in the URL, so it can be shared and made again)."""
    source = _source(user_key)
    form = OffboardingForm(request.GET or None)
    plan, error = None, ""
    if form.is_bound and form.is_valid():
        plan, error = _plan(source, form, request.user)
    return _render(request, source, form, plan, error)


@operator_required("transfer_host")
@require_POST
def offboarding_fix(request: HttpRequest, user_key: str) -> HttpResponse:
    """Apply one of the plan's fixes (an assistant grant, audited), then show the plan made again."""
    source = _source(user_key)
    fix, plan_form = AssistantGrantForm(request.POST), OffboardingForm(request.POST)
    back = _offboarding_url(source, plan_form.plan_params() if plan_form.is_valid() else None)
    if not fix.is_valid():
        messages.error(request, " ".join(str(e) for errors in fix.errors.values() for e in errors))
        return redirect(back)
    assistant, host = fix.cleaned_data["assistant"], fix.cleaned_data["host"]
    granted = host_transfer_grant_assistant(
        host=host,
        assistant=assistant,
        actor=request.user,
        reason=GRANT_REASON.format(source=source.email, host=host),
    )
    if granted:
        messages.success(request, GRANTED.format(assistant=assistant, host=host))
    else:
        messages.error(request, NOT_GRANTED.format(assistant=assistant, host=host))
    return redirect(back)


@operator_required("transfer_host")
@require_POST
def offboarding_run(request: HttpRequest, user_key: str) -> HttpResponse:
    """Make the plan again (Zoom may have moved) and start a job for its ready meetings, if it is the plan
    the operator saw (its fingerprint); otherwise show the plan made now, with what changed."""
    source = _source(user_key)
    form = OffboardingForm(request.POST, require_reason=True)
    if not form.is_valid():
        plan, error = _plan(source, form, request.user) if "new_host" in form.cleaned_data else (None, "")
        return _render(request, source, form, plan, error)
    plan, error = _plan(source, form, request.user)
    if plan is None or not plan.ready:
        return _render(request, source, form, plan, error or NOTHING_READY)
    if changed := offboarding_plan_changes(plan, form.cleaned_data["plan_fingerprint"]):
        return _render(request, source, form, plan, "", changed)
    job = transfer_job_create(plan=plan, reason=form.cleaned_data["reason"], actor=request.user)
    ready = len(plan.ready)
    messages.success(request, JOB_STARTED.format(pk=job.pk, ready=ready, s="" if ready == 1 else "s"))
    return redirect(job.get_absolute_url())


# --- transfer jobs ------------------------------------------------------------------------------------------


def _detail(job_id: int) -> TransferJobDetail:
    detail = transfer_job_detail(job_id=job_id)
    if detail is None:
        raise Http404(JOB_NOT_FOUND.format(pk=job_id))
    return detail


@operator_required("transfer_host", or_read_only="view_audit_log")
@require_safe
def transfer_job_list(request: HttpRequest) -> HttpResponse:
    return render(request, "meetings/transfer_job_list.html", {"jobs": transfer_jobs_recent()})


@operator_required("transfer_host", or_read_only="view_audit_log")
@require_safe
def transfer_job(request: HttpRequest, job_id: int) -> HttpResponse:
    """A job's page; its progress region polls this view (htmx) every 2 s while the job runs."""
    template = "meetings/transfer_job.html" + ("#progress" if wants_fragment(request) else "")
    detail = _detail(job_id)
    return render(
        request, template, {"detail": detail, "job": detail.job, "audit_query": _audit_query(detail.job)}
    )


def _audit_query(job: TransferJob) -> str:
    """The audit log filtered on the job's events: every request, execution and read-back names it."""
    return urlencode({"action": "host_transfer", "q": f"Offboarding job #{job.pk} ("})


def _job_action(request: HttpRequest, job_id: int, done: Any, yes: str, no: str) -> HttpResponse:
    detail = _detail(job_id)
    result = done(job_id=job_id)
    if result:
        messages.success(request, yes.format(pk=job_id, count=result, s="" if result == 1 else "s"))
    else:
        messages.info(request, no.format(pk=job_id))
    return redirect(detail.job.get_absolute_url())


@operator_required("transfer_host")
@require_POST
def transfer_job_pause_view(request: HttpRequest, job_id: int) -> HttpResponse:
    return _job_action(request, job_id, transfer_job_pause, PAUSED, NOT_PAUSED)


@operator_required("transfer_host")
@require_POST
def transfer_job_resume_view(request: HttpRequest, job_id: int) -> HttpResponse:
    return _job_action(request, job_id, transfer_job_resume, RESUMED, NOT_RESUMED)


@operator_required("transfer_host")
@require_POST
def transfer_job_retry_view(request: HttpRequest, job_id: int) -> HttpResponse:
    return _job_action(request, job_id, transfer_job_retry_failed, RETRIED, NOTHING_TO_RETRY)


@operator_required("transfer_host", or_read_only="view_audit_log")
@require_safe
def transfer_job_report(request: HttpRequest, job_id: int) -> StreamingHttpResponse:
    """The job's items as CSV, streamed (cells safe from formula injection)."""
    job = _detail(job_id).job
    response = StreamingHttpResponse(
        transfer_job_csv_lines(job_id=job.pk), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="transfer-job-{job.pk}.csv"'
    response["Cache-Control"] = "no-store"
    return response
