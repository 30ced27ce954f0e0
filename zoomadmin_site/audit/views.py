"""Auditor screens: the filtered event list (htmx live filter, keyset paging), one event, the export
(CSV or JSON Lines) and its signed manifest.

Read-only: GET only, and every view needs the view_audit_log permission.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from zoomadmin_site.access import operator_required
from zoomadmin_site.audit.diffs import diff_rows
from zoomadmin_site.audit.export import FORMATS, export_build_manifest, export_filename, export_stream
from zoomadmin_site.audit.forms import (
    KNOWN_ACTIONS,
    KNOWN_TARGET_TYPES,
    PAGING_FIELDS,
    AuditExportForm,
    AuditFilterForm,
)
from zoomadmin_site.audit.models import Action, AuditEvent, Outcome
from zoomadmin_site.audit.selectors import (
    OUTCOME_COUNT_CAP,
    OutcomeCount,
    audit_chain_head_seq,
    audit_event_get,
    audit_event_list,
    audit_last_verification,
    audit_operation_events,
    audit_outcome_counts,
)
from zoomadmin_site.audit.services import audit_record
from zoomadmin_site.audit.timelines import (
    TIMELINE_LIMIT,
    change_request_events,
    change_request_reverted_by,
    change_story,
    event_change_request,
    event_transfer_job,
    transfer_job_events,
)
from zoomadmin_site.htmx import wants_fragment

LIST_TEMPLATE = "audit/event_list.html"
NO_SUCH_EVENT = "There is no audit event {seq}."
NO_SUCH_REQUEST = (
    "No audit event names change request #{pk} (there is no such request, or its events were pruned)."
)
NO_SUCH_JOB = (
    "No audit event names offboarding job #{pk} (it moved no meeting yet, or its events were pruned)."
)
BAD_FROM_SEQ = "The position in the timeline must be a whole number of 0 or more; use the Later events link."
MAX_SEQ = 2**63 - 1
NOT_FILTERS = frozenset({*PAGING_FIELDS, "format", "as_of_seq"})  # in a list URL, by hand
DIFF_ORDER = {"changed": 0, "added": 1, "removed": 2}  # what changed first, then what one side lacks
# The pages of the things events are about, by target type (reversed by URL name, never built by hand).
TARGET_PAGES = {"zoom_user": "accounts:user_detail", "zoom_meeting": "meetings:meeting_detail"}


@operator_required("view_audit_log")
@require_GET
@vary_on_headers("HX-Request")
def event_list(request: HttpRequest) -> HttpResponse:
    """The events matching the filters, a page at a time. The counts per outcome come in a request of
    their own (event_counts), which the page makes once it is shown: their walk of the newest
    OUTCOME_COUNT_CAP matching events costs more than the page itself, and the events need not wait."""
    form = AuditFilterForm(request.GET)
    page, export = None, None
    if form.is_valid():
        # The export links name the last event recorded now: the export and its manifest, asked for
        # later, then hold the same rows, however many events come in between.
        as_of_seq = audit_chain_head_seq()
        export = {"as_of_seq": as_of_seq, **_export_links(_filters_query(form), as_of_seq)}
        page = audit_event_list(
            after_seq=form.cleaned_data["after_seq"],
            before_seq=form.cleaned_data["before_seq"],
            **form.filters(),
        )
    template = f"{LIST_TEMPLATE}#results" if wants_fragment(request) else LIST_TEMPLATE
    return render(request, template, _list_context(form, page=page) | {"export": export})


@operator_required("view_audit_log")
@require_GET
@vary_on_headers("HX-Request")
def event_counts(request: HttpRequest) -> HttpResponse:
    """The list's counts per outcome for the same filters (the paging position ignored): the chips that
    the list page loads into itself (htmx), or a page of their own for a browser without JavaScript."""
    form = AuditFilterForm(request.GET)
    counts = audit_outcome_counts(cap=OUTCOME_COUNT_CAP, **form.filters()) if form.is_valid() else None
    context = _counts_context(form, counts)
    if wants_fragment(request):
        return render(request, f"{LIST_TEMPLATE}#outcome_counts", context)
    shown = [  # dates as the list's form has them (ISO)
        (form.fields[name].label or name, value.isoformat() if isinstance(value, dt.date) else value)
        for name, value in (form.cleaned_data.items() if counts is not None else ())
        if value not in (None, "") and name not in PAGING_FIELDS
    ]
    return render(request, "audit/event_counts.html", context | {"filters_shown": shown})


@operator_required("view_audit_log")
@require_GET
def event_detail(request: HttpRequest, seq: int) -> HttpResponse:
    """One event in full: the before/after diff, the preflight as it was, the Zoom calls, and the other
    events of its change request (the story: who asked, who approved, did Zoom apply it)."""
    try:
        event = audit_event_get(seq=seq)
    except AuditEvent.DoesNotExist:
        raise Http404(NO_SUCH_EVENT.format(seq=seq)) from None
    request_id = event_change_request(event)
    related = change_request_events(request_id=request_id, about=event) if request_id else []
    story = change_story(request_id, related) if request_id else None
    diff = diff_rows(event.before, event.after)
    operation = audit_operation_events(operation_id=event.operation_id)
    # An execution's closing event holds no plan: the started event of its operation recorded it; a
    # decision holds none either: the request's event recorded the check the decision rested on.
    plan_event = _plan_event(event, operation, story.requested if story else None)
    context = {
        "event": event,
        "diff_changed": sorted((row for row in diff if row.changed), key=lambda row: DIFF_ORDER[row.kind]),
        "diff_same": [row for row in diff if not row.changed],
        "plan": _recorded_plan(plan_event.preflight) if plan_event else None,
        "plan_event": plan_event,
        "target_url": _target_url(event.target_type, event.target_id),
        "operation": operation,
        "change_request": request_id,
        "story": story,
        "related": related,
        "job": (story.job if story else None) or event_transfer_job(event),
    }
    return render(request, "audit/event_detail.html", context)


@operator_required("view_audit_log")
@require_GET
def change_request_timeline(request: HttpRequest, request_id: int) -> HttpResponse:
    """Chain of custody of one change request: every event that names it, in order, as sentences."""
    events = change_request_events(request_id=request_id)
    if not events:
        raise Http404(NO_SUCH_REQUEST.format(pk=request_id))
    story = change_story(request_id, events)
    context = {
        "request_id": request_id,
        "events": events,
        "story": story,
        "reverted_by": change_request_reverted_by(request_id=request_id) if story.time_bound else None,
        "target_url": _target_url(events[0].target_type, events[0].target_id),
        "limit": TIMELINE_LIMIT,
    }
    return render(request, "audit/change_request_timeline.html", context)


@operator_required("view_audit_log")
@require_GET
def transfer_job_timeline(request: HttpRequest, job_id: int) -> HttpResponse:
    """Chain of custody of one offboarding job: each meeting's request and its steps, in order, a page
    of JOB_PAGE_SIZE events at a time (`from_seq`)."""
    from_seq = _from_seq(request)
    if from_seq is None:
        return render(
            request, "audit/transfer_job_timeline.html", {"job_id": job_id, "error": BAD_FROM_SEQ}, status=400
        )
    timeline = transfer_job_events(job_id=job_id, from_seq=from_seq)
    if not timeline.requests and not timeline.events:
        raise Http404(NO_SUCH_JOB.format(pk=job_id))
    context = {"job_id": job_id, "timeline": timeline, "from_seq": from_seq}
    return render(request, "audit/transfer_job_timeline.html", context)


def _plan_event(
    event: AuditEvent, operation: list[AuditEvent], requested: AuditEvent | None
) -> AuditEvent | None:
    if event.preflight is not None:
        return event
    started = next((e for e in operation if e.preflight is not None), None)
    return started or (requested if requested is not None and requested.preflight is not None else None)


def _from_seq(request: HttpRequest) -> int | None:
    raw = request.GET.get("from_seq", "").strip()
    if not raw:
        return 0
    return int(raw) if raw.isascii() and raw.isdigit() and int(raw) <= MAX_SEQ else None


def _recorded_plan(preflight: Any) -> dict[str, Any] | None:
    """The preflight as recorded, when it is a change plan (a checklist) that changes/_plan.html shows."""
    if not isinstance(preflight, dict) or not isinstance(preflight.get("checks"), list):
        return None
    if not all(
        isinstance(check, dict) and {"label", "outcome"} <= set(check) for check in preflight["checks"]
    ):
        return None
    failed = any(check.get("outcome") == "fail" for check in preflight["checks"])
    calls = [call for call in preflight.get("calls") or [] if isinstance(call, dict)]
    return {**preflight, "blocked": failed, "calls": calls}


def _target_url(target_type: str, target_id: str) -> str | None:
    """The dashboard's page of a Zoom user or meeting the event is about (by URL name), if there is one."""
    name = TARGET_PAGES.get(target_type)
    if not name or not target_id:
        return None
    try:
        return reverse(name, args=[target_id])
    except NoReverseMatch:  # an id the page's URL cannot hold (recorded from hostile input)
        return None


