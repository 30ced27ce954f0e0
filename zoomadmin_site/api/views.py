"""The JSON API's endpoints. Token-authenticated only: a browser session is not accepted (so no CSRF
token is needed or checked); the token's operator needs the view's permission, and the same services as
the web decide and record the change."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt

from accounts.role_changes import role_change_request
from zoomadmin_site.access import MissingPermission, access_denied_record
from zoomadmin_site.api import payloads
from zoomadmin_site.api.openapi import openapi_document
from zoomadmin_site.api.tokens import api_token_authenticate
from zoomadmin_site.changes.models import ChangeRequest, Kind, Source
from zoomadmin_site.changes.services import BLOCKED, ChangeRefused
from zoomadmin_site.middleware import client_ip
from zoomadmin_site.roles import PERMISSIONS, perm
from zoomadmin_site.zoom import ZoomError

logger = logging.getLogger(__name__)

NO_CREDENTIALS = (
    "Send an API token in the Authorization header (Authorization: Bearer za_…); create one at "
    "/account/tokens/. Browser sessions are not accepted by the API."
)
CREDENTIALS_REFUSED = (
    "This API token is not accepted: it is unknown, revoked, or its operator cannot sign in. Create a new "
    "one at /account/tokens/."
)
FORBIDDEN = "Operator {operator} needs the “{label}” permission ({codename}). Ask a Zoom Admin superuser."
METHOD_NOT_ALLOWED = "{method} is not allowed here; use {allowed}."
TOO_LARGE = "The body is too large."
NOT_FOUND = "There is no role-change request #{pk}."
ZOOM_FAILED = "Zoom could not be asked: {explanation} {remedy}"

View = Callable[..., JsonResponse]


def _error(message: str, status: int, *, plan: Any = None, **headers: str) -> JsonResponse:
    return JsonResponse(payloads.error_json(message, plan), status=status, headers=headers or None)


def allow(method: str) -> Callable[[View], View]:
    """Answer only `method` (a 405 in JSON otherwise, before any token is looked at)."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
            if request.method != method and not (method == "GET" and request.method == "HEAD"):
                message = METHOD_NOT_ALLOWED.format(method=request.method, allowed=method)
                return _error(message, 405, Allow=method)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def token_required(codename: str) -> Callable[[View], View]:
    """Authenticate the request by its API token, never by a session, and require `codename` of the
    token's operator. A refused token answers 401 and is logged (not audited: anybody may send one); a
    missing permission answers 403 and, for a write, is an `access.denied` event like any refused write."""
    full_name = perm(codename)

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
            scheme, _, raw = request.headers.get("Authorization", "").partition(" ")
            if scheme.lower() != "bearer" or not raw.strip():
                return _error(NO_CREDENTIALS, 401, **{"WWW-Authenticate": "Bearer"})
            found = api_token_authenticate(raw.strip())
            if found.token is None:
                logger.warning(
                    "API token refused (%s): prefix %s from %s, %s %s",
                    found.why,
                    found.prefix or "-",
                    client_ip(request),
                    request.method,
                    request.path,
                )
                return _error(
                    CREDENTIALS_REFUSED, 401, **{"WWW-Authenticate": 'Bearer error="invalid_token"'}
                )
            operator = found.token.operator
            request.user = operator  # who acts, for the audit log; whatever session came with it
            if not operator.has_perm(full_name):
                access_denied_record(request=request, exception=MissingPermission(codename))
                message = FORBIDDEN.format(
                    operator=operator.get_username(), label=PERMISSIONS[codename], codename=codename
                )
                return _error(message, 403)
            return view(request, *args, **kwargs)

        wrapped.required_permission = codename  # type: ignore[attr-defined]
        return login_not_required(csrf_exempt(wrapped))

    return decorator


@allow("POST")
@token_required("request_role_change")
def role_change_create(request: HttpRequest) -> JsonResponse:
    try:
        given = payloads.role_change_input(request.body)
    except RequestDataTooBig:
        return _error(TOO_LARGE, 413)
    except payloads.BadInput as error:
        return _error(error.message, 400)
    try:
        submitted = role_change_request(
            user_key=given.user,
            role=given.role,
            reason=given.reason,
            actor=request.user,
            source=Source.API,
            duration_hours=given.hours,
            dry_run=given.dry_run,
        )
    except ChangeRefused as refused:
        return _error(refused.message, 422, plan=refused.plan)
    except ZoomError as error:
        return _error(ZOOM_FAILED.format(explanation=error.explanation, remedy=error.remedy).strip(), 502)
    plan = submitted.plan
    if submitted.request is None:  # a dry run: nothing recorded, nothing sent
        if plan.blocked:
            failures = " ".join(f"{c.reason} {c.remedy}".strip() for c in plan.failures)
            return _error(BLOCKED.format(failures=failures), 422, plan=plan)
        return JsonResponse(payloads.dry_run_json(plan), status=200)
    url = request.build_absolute_uri(reverse("api:role_change_detail", args=[submitted.request.pk]))
    body = payloads.created_json(submitted.request, plan, url=url)
    return JsonResponse(body, status=201, headers={"Location": url})


@allow("GET")
@token_required("request_role_change")
def role_change_detail(request: HttpRequest, request_id: int) -> JsonResponse:
    change = (
        ChangeRequest.objects.filter(pk=request_id, kind=Kind.ROLE_CHANGE)
        .prefetch_related("decisions")
        .first()
    )
    if change is None:
        return _error(NOT_FOUND.format(pk=request_id), 404)
    url = request.build_absolute_uri(reverse("api:role_change_detail", args=[change.pk]))
    return JsonResponse(payloads.request_json(change, url=url))


@allow("GET")
@login_not_required
def openapi(request: HttpRequest) -> JsonResponse:
    """The API's OpenAPI 3.1 description: public, it holds no data."""
    return JsonResponse(openapi_document(server=request.build_absolute_uri("/")))
