"""The search pages look up no template variable that is missing: each miss costs Django's failed-lookup
path (~20 µs, an exception and a dir() or two), and these pages are the ones served most."""

from __future__ import annotations

import pytest
from django.template import base

from tests.accounts.factories import make_users
from tests.meetings.factories import make_meetings

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def misses(monkeypatch):
    missed: list[str] = []
    resolve = base.Variable._resolve_lookup

    def counting(self, context):
        try:
            return resolve(self, context)
        except base.VariableDoesNotExist:
            missed.append(self.var)
            raise

    monkeypatch.setattr(base.Variable, "_resolve_lookup", counting)
    return missed


@pytest.mark.parametrize(
    "url",
    [
        "/users/",
        "/users/?q=user&sort=-name",
        "/users/?q=nobody-at-all",
        "/meetings/",
        "/meetings/?q=meeting&sort=topic&status=started&gone=1",
        "/meetings/?q=nothing-like-it&from=",
    ],
)
@pytest.mark.parametrize("htmx", [False, True], ids=["page", "fragment"])
def test_search_pages_miss_no_template_variable(alice_client, misses, url, htmx):
    make_users(3)
    make_meetings(3)
    response = alice_client.get(url, **(HTMX if htmx else {}))
    assert response.status_code == 200
    assert misses == []