@operator_required("view_audit_log")
@require_GET
def event_export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The current filter as CSV or JSON Lines (`format`), up to `as_of_seq` (default: the latest
    event); the manifest of exactly these rows is linked (see zoomadmin_site.audit.export)."""
    form = AuditExportForm(request.GET)
    if not form.is_valid():
        return render(request, LIST_TEMPLATE, _list_context(form, page=None), status=400)
    fmt, as_of_seq = form.export_format(), _as_of_seq(form)
    stream = export_stream(fmt=fmt, as_of_seq=as_of_seq, filters=form.filters())
    filename = export_filename(fmt, as_of_seq)
    # Who took a copy of the log, and of what, is itself part of the record.
    audit_record(
        action=Action.AUDIT_EXPORT,
        outcome="succeeded",
        actor=request.user,
        target_type="audit_log",
        target_label=filename,
        after={"filters": form.recorded_filters(), "format": fmt, "as_of_seq": as_of_seq},
    )
    response = StreamingHttpResponse(stream, content_type=FORMATS[fmt])
    manifest_url = f"{reverse('audit:event_export_manifest')}?{urlencode(form.export_query(as_of_seq))}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    response["Link"] = f'<{manifest_url}>; rel="describedby"; type="application/json"'
    response["X-Audit-Export-As-Of-Seq"] = str(as_of_seq)
    return response


@operator_required("view_audit_log")
@require_GET
def event_export_manifest(request: HttpRequest) -> HttpResponse:
    """The signed manifest of the export with the same filters, format and as_of_seq."""
    form = AuditExportForm(request.GET)
    if not form.is_valid():
        return render(request, LIST_TEMPLATE, _list_context(form, page=None), status=400)
    fmt, as_of_seq = form.export_format(), _as_of_seq(form)
    manifest = export_build_manifest(
        fmt=fmt,
        as_of_seq=as_of_seq,
        filters=form.filters(),
        recorded_filters=form.recorded_filters(),
        exported_by=request.user.get_username(),
        now=timezone.now(),
    )
    audit_record(
        action=Action.AUDIT_EXPORT,
        outcome="succeeded",
        actor=request.user,
        target_type="audit_log",
        target_label=f"{manifest['file']}.manifest.json",
        after={k: manifest[k] for k in ("filters", "format", "as_of_seq", "rows", "sha256")},
    )
    response = JsonResponse(manifest, json_dumps_params={"indent": 2, "ensure_ascii": False})
    response["Content-Disposition"] = f'attachment; filename="{manifest["file"]}.manifest.json"'
    response["Cache-Control"] = "no-store"
    return response


def _as_of_seq(form: AuditExportForm) -> int:
    as_of_seq = form.cleaned_data.get("as_of_seq")
    return audit_chain_head_seq() if as_of_seq is None else as_of_seq


def _list_context(form: AuditFilterForm, *, page: Any) -> dict[str, Any]:
    """The list page's context: its filter form, its page of events (None when the filters cannot be
    used), the chain status and where its counts per outcome come from."""
    return {
        "form": form,
        "page": page,
        "counts_url": _counts_url(_filters_query(form)),
        "form_problems": _form_problems(form),
        "verification": audit_last_verification(),
        "known_actions": KNOWN_ACTIONS,
        "known_target_types": KNOWN_TARGET_TYPES,
        "outcomes": Outcome,
    }


def _counts_context(form: AuditFilterForm, counts: list[OutcomeCount] | None) -> dict[str, Any]:
    """The outcome chips' context (None when the filters cannot be used)."""
    return {
        "form": form,
        "outcome_chips": _outcome_chips(form, counts) if counts is not None else None,
        "counts_capped": any(c.capped for c in counts or ()),
        "count_cap": f"{OUTCOME_COUNT_CAP:,}",
        "form_problems": _form_problems(form),
    }


