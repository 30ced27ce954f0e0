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
        '<a class="chip" href="/audit/?q=a&amp;b" hx-get="/audit/?q=a&amp;b" hx-target="#results"'
        ' hx-push-url="true">Any outcome <span class="chip-count">1,000+</span></a>\n    '
        '<a class="chip chip-failed chip-current" href="/audit/?outcome=failed"'
        ' hx-get="/audit/?outcome=failed" hx-target="#results" hx-push-url="true" aria-current="true">'
        'Failed <span class="chip-count">3</span></a>'
    )
