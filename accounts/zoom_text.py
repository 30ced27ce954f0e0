"""Text from Zoom shown among the page's own words, without letting its bidi controls reorder them.

Pages put every string Zoom supplies in an isolating element (<bdi>, whose `unicode-bidi: isolate` keeps
a RIGHT-TO-LEFT OVERRIDE inside it from reversing the words around it), or where no element can go (the
<title>) between FIRST STRONG ISOLATE and POP DIRECTIONAL ISOLATE. Browsers build that isolation out of
the same characters, so the text itself must not end it early: a stray POP DIRECTIONAL ISOLATE in it
closes the element's isolate, and a paragraph separator ends it (U+2029, NEXT LINE, and the ASCII
separators U+001C-U+001E, which the bidi algorithm counts as paragraph ends), after which an override
reaches the page's words again (tests/e2e/test_bidi.py shows both in Chromium). bidi_contained() drops
the first and turns the second into spaces; nothing else in the text changes.
"""

from __future__ import annotations

import re

ISOLATE_OPENERS = frozenset("\u2066\u2067\u2068")  # LEFT-TO-RIGHT, RIGHT-TO-LEFT, FIRST STRONG ISOLATE
POP_ISOLATE = "\u2069"
FIRST_STRONG_ISOLATE = "\u2068"
_PARAGRAPH_ENDS = re.compile("[\u2029\u0085\x1c-\x1e]")
_HARMLESS = re.compile("[^\u2066-\u2069\u2029\u0085\x1c-\x1e]*")


def bidi_contained(text: str) -> str:
    """`text` that an isolating element around it keeps isolated: paragraph separators made spaces,
    and every POP DIRECTIONAL ISOLATE that closes no isolate opened earlier in `text` left out (those
    that do, and the isolates themselves, stay: the element's end closes any left open)."""
    if (text.isascii() and text.isprintable()) or _HARMLESS.fullmatch(text):  # nearly every name
        return text
    text = _PARAGRAPH_ENDS.sub(" ", text)
    if POP_ISOLATE not in text:
        return text
    kept, depth = [], 0
    for char in text:
        if char in ISOLATE_OPENERS:
            depth += 1
        elif char == POP_ISOLATE:
            if not depth:
                continue
            depth -= 1
        kept.append(char)
    return "".join(kept)


def bidi_isolated(text: str) -> str:
    """`text` as an isolate of its own, in characters: for plain text where no element can go."""
    contained = bidi_contained(text)
    opened = sum(contained.count(c) for c in ISOLATE_OPENERS) - contained.count(POP_ISOLATE)
    return FIRST_STRONG_ISOLATE + contained + POP_ISOLATE * (opened + 1)
