"""Auditor screens: the filtered event list (htmx live filter, keyset paging), one event, the export
(CSV or JSON Lines) and its signed manifest.

Read-only: GET only, and every view needs the view_audit_log permission.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from zoomadmin_site.access import operator_required
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
from zoomadmin_site.htmx import wants_fragment

LIST_TEMPLATE = "audit/event_list.html"
NO_SUCH_EVENT = "There is no audit event {seq}."


@operator_required("view_audit_log")
@require_GET
@vary_on_headers("HX-Request")
def event_list(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET)
    page, counts = None, None
    if form.is_valid():
        filters = form.filters()
        page = audit_event_list(
            after_seq=form.cleaned_data["after_seq"], before_seq=form.cleaned_data["before_seq"], **filters
        )
        counts = audit_outcome_counts(cap=OUTCOME_COUNT_CAP, **filters)
    template = f"{LIST_TEMPLATE}#results" if wants_fragment(request) else LIST_TEMPLATE
    return render(request, template, _list_context(form, page=page, counts=counts))


@operator_required("view_audit_log")
@require_GET
def event_detail(request: HttpRequest, seq: int) -> HttpResponse:
    try:
        event = audit_event_get(seq=seq)
    except AuditEvent.DoesNotExist:
        raise Http404(NO_SUCH_EVENT.format(seq=seq)) from None
    context = {
        "event": event,
        "operation": audit_operation_events(operation_id=event.operation_id),
        "change_request": _change_request_number(event),
    }
    return render(request, "audit/event_detail.html", context)


def _change_request_number(event: AuditEvent) -> int | None:
    """The role-change request an event belongs to (its page tells the whole story), if any."""
    if not event.action.startswith("role_change."):
        return None
    for recorded in (event.after, event.preflight):
        number = recorded.get("request") if isinstance(recorded, dict) else None
        if isinstance(number, int) and number > 0:
            return number
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


def _list_context(
    form: AuditFilterForm, *, page: Any, counts: list[OutcomeCount] | None = None
) -> dict[str, Any]:
    return {
        "form": form,
        "page": page,
        "outcome_chips": _outcome_chips(form, counts) if counts is not None else None,
        "counts_capped": any(c.capped for c in counts or ()),
        "count_cap": f"{OUTCOME_COUNT_CAP:,}",
        "form_problems": _form_problems(form),
        "verification": audit_last_verification(),
        "known_actions": KNOWN_ACTIONS,
        "known_target_types": KNOWN_TARGET_TYPES,
        "outcomes": Outcome,
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
