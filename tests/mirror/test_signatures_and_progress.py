from __future__ import annotations

import io

import pytest

from zoomadmin_site.sync.progress import ProgressPrinter, format_duration
from zoomadmin_site.sync.signatures import (
    BadSignature,
    signature_for,
    url_validation_answer,
    verify_delivery,
)

SECRET = "whsec-test"
BODY = b'{"event":"user.updated","event_ts":1700000000000,"payload":{}}'


def test_signature_matches_zooms_documented_recipe():
    # v0= + hex(HMAC_SHA256(secret, "v0:{ts}:{body}")), zoom-api.md §10.2
    import hashlib
    import hmac

    expected = "v0=" + hmac.new(b"whsec-test", b"v0:1700000000:" + BODY, hashlib.sha256).hexdigest()
    assert signature_for(SECRET, "1700000000", BODY) == expected


def test_valid_recent_delivery_is_accepted():
    verify_delivery(
        secret=SECRET,
        timestamp="1700000000",
        signature=signature_for(SECRET, "1700000000", BODY),
        body=BODY,
        now=1700000100,
    )


@pytest.mark.parametrize(
    "timestamp,signature,body,now,reason",
    [
        ("1700000000", "v0=deadbeef", BODY, 1700000000, "does not match"),
        ("1700000000", None, BODY + b" ", 1700000000, "does not match"),
        ("1700000000", None, BODY, 1700000000 + 301, "limit 300 s"),
        ("", None, BODY, 1700000000, "malformed"),
        ("17e8", None, BODY, 1700000000, "malformed"),
    ],
)
def test_bad_or_stale_deliveries_are_rejected(timestamp, signature, body, now, reason):
    signature = signature or signature_for(SECRET, "1700000000", BODY)
    with pytest.raises(BadSignature, match=reason):
        verify_delivery(secret=SECRET, timestamp=timestamp, signature=signature, body=body, now=now)


def test_without_a_configured_secret_nothing_is_accepted():
    with pytest.raises(BadSignature, match="not configured"):
        verify_delivery(secret="", timestamp="1", signature="v0=", body=b"{}", now=1)


def test_url_validation_answer_is_hmac_of_plain_token():
    import hashlib
    import hmac

    answer = url_validation_answer(SECRET, "qgg8vlvZRS6UYooatFL8Aw")
    assert answer == {
        "plainToken": "qgg8vlvZRS6UYooatFL8Aw",
        "encryptedToken": hmac.new(b"whsec-test", b"qgg8vlvZRS6UYooatFL8Aw", hashlib.sha256).hexdigest(),
    }


def test_progress_prints_plain_lines_when_not_a_terminal():
    stream = io.StringIO()
    printer = ProgressPrinter(stream, is_tty=False)
    printer.update("users", 0, 100)
    printer.update("users", 50, 100)  # throttled: same phase, within the line interval
    printer.update("meetings", 10, 40)
    printer.finish()
    lines = stream.getvalue().splitlines()
    assert lines[0].startswith("users: 0/100 (0.0%)")
    assert lines[1].startswith("meetings: 10/40 (25.0%), ETA")
    assert "\r" not in stream.getvalue()


def test_progress_draws_a_bar_with_counts_on_a_terminal():
    stream = io.StringIO()
    printer = ProgressPrinter(stream, is_tty=True)
    printer.update("users", 1500, 3000, force=True)
    out = stream.getvalue()
    assert out.startswith("\rusers")
    assert "1,500/3,000" in out and "50.0%" in out and "ETA" in out and "█" in out


def test_duration_format():
    assert format_duration(75) == "01:15"
    assert format_duration(3725) == "1:02:05"
