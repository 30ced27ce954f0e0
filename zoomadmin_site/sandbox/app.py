"""The WSGI application: ``POST /oauth/token`` and the ``/v2`` API, in Zoom's order of checks.

For each ``/v2`` call, in one SQLite write transaction: route (404/2300) → bearer token (401/124) →
plan (404/2300 for an API the plan lacks) → scopes (400/4711) → per-second/daily limits (429) → injected
faults → JSON body (400/300) → handler (in a savepoint, so a failed or dropped write leaves no trace) →
call log. Latency and timeouts are applied after the commit. The host name is ignored: only the path
counts, so ``https://api.zoom.us/v2`` + ``https://zoom.us/oauth/token`` and ``http://127.0.0.1:9100``
reach the same app.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from . import calllog, db, faults, knobs, oauth, ratelimit, routing, state
from .context import Ctx, Reply
from .errors import INVALID_JSON, NOT_RECOGNIZED, ZoomError

StartResponse = Callable[..., Any]
REASONS = {200: "OK", 201: "Created", 204: "No Content", 400: "Bad Request", 401: "Unauthorized"}
REASONS.update({403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed", 409: "Conflict"})
REASONS.update({429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway"})
REASONS.update({503: "Service Unavailable", 504: "Gateway Timeout"})


@dataclass
class Request:
    method: str
    path: str
    query_string: str
    body: bytes
    authorization: str
    served: bool  # behind a real HTTP server (wsgiref, gunicorn…) rather than httpx.WSGITransport
    url: str

    @classmethod
    def from_environ(cls, environ: dict[str, Any]) -> Request:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length > 0 else b""
        host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "api.zoom.us")
        query = environ.get("QUERY_STRING", "")
        path = environ.get("PATH_INFO", "/") or "/"
        url = f"{environ.get('wsgi.url_scheme', 'https')}://{host}{path}" + (f"?{query}" if query else "")
        return cls(
            method=environ.get("REQUEST_METHOD", "GET").upper(),
            path=path,
            query_string=query,
            body=body,
            authorization=environ.get("HTTP_AUTHORIZATION", ""),
            served=bool(environ.get("SERVER_SOFTWARE")),
            url=url,
        )


@dataclass
class Result:
    reply: Reply
    route: str | None = None
    fault: str | None = None
    timeout: bool = False
    latency_s: float = 0.0
    logged_body: str | None = None
    extra_headers: list[tuple[str, str]] = field(default_factory=list)
    payload: bytes | None = None  # the encoded answer, made once for the call log and the response


class SandboxApp:
    def __init__(self, state_path: str, credentials: oauth.AppCredentials) -> None:
        self.state_path = state_path
        self.credentials = credentials
        self.pool = db.ConnectionPool(state_path)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        arrived = ratelimit.arrival_time()
        request = Request.from_environ(environ)
        tracking_id = f"v=2.0;clid=us06;rid=WEB_{uuid.uuid4().hex}"
        result = self.handle(request, tracking_id, arrived=arrived)
        if result.latency_s:
            time.sleep(result.latency_s)
        if result.timeout:
            return self._timeout(request, start_response, tracking_id)
        return _respond(start_response, result, tracking_id)

    def handle(self, request: Request, tracking_id: str, *, arrived: float | None = None) -> Result:
        with self.pool.connection() as conn, db.write_txn(conn):
            current = knobs.load(conn)
            ctx = Ctx(
                conn=conn,
                knobs=current,
                now=current.now(),
                method=request.method,
                path=request.path,
                query={k: v[-1] for k, v in parse_qs(request.query_string, keep_blank_values=True).items()},
                arrived=arrived if arrived is not None else ratelimit.arrival_time(),
            )
            oauth_call = request.path == "/oauth/token"
            result = self._oauth(ctx, request) if oauth_call else self._api(ctx, request)
            result.latency_s = faults.latency_s(ctx)
            result.payload = _encode(result.reply)
            _log(conn, ctx, request, result, tracking_id)
        return result

    def _oauth(self, ctx: Ctx, request: Request) -> Result:
        params = oauth.grant_params(request.query_string, request.body)
        logged = db.dumps({k: params[k] for k in ("grant_type", "account_id") if k in params})
        decision = faults.fail_next(ctx, "/oauth/token")
        if decision is not None:
            if decision.kind == "timeout":
                return Result(Reply(0), route="POST /oauth/token", fault=decision.label, timeout=True)
            error = decision.error or faults.server_error(500)
            return Result(
                Reply(error.status, error.body()), "POST /oauth/token", decision.label, logged_body=logged
            )
        if request.method != "POST":
            reply = Reply(405, {"reason": "Method Not Allowed", "error": "invalid_request"})
        else:
            reply = oauth.token_endpoint(
                ctx.conn, ctx.knobs, self.credentials, authorization=request.authorization, params=params
            )
        return Result(reply, route="POST /oauth/token", logged_body=logged)

    def _api(self, ctx: Ctx, request: Request) -> Result:
        result = Result(Reply(500), logged_body=request.body.decode("utf-8", "replace") or None)
        try:
            self._api_steps(ctx, request, result)
        except ZoomError as error:
            result.reply = Reply(error.status, error.body(), [*error.headers])
        except faults.InjectedTimeout:
            result.timeout = True
        return result

    def _api_steps(self, ctx: Ctx, request: Request, result: Result) -> None:
        api_path = request.path[3:] if request.path.startswith("/v2/") else ""
        found = routing.match(request.method, api_path) if api_path else None
        if found is None:
            raise ZoomError(404, 2300, NOT_RECOGNIZED)
        route, ctx.params = found
        result.route = route.name
        result.extra_headers = [("X-RateLimit-Category", route.label)]
        granted = oauth.authenticate(ctx.conn, request.authorization, ctx.now)
        if route.feature == "roles" and not ctx.knobs.plan()["roles_api"]:
            raise ZoomError(404, 2300, NOT_RECOGNIZED)
        oauth.check_scopes(granted, route.granular, route.classic)
        ratelimit.check_label(ctx, route.label)
        decision = faults.fail_next(ctx, api_path) or faults.random_fault(ctx, route.label)
        if decision is not None:
            result.fault = decision.label
            if not decision.after_write:
                _raise(decision)
        if request.method in ("POST", "PATCH", "PUT"):
            ctx.body = _json_object(request.body)
        result.reply = self._run_handler(ctx, route, api_path, result)
        if decision is not None:
            _raise(decision)

    def _run_handler(self, ctx: Ctx, route: routing.Route, api_path: str, result: Result) -> Reply:
        ctx.conn.execute("SAVEPOINT handler")
        try:
            reply = route.handler(ctx)
        except BaseException:
            ctx.conn.execute("ROLLBACK TO handler")
            ctx.conn.execute("RELEASE handler")
            raise
        if (
            200 <= reply.status < 300
            and route.is_write
            and faults.rule_pending(ctx, "drop_next_write", api_path)
        ):
            ctx.conn.execute("ROLLBACK TO handler")
            faults.drop_write(ctx, api_path)
            ratelimit.recharge(ctx)
            result.fault = "drop_next_write"
        ctx.conn.execute("RELEASE handler")
        reply.headers = [*ctx.headers, *reply.headers]
        return reply

    def _timeout(self, request: Request, start_response: StartResponse, tracking_id: str) -> Iterable[bytes]:
        with self.pool.connection() as conn:
            current = knobs.load(conn)
        mode, sleep_s = current["timeout_mode"], float(current["timeout_sleep_s"])
        if mode == "raise" or (mode == "auto" and not request.served):
            import httpx

            raise httpx.ReadTimeout(
                "Zoom sandbox: injected timeout", request=httpx.Request(request.method, request.url)
            )
        time.sleep(sleep_s)
        result = Result(Reply(504, faults.server_error(504).body()))
        return _respond(start_response, result, tracking_id)


def _raise(decision: faults.Decision) -> None:
    if decision.kind == "timeout":
        raise faults.InjectedTimeout
    assert decision.error is not None
    raise decision.error


def _json_object(raw: bytes) -> dict[str, Any]:
    try:
        value = json.loads(raw.decode("utf-8")) if raw.strip() else None
    except (ValueError, UnicodeDecodeError):
        value = None
    if not isinstance(value, dict):
        raise ZoomError(400, 300, INVALID_JSON)
    return value


def _log(conn: sqlite3.Connection, ctx: Ctx, request: Request, result: Result, tracking_id: str) -> None:
    body = result.reply.body
    code = body.get("code") if isinstance(body, dict) and result.reply.status >= 400 else None
    status = 0 if result.timeout else result.reply.status
    answer, truncated = calllog.logged_answer(
        request.method, request.path, status, b"" if result.timeout else result.payload or b""
    )
    calllog.record(
        conn,
        ts=ctx.now,
        wall_ts=time.time(),
        method=request.method,
        path=request.path,
        query=request.query_string,
        body=result.logged_body,
        status=status,
        code=code,
        route=result.route,
        tracking_id=tracking_id,
        fault=result.fault,
        answer=answer,
        answer_truncated=int(truncated),
    )


def _encode(reply: Reply) -> bytes:
    if reply.body is None or reply.status == 204:
        return b""
    return json.dumps(reply.body, separators=(",", ":")).encode()


def _respond(start_response: StartResponse, result: Result, tracking_id: str) -> Iterable[bytes]:
    reply = result.reply
    headers = [("x-zm-trackingid", tracking_id), *result.extra_headers]
    seen = {name.lower() for name, _ in headers}
    headers += [(name, value) for name, value in reply.headers if name.lower() not in seen]
    payload = result.payload if result.payload is not None else _encode(reply)
    if payload:
        headers.append(("Content-Type", "application/json;charset=UTF-8"))
    headers.append(("Content-Length", str(len(payload))))
    start_response(f"{reply.status} {REASONS.get(reply.status, 'Unknown')}", headers)
    return [payload]


def make_app(
    state_path: str | os.PathLike[str],
    *,
    account_id: str = "sandbox",
    client_id: str = "sandbox-client",
    client_secret: str = "sandbox-secret",  # noqa: S107 - the sandbox's documented default
) -> SandboxApp:
    """The Zoom sandbox as a WSGI app over ``state_path`` (created with a base account if missing)."""
    path = os.fspath(state_path)
    state.ensure(path, account_id=account_id)
    return SandboxApp(path, oauth.AppCredentials(account_id, client_id, client_secret))
