"""The Zoom sandbox: a simulator of the Zoom REST API v2 endpoints Zoom Admin uses (zoom-api.md §12).

A plain WSGI app with its own SQLite state file (no Django here), shared by every worker process:

    app = make_app("var/zoom-sandbox.sqlite3")               # POST /oauth/token and /v2/...
    client = httpx.Client(transport=httpx.WSGITransport(app=app), base_url="https://api.zoom.us/v2")
    sandbox = Sandbox("var/zoom-sandbox.sqlite3")            # control: seed, clock, faults, call log
    sandbox.seed_demo(users=300, meetings=3000, seed=42)     # see SCENARIOS for the named cases
    deliver_webhooks("var/zoom-sandbox.sqlite3", transport=httpx.WSGITransport(app=django_app))
    WebhookPump("var/zoom-sandbox.sqlite3", every=2).start()  # what ``zoom_sandbox serve`` runs
"""

from __future__ import annotations

from .app import SandboxApp, make_app
from .calllog import Call
from .control import Sandbox
from .delivery import DeliveryReport, deliver_pending, deliver_webhooks
from .errors import ZoomError
from .knobs import DEFAULT_SCOPES, PLANS
from .knobs import DEFAULTS as KNOB_DEFAULTS
from .scenarios import HELP_DESK_ROLE_ID, SCENARIOS
from .seed import SeedError, SeedReport, seed_demo
from .server import make_threaded_server
from .signing import signature
from .state import API_USER_EMAIL, API_USER_ID, OWNER_EMAIL, OWNER_ID
from .url_validation import UrlValidation, validate_webhook_url
from .webhook_pump import WebhookNotes, WebhookPump

__all__ = [
    "API_USER_EMAIL",
    "API_USER_ID",
    "DEFAULT_SCOPES",
    "HELP_DESK_ROLE_ID",
    "KNOB_DEFAULTS",
    "OWNER_EMAIL",
    "OWNER_ID",
    "PLANS",
    "SCENARIOS",
    "Call",
    "DeliveryReport",
    "Sandbox",
    "SandboxApp",
    "SeedError",
    "SeedReport",
    "UrlValidation",
    "WebhookNotes",
    "WebhookPump",
    "ZoomError",
    "deliver_pending",
    "deliver_webhooks",
    "make_app",
    "make_threaded_server",
    "seed_demo",
    "signature",
    "validate_webhook_url",
]
