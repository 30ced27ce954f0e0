from __future__ import annotations

import json
import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from zoomadmin_site.access import operator_required
from zoomadmin_site.audit.services import audit_record
from zoomadmin_site.middleware import client_ip
from zoomadmin_site.mirror import selectors, webhooks
from zoomadmin_site.mirror.models import SyncRun
from zoomadmin_site.mirror.services import (
    SyncBusy,
    mirror_refresh_meeting,
    mirror_refresh_user,
    sync_run_request,
    sync_run_resume,
)
from zoomadmin_site.mirror.signatures import BadSignature, url_validation_answer, verify_delivery
from zoomadmin_site.mirror.sync import SyncAborted
from zoomadmin_site.mirror.tasks import mirror_sync_task
from zoomadmin_site.zoom import ZoomError

logger = logging.getLogger(__name__)
MAX_WEBHOOK_BYTES = 256 * 1024
ZOOM_FAILED = "Zoom did not answer as expected: {explanation} {remedy}"
MEETING_GONE = "Zoom no longer has this meeting (deleted or expired); the mirror now marks it gone."


@operator_required("browse")
@require_GET
def sync_overview(request: HttpRequest) -> HttpResponse:
    context = selectors.mirror_overview()
    template = "mirror/overview.html#progress" if request.htmx else "mirror/overview.html"
    return render(request, template, context)


@operator_required("sync_mirror")
@require_POST
def sync_start(request: HttpRequest) -> HttpResponse:
    try:
        if request.POST.get("resume"):
            run = sync_run_resume(actor=request.user)
        else:
            run = sync_run_request(trigger=SyncRun.Trigger.UI, actor=request.user)
    except (SyncBusy, SyncAborted) as error:
        messages.warning(request, str(error))
        return redirect("mirror:overview")
    mirror_sync_task.enqueue(run.pk)
    messages.success(request, f"Sync #{run.pk} queued; it runs in the background. You can leave this page.")
    return redirect("mirror:overview")


@operator_required("browse")
@require_GET
def sync_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    run = get_object_or_404(SyncRun, pk=run_id)
    return render(request, "mirror/run_detail.html", {"run": run})


@login_not_required
@csrf_exempt
@require_POST
def webhook_receive(request: HttpRequest) -> HttpResponse:
    """Zoom's event notifications. Verified by HMAC signature and timestamp before anything is read."""
    body = request.body
    if len(body) > MAX_WEBHOOK_BYTES:
        return JsonResponse({"error": "payload too large"}, status=413)
    from django.conf import settings

    secret = settings.ZOOM_WEBHOOK_SECRET_TOKEN
    try:
        verify_delivery(
            secret=secret,
            timestamp=request.headers.get("x-zm-request-timestamp", ""),
            signature=request.headers.get("x-zm-signature", ""),
            body=body,
        )
        event = json.loads(body)
        if not isinstance(event, dict):
            raise ValueError("not a JSON object")
    except (BadSignature, ValueError) as error:
        audit_record(
            action="webhook.rejected",
            outcome="denied",
            actor_label="zoom-webhook",
            target_type="zoom_webhook",
            target_label="/zoom/webhooks/",
            reason=f"Rejected a webhook delivery from {client_ip(request)}: {error}",
        )
        return JsonResponse({"error": "invalid signature or body"}, status=401)
    if event.get("event") == "endpoint.url_validation":
        plain = str((event.get("payload") or {}).get("plainToken", ""))
        return JsonResponse(url_validation_answer(secret, plain))
    result = webhooks.webhook_apply(
        body=body, zoom_request_id=request.headers.get("x-zm-request-id", ""), event=event
    )
    return JsonResponse({"result": result})


@operator_required("sync_mirror")
@require_POST
def user_refresh(request: HttpRequest, user_key: str) -> HttpResponse:
    """Refresh one user (and both sides of their delegations) from Zoom, then show their page."""
    try:
        user = mirror_refresh_user(user_key=user_key)
    except ZoomError as error:
        messages.error(request, _zoom_failed(error))
        return redirect("accounts:user_detail", user_key)
    if user is None:
        messages.warning(request, "Zoom no longer knows this user; the mirror now marks them as gone.")
        return redirect("accounts:user_detail", user_key)
    messages.success(request, "Refreshed from Zoom just now.")
    return redirect(user.get_absolute_url())


@operator_required("sync_mirror")
@require_POST
def meeting_refresh(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """Refresh one meeting from Zoom (GET /meetings/{id}: scheduler of record, status, alternative hosts)."""
    try:
        meeting = mirror_refresh_meeting(meeting_id=meeting_id)
    except ZoomError as error:
        messages.error(request, _zoom_failed(error))
        return redirect("meetings:meeting_detail", meeting_id)
    if meeting is None:
        messages.warning(request, MEETING_GONE)
    else:
        messages.success(request, "Refreshed from Zoom just now.")
    return redirect("meetings:meeting_detail", meeting_id)


def _zoom_failed(error: ZoomError) -> str:
    return ZOOM_FAILED.format(explanation=error.explanation, remedy=error.remedy).strip()
