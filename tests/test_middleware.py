"""The client address recorded in the audit log, directly and behind the TLS proxy."""

from __future__ import annotations

import pytest
from django.test import RequestFactory, override_settings

from zoomadmin_site.middleware import client_ip

PROXY = {"SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https")}


def request_from(remote: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_a_proxy_the_forwarded_header_is_ignored():
    assert client_ip(request_from("203.0.113.9", "198.51.100.1")) == "203.0.113.9"


@override_settings(**PROXY)
@pytest.mark.parametrize(
    ("forwarded", "expected"),
    [
        ("198.51.100.7", "198.51.100.7"),
        # The client sent a forged first hop; our proxy appended the address it really saw.
        ("10.9.9.9, 198.51.100.7", "198.51.100.7"),
        ("evil, 2001:db8::1 ", "2001:db8::1"),
    ],
)
def test_behind_the_proxy_the_last_hop_is_the_client(forwarded, expected):
    assert client_ip(request_from("10.0.0.2", forwarded)) == expected


@override_settings(**PROXY)
@pytest.mark.parametrize("forwarded", [None, "", "not-an-address", "198.51.100.7, <script>"])
def test_behind_the_proxy_a_missing_or_bad_last_hop_falls_back_to_the_proxy_address(forwarded):
    assert client_ip(request_from("10.0.0.2", forwarded)) == "10.0.0.2"
