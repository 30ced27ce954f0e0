from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.messages.utils import get_level_tags
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import Truncator
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import reswap, trigger_client_event

from accounts.selectors import user_search_row
from accounts.zoom_keys import zoom_meeting_id_ok, zoom_user_key_ok
from accounts.zoom_text import bidi_isolated
from meetings.selectors import meeting_get
from zoomadmin_site.access import operator_required
from zoomadmin_site.middleware import client_ip
from zoomadmin_site.mirror.models import SyncRun
from zoomadmin_site.sync import selectors, webhooks
from zoomadmin_site.sync.engine import SyncAborted
from zoomadmin_site.sync.rejections import rejection_record
from zoomadmin_site.sync.services import (
    SyncBusy,
    mirror_refresh_meeting,
    mirror_refresh_user,
    sync_run_request,
    sync_run_resume,
)
from zoomadmin_site.sync.signatures import (
    BadSignature,
    event_from_body,
    url_validation_answer,
    verify_delivery,
)
from zoomadmin_site.sync.tasks import mirror_sync_task
from zoomadmin_site.zoom import ZoomError

logger = logging.getLogger(__name__)
MAX_WEBHOOK_BYTES = 256 * 1024
TOO_LARGE, BAD_BODY = "too_large", "bad_body"  # refusal reasons besides signatures.py's
ZOOM_FAILED = "Zoom did not answer as expected: {explanation} {remedy}"
MEETING_GONE = "Zoom no longer has this meeting (deleted or expired); the mirror now marks it gone."
USER_GONE = "Zoom no longer knows this user; the mirror now marks them as gone."
REFRESHED = "Refreshed from Zoom just now."
ROW_MESSAGE_EVENT = "zoomadmin:message"  # shown by static/js/app.js
USER_KEY_INVALID = (
    "“{key}” is neither a Zoom user id nor an email address, so there is nothing to refresh from Zoom "
    "(Zoom was not asked). Find the user on the Users page."
)
MEETING_ID_INVALID = (
    "{meeting_id} is not a Zoom meeting id (those have 9 to 11 digits), so there is nothing to refresh "
    "from Zoom (Zoom was not asked). Find the meeting on the Meetings page."
)


@operator_required("browse")
@require_GET
def sync_overview(request: HttpRequest) -> HttpResponse:
    context = selectors.mirror_overview()
    template = "mirror/overview.html#progress" if getattr(request, "htmx", False) else "mirror/overview.html"
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
    """Zoom's event notifications. Verified by HMAC signature and timestamp before anything is read.
    Refusals (413, 401, 400) are counted without letting anybody fill the audit log (rejections.py)."""
    try:
        body = request.body
    except RequestDataTooBig:  # beyond DATA_UPLOAD_MAX_MEMORY_SIZE: Django read none of it
        body = None
    if body is None or len(body) > MAX_WEBHOOK_BYTES:
        detail = f"a body of more than {MAX_WEBHOOK_BYTES} bytes"
        return _refused(request, TOO_LARGE, detail, status=413, error="payload too large")
    secret = settings.ZOOM_WEBHOOK_SECRET_TOKEN
    timestamp = request.headers.get("x-zm-request-timestamp", "")
    signature = request.headers.get("x-zm-signature", "")
    try:
        verify_delivery(secret=secret, timestamp=timestamp, signature=signature, body=body)
    except BadSignature as error:
        return _refused(request, error.code, str(error), status=401, error="invalid signature")
    try:
        event = event_from_body(body)
    except ValueError as error:
        return _refused(request, BAD_BODY, str(error), status=400, error="body is not a usable event")
    if event.get("event") == "endpoint.url_validation":
        payload = event.get("payload")
        plain = payload.get("plainToken") if isinstance(payload, dict) else None
        if not isinstance(plain, str) or not plain:
            detail = "URL validation without a plainToken"
            return _refused(request, BAD_BODY, detail, status=400, error=detail)
        return JsonResponse(url_validation_answer(secret, plain))
    result = webhooks.webhook_apply(
        body=body,
        timestamp=timestamp,
        zoom_request_id=request.headers.get("x-zm-request-id", ""),
        event=event,
    )
    return JsonResponse({"result": result})


