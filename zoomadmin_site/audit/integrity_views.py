"""The integrity page: the last verification of the chain and its history, the chain head to copy, the
prune checkpoints, the nightly schedule, and "Verify now" (a POST that queues a background run).

Verifying reads the audit log and writes only its own audit.verify event, so it needs the same
permission as reading the log (view_audit_log): auditors may press it.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from zoomadmin_site.access import operator_required
from zoomadmin_site.audit.integrity import VerifyBusy, integrity_overview, verify_run_request
from zoomadmin_site.audit.models import VerifyRun
from zoomadmin_site.audit.tasks import audit_verify_task
from zoomadmin_site.htmx import wants_fragment

TEMPLATE = "audit/integrity.html"
QUEUED = "Verification #{pk} queued: the background worker runs it, and its result shows here."
FINISHED = "Verification #{pk} done: its result is below."


@operator_required("view_audit_log")
@require_GET
@vary_on_headers("HX-Request")
def integrity(request: HttpRequest) -> HttpResponse:
    template = f"{TEMPLATE}#status" if wants_fragment(request) else TEMPLATE
    response = render(request, template, integrity_overview())
    response["Cache-Control"] = "no-store"
    return response


@operator_required("view_audit_log")
@require_POST
def integrity_verify(request: HttpRequest) -> HttpResponse:
    try:
        run = verify_run_request(trigger=VerifyRun.Trigger.UI, actor=request.user)
    except VerifyBusy as busy:
        messages.warning(request, str(busy))
        return redirect("audit:integrity")
    audit_verify_task.enqueue(run.pk)
    run.refresh_from_db()  # a backend that runs tasks at once has finished it
    if run.active:
        messages.success(request, QUEUED.format(pk=run.pk))
    else:
        messages.success(request, FINISHED.format(pk=run.pk))
    return redirect("audit:integrity")
