"""One Zoom API call, end to end: token, shared budget, HTTP, decoding, retries, logging, recording.

Retry rules: GETs retry on 429 (not the daily kinds), 5xx, timeouts and connection errors, up to
``max_retries`` times and ``max_retry_wait_seconds`` of waiting in total, honouring Retry-After (or
X-RateLimit-Reset). Writes are never retried blindly: Zoom has no idempotency keys. Two exceptions, for
every method, where the write provably never ran: a 401 / code 124 answer (the token was refused; the
client drops the token, fetches a new one and sends the request once more), and a failure to get a
token at all (a timeout or 5xx from the token endpoint: the write was not sent yet, so getting the token
is retried as a GET is).
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import httpx
from django.core.cache import caches
from django.core.cache.backends.base import BaseCache

from .auth import AccessToken, TokenProvider
from .budget import RequestBudget, current_priority
from .catalogue import error_for_response
from .config import ZoomConfig
from .errors import ZoomError, ZoomRateLimited
from .recorder import ZoomCall, record
from .timing import backoff_seconds
from .wire import Answer, bad_response, exchange

logger = logging.getLogger(__name__)

USER_AGENT = "zoomadmin/0.1 (+httpx)"

type JsonObject = dict[str, Any]


class ZoomSession:
    def __init__(
        self,
        config: ZoomConfig,
        *,
        transport: httpx.BaseTransport | None = None,
        cache: BaseCache | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        on_call: Callable[[ZoomCall], None] | None = None,
    ) -> None:
        self.config = config
        self._clock = clock
        self._sleep = sleep
        self._rng = rng or random.Random()  # jitter, not security
        self._on_call = on_call
        timeout = httpx.Timeout(config.timeout_seconds, connect=config.connect_timeout_seconds)
        self.http = httpx.Client(transport=transport, timeout=timeout, headers={"User-Agent": USER_AGENT})
        cache = cache if cache is not None else caches[config.cache_alias]
        self.tokens = TokenProvider(
            config, http=self.http, cache=cache, clock=clock, sleep=sleep, observe=self.observe
        )
        self.budget = RequestBudget(
            cache=cache,
            key_prefix=f"{config.cache_namespace}:budget",
            per_second=config.rate_limit_per_second,
            background_share=config.background_share,
            max_wait=config.rate_limit_max_wait_seconds,
            clock=clock,
            sleep=sleep,
        )

    def close(self) -> None:
        self.http.close()

    def call(
        self,
        method: str,
        path: str,
        *,
        operation: str,
        params: Mapping[str, Any] | None = None,
        json: JsonObject | None = None,
    ) -> JsonObject | None:
        """Send one API request (``path`` already URL-encoded, relative to the base URL) and return the
        JSON object Zoom answered, or None for an empty answer (204). Raises a ZoomError."""
        priority = current_priority()
        attempt, waited, refreshed = 0, 0.0, False
        while True:
            attempt += 1
            sent = False  # has this attempt handed the request to the network?
            try:
                token = self.tokens.current()
                self.budget.acquire(priority)
                sent = True
                answer = self._send(
                    method, path, token, operation=operation, attempt=attempt, params=params, json=json
                )
                if answer.status < 300:
                    return self._body(answer)
                error = error_for_response(answer, operation=operation, now=self.now())
                if error.reason == "token_rejected" and not refreshed:
                    self.tokens.invalidate(token.value)
                    refreshed = True
                    continue
                if isinstance(error, ZoomRateLimited) and error.limit_kind == "per_second":
                    self.budget.exhaust_current_window()
            except ZoomError as exc:
                error = exc
            # Until the request is sent, retrying cannot repeat a write: retry as for a GET.
            delay = self._retry_delay(method if sent else "GET", error, attempt=attempt, waited=waited)
            if delay is None:
                raise error
            logger.info("zoom %s %s: %s; retrying in %.1f s", method, path, error.reason, delay)
            self._sleep(delay)
            waited += delay

    def now(self) -> datetime:
        return datetime.fromtimestamp(self._clock(), tz=UTC)

    def observe(self, call: ZoomCall) -> None:
        """Log (never headers, tokens or secrets), record for audit, and call the hook."""
        logger.debug(
            "zoom %s %s -> %s in %d ms (code=%s tracking=%s attempt=%d)",
            call.method,
            call.path,
            call.status if call.status is not None else call.error,
            call.elapsed_ms,
            call.code,
            call.tracking_id or "-",
            call.attempt,
        )
        record(call)
        if self._on_call is not None:
            self._on_call(call)

    def _send(
        self,
        method: str,
        path: str,
        token: AccessToken,
        *,
        operation: str,
        attempt: int,
        params: Mapping[str, Any] | None,
        json: JsonObject | None,
    ) -> Answer:
        query = {k: v for k, v in (params or {}).items() if v is not None}
        headers = {"Authorization": f"Bearer {token.value}", "Accept": "application/json"}
        request = self.http.build_request(
            method, self.config.api_base_url + path, params=query, json=json, headers=headers
        )
        return exchange(
            self.http,
            request,
            observe=self.observe,
            operation=operation,
            is_write=method != "GET",
            attempt=attempt,
        )

    @staticmethod
    def _body(answer: Answer) -> JsonObject | None:
        if not answer.is_json:
            raise bad_response(answer)
        return dict(answer.body) if answer.body is not None else None

    def _retry_delay(self, method: str, error: ZoomError, *, attempt: int, waited: float) -> float | None:
        if method != "GET" or not error.retryable or error.reason == "local_budget":
            return None
        if attempt > self.config.max_retries:
            return None
        if isinstance(error, ZoomRateLimited) and error.retry_after is not None:
            delay = error.retry_after
        else:
            delay = backoff_seconds(attempt - 1, self._rng)
        if waited + delay > self.config.max_retry_wait_seconds:
            return None
        return delay
