"""Searches match in any case, for every letter: SQLite's LIKE folds only ASCII, so the checks made row by
row (1-2 character terms, and the walks of common terms) spell other letters in both cases."""

from __future__ import annotations

import pytest

from accounts.selectors import user_search
from meetings.selectors import meeting_search
from tests.accounts.factories import make_user, make_users
from tests.meetings.factories import make_meeting
from zoomadmin_site.search.searching import MAX_CASE_VARIANTS, case_variants

pytestmark = pytest.mark.django_db


def names(page) -> set[str]:
    return {u.name for u in page.rows}


@pytest.fixture
def people(db):
    return [
        make_user(first_name="Ölaf", last_name="Ærø", display_name="Ölaf Ærø"),
        make_user(first_name="Émile", last_name="Çelik", display_name="Émile Çelik"),
        make_user(first_name="Ольга", last_name="Иванова", display_name="Ольга Иванова"),
        make_user(first_name="Olaf", last_name="Plain", display_name="Olaf Plain"),
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("öl", {"Ölaf Ærø"}),
        ("ÖL", {"Ölaf Ærø"}),
        ("æ", {"Ölaf Ærø"}),
        ("é", {"Émile Çelik"}),
        ("çe", {"Émile Çelik"}),
        ("ол", {"Ольга Иванова"}),
        ("ИВ", {"Ольга Иванова"}),
        ("ol", {"Olaf Plain"}),  # ASCII folds as before, and does not match accented letters
    ],
)
def test_one_and_two_character_queries_match_any_letter_in_any_case(people, query, expected):
    assert names(user_search(query=query)) == expected


@pytest.mark.parametrize("query", ["ölaf", "ÖLAF", "иванова", "ÉMILE çelik"])
def test_longer_queries_match_in_any_case_through_the_index(people, query):
    assert len(user_search(query=query).rows) == 1


def test_short_and_long_terms_together_match_in_any_case(people):
    assert names(user_search(query="ÆR ölaf")) == {"Ölaf Ærø"}


def test_meeting_topics_match_in_any_case(db):
    make_meeting(topic="Übergabe Q3")
    make_meeting(topic="Plain topic")
    assert [m.topic for m in meeting_search(query="üb").rows] == ["Übergabe Q3"]


@pytest.mark.parametrize(
    ("plan", "thresholds"),
    [
        ("walk checking each row", {"SQLITE_DENSE": 0.0}),
        ("bounded walk", {"BOUNDED_WALK_ROWS": 1_000}),
    ],
)
@pytest.mark.parametrize("query", ["ÖLAF", "ИВАНОВА"])
def test_common_non_ascii_terms_match_in_any_case_on_every_plan(db, monkeypatch, plan, thresholds, query):
    make_users(6, first_name="Ölaf", last_name="Иванова", display_name="Ölaf Иванова")
    make_users(4)
    monkeypatch.setattr(
        "zoomadmin_site.search.searching.COUNT_CAP", 2
    )  # a common term: walk plans are chosen
    monkeypatch.setattr(
        "zoomadmin_site.search.searching._worth_a_bounded_walk", lambda density, page_size: True
    )
    for name, value in thresholds.items():
        monkeypatch.setattr(f"zoomadmin_site.search.searching.{name}", value)
    assert len(user_search(query=query).rows) == 6
    assert len(user_search(query=query, sort="email").rows) == 6


def test_ascii_terms_are_searched_as_given():
    assert case_variants("jill") == ["jill"] and case_variants("a-1") == ["a-1"]


def test_other_letters_are_spelled_in_both_cases():
    assert sorted(case_variants("öl")) == ["Öl", "öl"]
    assert len(case_variants("ÆØ")) == 4


def test_letters_without_case_add_no_spellings():
    assert case_variants("会議") == ["会議"]


def test_long_words_of_other_letters_are_left_to_the_index():
    assert case_variants("иванова") is None  # 2**7 spellings
    assert all(len(case_variants(a + b)) <= MAX_CASE_VARIANTS for a in "ǅöß" for b in "ǅöß")
