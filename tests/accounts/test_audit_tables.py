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
