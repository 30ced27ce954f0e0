"""A webhook receiver for the tests: records every request and answers Zoom's URL-validation challenge."""

from __future__ import annotations

import hashlib
import hmac
import json

SECRET = "whsec-test"


class Receiver:
    """A tiny WSGI endpoint recording each request. It answers the URL-validation challenge correctly
    (with ``secret``) and every event with ``status``."""

    def __init__(self, status: int = 200, *, secret: str = SECRET) -> None:
        self.status = status
        self.secret = secret
        self.requests: list[tuple[dict[str, str], bytes]] = []

    @property
    def events(self) -> list[str]:
        return [json.loads(body)["event"] for _, body in self.requests]

    def __call__(self, environ, start_response):
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        headers = {k[5:].lower().replace("_", "-"): v for k, v in environ.items() if k.startswith("HTTP_")}
        headers["content-type"] = environ.get("CONTENT_TYPE", "")
        self.requests.append((headers, body))
        payload = json.loads(body)
        if payload["event"] == "endpoint.url_validation":
            plain = payload["payload"]["plainToken"]
            encrypted = hmac.new(self.secret.encode(), plain.encode(), hashlib.sha256).hexdigest()
            start_response("200 OK", [("Content-Type", "application/json")])
            return [json.dumps({"plainToken": plain, "encryptedToken": encrypted}).encode()]
        start_response(f"{self.status} X", [("Content-Type", "application/json")])
        return [b""]
