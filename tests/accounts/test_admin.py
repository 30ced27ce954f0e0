"""Django admin shows the mirror read-only, searching the same fields as our search pages."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import RequestFactory

from accounts.models import Delegation, ZoomRole, ZoomUser
from accounts.search import USER_SEARCH
from meetings.models import ZoomMeeting
from meetings.search import MEETING_SEARCH
from tests.accounts.factories import make_user


@pytest.mark.parametrize(("model", "spec"), [(ZoomUser, USER_SEARCH), (ZoomMeeting, MEETING_SEARCH)])
def test_admin_search_fields_are_the_fields_our_search_covers(model, spec):
    assert set(admin.site._registry[model].search_fields) == set(spec.columns)


@pytest.mark.parametrize("model", [ZoomUser, ZoomRole, Delegation, ZoomMeeting])
def test_mirror_is_read_only_in_admin(model, root):
    request = RequestFactory().get("/")
    request.user = root
    model_admin = admin.site._registry[model]
    assert model_admin.has_view_permission(request)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


@pytest.mark.django_db
def test_admin_search_finds_what_our_search_finds():
    jill = make_user(first_name="Jill", last_name="Chill")
    make_user(first_name="Bob")
    model_admin = admin.site._registry[ZoomUser]
    results, _ = model_admin.get_search_results(RequestFactory().get("/"), ZoomUser.objects.all(), "chil")
    assert list(results) == [jill]
