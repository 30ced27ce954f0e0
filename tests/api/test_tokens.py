"""API tokens: stored as hashes only, shown once, revocable, audited on creation and revocation."""

from __future__ import annotations

import hashlib
import logging

import pytest
from django.urls import reverse

from zoomadmin_site.api.models import ApiToken
from zoomadmin_site.api.tokens import (
    MAX_ACTIVE_TOKENS,
    TokenRefused,
    api_token_authenticate,
    api_token_create,
    api_token_revoke,
)
from zoomadmin_site.audit.models import AuditEvent

pytestmark = pytest.mark.django_db
ROLE_CHANGES = "/api/v1/role-changes"


def test_the_database_holds_a_hash_of_the_token_never_the_secret(alice):
    token, raw = api_token_create(operator=alice, name="HR", actor=alice)
    assert raw.startswith(f"za_{token.prefix}_") and len(raw) == 3 + 8 + 1 + 43
    assert token.secret_hash == hashlib.sha256(raw.encode()).hexdigest()
    secret = raw[len(f"za_{token.prefix}_") :]
    for row in ApiToken.objects.values():
        assert not any(secret in str(value) or raw in str(value) for value in row.values())
    for event in AuditEvent.objects.values():
        assert not any(secret in str(value) for value in event.values())


def test_a_token_authenticates_its_operator_and_records_when_it_was_used(alice):
    token, raw = api_token_create(operator=alice, name="HR", actor=alice)
    found = api_token_authenticate(raw)
    assert found.token == token and found.token.operator == alice
    assert ApiToken.objects.get().last_used_at is not None


@pytest.mark.parametrize(
    ("mangle", "why"),
    [
        (lambda raw: raw[:-1] + ("A" if raw[-1] != "A" else "B"), "wrong secret"),
        (lambda raw: "za_00000000_" + raw[12:], "unknown"),
        (lambda raw: raw + "x", "malformed"),
        (lambda raw: "", "malformed"),
    ],
)
def test_a_wrong_or_malformed_token_is_refused(alice, mangle, why):
    _, raw = api_token_create(operator=alice, name="HR", actor=alice)
    found = api_token_authenticate(mangle(raw))
    assert found.token is None and found.why == why


def test_a_revoked_token_is_refused_and_revocation_is_audited(alice):
    token, raw = api_token_create(operator=alice, name="HR", actor=alice)
    api_token_revoke(token_id=token.pk, actor=alice)
    assert api_token_authenticate(raw).why == "revoked"
    event = AuditEvent.objects.get(action="api_token.revoke")
    assert (event.actor_label, event.outcome, event.target_id) == ("alice", "succeeded", token.prefix)
    with pytest.raises(TokenRefused, match="already revoked"):
        api_token_revoke(token_id=token.pk, actor=alice)
    assert AuditEvent.objects.filter(action="api_token.revoke").count() == 1


def test_the_token_of_an_inactive_operator_is_refused(alice):
    _, raw = api_token_create(operator=alice, name="HR", actor=alice)
    alice.is_active = False
    alice.save()
    assert api_token_authenticate(raw).why == "operator cannot sign in"


def test_creation_is_audited_without_the_secret(alice):
    token, _ = api_token_create(operator=alice, name="HR", actor=alice)
    event = AuditEvent.objects.get(action="api_token.create")
    assert (event.actor_label, event.outcome, event.target_type, event.target_id) == (
        "alice",
        "succeeded",
        "api_token",
        token.prefix,
    )
    assert event.after == {"operator": "alice", "name": "HR", "prefix": token.prefix}


def test_only_the_operator_or_a_superuser_revokes_a_token(alice, morgan, root):
    token, _ = api_token_create(operator=alice, name="HR", actor=alice)
    with pytest.raises(TokenRefused, match="Only the token's own operator"):
        api_token_revoke(token_id=token.pk, actor=morgan)
    api_token_revoke(token_id=token.pk, actor=root)
    assert ApiToken.objects.get().revoked_at is not None


def test_an_operator_holds_a_bounded_number_of_active_tokens(alice):
    for n in range(MAX_ACTIVE_TOKENS):
        api_token_create(operator=alice, name=f"t{n}", actor=alice)
    with pytest.raises(TokenRefused, match="revoke one"):
        api_token_create(operator=alice, name="one more", actor=alice)