def _refused(request: HttpRequest, reason: str, detail: str, *, status: int, error: str) -> JsonResponse:
    rejection_record(source=client_ip(request) or "unknown", reason=reason, detail=detail)
    return JsonResponse({"error": error}, status=status)


@operator_required("sync_mirror")
@require_POST
def user_refresh(request: HttpRequest, user_key: str) -> HttpResponse:
    """Refresh one user (and both sides of their delegations) from Zoom, then show their page; from a
    search row, that row again (htmx) or the search it came from (`next`)."""
    if not zoom_user_key_ok(user_key):
        raise Http404(USER_KEY_INVALID.format(key=bidi_isolated(Truncator(user_key).chars(80))))
    detail_url = reverse("accounts:user_detail", args=[user_key])
    try:
        user = mirror_refresh_user(user_key=user_key)
    except ZoomError as error:
        return _refresh_answer(request, messages.ERROR, _zoom_failed(error), back=detail_url)
    row = partial(_user_row, request, user.url_key if user else user_key)
    if user is None:
        return _refresh_answer(request, messages.WARNING, USER_GONE, back=detail_url, row=row)
    return _refresh_answer(request, messages.SUCCESS, REFRESHED, back=user.get_absolute_url(), row=row)


@operator_required("sync_mirror")
@require_POST
def meeting_refresh(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """Refresh one meeting from Zoom (GET /meetings/{id}: scheduler of record, status, alternative hosts),
    then show its page; from a search row, that row again (htmx) or the search it came from (`next`)."""
    if not zoom_meeting_id_ok(meeting_id):
        raise Http404(MEETING_ID_INVALID.format(meeting_id=Truncator(str(meeting_id)).chars(40)))
    detail_url = reverse("meetings:meeting_detail", args=[meeting_id])
    try:
        meeting = mirror_refresh_meeting(meeting_id=meeting_id)
    except ZoomError as error:
        return _refresh_answer(request, messages.ERROR, _zoom_failed(error), back=detail_url)
    text, level = (MEETING_GONE, messages.WARNING) if meeting is None else (REFRESHED, messages.SUCCESS)
    row = partial(_meeting_row, request, meeting_id)
    return _refresh_answer(request, level, text, back=detail_url, row=row)


def _from_search_row(request: HttpRequest) -> bool:
    # The search rows' buttons send row=1 with htmx (hx-vals on their <tbody>); the detail pages post
    # plain forms, whose answer is a redirect.
    return bool(getattr(request, "htmx", False)) and request.POST.get("row") == "1"


def _user_row(request: HttpRequest, user_key: str) -> HttpResponse | None:
    """The user's search row as the mirror has it now (the Users page's "rows" partial, with the Refresh
    button: only operators who may refresh get here); None when they are not in it."""
    user = user_search_row(key=user_key)
    context = {"rows": [user], "can_refresh": True}
    return render(request, "accounts/user_list.html#rows", context) if user else None


def _meeting_row(request: HttpRequest, meeting_id: int) -> HttpResponse | None:
    meeting = meeting_get(meeting_id=meeting_id)
    context = {"rows": [meeting], "can_refresh": True}
    return render(request, "meetings/meeting_list.html#rows", context) if meeting else None


def _refresh_answer(
    request: HttpRequest,
    level: int,
    text: str,
    *,
    back: str,
    row: Callable[[], HttpResponse | None] | None = None,
) -> HttpResponse:
    """A search row gets its fresh <tr> (or, when there is none to show, no swap) and the message as a
    client event that static/js/app.js shows; a plain form gets a redirect and the message."""
    if not _from_search_row(request):
        messages.add_message(request, level, text)
        return redirect(_safe_next(request) or back)
    response = (row() if row else None) or reswap(HttpResponse(), "none")
    event = {"level": get_level_tags()[level], "text": text}
    return trigger_client_event(response, ROW_MESSAGE_EVENT, event)


def _safe_next(request: HttpRequest) -> str:
    """Where a search row's plain form came from (its search URL), if it is a page of this site."""
    target = request.POST.get("next", "")
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if allowed and target.startswith("/") else ""


def _zoom_failed(error: ZoomError) -> str:
    # The explanation quotes what Zoom said: isolated so that it cannot reorder the words around it.
    explanation = bidi_isolated(error.explanation)
    return ZOOM_FAILED.format(explanation=explanation, remedy=error.remedy).strip()
