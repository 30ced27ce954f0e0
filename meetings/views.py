from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import Truncator
from django.views.decorators.http import require_POST, require_safe
from django_htmx.http import HttpResponseClientRedirect

from meetings.forms import HostSearchForm, HostTransferForm, MeetingSearchForm
from meetings.host_transfers import (
    host_transfer_execute,
    host_transfer_grant_assistant,
    host_transfer_preflight,
    host_transfer_revoke_assistant,
)
from meetings.models import ZoomMeeting
from meetings.selectors import (
    MEETING_DEFAULT_SORT,
    MEETING_SORTS,
    meeting_get,
    meeting_profile,
    meeting_search,
    new_host_candidates,
    new_host_get,
)
from zoomadmin_site.access import operator_required
from zoomadmin_site.changes.models import ChangeRequest, Status
from zoomadmin_site.changes.services import ChangeRefused, PlanChanged, plan_shown
from zoomadmin_site.htmx import wants_fragment
from zoomadmin_site.mirror.freshness import mirror_freshness
from zoomadmin_site.search.pages import render_search, search_params, sort_headers
from zoomadmin_site.search.searching import INT64
from zoomadmin_site.zoom import ZoomError

MEETING_ID_INVALID = (
    "“{value}” is not a Zoom meeting id. Meeting ids are numbers, like 85746065432; search for the meeting "
    "by topic or host on the Meetings page."
)
MEETING_GONE = "Zoom no longer lists this meeting, so its host cannot be changed."
ZOOM_FAILED = (
    "Zoom did not answer as expected: {explanation} {remedy} Nothing was changed; your input is kept."
)
GRANT_REASON = "So that meeting {meeting_id} can move to {host}"
GRANTED = "{assistant} may now schedule for {host} (Zoom lists the grant). The check ran again:"
NOT_GRANTED = (
    "Zoom did not show {assistant} among {host}'s scheduling assistants afterwards: see the audit log "
    "(Scheduling assistant added) for Zoom's answer. The check ran again:"
)
MOVED = "Moved: {outcome}"
REVOKED = "The grant is taken back: {assistant} may no longer schedule for {host} (read back)."
NOT_REVOKED = (
    "The meeting moved, but the grant could not be taken back: Zoom still lists {assistant} among "
    "{host}'s scheduling assistants. Remove it in Zoom, or see the audit log for Zoom's answer."
)
MEETING_NOT_FOUND = (
    "There is no meeting {meeting_id} in the local mirror. It may have ended or been deleted in Zoom, or "
    "been scheduled since the last sync. Search for it by topic or host on the Meetings page."
)


@operator_required("browse")
@require_safe
def meeting_list(request: HttpRequest) -> HttpResponse:
    form = MeetingSearchForm(request.GET)
    form.is_valid()
    page = meeting_search(**form.search_kwargs())
    params = search_params(form, page, MEETING_DEFAULT_SORT)
    context = {
        "form": form,
        "page": page,
        "params": params,
        "sort_param": params.get("sort", ""),  # the order, when not the default
        "values": form.values(),
        "sort_headers": sort_headers(MEETING_SORTS, page.sort, params),
        "ignored": form.ignored() + page.ignored,
    }
    if not wants_fragment(request):
        context["mirror"] = mirror_freshness()
    return render_search(request, "meetings/meeting_list.html", context, form=form, page=page)


def _meeting_id(value: str) -> int:
    if not (value.isascii() and value.isdigit()) or len(value) > 19 or int(value) >= INT64:
        raise Http404(MEETING_ID_INVALID.format(value=Truncator(value).chars(40)))
    return int(value)


@operator_required("browse")
@require_safe
def meeting_detail(request: HttpRequest, meeting_id: str) -> HttpResponse:
    profile = meeting_profile(meeting_id=_meeting_id(meeting_id))
    if profile is None:
        raise Http404(MEETING_NOT_FOUND.format(meeting_id=meeting_id))
    return render(request, "meetings/meeting_detail.html", {"profile": profile, "meeting": profile.meeting})


def _zoom_failed(error: ZoomError) -> str:
    return ZOOM_FAILED.format(explanation=error.explanation, remedy=error.remedy).replace("  ", " ")


# --- new hosts: the live search of the host pickers ------------------------------------------------------


@operator_required("transfer_host")
@require_safe
def new_host_search(request: HttpRequest) -> HttpResponse:
    """Licensed, active users matching what is typed in a host picker (its value is sent under the
    picker's own field name), as a short list of buttons that pick one."""
    picker = HostSearchForm(request.GET).picker()
    query = request.GET.get(picker["name"], "")[:200]
    context = {**picker, "query": query.strip(), "candidates": new_host_candidates(query=query)}
    return render(request, "meetings/_host_options.html", context)


@operator_required("transfer_host")
@require_safe
def new_host_pick(request: HttpRequest) -> HttpResponse:
    """A host picker again, with the person picked from its list filled in."""
    form = HostSearchForm(request.GET)
    picker = form.picker()
    pick = form.cleaned_data.get("pick", "") if form.is_valid() else ""
    context = {**picker, "value": pick, "picked": new_host_get(key=pick), "autofocus": True}
    return render(request, "meetings/_host_picker.html", context)


# --- host transfer: the form on a meeting's page ---------------------------------------------------------


def _transfer_meeting(meeting_id: str) -> ZoomMeeting:
    meeting = meeting_get(meeting_id=_meeting_id(meeting_id))
    if meeting is None:
        raise Http404(MEETING_NOT_FOUND.format(meeting_id=meeting_id))
    return meeting


