"""Signing outbound webhook bodies, and verifying them (for receivers and our tests).

`X-OMS-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`. The timestamp is
inside the signed message, so a captured request cannot be replayed later than the tolerance.
"""

import hashlib
import hmac
import time

SIGNATURE_HEADER = "X-OMS-Signature"
SIGNATURE_SCHEME = "v1"


def _digest(*, secret: str, body: bytes, timestamp: int) -> str:
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def sign_payload(*, secret: str, body: bytes, timestamp: int) -> str:
    """The `X-OMS-Signature` header value for `body` sent at `timestamp`."""
    return (
        f"t={timestamp},{SIGNATURE_SCHEME}={_digest(secret=secret, body=body, timestamp=timestamp)}"
    )


def verify_signature(
    *, secret: str, body: bytes, header: str, tolerance_seconds: int = 300
) -> bool:
    """True when `header` signs `body` with `secret` and its time is within the tolerance."""
    timestamp = None
    signatures = []
    for part in (header or "").split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isascii() and value.isdigit():
            timestamp = int(value)
        elif key == SIGNATURE_SCHEME and value:
            signatures.append(value)
    if timestamp is None or not signatures:
        return False
    if abs(time.time() - timestamp) > tolerance_seconds:
        return False
    expected = _digest(secret=secret, body=body, timestamp=timestamp)
    # Several v1 values may be sent while a secret is rotated; any match will do.
    return any(hmac.compare_digest(expected, signature) for signature in signatures)
