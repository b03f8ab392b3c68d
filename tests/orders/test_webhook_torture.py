"""Webhook torture: 50 hostile, correctly signed deliveries to both marketplace doors.

Each is answered 2xx, or a clear 4xx in the error envelope (only a body over the limit), and
each 2xx leaves exactly one receipt that either captured an order (held with the reason when
its data could not be stored as sent) or failed with a reason — never a 500, never nothing.
"""

import copy
from collections import Counter

import pytest

from orders.api_webhooks import MAX_BODY_BYTES
from orders.models import ChannelWebhookReceipt, HoldReason, Order, OrderStatus
from tests.inventory.factories import ProductFactory, WarehouseFactory, give_stock
from tests.orders.webhooks import deliver, encode, fixture_payload, make_marketplace_channels

pytestmark = pytest.mark.django_db

ORDER, HELD, FAILED, REFUSED = "order", "held", "failed", "refused"


def shopify(change):
    return ("shopify", change)


def woocommerce(change):
    return ("woocommerce", change)


def line(**values):
    """A change to the first line item."""
    return lambda payload: payload["line_items"][0].update(values)


def field(**values):
    return lambda payload: payload.update(values)


def body(raw: bytes):
    """The delivery is these bytes, whatever the payload."""
    return lambda payload: raw


# (platform and change, what must become of it)
CASES = [
    # Figures out of range or unreadable: captured and held.
    (shopify(line(price="9999999999.99", quantity=2)), HELD),
    (shopify(line(price="1e30")), HELD),
    (shopify(line(price="-0.01")), HELD),
    (shopify(line(price="Infinity")), HELD),
    (shopify(line(price=[1, 2])), HELD),
    (shopify(field(total_tax="9999999999.99", total_discounts="1e9")), HELD),
    (shopify(field(total_discounts="500.00")), HELD),
    (woocommerce(field(shipping_total="10000000000")), HELD),
    (woocommerce(line(subtotal="-32.00")), HELD),
    (woocommerce(field(total=1e308)), HELD),
    (woocommerce(field(discount_total={"amount": 3})), HELD),
    # Dates and emails out of range: captured and held.
    (shopify(field(created_at="9999-12-31T23:59:59+14:00")), HELD),
    (shopify(field(created_at="1969-12-31T23:59:59Z")), HELD),
    (woocommerce(field(date_created_gmt="2025-02-30T10:00:00")), HELD),
    (woocommerce(field(date_created_gmt=1741097700)), HELD),
    (shopify(field(email="x" * 300 + "@example.com", contact_email=None)), HELD),
    (woocommerce(lambda payload: payload["billing"].update(email="not an email")), HELD),
    (woocommerce(lambda payload: payload["billing"].update(email=None)), HELD),
    (woocommerce(field(currency="€€€€")), HELD),
    # Odd but storable: captured (held only for what the order itself lacks).
    (shopify(line(sku="\u0000MUG")), ORDER),
    (shopify(line(sku="<script>alert(1)</script>")), ORDER),
    (shopify(field(note="\U0001f600" * 5000)), ORDER),
    (shopify(field(shipping_address="221B Baker Street")), ORDER),
    (shopify(field(customer=[1, 2, 3], billing_address="?")), ORDER),
    (woocommerce(line(name="x" * 10_000)), ORDER),
    (woocommerce(field(shipping=None, billing=None)), HELD),
    # Payloads that cannot be an order: kept as failed receipts.
    (shopify(field(id=None)), FAILED),
    (shopify(field(line_items=[])), FAILED),
    (shopify(field(line_items=[None])), FAILED),
    (shopify(line(quantity=0)), FAILED),
    (shopify(line(quantity=10**12)), FAILED),
    (woocommerce(line(quantity=2.5)), FAILED),
    (woocommerce(line(quantity=True)), FAILED),
    (woocommerce(field(line_items="MUG x2")), FAILED),
    # Bodies the parser cannot take: kept as failed receipts.
    (shopify(body(b"[" * 50_000 + b"]" * 50_000)), FAILED),
    (shopify(body(b'{"id": 1, "a": ' + b'{"b": ' * 80 + b"1" + b"}" * 80 + b"}")), FAILED),
    (shopify(body(b'{"id": 1, "note": "\\ud800"}')), FAILED),
    (shopify(body(b'{"id": 1, "total_price": 1e400}')), FAILED),
    (shopify(body(b'{"id": 1, "total_price": -Infinity}')), FAILED),
    (shopify(body(b"[]")), FAILED),
    (woocommerce(body(b"42")), FAILED),
    (woocommerce(body(b"\xc3\x28 not utf-8")), FAILED),
    (woocommerce(body(b'{"id": 1,}')), FAILED),
    (woocommerce(body(b"\x00" * 64)), FAILED),
    (woocommerce(body(b'{"id": ' + b"7" * 4400 + b"}")), FAILED),
    (woocommerce(body(b"\xef\xbb\xbf[1]")), FAILED),
    (woocommerce(body(b"<?xml version='1.0'?><order/>")), FAILED),
    # Bodies over the limit: refused in the envelope, nothing stored.
    (shopify(body(b"{" + b" " * MAX_BODY_BYTES + b"}")), REFUSED),
    (woocommerce(body(b'{"id": 1, "p": "' + b"x" * MAX_BODY_BYTES + b'"}')), REFUSED),
    (woocommerce(body(b"[" * (MAX_BODY_BYTES + 1))), REFUSED),
]


