"""Where the OMS may send requests: not into its own network.

A manager can point a webhook endpoint anywhere; without this check an endpoint aimed at a
loopback, private or link-local address (a database, a cloud metadata service) would turn the
deliveries page into a way to read internal services. Development and tests post to
127.0.0.1, so `WEBHOOK_ALLOW_PRIVATE_URLS` (on with DEBUG) lifts the check.
"""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings


def internal_address_reason(url: str) -> str | None:
    """Why `url` must not be called (it resolves to an internal address), or None."""
    if settings.WEBHOOK_ALLOW_PRIVATE_URLS:
        return None
    host = urlsplit(url).hostname
    if not host:
        return "The URL has no host."
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except (socket.gaierror, UnicodeError):
        # Not resolvable now: the delivery fails and is retried like any unreachable receiver.
        return None
    for address in sorted(addresses):
        ip = ipaddress.ip_address(address.split("%")[0])
        if not ip.is_global or ip.is_multicast:
            return f"{host} is an internal address ({ip}); webhooks go to public receivers only."
    return None
