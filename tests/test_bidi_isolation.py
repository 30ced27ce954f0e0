"""Text from Zoom cannot reverse the page's own words: on every page where a name (or another label)
from Zoom appears, it sits in an isolating element (<bdi>), or in the <title>, between isolate
characters; and what it holds cannot end that isolation early (tests/e2e/test_bidi.py checks what
Chromium makes of it)."""

from __future__ import annotations

import datetime
from html.parser import HTMLParser

import pytest
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.zoom_text import bidi_contained, bidi_isolated
from tests.accounts.factories import make_delegation, make_user
from tests.meetings.factories import make_meeting

pytestmark = pytest.mark.django_db
RLO, PDI, FSI = "\u202e", "\u2069", "\u2068"
# A display name that reverses what follows it, and one that first tries to close the isolate around it.
NAME = f"Mallory {RLO}Evil"
ESCAPING_NAME = f"Mel{PDI}{PDI}{RLO}Escape\u2029{RLO}Again"
TOPIC = f"Budget {RLO}review"
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class ZoomTextPlaces(HTMLParser):
    """Where text holding a bidi control shows up: the open elements around each such text, and any
    attribute holding one."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.texts: list[tuple[tuple[str, ...], str]] = []
        self.attributes: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.attributes += [(tag, name, value) for name, value in attrs if value and RLO in value]
        if tag not in VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.open:
            while self.open.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        if RLO in data:
            self.texts.append((tuple(self.open), data))


def assert_isolated(html: str, *, expected: int = 1) -> None:
    places = ZoomTextPlaces()
    places.feed(html)
    assert len(places.texts) >= expected, "the text from Zoom is not on the page"
    assert places.attributes == []
    for open_elements, text in places.texts:
        if open_elements[-1] == "title":
            assert text.startswith(FSI) and text.count(FSI) == text.count(PDI), text
            continue
        assert open_elements[-1] == "bdi", f"{text!r} in {'>'.join(open_elements)}"
        assert PDI not in text and "\u2029" not in text, f"{text!r} could end its <bdi> early"


@pytest.fixture
def mallory(db):
    return make_user(zoom_id="MaLLoRyZoomId0000000aa", display_name=NAME, first_name="Mallory", last_name="E")


@pytest.fixture
def mel(db):
    return make_user(zoom_id="MeLZoomId000000000000a", display_name=ESCAPING_NAME, first_name="Mel")


@pytest.fixture
def meeting(mallory, mel):
    return make_meeting(
        mallory,
        topic=TOPIC,
        assistant_id=mel.zoom_id,
        alternative_hosts=f"{mel.email};{RLO}someone@example.com",
        agenda=f"First {RLO}line\nsecond line",
        details_synced_at=timezone.now(),
        start_time=timezone.now() + datetime.timedelta(days=1),
    )


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "fragment"])
def test_names_and_topics_on_the_search_pages_are_isolated(alice_client, mallory, mel, meeting, htmx):
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    users = alice_client.get("/users/", **headers).content.decode()
    assert_isolated(users, expected=4)  # each name, in its link and in its Refresh button's label
    assert_isolated(alice_client.get("/meetings/", **headers).content.decode(), expected=2)  # topic, host


def test_a_refreshed_row_is_isolated_too(rf, alice, mallory, meeting):
    request = rf.post("/")
    request.user = alice
    context = {"rows": [mallory], "can_refresh": True}
    assert_isolated(render_to_string("accounts/user_list.html#rows", context, request=request), expected=2)
    context = {"rows": [meeting], "can_refresh": True}
    assert_isolated(render_to_string("meetings/meeting_list.html#rows", context, request=request))


def test_names_on_a_user_page_are_isolated(alice_client, mallory, mel):
    make_delegation(mel, mallory)
    make_meeting(mallory, topic=TOPIC, start_time=timezone.now() + datetime.timedelta(days=1))
    html = alice_client.get(mallory.get_absolute_url()).content.decode()
    assert_isolated(html, expected=8)  # title, heading, profile, sentences, meetings, link
    assert_isolated(alice_client.get(mel.get_absolute_url()).content.decode(), expected=2)


def test_names_on_a_meeting_page_are_isolated(alice_client, meeting):
    html = alice_client.get(meeting.get_absolute_url()).content.decode()
    assert_isolated(html, expected=5)  # title, heading, host, scheduler, alternative host, agenda


def test_labels_from_zoom_on_the_audit_pages_and_the_dashboard_are_isolated(client, root, mallory):
    from zoomadmin_site.audit.services import audit_record

    event = audit_record(
        action="mirror.sync",
        outcome="succeeded",
        target_type="zoom_user",
        target_id=f"id{RLO}",
        target_label=mallory.name,
        reason=f"Zoom says {RLO}no",
        zoom_calls=[{"method": "GET", "path": f"/users/{RLO}", "status": 200, "zoom_message": f"ok{RLO}"}],
    )
    client.force_login(root)
    assert_isolated(client.get("/audit/").content.decode(), expected=2)
    assert_isolated(client.get(f"/audit/{event.seq}/").content.decode(), expected=5)
    assert_isolated(client.get("/").content.decode())
    assert_isolated(client.get(mallory.get_absolute_url()).content.decode(), expected=3)  # its history


def test_what_zoom_said_on_the_mirror_pages_is_isolated(alice_client):
    from zoomadmin_site.mirror.models import SyncRun, WebhookDelivery

    WebhookDelivery.objects.create(
        dedupe_key="k", event=f"user.{RLO}updated", result="ignored", detail=f"Unknown {RLO}user"
    )
    assert_isolated(alice_client.get("/mirror/").content.decode(), expected=2)
    run = SyncRun.objects.create(status="failed", error=f"Zoom says {RLO}no", trigger="cli")
    assert_isolated(alice_client.get(f"/mirror/runs/{run.pk}/").content.decode())


def test_the_approvals_page_shows_nothing_from_zoom_yet(alice_client, mallory):
    html = alice_client.get("/approvals/").content.decode()
    assert RLO not in html and "Mallory" not in html


@pytest.mark.parametrize(
    ("text", "contained"),
    [
        ("Jill Chill", "Jill Chill"),
        ("", ""),
        (f"a{PDI}{RLO}b", f"a{RLO}b"),
        (f"\u2067ok{PDI} x{PDI}", f"\u2067ok{PDI} x"),
        (f"\u2066\u2067a{PDI}", f"\u2066\u2067a{PDI}"),
        ("one\u2029two\x1cthree\u0085four\x1d\x1e", "one two three four  "),
        ("line\nbreak\ttab", "line\nbreak\ttab"),
    ],
)
def test_text_from_zoom_cannot_end_its_isolation(text, contained):
    assert bidi_contained(text) == contained


def test_isolated_text_closes_every_isolate_it_opens():
    assert bidi_isolated(f"{PDI}\u2067a") == f"{FSI}\u2067a{PDI}{PDI}"
    assert bidi_isolated("Jill") == f"{FSI}Jill{PDI}"
