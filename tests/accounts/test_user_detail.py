"""The user page: profile, delegations in words, upcoming meetings, role requests, audit history."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from accounts.models import Delegation, ZoomUser
from tests.accounts.factories import make_delegation, make_role, make_user, make_users
from tests.meetings.factories import make_meeting, make_meetings

pytestmark = pytest.mark.django_db


@pytest.fixture
def jill(db):
    return make_user(
        zoom_id="KDcuGIm1QgePTO8WbOqwIQ",
        email="jchill@example.com",
        first_name="Jill",
        last_name="Chill",
        dept="Developers",
        role_id="1",
        pmi=6589310093,
    )


def words(html: str) -> str:
    """The page without the <bdi> around text from Zoom (tests/test_bidi_isolation.py checks those)."""
    return html.replace("<bdi>", "").replace("</bdi>", "")


def page(client, user_or_key) -> str:
    key = user_or_key if isinstance(user_or_key, str) else user_or_key.url_key
    response = client.get(f"/users/{key}/")
    assert response.status_code == 200
    return words(response.content.decode())


def test_profile_shows_role_licence_status_and_ids(alice_client, jill):
    html = page(alice_client, jill)
    for fact in [
        "Jill Chill",
        "jchill@example.com",
        "KDcuGIm1QgePTO8WbOqwIQ",
        "Admin",
        "Licensed",
        "Active",
        "Developers",
        "6589310093",
    ]:
        assert fact in html


def test_custom_role_name_comes_from_the_mirror(alice_client):
    make_role("RqBLcd1jLS9a7RBkbGtqn2A", "Help Desk")
    user = make_user(role_id="RqBLcd1jLS9a7RBkbGtqn2A")
    assert "Help Desk" in page(alice_client, user)


def test_pending_user_is_addressed_by_email(alice_client):
    make_user(zoom_id=None, status=ZoomUser.Status.PENDING, email="invited@example.com")
    html = page(alice_client, "invited@example.com")
    assert "the invitation has not been accepted" in html and "Pending" in html


def test_user_is_also_found_by_email_when_they_have_an_id(alice_client, jill):
    assert "KDcuGIm1QgePTO8WbOqwIQ" in page(alice_client, "JChill@example.com")


def test_delegations_say_who_can_schedule_for_whom(alice_client, jill):
    assistant = make_user(first_name="Ada", last_name="Assist")
    boss = make_user(first_name="Bea", last_name="Boss")
    make_delegation(assistant, jill)
    make_delegation(jill, boss)
    make_delegation(make_user(first_name="Old", last_name="Helper"), jill, gone_at=timezone.now())
    html = page(alice_client, jill)
    assert (
        f'<a href="/users/{assistant.zoom_id}/">Ada Assist</a> can schedule meetings for Jill Chill.' in html
    )
    assert f'Jill Chill can schedule meetings for <a href="/users/{boss.zoom_id}/">Bea Boss</a>.' in html
    assert "Old Helper" not in html


def test_delegation_with_a_user_missing_from_the_mirror_names_the_id(alice_client, jill):
    Delegation.objects.create(
        assistant_zoom_id="unknownId123", host_zoom_id=jill.zoom_id, synced_at=timezone.now()
    )
    assert "Zoom user unknownId123 (not in the mirror) can schedule meetings for Jill Chill." in page(
        alice_client, jill
    )


def test_no_delegations_is_said_plainly(alice_client, jill):
    html = page(alice_client, jill)
    assert "Nobody can schedule meetings for Jill Chill." in html
    assert "Jill Chill cannot schedule meetings for anyone else." in html


def test_upcoming_meetings_hosted_are_listed_and_past_or_gone_ones_are_not(alice_client, jill):
    make_meeting(jill, topic="Next planning")
    make_meeting(jill, topic="Old retro", start_time=timezone.now() - datetime.timedelta(days=3))
    make_meeting(jill, topic="Cancelled sync", gone_at=timezone.now())
    make_meeting(jill, topic="Open room", type=3, start_time=None)
    make_meeting(topic="Someone else's")
    html = page(alice_client, jill)
    assert "Next planning" in html and "Open room" in html and "No fixed time" in html
    assert "Old retro" not in html and "Cancelled sync" not in html and "Someone else" not in html
    assert f"/meetings/?host={jill.zoom_id}" in html


def test_pending_role_requests_section_has_an_honest_empty_state(alice_client, jill):
    assert "No role change requests." in page(alice_client, jill)


def test_gone_user_page_says_so(alice_client):
    user = make_user(gone_at=timezone.now())
    assert "Zoom no longer lists this user" in page(alice_client, user)


def test_refresh_button_is_offered_to_those_who_may_sync(alice_client, jill):
    assert "Refresh from Zoom" in page(alice_client, jill)


def test_refresh_button_is_not_offered_to_managers(morgan_client, jill):
    assert "Refresh from Zoom" not in page(morgan_client, jill)


def test_audit_history_lists_events_about_this_user(client, audrey, morgan, jill):
    from zoomadmin_site.audit.services import audit_record

    event = audit_record(
        action="role_change.execute",
        outcome="succeeded",
        actor_label="alice",
        target_type="zoom_user",
        target_id=jill.zoom_id,
        target_label=jill.email,
        reason="Promoted <b>for</b> the project",
    )
    audit_record(
        action="role_change.execute", outcome="failed", target_type="zoom_user", target_id="someone-else"
    )
    client.force_login(audrey)
    html = page(client, jill)
    assert "role_change.execute" in html and "Promoted &lt;b&gt;for&lt;/b&gt; the project" in html
    assert f'href="/audit/{event.seq}/"' in html  # auditors may open the event
    client.force_login(morgan)
    html = page(client, jill)
    assert "role_change.execute" in html and f'href="/audit/{event.seq}/"' not in html
    assert html.count('class="history-event"') == 1  # this user's one event


def test_no_audit_history_is_said_plainly(alice_client, jill):
    assert "Nothing about this user has been recorded in the audit log yet." in page(alice_client, jill)


@pytest.mark.parametrize(
    "key", ["nobody", "nobody@example.com", "x" * 300, "%3Cimg src=x onerror=alert(1)%3E", "%00", "%E2%80%AE"]
)
def test_unknown_user_gives_a_helpful_404(alice_client, key):
    response = alice_client.get(f"/users/{key}/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "There is no Zoom user" in html and "Users page" in html
    assert "<img src=x" not in html


@pytest.mark.parametrize("rows", [1, 500])
def test_user_page_query_count_is_constant(alice_client, django_assert_num_queries, jill, rows):
    others = make_users(rows)
    Delegation.objects.bulk_create(
        [
            Delegation(assistant_zoom_id=o.zoom_id, host_zoom_id=jill.zoom_id, synced_at=o.synced_at)
            for o in others
        ]
        + [
            Delegation(assistant_zoom_id=jill.zoom_id, host_zoom_id=o.zoom_id, synced_at=o.synced_at)
            for o in others
        ]
    )
    make_meetings(rows, jill)
    alice_client.get("/users/KDcuGIm1QgePTO8WbOqwIQ/")
    # operator, permissions and roles, user, role, delegations, their users, meetings, role change
    # requests, audit (the session: cached)
    with django_assert_num_queries(9):
        html = words(alice_client.get("/users/KDcuGIm1QgePTO8WbOqwIQ/").content.decode())
    assert html.count("can schedule meetings for Jill Chill.") == rows  # every delegation is shown


@pytest.mark.urls("tests.accounts.refresh_urls")
def test_refresh_button_posts_to_the_sync_view_once_it_exists(alice_client, jill):
    html = page(alice_client, jill)
    assert f'action="/mirror-test/users/{jill.zoom_id}/refresh/"' in html and 'method="post"' in html
    assert "csrfmiddlewaretoken" in html


@pytest.mark.parametrize("partial", ["refresh", "role_requests", "audit_history"])
def test_user_page_partials_render_on_their_own(rf, alice, jill, partial):
    """Later work (the sync's Refresh button, role requests) re-renders these regions alone."""
    from django.template.loader import render_to_string

    from accounts.selectors import user_profile

    request = rf.get("/")
    request.user = alice
    profile = user_profile(key=jill.zoom_id)
    html = render_to_string(
        f"accounts/user_detail.html#{partial}", {"profile": profile, "zoom_user": jill}, request=request
    )
    assert html.strip() and "<html" not in html


def test_a_user_whose_key_zoom_would_not_take_gets_no_working_refresh_button(alice_client):
    odd = make_user(zoom_id="not an id?", first_name="Odd")
    response = alice_client.get(odd.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200 and "/refresh/" not in html
    assert "disabled title=" in html and "not of a shape Zoom takes back" in html
