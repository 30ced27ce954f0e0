"""The short list of a person picker (new hosts): people whose name or email starts with what was typed
come first, then other matches of the user search fill the list."""

from __future__ import annotations

import pytest

from accounts.models import ZoomUser
from accounts.selectors import user_pick_candidates
from tests.accounts.factories import make_user

pytestmark = pytest.mark.django_db


def names(users: list[ZoomUser]) -> list[str]:
    return [user.display_name for user in users]


@pytest.fixture
def people():
    # Alphabetically these come before Marcus, and each contains "mar" somewhere other than a start.
    make_user(first_name="Alex", last_name="Murphy", dept="Marketing")
    make_user(first_name="Amara", last_name="Brennan", dept="Product")
    make_user(first_name="Bianca", last_name="Das", dept="Marketing")
    make_user(first_name="Marcus", last_name="Okafor", email="marcus.okafor@example.com", dept="Sales")
    make_user(first_name="Lena", last_name="Marsh", dept="Sales")
    make_user(first_name="Omar", last_name="Farouk", email="mar.farouk@example.com", dept="IT")


def test_names_and_emails_that_start_with_the_word_come_first_by_name(people):
    picked = names(user_pick_candidates(query="mar", limit=8))
    assert picked[:3] == ["Lena Marsh", "Marcus Okafor", "Omar Farouk"]  # last name, first name, email
    assert set(picked[3:]) == {"Alex Murphy", "Amara Brennan", "Bianca Das"}  # inside words, after


def test_every_word_must_start_a_name_or_email(people):
    assert names(user_pick_candidates(query="marcus ok", limit=8)) == ["Marcus Okafor"]
    assert names(user_pick_candidates(query="MAR oka", limit=8)) == ["Marcus Okafor"]


def test_the_list_is_cut_at_the_limit_starts_first(people):
    assert names(user_pick_candidates(query="mar", limit=2)) == ["Lena Marsh", "Marcus Okafor"]


def test_filters_apply_to_both_kinds_of_match(people):
    make_user(first_name="Marta", last_name="Basic", type=ZoomUser.Type.BASIC)
    make_user(first_name="Maria", last_name="Gone", status=ZoomUser.Status.INACTIVE)
    picked = names(user_pick_candidates(query="mar", user_type=ZoomUser.Type.LICENSED, status="active"))
    assert "Marta Basic" not in picked and "Maria Gone" not in picked and "Marcus Okafor" in picked


def test_nothing_typed_lists_nobody(people):
    assert user_pick_candidates(query="   ") == []
