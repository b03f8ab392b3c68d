"""WooCommerce order webhooks: the signature, the creation ping, and the order's fields.

WooCommerce signs each delivery with `X-WC-Webhook-Signature`: base64 of the HMAC-SHA256 of the
raw body, keyed with the webhook's secret (stored as the channel's webhook secret). When a
webhook is created it sends an unsigned ping, the form body `webhook_id=<n>`, and keeps the
webhook only if the ping is answered 200.
"""

import re
from datetime import datetime
from decimal import Decimal

from orders.channels.common import (
    Reading,
    base64_hmac_valid,
    full_name,
    is_blank,
    quantity,
    section,
    text,
)
from orders.errors import OrderInvalid
from orders.services import AddressData, CaptureRequest, LineData

SOURCE = "woocommerce"
LABEL = "WooCommerce"
SIGNATURE_HEADER = "X-WC-Webhook-Signature"
WEBHOOK_ID_HEADER = "X-WC-Webhook-Delivery-ID"
TOPIC_HEADER = "X-WC-Webhook-Topic"
PAID_STATUSES = ("processing", "completed")
# Orders whose money is still to come through WooCommerce (a paid date makes them paid).
# Cancelled, refunded, failed, trashed and draft orders bring no money.
AWAITED_STATUSES = ("pending", "on-hold", *PAID_STATUSES)
PING = re.compile(rb"webhook_id=[0-9]+")


def is_ping(body: bytes) -> bool:
    """The creation ping: nothing but `webhook_id=<n>`, so nothing to store or verify."""
    return PING.fullmatch(body.strip()) is not None


def signature_valid(*, secret: str, body: bytes, headers) -> bool:
    return base64_hmac_valid(secret=secret, body=body, signature=headers.get(SIGNATURE_HEADER, ""))


def external_id(payload: dict) -> str:
    return text(payload.get("id"), 100)


def address(data: dict) -> AddressData:
    return AddressData(
        name=full_name(text(data.get("first_name")), text(data.get("last_name"))),
        company=text(data.get("company")),
        line1=text(data.get("address_1")),
        line2=text(data.get("address_2")),
        city=text(data.get("city")),
        region=text(data.get("state")),
        postal_code=text(data.get("postcode")),
        country=text(data.get("country")),
        phone=text(data.get("phone")),
    )


def _unit_price(item: dict, index: int, units: int, reading: Reading) -> Decimal:
    """The price before order discounts. WooCommerce's `price` is the line total after coupons
    divided by the quantity; the coupons also arrive as `discount_total`, so taking `price` would
    count them twice. `subtotal` is the line before coupons."""
    subtotal = reading.optional_amount(item.get("subtotal"), f"line_items.{index}.subtotal")
    if subtotal is not None:
        return subtotal / units
    return reading.amount(item.get("price"), f"line_items.{index}.price")


def _lines(payload: dict, reading: Reading) -> list[LineData]:
    items = payload.get("line_items")
    if not isinstance(items, list):
        return []
    lines = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise OrderInvalid(
                "A line item is not an object.", fields={f"line_items.{index}": ["Not an object."]}
            )
        units = quantity(item.get("quantity"), f"line_items.{index}.quantity")
        lines.append(
            LineData(
                sku=text(item.get("sku"), 64),
                quantity=units,
                unit_price=_unit_price(item, index, units, reading),
                name=text(item.get("name"), 200),
            )
        )
    return lines


def _is_paid(payload: dict) -> bool:
    status = text(payload.get("status")).lower()
    paid_at = payload.get("date_paid_gmt") or payload.get("date_paid")
    return status in PAID_STATUSES and bool(paid_at or payload.get("set_paid") is True)


def _payment(payload: dict, total: Decimal | None) -> dict:
    """The payment block: money WooCommerce took, money it still awaits, or none at all."""
    if _is_paid(payload) and total is not None:
        return {"gateway": "marketplace", "method": SOURCE, "amount": str(total)}
    if text(payload.get("status")).lower() in AWAITED_STATUSES:
        return {"gateway": "marketplace", "method": SOURCE}
    return {}


def _note(payload: dict) -> str:
    parts = []
    if text(payload.get("number")):
        parts.append(f"WooCommerce order {text(payload.get('number'))}.")
    if text(payload.get("customer_note")):
        parts.append(f"Customer note: {text(payload.get('customer_note'))}")
    return " ".join(parts)


def _placed_at(payload: dict, reading: Reading) -> datetime | None:
    """`date_created_gmt` (UTC without an offset), else the shop-local `date_created`."""
    if payload.get("date_created_gmt") not in (None, ""):
        return reading.moment(payload["date_created_gmt"], "date_created_gmt")
    return reading.moment(payload.get("date_created"), "date_created")


def capture_request(payload: dict, reading: Reading) -> CaptureRequest:
    """The WooCommerce order as a CaptureRequest; raises OrderInvalid when it has no id, or a
    line that cannot be an order line. Figures and dates it cannot store go to `reading`."""
    if not external_id(payload):
        raise OrderInvalid("The order has no id.", fields={"id": ["Missing."]})
    billing = section(payload, "billing")
    shipping = section(payload, "shipping")
    total = reading.optional_amount(payload.get("total"), "total")
    return CaptureRequest(
        external_id=external_id(payload),
        channel_order_name=text(payload.get("number"), 100),
        currency=text(payload.get("currency")).upper(),
        email=text(billing.get("email")),
        first_name=text(billing.get("first_name") or shipping.get("first_name"), 100),
        last_name=text(billing.get("last_name") or shipping.get("last_name"), 100),
        phone=text(billing.get("phone") or shipping.get("phone"), 40),
        lines=_lines(payload, reading),
        shipping_address=address(shipping),
        billing_address=None if is_blank(address(billing)) else address(billing),
        shipping_total=reading.amount(payload.get("shipping_total"), "shipping_total"),
        tax_total=reading.amount(payload.get("total_tax"), "total_tax"),
        discount_total=reading.amount(payload.get("discount_total"), "discount_total"),
        payment=_payment(payload, total),
        note=_note(payload),
        placed_at=_placed_at(payload, reading),
        channel_grand_total=total,
    )
