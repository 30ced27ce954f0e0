"""Decoding an httpx answer into the client's own terms (``Answer``), once, for every caller, and the
errors that need no Zoom error code: no answer at all (timeouts, connection failures) or an answer that
is not Zoom's JSON."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from .errors import FieldError, ZoomBadResponse, ZoomConnectionError, ZoomError, ZoomTimeout
from .recorder import ZoomCall

READ_BACK = (
    "Zoom may have applied the change before the failure: check the current state in Zoom before trying "
    "again (Zoom has no idempotency keys, so a blind retry can, for example, create a second meeting)."
)
NEVER_SENT = "Zoom never received the request, so nothing changed; it is safe to try again."


@dataclass(frozen=True)
class Answer:
    """What the client saw of one HTTP answer, already decoded."""

    status: int
    method: str
    path: str
    host: str = ""
    code: int | None = None
    message: str = ""
    errors: tuple[FieldError, ...] = ()
    tracking_id: str = ""
    headers: Mapping[str, str] | None = None
    body: Mapping[str, Any] | None = None
    is_json: bool = True
    content_type: str = ""
    # Could the request have changed Zoom data? Not the method alone: the token endpoint is a POST.
    is_write: bool = False

    def header(self, name: str) -> str:
        return (self.headers or {}).get(name.lower(), "")

    def common(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "code": self.code,
            "zoom_message": self.message,
            "errors": self.errors,
            "tracking_id": self.tracking_id,
            "method": self.method,
            "path": self.path,
        }


def zoom_says(message: str) -> str:
    return f" Zoom says: “{message}”" if message else ""


def bad_response(a: Answer) -> ZoomBadResponse:
    kind = a.content_type or "no content type"
    return ZoomBadResponse(
        f"The answer to {a.method} {a.path} (HTTP {a.status}, {kind}) is not Zoom's JSON. Something between "
        "this server and Zoom answered instead: a proxy, a firewall or captive portal, or a wrong "
        "ZOOM_API_BASE_URL.",
        remedy="Check ZOOM_API_BASE_URL (normally https://api.zoom.us/v2) and any outbound proxy.",
        retryable=a.status >= 500,
        outcome_unknown=a.is_write and 200 <= a.status < 300,
        **a.common(),
    )


def error_for_transport(
    exc: httpx.HTTPError, *, method: str, path: str, host: str, timeout: float, is_write: bool
) -> ZoomError:
    """The error for a timeout or a failed connection (no HTTP answer at all)."""
    never_sent = isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)
    write_note = (NEVER_SENT if never_sent else READ_BACK) if is_write else "Try again in a minute."
    common: dict[str, Any] = {
        "method": method,
        "path": path,
        "retryable": True,
        "outcome_unknown": is_write and not never_sent,
    }
    if isinstance(exc, httpx.TimeoutException):
        what = "connect to" if never_sent else "answer"
        return ZoomTimeout(
            f"Zoom ({host}) did not {what} within {timeout:g} seconds.", remedy=write_note, **common
        )
    return ZoomConnectionError(
        f"Could not talk to Zoom ({host}): {type(exc).__name__}: {exc}.",
        remedy=f"{write_note} If it persists, check this server's network, DNS, proxy and firewall, and "
        "ZOOM_API_BASE_URL / ZOOM_OAUTH_URL.",
        **common,
    )


def request_path(request: httpx.Request) -> str:
    """The percent-encoded path as sent, without the query string (which may carry page tokens)."""
    return request.url.raw_path.split(b"?", 1)[0].decode("ascii")


def decode_answer(response: httpx.Response, *, is_write: bool) -> Answer:
    body = None
    is_json = True
    if response.content.strip():
        try:
            parsed = response.json()
        except ValueError:
            is_json = False
        else:
            is_json = isinstance(parsed, dict)
            body = parsed if isinstance(parsed, dict) else None
    data = body or {}
    raw_code = data.get("code")
    code = int(raw_code) if isinstance(raw_code, int | str) and str(raw_code).isdigit() else None
    raw_errors = data.get("errors")
    errors = tuple(
        FieldError(field=str(e.get("field", "")), message=str(e.get("message", "")))
        for e in (raw_errors if isinstance(raw_errors, list) else [])
        if isinstance(e, dict)
    )
    return Answer(
        status=response.status_code,
        method=response.request.method,
        path=request_path(response.request),
        host=response.request.url.host,
        code=code,
        message=str(data.get("message") or ""),
        errors=errors,
        tracking_id=response.headers.get("x-zm-trackingid", ""),
        headers=response.headers,
        body=body,
        is_json=is_json,
        content_type=response.headers.get("content-type", ""),
        is_write=is_write,
    )


def exchange(
    http: httpx.Client,
    request: httpx.Request,
    *,
    observe: Callable[[ZoomCall], None],
    operation: str,
    is_write: bool,
    attempt: int = 1,
    auth: httpx.Auth | None = None,
) -> Answer:
    """Send one request and report it to ``observe`` as a ZoomCall; return the decoded answer, or raise
    ZoomTimeout / ZoomConnectionError when no answer came."""
    path = request_path(request)
    started = time.monotonic()
    try:
        response = http.send(request, auth=auth) if auth else http.send(request)
    except httpx.HTTPError as exc:
        timeout = float(request.extensions.get("timeout", {}).get("read") or 0)
        error = error_for_transport(
            exc, method=request.method, path=path, host=request.url.host, timeout=timeout, is_write=is_write
        )
        observe(
            ZoomCall(
                method=request.method,
                path=path,
                status=None,
                elapsed_ms=_ms(started),
                attempt=attempt,
                operation=operation,
                error=error.reason,
            )
        )
        raise error from exc
    answer = decode_answer(response, is_write=is_write)
    observe(
        ZoomCall(
            method=answer.method,
            path=answer.path,
            status=answer.status,
            code=answer.code,
            message=answer.message,
            tracking_id=answer.tracking_id,
            elapsed_ms=_ms(started),
            attempt=attempt,
            operation=operation,
        )
    )
    return answer


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
