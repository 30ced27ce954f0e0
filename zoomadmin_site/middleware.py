"""Request id, client address and the request itself, kept in context variables so the audit log can
record them (and who acted) without being handed the request; and no caching of operators' pages."""

from __future__ import annotations

import contextvars
import ipaddress
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

REQUEST_ID_HEADER = "X-Request-ID"

current_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
current_source_ip: contextvars.ContextVar[str] = contextvars.ContextVar("source_ip", default="")
current_request: contextvars.ContextVar[HttpRequest | None] = contextvars.ContextVar(
    "current_request", default=None
)


def current_actor() -> Any:
    """The operator logged in on the current request, or None (no request, or nobody logged in).

    Read when asked, not when the request arrived: `request.user` is set by AuthenticationMiddleware,
    later in the chain than RequestIdMiddleware, and changes when the request logs somebody in or out."""
    request = current_request.get()
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def client_ip(request: HttpRequest) -> str:
    """REMOTE_ADDR, or, when we sit behind our TLS proxy (BEHIND_TLS_PROXY), the address that proxy
    appended to X-Forwarded-For: its last hop. Earlier hops are whatever the client chose to send, so
    taking the first one would let anybody write any address into the audit log."""
    remote = request.META.get("REMOTE_ADDR", "")[:64]
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        last_hop = request.META.get("HTTP_X_FORWARDED_FOR", "").rsplit(",", 1)[-1].strip()
        try:
            return str(ipaddress.ip_address(last_hop))
        except ValueError:  # absent or not an address: the proxy did not set it
            return remote
    return remote


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        id_token = current_request_id.set(request_id)
        ip_token = current_source_ip.set(client_ip(request))
        request_token = current_request.set(request)
        try:
            response = self.get_response(request)
        finally:
            current_request_id.reset(id_token)
            current_source_ip.reset(ip_token)
            current_request.reset(request_token)
        response[REQUEST_ID_HEADER] = request_id
        return response


class NoStoreForOperatorsMiddleware:
    """Every response to a logged-in operator says `Cache-Control: no-store, private`: pages, htmx
    fragments, error pages and exports carry Zoom users' details and the audit log, which must not stay
    in a shared proxy's cache or in the browser's history cache after logging out. A view that set its
    own Cache-Control keeps it. Anonymous responses (the login page, health checks) are left alone."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            patch_cache_control(response, no_store=True, private=True)
        return response
