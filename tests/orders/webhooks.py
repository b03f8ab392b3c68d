"""Signed marketplace deliveries for tests: the bytes, headers and door each platform uses."""

import json

from django.test import Client

from orders.channels.common import sign
from orders.models import SalesChannel
from tests.orders.factories import SalesChannelFactory
from tests.orders.payloads import load

# platform → (signature header, delivery id header, other headers it sends)
HEADERS = {
    "shopify": (
        "X-Shopify-Hmac-Sha256",
        "X-Shopify-Webhook-Id",
        {"X-Shopify-Topic": "orders/create"},
    ),
    "woocommerce": (
        "X-WC-Webhook-Signature",
        "X-WC-Webhook-Delivery-ID",
        {"X-WC-Webhook-Topic": "order.created"},
    ),
}


def encode(payload) -> bytes:
    return json.dumps(payload, indent=1).encode()


def post_delivery(
    platform: str, *, channel: str, body: bytes, secret: str, webhook_id: str = "wh-1"
):
    """POST `body` to `channel`'s door for `platform`, signed with `secret` as the platform
    signs; CSRF checks on, as in production (the signature is the only credential)."""
    signature_header, id_header, extra = HEADERS[platform]
    headers = {**extra, signature_header: sign(secret=secret, body=body)}
    if webhook_id:
        headers[id_header] = webhook_id
    return Client(enforce_csrf_checks=True).post(
        f"/api/v1/channels/{channel}/{platform}/orders/",
        data=body,
        content_type="application/json",
        headers=headers,
    )


SHOPIFY_SECRET = "shpss_hardening"
WOOCOMMERCE_SECRET = "wc_hardening"
# platform → (channel code, secret, fixture payload)
CHANNELS = {
    "shopify": ("shop", SHOPIFY_SECRET, "shopify_order"),
    "woocommerce": ("woo", WOOCOMMERCE_SECRET, "woocommerce_order"),
}


def make_marketplace_channels() -> dict:
    """A Shopify and a WooCommerce channel, each with its secret; platform → channel."""
    return {
        platform: SalesChannelFactory(
            code=code,
            kind=SalesChannel.Kind.MARKETPLACE,
            webhook_secret=secret,
            webhook_platform=platform,
        )
        for platform, (code, secret, _) in CHANNELS.items()
    }


def deliver(platform: str, payload=None, *, body: bytes | None = None, webhook_id="wh-1"):
    """A delivery to the hardening channels: `payload` encoded, or `body` as given."""
    code, secret, _ = CHANNELS[platform]
    body = encode(payload) if body is None else body
    return post_delivery(platform, channel=code, body=body, secret=secret, webhook_id=webhook_id)


def fixture_payload(platform: str) -> dict:
    return load(CHANNELS[platform][2])
