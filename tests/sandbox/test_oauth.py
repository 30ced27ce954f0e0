"""Server-to-Server OAuth: the token endpoint, token expiry/revocation and scopes (zoom-api.md §2, §12)."""

from __future__ import annotations

import base64

import httpx

from zoomadmin_site.sandbox import DEFAULT_SCOPES, make_app

from .conftest import OAUTH, api_client, get_token


def _raw(app) -> httpx.Client:
    return httpx.Client(transport=httpx.WSGITransport(app=app))


def test_token_from_query_parameters_has_zoom_shape(app):
    response = get_token(app)
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 3599
    assert body["api_url"] == "https://api.zoom.us"
    assert body["scope"].split(" ") == list(DEFAULT_SCOPES)
    assert body["access_token"].startswith("eyJ")
    assert response.headers["x-zm-trackingid"].startswith("v=2.0;")


def test_token_from_form_body_works_too(app):
    with _raw(app) as client:
        response = client.post(
            OAUTH,
            data={"grant_type": "account_credentials", "account_id": "sandbox"},
            auth=("sandbox-client", "sandbox-secret"),
        )
    assert response.status_code == 200


def test_wrong_client_secret_is_invalid_client(app):
    with _raw(app) as client:
        response = client.post(
            OAUTH,
            params={"grant_type": "account_credentials", "account_id": "sandbox"},
            auth=("sandbox-client", "nope"),
        )
    assert response.status_code == 400
    assert response.json() == {"reason": "Invalid client_id or client_secret", "error": "invalid_client"}


def test_wrong_grant_type_is_unsupported_grant_type(app):
    response = get_token(app, grant_type="client_credentials")
    assert response.status_code == 400
    assert response.json() == {"reason": "unsupported grant type", "error": "unsupported_grant_type"}


def test_wrong_account_id_is_invalid_request(app):
    response = get_token(app, account_id="someone-else")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


def test_disabled_app_is_refused_with_invalid_client(sandbox, app):
    sandbox.set_app_disabled(True)
    response = get_token(app)
    assert response.json() == {
        "reason": "The app has been disabled by the developer",
        "error": "invalid_client",
    }


def test_custom_credentials_are_enforced(state_path):
    app = make_app(state_path, account_id="acc-1", client_id="cid", client_secret="csecret")
    with _raw(app) as client:
        ok = client.post(
            OAUTH,
            params={"grant_type": "account_credentials", "account_id": "acc-1"},
            auth=("cid", "csecret"),
        )
        bad = client.post(
            OAUTH,
            params={"grant_type": "account_credentials", "account_id": "sandbox"},
            auth=("cid", "csecret"),
        )
    assert ok.status_code == 200
    assert bad.status_code == 400


def test_expired_token_answers_401_124_access_token_is_expired(sandbox, app):
    with api_client(app, token=get_token(app).json()["access_token"]) as client:
        assert client.get("/users/me").status_code == 200
        sandbox.advance(3600)
        response = client.get("/users/me")
    assert response.status_code == 401
    assert response.json() == {"code": 124, "message": "Access token is expired."}


def test_token_is_still_valid_just_before_its_hour(sandbox, app):
    with api_client(app, token=get_token(app).json()["access_token"]) as client:
        sandbox.advance(3590)
        assert client.get("/users/me").status_code == 200


def test_unknown_or_missing_token_answers_401_124_invalid_access_token(app):
    with api_client(app, token="garbage") as client:
        response = client.get("/users/me")
    assert response.status_code == 401
    assert response.json() == {"code": 124, "message": "Invalid access token."}
    with httpx.Client(transport=httpx.WSGITransport(app=app), base_url="https://api.zoom.us/v2") as client:
        assert client.get("/users/me").json()["code"] == 124


def test_several_tokens_stay_valid_by_default(app):
    first = get_token(app).json()["access_token"]
    get_token(app)
    with api_client(app, token=first) as client:
        assert client.get("/users/me").status_code == 200


def test_legacy_mode_new_grant_revokes_older_tokens(sandbox, app):
    sandbox.set_legacy_tokens(True)
    first = get_token(app).json()["access_token"]
    second = get_token(app).json()["access_token"]
    with api_client(app, token=first) as old, api_client(app, token=second) as new:
        assert old.get("/users/me").json() == {"code": 124, "message": "Invalid access token."}
        assert new.get("/users/me").status_code == 200


def test_missing_scope_answers_400_4711_listing_the_granular_scope(sandbox, app):
    sandbox.set_scopes([s for s in DEFAULT_SCOPES if s != "role:write:member:admin"])
    with api_client(app) as client:
        response = client.post("/roles/1/members", json={"members": [{"email": "owner@example.com"}]})
    assert response.status_code == 400
    assert response.json() == {
        "code": 4711,
        "message": "Invalid access token, does not contain scopes:[role:write:member:admin].",
    }


def test_classic_scopes_are_accepted(sandbox, app):
    sandbox.set_scopes(["user:read:admin"])
    with api_client(app) as client:
        assert client.get("/users/me").status_code == 200
        assert client.get("/meetings/1").json()["code"] == 4711


def test_scopes_are_frozen_into_the_token_when_it_is_minted(sandbox, app):
    sandbox.set_scopes(["user:read:user:admin"])
    old_token = get_token(app).json()["access_token"]
    sandbox.set_scopes(DEFAULT_SCOPES)
    with api_client(app, token=old_token) as old, api_client(app) as new:
        assert old.get("/roles").json()["code"] == 4711
        assert new.get("/roles").status_code == 200


def test_token_endpoint_never_logs_the_client_secret(sandbox, app):
    get_token(app)
    with _raw(app) as client:
        client.post(
            OAUTH,
            data={
                "grant_type": "account_credentials",
                "account_id": "sandbox",
                "client_secret": "sandbox-secret",
            },
            auth=("sandbox-client", "sandbox-secret"),
        )
    secret_b64 = base64.b64encode(b"sandbox-client:sandbox-secret").decode()
    for call in sandbox.calls(path="/oauth/token"):
        assert "sandbox-secret" not in repr(call)
        assert secret_b64 not in repr(call)
