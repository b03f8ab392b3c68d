"""The address a request came from, the one copy every brake and log line asks.

`REMOTE_ADDR` is the peer of this process. Behind reverse proxies it is the nearest proxy, and
the client is in `X-Forwarded-For`, which every proxy appends the address it received from to.
Only the entries our own proxies appended can be believed — anything to their left was sent by
the client and may be forged — so with `TRUSTED_PROXY_COUNT` = N the client is the Nth address
from the right, and with 0 (the default: no proxy) the header is ignored.
"""

import ipaddress

from django.conf import settings


def _is_address(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def client_address(request) -> str:
    """The client's IP address as text; `REMOTE_ADDR` unless trusted proxies name another."""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies < 1:
        return remote
    forwarded = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    # Fewer entries than proxies, or garbage where our proxy writes: the request did not come
    # through the proxies as configured, so nothing in the header can be believed.
    if len(forwarded) < proxies or not _is_address(forwarded[-proxies]):
        return remote
    return forwarded[-proxies]
