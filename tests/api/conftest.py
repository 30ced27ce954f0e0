from __future__ import annotations

import pytest


@pytest.fixture
def alice_token(alice):
    from zoomadmin_site.api.tokens import api_token_create

    _, raw = api_token_create(operator=alice, name="HR provisioning", actor=alice)
    return raw


@pytest.fixture
def api(client):
    """A client for the JSON API: `api.post(path, body, token=...)`, `api.get(path, token=...)`."""

    class Api:
        def __init__(self, client):
            self.client = client

        def _headers(self, token):
            return {"Authorization": f"Bearer {token}"} if token else {}

        def post(self, path, body=None, *, token=None, **extra):
            return self.client.post(
                path,
                body if body is not None else {},
                content_type="application/json",
                headers=self._headers(token),
                **extra,
            )

        def get(self, path, *, token=None):
            return self.client.get(path, headers=self._headers(token))

    return Api(client)
