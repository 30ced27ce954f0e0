"""The audit list rows' sentence truncation matches Django's Truncator exactly, short cut or not."""

from __future__ import annotations

import pytest
from django.utils.text import Truncator

from accounts.templatetags.audit_tables import SENTENCE_CHARS, _truncated


@pytest.mark.parametrize(
    "text",
    [
        "",
        "operator3 signed in",
        "x" * SENTENCE_CHARS,
        "x" * (SENTENCE_CHARS + 1),
        "y" * 1000,
        "e\u0301" * (SENTENCE_CHARS // 2),  # decomposed: NFC makes each pair one character
        "e\u0301" * SENTENCE_CHARS,  # 480 code points, 240 characters once composed: not truncated
        "a\u0308" * (SENTENCE_CHARS + 5),
        "\u0301" * (SENTENCE_CHARS + 3),  # combining marks alone
        "z" * (SENTENCE_CHARS - 1) + "\u0344",  # 240 code points that NFC makes 241
        "z" * (SENTENCE_CHARS - 1) + "\u2adc",
    ],
)
def test_truncated_is_truncators_answer(text):
    assert _truncated(text) == Truncator(text).chars(SENTENCE_CHARS)


def test_datalist_options_are_escaped():
    from accounts.templatetags.audit_tables import audit_datalist

    assert audit_datalist("audit-actions", ["auth.login", 'a"<b>']) == (
        '<datalist id="audit-actions"><option value="auth.login"></option>'
        '<option value="a&quot;&lt;b&gt;"></option></datalist>'
    )


def test_outcome_chips_mark_the_current_one_and_escape_their_urls():
    from accounts.templatetags.audit_tables import audit_outcome_chips

    html = audit_outcome_chips(
        [
            {"label": "Any outcome", "shown": "1,000+", "url": "/audit/?q=a&b", "current": False},
            {
                "label": "Failed",
                "shown": "3",
                "url": "/audit/?outcome=failed",
                "current": True,
                "outcome": "failed",
            },
        ]
    )
    assert html == (
        '<a class="chip" href="/audit/?q=a&amp;b">'
        'Any outcome <span class="chip-count">1,000+</span></a>\n    '
        '<a class="chip chip-failed chip-current" href="/audit/?outcome=failed" aria-current="true">'
        'Failed <span class="chip-count">3</span></a>'
    )


@pytest.mark.parametrize(
    "when",
    [
        "2026-03-02T01:02:03.004567+00:00",
        "2026-03-02T23:59:59+00:00",  # no fraction
        "2026-03-02T23:30:00+00:00",  # another day in the site's time zone
        "0999-12-31T23:59:59.5+00:00",  # a year strftime writes without four digits
        "0001-01-02T00:00:00+00:00",
        "2026-03-02T12:00:00",  # naive, as without USE_TZ
    ],
)
@pytest.mark.parametrize("zone", ["UTC", "Asia/Kolkata", "America/St_Johns"])
def test_a_rows_time_is_shown_as_strftime_writes_it(settings, when, zone):
    """The row's shown time (cut from its ISO form) is what `%Y-%m-%d %H:%M:%S` writes, and the
    repeated cells made once per page are each row's own."""
    import datetime as dt
    import re

    from django.utils import timezone

    from accounts.templatetags.audit_tables import audit_rows
    from zoomadmin_site.audit.selectors import ListedEvent

    settings.TIME_ZONE = zone
    time = dt.datetime.fromisoformat(when)
    events = [
        ListedEvent(n, time, f"ann <{n % 2}>", "auth.login", "zoom_user" if n else "", "u", "", None, "", o)
        for n, o in enumerate(["succeeded", "failed", "succeeded", "weird&"])
    ]
    with timezone.override(zone):
        html = str(audit_rows(events))
        local = time.astimezone(timezone.get_current_timezone()) if timezone.is_aware(time) else time
    assert re.findall(r'<time datetime="([^"]*)">([^<]*)</time>', html) == [
        (local.isoformat(), f"{local:%Y-%m-%d %H:%M:%S}")
    ] * len(events)
    assert re.findall(r"<td><bdi>(ann &lt;\d&gt;)</bdi></td>", html) == ["ann &lt;0&gt;", "ann &lt;1&gt;"] * 2
    assert re.findall(r'<span class="badge badge-([^"]*)">', html) == [
        "succeeded",
        "failed",
        "succeeded",
        "weird&amp;",
    ]
    assert html.count('<span class="muted small">zoom_user</span> <bdi>u</bdi>') == 3
