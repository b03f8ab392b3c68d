"""Shopify `orders/create` webhooks: the signature and the Order resource's fields.

Shopify signs each delivery with `X-Shopify-Hmac-Sha256`: base64 of the HMAC-SHA256 of the raw
body, keyed with the app's secret (stored as the channel's webhook secret).
`X-Shopify-Webhook-Id` stays the same when Shopify retries a delivery.
"""

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

SOURCE = "shopify"
LABEL = "Shopify"
SIGNATURE_HEADER = "X-Shopify-Hmac-Sha256"
WEBHOOK_ID_HEADER = "X-Shopify-Webhook-Id"
TOPIC_HEADER = "X-Shopify-Topic"
# `financial_status` values for which the customer's money is still to come through Shopify.
AWAITED_STATUSES = ("pending", "authorized", "partially_paid")


def signature_valid(*, secret: str, body: bytes, headers) -> bool:
    return base64_hmac_valid(secret=secret, body=body, signature=headers.get(SIGNATURE_HEADER, ""))


def external_id(payload: dict) -> str:
    return text(payload.get("id"), 100)


def address(data: dict) -> AddressData:
    """A Shopify address; the ISO codes (`province_code`, `country_code`) win over the names."""
    return AddressData(
        name=text(data.get("name"))
        or full_name(text(data.get("first_name")), text(data.get("last_name"))),
        company=text(data.get("company")),
        line1=text(data.get("address1")),
        line2=text(data.get("address2")),
        city=text(data.get("city")),
        region=text(data.get("province_code")) or text(data.get("province")),
        postal_code=text(data.get("zip")),
        country=text(data.get("country_code")) or text(data.get("country")),
        phone=text(data.get("phone")),
    )


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
        lines.append(
            LineData(
                sku=text(item.get("sku"), 64),
                quantity=quantity(item.get("quantity"), f"line_items.{index}.quantity"),
                unit_price=reading.amount(item.get("price"), f"line_items.{index}.price"),
                name=text(item.get("name") or item.get("title"), 200),
            )
        )
    return lines


def _shipping_total(payload: dict, reading: Reading) -> Decimal:
    shop_money = section(section(payload, "total_shipping_price_set"), "shop_money")
    if shop_money.get("amount") not in (None, ""):
        return reading.amount(shop_money["amount"], "total_shipping_price_set.shop_money.amount")
    shipping_lines = payload.get("shipping_lines")
    if not isinstance(shipping_lines, list):
        return Decimal("0")
    return sum(
        (
            reading.amount(line.get("price"), f"shipping_lines.{index}.price")
            for index, line in enumerate(shipping_lines)
            if isinstance(line, dict)
        ),
        Decimal("0"),
    )


def _payment(payload: dict, total: Decimal | None) -> dict:
    """The payment block: money Shopify took, money Shopify still awaits, or none at all.

    An order paid on Shopify was paid in full there. One still pending, authorized or partly paid
    is awaited from the channel; it is never recorded as captured. A refunded, voided or expired
    one, or one cancelled on Shopify, brings no money.
    """
    status = text(payload.get("financial_status")).lower()
    if status == "paid" and total is not None:
        return {"gateway": "marketplace", "method": SOURCE, "amount": str(total)}
    if status in AWAITED_STATUSES and not payload.get("cancelled_at"):
        return {"gateway": "marketplace", "method": SOURCE}
    return {}


def _note(payload: dict, tax: Decimal, taxes_included: bool) -> str:
    parts = []
    if text(payload.get("name")):
        parts.append(f"Shopify order {text(payload.get('name'))}.")
    if taxes_included and tax:
        parts.append(f"Prices include {tax} tax.")
    if text(payload.get("note")):
        parts.append(f"Customer note: {text(payload.get('note'))}")
    return " ".join(parts)


def capture_request(payload: dict, reading: Reading) -> CaptureRequest:
    """The Shopify order as a CaptureRequest; raises OrderInvalid when it has no id, or a line
    that cannot be an order line. Figures and dates it cannot store go to `reading`."""
    if not external_id(payload):
        raise OrderInvalid("The order has no id.", fields={"id": ["Missing."]})
    customer = section(payload, "customer")
    shipping = section(payload, "shipping_address")
    billing = section(payload, "billing_address")
    total = reading.optional_amount(payload.get("total_price"), "total_price")
    tax = reading.amount(payload.get("total_tax"), "total_tax")
    # With tax-inclusive prices the tax is inside the line prices already (and inside
    # total_price): adding it again would make the totals disagree.
    taxes_included = payload.get("taxes_included") is True
    return CaptureRequest(
        external_id=external_id(payload),
        channel_order_name=text(payload.get("name"), 100),
        currency=text(payload.get("currency")).upper(),
        email=text(payload.get("email") or payload.get("contact_email") or customer.get("email")),
        first_name=text(customer.get("first_name") or shipping.get("first_name"), 100),
        last_name=text(customer.get("last_name") or shipping.get("last_name"), 100),
        phone=text(customer.get("phone") or payload.get("phone") or shipping.get("phone"), 40),
        lines=_lines(payload, reading),
        shipping_address=address(shipping),
        billing_address=None if is_blank(address(billing)) else address(billing),
        shipping_total=_shipping_total(payload, reading),
        tax_total=Decimal("0") if taxes_included else tax,
        discount_total=reading.amount(payload.get("total_discounts"), "total_discounts"),
        payment=_payment(payload, total),
        note=_note(payload, tax, taxes_included),
        placed_at=reading.moment(payload.get("created_at"), "created_at"),
        channel_grand_total=total,
    )
