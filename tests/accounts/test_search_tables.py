"""The result-table tags build exactly the markup the templates built, values escaped the same way."""

from __future__ import annotations

import datetime
import re

import pytest
from django.template import Context, engines
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from accounts.models import ZoomUser
from accounts.selectors import USER_SORTS
from accounts.templatetags.search_tables import (
    LocalTime,
    detail_url_maker,
    query_string,
    sort_th,
    user_rows,
)
from accounts.zoom_keys import user_key_to_url, zoom_user_key_ok
from tests.accounts.factories import user_fields
from tests.accounts.test_zoom_keys import HOSTILE_KEYS
from zoomadmin_site.search.pages import sort_headers

# The markup templates/accounts/user_list.html had before the rows moved into a tag, with what came since:
# the refresh button (only for keys Zoom would take, `refreshable`) and text from Zoom isolated in <bdi>.
TEMPLATE_USER_ROWS = """{% for u in rows %}
<tr{% if u.is_gone %} class="row-gone"{% endif %}>
  <td><a href="{{ u.get_absolute_url }}"><bdi>{{ u.name }}</bdi></a>{% if u.is_gone %} <span class="badge badge-gone">Gone</span>{% endif %}</td>
  <td><bdi>{{ u.email }}</bdi></td>
  <td class="hide-narrow"><bdi>{{ u.dept }}</bdi></td>
  <td><bdi>{{ u.role_name }}</bdi></td>
  <td>{{ u.type_label }}</td>
  <td><span class="badge badge-{{ u.status_css }}">{% if u.status_css == "unknown" %}<bdi>{{ u.status_label }}</bdi>{% else %}{{ u.status_label }}{% endif %}</span></td>
  <td class="hide-narrow nowrap">{{ u.last_login|date:"Y-m-d"|default:"Never" }}</td>
  {% if can_refresh %}<td class="row-refresh">{% if u.url_key in refreshable %}{% url 'mirror:user_refresh' u.url_key as refresh_url %}<button type="submit" class="btn btn-small" form="user-row-refresh" formaction="{{ refresh_url }}" hx-post="{{ refresh_url }}">Refresh<span class="sr-only"> <bdi>{{ u.name }}</bdi> from Zoom</span></button>{% endif %}</td>{% endif %}
</tr>
{% endfor %}"""  # noqa: E501 - the template's lines as they were
TEMPLATE_SORT_TH = """<th scope="col"{% if header.aria_sort %} aria-sort="{{ header.aria_sort }}"{% endif %}{% if narrow %} class="hide-narrow"{% endif %}>
  <a href="{{ request.path }}{% querystring header.params %}" hx-get="{{ request.path }}{% querystring header.params %}">{{ header.label }}{% if header.aria_sort == "ascending" %} <span aria-hidden="true">▲</span>{% elif header.aria_sort == "descending" %} <span aria-hidden="true">▼</span>{% endif %}</a>
</th>"""  # noqa: E501 - the template's lines as they were
HOSTILE = "<script>alert('x')</script> & \"quotes\""


def same_markup(html: str) -> str:
    """Markup without the indentation between tags (the tags indent differently)."""
    return re.sub(r">\s+<", "><", str(html)).strip()


def render_template(source: str, **context) -> str:
    return engines["django"].from_string(source).render(context)


def unsaved_users() -> list[ZoomUser]:
    login = datetime.datetime(2026, 3, 1, 23, 30, tzinfo=datetime.UTC)
    variants = [
        {},
        {"gone_at": timezone.now(), "last_login": login},
        {"zoom_id": None, "status": "pending", "email": "o'neil+zoom&co@example.com", "display_name": ""},
        {"first_name": HOSTILE, "display_name": "", "dept": HOSTILE, "email": "ünï@example.com"},
        {"type": 7, "status": "<odd>", "zoom_id": "a b?c#d%e"},
        {"role_id": "", "type": ZoomUser.Type.NONE, "status": "inactive", "last_login": login},
    ]
    users = [ZoomUser(**user_fields(**fields)) for fields in variants]
    for user, role in zip(
        users, ["Member", "Admin", HOSTILE, "", "Role x (not in the mirror)", ""], strict=True
    ):
        user.role_name = role
    return users


