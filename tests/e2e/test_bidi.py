"""Text from Zoom cannot reorder the page's own words, as Chromium lays them out: a name holding a
RIGHT-TO-LEFT OVERRIDE (and a POP DIRECTIONAL ISOLATE before it, to break out of its <bdi>) leaves the
sentence around it reading left to right."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import login

pytestmark = pytest.mark.e2e
RLO, PDI = "\u202e", "\u2069"
EVIL = f"Eve{PDI}{PDI}{RLO}Override"
HOST = f"Hal{RLO}Host"
MAKE_USERS = f"""
from django.utils import timezone
from accounts.models import Delegation, ZoomUser
now = timezone.now()
eve = ZoomUser.objects.create(zoom_id="EveBidiTestUser0000001", email="eve.bidi@example.com",
    first_name="Eve", display_name={EVIL!r}, synced_at=now)
hal = ZoomUser.objects.create(zoom_id="HalBidiTestUser0000001", email="hal.bidi@example.com",
    first_name="Hal", display_name={HOST!r}, type=2, synced_at=now)
Delegation.objects.create(assistant_zoom_id=eve.zoom_id, host_zoom_id=hal.zoom_id, synced_at=now)
"""
# The x positions of the first letters of `word` in the text node that holds it, inside `selector`.
POSITIONS = """([selector, word]) => {
  const root = document.querySelector(selector);
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const at = node.textContent.indexOf(word);
    if (at < 0) continue;
    const range = document.createRange();
    return [...word].map((_, i) => {
      range.setStart(node, at + i); range.setEnd(node, at + i + 1);
      return range.getBoundingClientRect().x;
    });
  }
  return null;
}"""


def reads_left_to_right(page, selector: str, word: str) -> bool:
    xs = page.evaluate(POSITIONS, [selector, word])
    assert xs is not None, f"{word!r} is not in {selector}"
    return xs == sorted(xs)


@pytest.fixture(scope="module")
def bidi_users(dashboard):
    dashboard.manage("shell", "-c", MAKE_USERS)


def test_a_name_with_an_override_leaves_the_sentence_around_it_alone(page, dashboard, bidi_users):
    login(page, dashboard, "itadmin")
    page.goto(dashboard.url + "/users/HalBidiTestUser0000001/")
    assert reads_left_to_right(page, "section.delegations li", "can schedule meetings for")
    assert reads_left_to_right(page, "section.delegations h3:nth-of-type(2)", "can schedule for")
    page.goto(dashboard.url + "/users/EveBidiTestUser0000001/")
    assert reads_left_to_right(page, "section.delegations li", "can schedule meetings for")


def test_without_containment_chromium_lets_a_stray_pop_isolate_out_of_a_bdi(page):
    """Why accounts/zoom_text.py drops such characters: <bdi> alone does not hold them."""
    sentence = " can schedule meetings"
    page.set_content(f"<!doctype html><meta charset=utf-8><p id=a><bdi>{EVIL}</bdi>{sentence}</p>")
    assert not reads_left_to_right(page, "#a", "can schedule")
    page.set_content(f"<!doctype html><meta charset=utf-8><p id=b><bdi>Eve{RLO}Override</bdi>{sentence}</p>")
    assert reads_left_to_right(page, "#b", "can schedule")
