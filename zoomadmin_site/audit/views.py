"""Auditor screens: the filtered event list (htmx live filter, keyset paging), one event, CSV export.

Read-only: GET only, and every view needs the view_audit_log permission.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from zoomadmin_site.access import operator_required
from zoomadmin_site.audit.export import audit_csv_lines
from zoomadmin_site.audit.forms import KNOWN_ACTIONS, KNOWN_TARGET_TYPES, AuditFilterForm
from zoomadmin_site.audit.models import Action, AuditEvent, Outcome
from zoomadmin_site.audit.selectors import (
    audit_event_export,
    audit_event_get,
    audit_event_list,
    audit_last_verification,
    audit_operation_events,
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
    page = None
    if form.is_valid():
        page = audit_event_list(
            after_seq=form.cleaned_data["after_seq"],
            before_seq=form.cleaned_data["before_seq"],
            **form.filters(),
        )
    template = f"{LIST_TEMPLATE}#results" if wants_fragment(request) else LIST_TEMPLATE
    return render(request, template, _list_context(form, page=page))


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
    form = AuditFilterForm(request.GET)
    if not form.is_valid():
        return render(request, LIST_TEMPLATE, _list_context(form, page=None), status=400)
    response = StreamingHttpResponse(
        audit_csv_lines(audit_event_export(**form.filters())), content_type="text/csv; charset=utf-8"
    )
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    # Who took a copy of the log, and of what, is itself part of the record.
    audit_record(
        action=Action.AUDIT_EXPORT,
        outcome="succeeded",
        actor=request.user,
        target_type="audit_log",
        target_label=f"audit-log-{stamp}.csv",
        after={"filters": {k: str(v) for k, v in form.cleaned_data.items() if v not in (None, "")}},
    )
    response["Content-Disposition"] = f'attachment; filename="audit-log-{stamp}.csv"'
    response["Cache-Control"] = "no-store"
    return response


def _list_context(form: AuditFilterForm, *, page: Any) -> dict[str, Any]:
    return {
        "form": form,
        "page": page,
        "form_problems": _form_problems(form),
        "verification": audit_last_verification(),
        "known_actions": KNOWN_ACTIONS,
        "known_target_types": KNOWN_TARGET_TYPES,
        "outcomes": Outcome,
    }


def _form_problems(form: AuditFilterForm) -> list[str]:
    """Every form error as one readable line, including those of the hidden paging fields."""
    if not form.is_bound or form.is_valid():
        return []
    problems: list[str] = []
    for name, errors in form.errors.items():
        label = "" if name == "__all__" else f"{form.fields[name].label or name.replace('_', ' ')}: "
        problems.extend(f"{label}{error}" for error in errors)
    return problems