def _outcome_chips(form: AuditFilterForm, counts: list[OutcomeCount]) -> list[dict[str, Any]]:
    """ "Any outcome" and one chip per outcome: its count and the list's URL with that outcome filter
    (the other filters kept, the paging position dropped), reversed once rather than per chip."""
    base = reverse("audit:event_list")
    data = form.data if isinstance(form.data, QueryDict) else QueryDict()
    kept = [(k, v) for k, v in data.lists() if k not in ("outcome", *PAGING_FIELDS)]
    current = form.cleaned_data.get("outcome", "")

    def url(outcome: str) -> str:
        query = [*kept, ("outcome", [outcome])] if outcome else kept
        return f"{base}?{urlencode([(k, v) for k, values in query for v in values])}"

    chips = [{"label": "Any outcome", "shown": _total(counts), "url": url(""), "current": not current}]
    chips += [
        {
            "label": c.label,
            "shown": c.shown,
            "url": url(c.outcome),
            "current": current == c.outcome,
            "outcome": c.outcome,
        }
        for c in counts
    ]
    return chips


def _filters_query(form: AuditFilterForm) -> str:
    """The list's filters as a query string, without the paging position (the counts and the exports
    are the same on every page of the list) or an export's own parameters."""
    data = form.data if isinstance(form.data, QueryDict) else QueryDict()
    return urlencode([(k, v) for k, values in data.lists() if k not in NOT_FILTERS for v in values])


