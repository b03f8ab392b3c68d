"""Which address a request came from: X-Forwarded-For only counts behind trusted proxies."""

import pytest
from django.test import RequestFactory

from oms.client_address import client_address
from oms.login import address_bucket


def request_from(remote: str, forwarded_for: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded_for is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return RequestFactory().get("/", **extra)


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_address(request_from("192.0.2.1", "203.0.113.9")) == "192.0.2.1"


@pytest.mark.parametrize(
    ("proxies", "forwarded_for", "expected"),
    [
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "6.6.6.6, 203.0.113.9", "203.0.113.9"),
        (2, "6.6.6.6, 203.0.113.9, 10.0.0.1", "203.0.113.9"),
        (1, " 2001:db8::7 ", "2001:db8::7"),
    ],
)
def test_behind_n_trusted_proxies_the_client_is_the_nth_entry_from_the_right(
    settings, proxies, forwarded_for, expected
):
    settings.TRUSTED_PROXY_COUNT = proxies
    assert client_address(request_from("10.0.0.2", forwarded_for)) == expected


@pytest.mark.parametrize("forwarded_for", [None, "", "203.0.113.9", "not-an-address, x"])
def test_a_header_our_proxies_did_not_write_falls_back_to_the_peer(settings, forwarded_for):
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_address(request_from("10.0.0.2", forwarded_for)) == "10.0.0.2"


def test_ipv6_addresses_are_counted_per_64_network():
    assert address_bucket("2001:db8:1:2:aaaa::1") == address_bucket("2001:db8:1:2:bbbb::2")
    assert address_bucket("2001:db8:1:2::1") != address_bucket("2001:db8:1:3::1")
    assert address_bucket("192.0.2.1") == "192.0.2.1"
