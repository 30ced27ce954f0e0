"""Delivering webhooks on a timer: in a background thread of ``zoom_sandbox serve``, or in the foreground
for ``zoom_sandbox deliver-webhooks --every N``.

Each cycle is ``delivery.deliver_pending``: a no-op while no webhook URL is configured, so a served
sandbox starts delivering as soon as someone subscribes a URL, and an unvalidated URL is challenged again
on every cycle until its receiver is up (``make run`` starts the receiver, gunicorn, at the same time).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from typing import Any

import httpx

from .delivery import DeliveryReport, deliver_pending

logger = logging.getLogger(__name__)


class WebhookPump:
    def __init__(
        self,
        state_path: str | os.PathLike[str],
        every: float,
        *,
        transport: httpx.BaseTransport | None = None,
        on_report: Callable[[DeliveryReport], None] | None = None,
        validate_first: bool = False,
    ) -> None:
        if every <= 0:
            raise ValueError("every must be a positive number of seconds")
        self.state_path = os.fspath(state_path)
        self.every = every
        self._transport = transport
        self._on_report = on_report
        self._validate_next = validate_first
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def cycle(self) -> DeliveryReport | None:
        try:
            report = deliver_pending(self.state_path, transport=self._transport, validate=self._validate_next)
        except Exception:
            # E.g. a state file locked for longer than the busy timeout: the pump outlives one bad
            # cycle, the next one runs as usual.
            logger.exception("zoom sandbox: webhook delivery cycle failed")
            return None
        self._validate_next = False
        if self._on_report is not None:
            self._on_report(report)
        return report

    def run(self) -> None:
        """Cycle every ``every`` seconds until ``stop()`` (the first cycle runs at once)."""
        while not self._stop.is_set():
            self.cycle()
            self._stop.wait(self.every)

    def start(self) -> WebhookPump:
        self._thread = threading.Thread(target=self.run, name="zoom-sandbox-webhooks", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)


class WebhookNotes:
    """What a delivery loop prints: deliveries, and validation outcomes when they change (a receiver that
    is still starting would otherwise print the same failure every cycle). ``quiet``: say nothing about a
    cycle with nothing to report."""

    def __init__(self, write: Callable[[str], Any], *, every: float = 0, quiet: bool = True) -> None:
        self._write = write
        self._every = every
        self._quiet = quiet
        self._last_failure: str | None = None

    def __call__(self, report: DeliveryReport) -> None:
        result = report.validation
        if result is not None and (result.ok or result.detail != self._last_failure):
            line = f"Webhook URL validation: {'ok' if result.ok else 'FAILED'} ({result.detail})"
            if not result.ok:
                retry = f"; retrying every {self._every:g} s" if self._every else ""
                line += f"; {report.waiting} event(s) held until the URL validates{retry}"
            self._write(line)
        if result is not None:
            self._last_failure = None if result.ok else result.detail
        if report.delivered or not (self._quiet or report.held):
            waiting = f"{report.waiting} waiting for a retry"
            self._write(f"Delivered {report.delivered} webhook event(s); {waiting}")