def _counts_url(filters_query: str) -> str:
    """event_counts's URL for the list's filters."""
    base = reverse("audit:event_counts")
    return f"{base}?{filters_query}" if filters_query else base


def _export_links(filters_query: str, as_of_seq: int) -> dict[str, str]:
    """The export of the list's filters in each format, and each one's manifest, all up to `as_of_seq`."""
    export, manifest = reverse("audit:event_export"), reverse("audit:event_export_manifest")
    links = {}
    for fmt in FORMATS:
        query = f"{filters_query}&" if filters_query else ""
        query += urlencode({"format": fmt, "as_of_seq": as_of_seq})
        links[fmt], links[f"{fmt}_manifest"] = f"{export}?{query}", f"{manifest}?{query}"
    return links


def _total(counts: list[OutcomeCount]) -> str:
    """Every outcome's count together, with a "+" when more events match than were counted."""
    return f"{sum(c.count for c in counts):,}{'+' if any(c.capped for c in counts) else ''}"


def _form_problems(form: AuditFilterForm) -> list[str]:
    """Every form error as one readable line, including those of the hidden paging fields."""
    if not form.is_bound or form.is_valid():
        return []
    problems: list[str] = []
    for name, errors in form.errors.items():
        label = "" if name == "__all__" else f"{form.fields[name].label or name.replace('_', ' ')}: "
        problems.extend(f"{label}{error}" for error in errors)
    return problems
