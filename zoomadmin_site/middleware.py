"""Request id and client address for every request, kept in context variables so the audit log can
record them without being handed the request."""

from __future__ import annotations

import contextvars
import ipaddress
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

REQUEST_ID_HEADER = "X-Request-ID"

current_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
current_source_ip: contextvars.ContextVar[str] = contextvars.ContextVar("source_ip", default="")


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
        try:
            response = self.get_response(request)
        finally:
            current_request_id.reset(id_token)
            current_source_ip.reset(ip_token)
        response[REQUEST_ID_HEADER] = request_id
        return response