def test_user_rows_are_the_markup_the_template_made():
    users = unsaved_users()
    assert same_markup(user_rows(users)) == same_markup(render_template(TEMPLATE_USER_ROWS, rows=users))


@pytest.mark.parametrize("zone", ["UTC", "Pacific/Auckland", "America/Los_Angeles"])
def test_dates_are_shown_in_the_current_time_zone_as_the_date_filter_shows_them(zone):
    users = unsaved_users()
    with timezone.override(zone):
        expected = render_template(TEMPLATE_USER_ROWS, rows=users)
        assert same_markup(user_rows(users)) == same_markup(expected)
    moment = datetime.datetime(2026, 12, 31, 23, 59, tzinfo=datetime.UTC)
    with timezone.override("Pacific/Auckland"):
        assert LocalTime().minute(moment) == render_template('{{ m|date:"Y-m-d H:i" }}', m=moment)
        assert LocalTime().day(moment) == "2027-01-01"


def test_rows_with_a_refresh_button_are_the_markup_the_template_made():
    users = unsaved_users()
    refreshable = {u.url_key for u in users if zoom_user_key_ok(u.url_key)}
    expected = render_template(TEMPLATE_USER_ROWS, rows=users, can_refresh=True, refreshable=refreshable)
    html = user_rows(users, can_refresh=True)
    assert same_markup(html) == same_markup(expected)
    assert html.count('class="row-refresh"') == len(users) and "<script>" not in html
    assert html.count("<button") == len(refreshable) == len(users) - 1  # not for the id "a b?c#d%e"


def test_urls_for_int_converters_are_what_reverse_gives():
    make = detail_url_maker("mirror:meeting_refresh")
    assert make(85010000002) == reverse("mirror:meeting_refresh", args=[85010000002])


def test_no_rows_is_no_markup():
    assert user_rows([]) == ""


def test_hostile_values_are_escaped():
    html = str(user_rows(unsaved_users()))
    assert "<script>" not in html and "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &quot;" in html


@pytest.mark.parametrize("key", ["KDcuGIm1QgePTO8WbOqwIQ", "~:@!$()*,;=", *HOSTILE_KEYS])
@pytest.mark.parametrize("viewname", ["accounts:user_detail", "mirror:user_refresh"])
def test_user_urls_are_what_reverse_gives(viewname, key):
    assert detail_url_maker(viewname, user_key_to_url)(key) == reverse(viewname, args=[key])


def test_a_user_without_id_or_email_has_no_url():
    assert detail_url_maker("accounts:user_detail", user_key_to_url)("") == ""


@pytest.mark.parametrize("current", ["name", "-email", "dept", "status"])
@pytest.mark.parametrize("params", [{}, {"q": "jill chill", "dept": "R&D"}, {"q": HOSTILE, "gone": "1"}])
def test_sort_headers_are_the_markup_the_template_made(current, params):
    request = RequestFactory().get("/users/")
    headers = sort_headers(USER_SORTS, current, params)
    for key, header in headers.items():
        narrow = key in ("dept", "last_login")
        expected = render_template(TEMPLATE_SORT_TH, request=request, header=header, narrow=narrow)
        assert sort_th(Context({"request": request}), header, narrow=narrow) == expected


def test_query_string_is_what_the_querystring_tag_gives():
    request = RequestFactory().get("/users/")
    params = {"q": "a&b c/ü", "sort": "-name"}
    expected = render_template("{% querystring params after=c %}", request=request, params=params, c="x:y=")
    assert query_string(params, {"after": "x:y="}).replace("&", "&amp;") == expected
    assert query_string({}) == "?"
