""" "Refresh this row from Zoom" on the Users page: htmx swaps in the fresh row; without JavaScript a plain
form comes back to the same search with a message."""

from __future__ import annotations

import json
import re

import pytest

from accounts.models import ZoomUser
from tests.accounts.factories import make_user, make_users
from zoomadmin_site.sandbox import SCENARIOS
from zoomadmin_site.sync.services import mirror_refresh_user

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
ROW = {"row": "1"}  # what the rows' <tbody> adds with hx-vals


@pytest.fixture
def marcus(zoom_sandbox) -> ZoomUser:
    """A user in the mirror as the sync left them; Zoom has since moved them to another department."""
    user = mirror_refresh_user(user_key=SCENARIOS["new_host"]["email"])
    zoom_sandbox.update_user(user.email, dept="Field Sales")
    return user


def refresh_url(user: ZoomUser) -> str:
    return f"/users/{user.url_key}/refresh/"


def message(response) -> dict[str, str]:
    return json.loads(response["HX-Trigger"])["zoomadmin:message"]


def test_it_admins_get_a_refresh_button_on_every_row_posting_to_that_rows_refresh(alice_client):
    users = make_users(3)
    html = alice_client.get("/users/", {"q": "user"}).content.decode()
    assert html.count('class="row-refresh"') == 3
    for user in users:
        url = refresh_url(user)
        assert f'formaction="{url}" hx-post="{url}"' in html
    assert """<tbody hx-target="closest tr" hx-swap="outerHTML" hx-vals='{"row": "1"}'>""" in html
    form = re.search(r'<form id="user-row-refresh" method="post" hidden>.*?</form>', html).group(0)
    assert "csrfmiddlewaretoken" in form and 'name="next" value="/users/?q=user"' in form


@pytest.mark.parametrize("persona_client", ["morgan", "audrey"], indirect=True)
def test_operators_who_may_not_sync_get_no_row_refresh(persona_client):
    make_users(2)
    html = persona_client.get("/users/").content.decode()
    assert "row-refresh" not in html and "hx-post" not in html


def test_htmx_refresh_answers_with_just_the_fresh_row(alice_client, marcus):
    response = alice_client.post(refresh_url(marcus), ROW, **HTMX)
    assert response.status_code == 200
    html = response.content.decode().strip()
    assert html.startswith("<tr") and html.endswith("</tr>") and html.count("<tr") == 1
    assert '<td class="hide-narrow"><bdi>Field Sales</bdi></td>' in html and 'class="row-refresh"' in html
    assert message(response) == {"level": "success", "text": "Refreshed from Zoom just now."}
    assert ZoomUser.objects.get(pk=marcus.pk).dept == "Field Sales"


def test_without_javascript_the_refresh_comes_back_to_the_same_search(alice_client, marcus):
    search = "/users/?q=marcus&sort=-email"
    response = alice_client.post(refresh_url(marcus), {"next": search})
    assert response.status_code == 302 and response["Location"] == search
    html = alice_client.get(response["Location"]).content.decode()
    assert "Refreshed from Zoom just now." in html and "Field Sales" in html


@pytest.mark.parametrize(
    "elsewhere", ["https://evil.example/users/", "//evil.example/", "javascript:alert(1)"]
)
def test_a_next_address_off_this_site_is_ignored(alice_client, marcus, elsewhere):
    response = alice_client.post(refresh_url(marcus), {"next": elsewhere})
    assert response["Location"] == f"/users/{marcus.url_key}/"


def test_a_zoom_failure_leaves_the_row_and_says_why(alice_client, marcus, zoom_sandbox):
    zoom_sandbox.fail_next("GET", "/users/*", status=503, count=10)
    response = alice_client.post(refresh_url(marcus), ROW, **HTMX)
    assert response.status_code == 200 and response["HX-Reswap"] == "none"
    assert message(response)["level"] == "error"
    assert message(response)["text"].startswith("Zoom did not answer as expected:")
    assert ZoomUser.objects.get(pk=marcus.pk).dept != "Field Sales"


def test_a_zoom_failure_without_javascript_is_a_message_on_the_search_page(
    alice_client, marcus, zoom_sandbox
):
    zoom_sandbox.fail_next("GET", "/users/*", status=503, count=10)
    response = alice_client.post(refresh_url(marcus), {"next": "/users/?q=marcus"}, follow=True)
    assert response.status_code == 200 and response.redirect_chain[-1][0] == "/users/?q=marcus"
    assert "Zoom did not answer as expected" in response.content.decode()


def test_a_user_zoom_no_longer_has_comes_back_marked_gone(alice_client, zoom_sandbox):
    ghost = make_user(zoom_id="NoSuchUserInZoom1", first_name="Ghost")
    response = alice_client.post(refresh_url(ghost), ROW, **HTMX)
    html = response.content.decode()
    assert '<tr class="row-gone">' in html and "Ghost" in html
    assert message(response)["level"] == "warning"
    assert ZoomUser.objects.get(pk=ghost.pk).gone_at is not None


@pytest.mark.parametrize(
    ("persona_client", "status"),
    [("anonymous", 302), ("charlie", 403), ("morgan", 403), ("audrey", 403), ("root", 200)],
    indirect=["persona_client"],
)
def test_only_operators_who_may_sync_can_refresh_a_row(persona_client, status, marcus):
    response = persona_client.post(refresh_url(marcus), ROW, **HTMX)
    assert response.status_code == status
    assert (ZoomUser.objects.get(pk=marcus.pk).dept == "Field Sales") == (status == 200)