def _render_transfer(request: HttpRequest, meeting: ZoomMeeting, **context: Any) -> HttpResponse:
    template = "meetings/host_transfer.html"
    if wants_fragment(request):
        template += "#panel"
    if meeting.is_gone:
        context = {"error": MEETING_GONE}
    plan = context.get("plan")
    if plan is not None and not plan.blocked:
        # Sent back with "Transfer": the transfer goes ahead only if its own check is this one.
        context["plan_fingerprint"] = plan_shown(plan)
    return render(request, template, {"meeting": meeting, **context})


@operator_required("transfer_host")
@require_safe
def host_transfer(request: HttpRequest, meeting_id: str) -> HttpResponse:
    """The transfer form: in place on the meeting's page (htmx), or a page of its own."""
    meeting = _transfer_meeting(meeting_id)
    return _render_transfer(request, meeting, form=HostTransferForm())


@operator_required("transfer_host")
@require_POST
def host_transfer_check(request: HttpRequest, meeting_id: str) -> HttpResponse:
    """The read-only preflight: the checklist and the exact Zoom calls a transfer would make (the dry
    run). A POST so that the reason stays out of URLs; it changes nothing."""
    meeting = _transfer_meeting(meeting_id)
    form = HostTransferForm(request.POST)
    plan, error = None, ""
    if form.is_valid():
        try:
            plan = host_transfer_preflight(
                meeting_id=str(meeting.meeting_id), new_host=form.cleaned_data["new_host"], actor=request.user
            )
        except ZoomError as failure:
            error = _zoom_failed(failure)
    return _render_transfer(request, meeting, form=form, plan=plan, error=error)


@operator_required("transfer_host")
@require_POST
def host_transfer_grant(request: HttpRequest, meeting_id: str) -> HttpResponse:
    """The failing scheduler check's remedy: let the scheduler of record schedule for the new host (its
    own audited step), then check again."""
    meeting = _transfer_meeting(meeting_id)
    form = HostTransferForm(request.POST)
    if not form.is_valid() or not (assistant := form.assistant_to_add()) or meeting.is_gone:
        return _render_transfer(request, meeting, form=form)
    host, reason = form.cleaned_data["new_host"], form.cleaned_data["reason"]
    try:
        granted = host_transfer_grant_assistant(
            host=host,
            assistant=assistant,
            actor=request.user,
            reason=reason or GRANT_REASON.format(meeting_id=meeting.meeting_id, host=host),
        )
        plan = host_transfer_preflight(meeting_id=str(meeting.meeting_id), new_host=host, actor=request.user)
    except ZoomError as failure:
        return _render_transfer(request, meeting, form=form, error=_zoom_failed(failure))
    note = (GRANTED if granted else NOT_GRANTED).format(assistant=assistant, host=host)
    context = {"granted": assistant if granted else form.cleaned_data["granted"], "grant_note": note}
    return _render_transfer(request, meeting, form=form, plan=plan, grant_ok=granted, **context)


@operator_required("transfer_host")
@require_POST
def host_transfer_run(request: HttpRequest, meeting_id: str) -> HttpResponse:
    """Check again and move the meeting. A verified move goes back to the meeting's page with the outcome;
    a failed or unverified one stays in the form with Zoom's answer."""
    meeting = _transfer_meeting(meeting_id)
    form = HostTransferForm(request.POST, require_reason=True)
    if not form.is_valid() or meeting.is_gone:
        return _render_transfer(request, meeting, form=form, granted=form.data.get("granted", ""))
    data = form.cleaned_data
    keep = {"form": form, "granted": data["granted"]}
    try:
        submitted = host_transfer_execute(
            meeting_id=str(meeting.meeting_id),
            new_host=data["new_host"],
            reason=data["reason"],
            actor=request.user,
            seen_fingerprint=data["plan_fingerprint"],
        )
    except PlanChanged as changed:
        context = {"changes": changed.changes, "changed_checks": changed.changed_checks}
        return _render_transfer(
            request, meeting, plan=changed.plan, changed=changed.message, **context, **keep
        )
    except ChangeRefused as refused:
        return _render_transfer(request, meeting, plan=refused.plan, error=refused.message, **keep)
    except ZoomError as failure:
        return _render_transfer(request, meeting, error=_zoom_failed(failure), **keep)
    change = submitted.request
    assert change is not None  # None only for a dry run
    if change.status != Status.SUCCEEDED:
        return _render_transfer(request, meeting, result=change, plan=submitted.plan, **keep)
    messages.success(request, MOVED.format(outcome=change.outcome_reason or change.summary))
    if data["revoke_grant"] and data["granted"]:
        _revoke(request, change, host=data["new_host"], assistant=data["granted"])
    if getattr(request, "htmx", False):
        return HttpResponseClientRedirect(meeting.get_absolute_url())
    return redirect(meeting.get_absolute_url())


def _revoke(request: HttpRequest, change: ChangeRequest, *, host: str, assistant: str) -> None:
    revoked = host_transfer_revoke_assistant(
        host=host,
        assistant=assistant,
        actor=request.user,
        reason=f"Moved ({change.summary}): {change.reason}",
    )
    if revoked:
        messages.success(request, REVOKED.format(assistant=assistant, host=host))
    else:
        messages.warning(request, NOT_REVOKED.format(assistant=assistant, host=host))