@pytest.fixture
def stock():
    warehouse = WarehouseFactory(code="EAST", country="US", priority=1)
    for sku in ("MUG", "TOWEL"):
        give_stock(ProductFactory(sku=sku), warehouse, 1_000)


def hostile_delivery(index: int, platform: str, change) -> bytes:
    payload = copy.deepcopy(fixture_payload(platform))
    # Each delivery its own order, so no case is merely a duplicate of another.
    payload["id"] = 9_000_000 + index
    changed = change(payload)
    return changed if isinstance(changed, bytes) else encode(payload)


def test_fifty_hostile_signed_deliveries_each_leave_an_order_or_a_failed_receipt(stock):
    assert len(CASES) == 50
    make_marketplace_channels()

    answers = []
    for index, ((platform, change), expected) in enumerate(CASES):
        raw = hostile_delivery(index, platform, change)
        response = deliver(platform, body=raw, webhook_id=f"torture-{index}")
        answers.append((index, expected, response.status_code, response.json()))

    for index, expected, status, answer in answers:
        context = f"case {index}: {answer}"
        if expected == REFUSED:
            assert status == 413, context
            assert answer["error"]["code"] == "payload_too_large", context
            continue
        assert status in (200, 201), context
        receipt = ChannelWebhookReceipt.objects.get(pk=answer["receipt"])
        assert receipt.webhook_id == f"torture-{index}", context
        if expected == FAILED:
            assert (status, receipt.outcome, receipt.order) == (200, "failed", None), context
            assert receipt.error, context
            continue
        assert (status, receipt.outcome) == (201, "captured"), context
        order = receipt.order
        data_hold = order.holds.filter(reason=HoldReason.INVALID_DATA).first()
        if expected == HELD:
            assert order.status == OrderStatus.ON_HOLD, context
            assert data_hold is not None, context
        else:
            assert data_hold is None, f"{context}: {data_hold.note}"

    expected = Counter(expected for _, expected in CASES)
    outcomes = Counter(ChannelWebhookReceipt.objects.values_list("outcome", flat=True))
    assert outcomes == {"captured": expected[ORDER] + expected[HELD], "failed": expected[FAILED]}
    assert Order.objects.count() == expected[ORDER] + expected[HELD]
    held = Order.objects.filter(holds__reason=HoldReason.INVALID_DATA).distinct().count()
    assert held == expected[HELD]