def test_refused_tokens_are_logged_not_audited(api, alice, caplog):
    before = AuditEvent.objects.count()
    with caplog.at_level(logging.WARNING, logger="zoomadmin_site.api.views"):
        for _ in range(5):
            response = api.post(ROLE_CHANGES, {"user": "a@example.com", "role": "Admin"}, token="za_nope")
            assert response.status_code == 401
    assert AuditEvent.objects.count() == before
    assert sum("API token refused (malformed)" in r.getMessage() for r in caplog.records) == 5


# --- the page -----------------------------------------------------------------------------------------


def test_the_page_creates_a_token_and_shows_it_once(alice_client, alice):
    response = alice_client.post(reverse("api:token_create"), {"name": "HR provisioning"})
    assert response.status_code == 201
    token = ApiToken.objects.get(operator=alice)
    raw = response.context["new_secret"]
    assert raw in response.content.decode() and api_token_authenticate(raw).token == token
    assert response["Cache-Control"] == "no-store, private"
    page = alice_client.get(reverse("api:tokens")).content.decode()
    assert token.display in page and raw not in page and "HR provisioning" in page


def test_the_page_refuses_a_blank_name(alice_client):
    response = alice_client.post(reverse("api:token_create"), {"name": ""})
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_the_page_revokes_the_operators_own_token(alice_client, alice):
    token, raw = api_token_create(operator=alice, name="HR", actor=alice)
    response = alice_client.post(reverse("api:token_revoke", args=[token.pk]), follow=True)
    assert "is revoked" in response.content.decode()
    assert api_token_authenticate(raw).why == "revoked"


def test_the_page_does_not_reach_other_operators_tokens(client, alice, django_user_model):
    from django.contrib.auth.models import Group

    from zoomadmin_site.roles import IT_ADMIN

    token, raw = api_token_create(operator=alice, name="Payroll sync", actor=alice)
    other = django_user_model.objects.create_user(username="ivan", password="x")
    other.groups.add(Group.objects.get(name=IT_ADMIN))
    client.force_login(other)
    assert client.post(reverse("api:token_revoke", args=[token.pk])).status_code == 404
    assert "Payroll sync" not in client.get(reverse("api:tokens")).content.decode()
    assert api_token_authenticate(raw).token == token


@pytest.mark.parametrize("persona_client", ["morgan", "audrey", "charlie"], indirect=True)
def test_operators_who_cannot_request_role_changes_get_no_tokens(persona_client):
    assert persona_client.get(reverse("api:tokens")).status_code == 403
    assert persona_client.post(reverse("api:token_create"), {"name": "x"}).status_code == 403
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize(
    ("persona_client", "linked"),
    [("alice", True), ("morgan", False), ("audrey", False), ("charlie", False)],
    indirect=["persona_client"],
)
def test_the_header_links_the_tokens_page_only_for_operators_who_may_use_it(persona_client, linked):
    page = persona_client.get(reverse("home"), follow=True).content.decode()
    assert (f'href="{reverse("api:tokens")}"' in page) is linked


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    response = client.get(reverse("api:tokens"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


# --- Django admin -------------------------------------------------------------------------------------


def test_admin_creates_a_token_for_an_operator_and_shows_it_once(root_client, alice):
    response = root_client.post(
        reverse("admin:api_apitoken_add"), {"operator": alice.pk, "name": "SCIM bridge"}
    )
    assert response.status_code == 201
    token = ApiToken.objects.get(operator=alice)
    raw = response.context["secret"]
    assert raw in response.content.decode() and api_token_authenticate(raw).token == token
    assert AuditEvent.objects.get(action="api_token.create").actor_label == "root"
    listing = root_client.get(reverse("admin:api_apitoken_changelist")).content.decode()
    assert "SCIM bridge" in listing and raw not in listing


def test_admin_revokes_tokens_with_an_audited_action(root_client, alice):
    token, raw = api_token_create(operator=alice, name="HR", actor=alice)
    root_client.post(
        reverse("admin:api_apitoken_changelist"), {"action": "revoke", "_selected_action": [token.pk]}
    )
    assert api_token_authenticate(raw).why == "revoked"
    assert AuditEvent.objects.get(action="api_token.revoke").actor_label == "root"


def test_the_tokens_page_is_strict(alice_client):
    from tests.test_site import _assert_strict_page

    _assert_strict_page(alice_client.get(reverse("api:tokens")))
    _assert_strict_page(alice_client.post(reverse("api:token_create"), {"name": "HR"}))
