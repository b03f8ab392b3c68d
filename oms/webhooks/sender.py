"""The HTTP side of a delivery: one signed POST with urllib, never raising for network trouble."""

import http.client
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder

from oms.destinations import internal_address_reason
from oms.webhooks.signing import SIGNATURE_HEADER, sign_payload

REQUEST_TIMEOUT_SECONDS = 10
USER_AGENT = "OMS-Webhooks/1.0"
# Read a little more than we keep, so a multi-byte character cut at the edge still decodes.
RESPONSE_READ_BYTES = 2048


@dataclass(frozen=True)
class PostResult:
    status_code: int | None
    error: str
    response_snippet: str
    duration_ms: int

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer, not a success: following it would turn the POST into a GET."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def webhook_body(*, event_id: int, event: str, created_at, data: dict) -> bytes:
    """The exact bytes that are signed and sent."""
    document = {"id": event_id, "event": event, "created_at": created_at.isoformat(), "data": data}
    return json.dumps(document, cls=DjangoJSONEncoder, separators=(",", ":")).encode()


def webhook_headers(*, secret: str, body: bytes, event: str, delivery_id: int) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-OMS-Event": event,
        "X-OMS-Delivery": str(delivery_id),
        SIGNATURE_HEADER: sign_payload(secret=secret, body=body, timestamp=int(time.time())),
    }


def _snippet(response, limit: int) -> str:
    try:
        raw = response.read(RESPONSE_READ_BYTES)
    except (OSError, http.client.HTTPException):
        return ""
    return raw.decode("utf-8", errors="replace")[:limit]


def post_json(*, url: str, body: bytes, headers: dict[str, str], snippet_length: int) -> PostResult:
    """POST `body` to `url`; an HTTP error or a network failure is a result, not an exception."""
    # Checked again at send time: the name may resolve elsewhere than when it was saved.
    refusal = internal_address_reason(url)
    if refusal:
        return PostResult(None, f"Not sent: {refusal}"[:500], "", 0)
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    started = time.monotonic()
    status_code, error, snippet = None, "", ""
    try:
        with _opener.open(request, timeout=REQUEST_TIMEOUT_SECONDS) as response:
            status_code = response.status
            snippet = _snippet(response, snippet_length)
    except urllib.error.HTTPError as failure:
        status_code = failure.code
        error = f"HTTP {failure.code} {failure.reason}"
        snippet = _snippet(failure, snippet_length)
    except urllib.error.URLError as failure:
        error = f"Could not connect: {failure.reason}"
    except (OSError, http.client.HTTPException, ValueError) as failure:
        # Timeouts, resets mid-response, malformed status lines.
        error = f"{type(failure).__name__}: {failure}" if str(failure) else type(failure).__name__
    duration_ms = int((time.monotonic() - started) * 1000)
    return PostResult(status_code, error[:500], snippet, duration_ms)
