"""WooCommerce order webhook: the ping, the signature, keeping the delivery, capturing the order."""

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.test import Client

from orders.channels.common import sign
from orders.models import ChannelWebhookReceipt, HoldReason, Order, OrderStatus, SalesChannel
from payments.models import Payment, PaymentStatus, SandboxRequest
from tests.inventory.factories import ProductFactory, WarehouseFactory, give_stock
from tests.orders.factories import SalesChannelFactory
from tests.orders.payloads import load

pytestmark = pytest.mark.django_db

SECRET = "wc-webhook-secret"
URL = "/api/v1/channels/woo/woocommerce/orders/"


@pytest.fixture
def channel():
    return SalesChannelFactory(
        code="woo",
        name="Woo store",
        currency="EUR",
        webhook_secret=SECRET,
        webhook_platform="woocommerce",
    )


@pytest.fixture
def stock():
    give_stock(
        ProductFactory(sku="MUG", name="Stoneware mug"),
        WarehouseFactory(code="LON", country="GB", priority=1),
        20,
    )


def deliver(payload, *, delivery_id="d-1", signature=None, secret=SECRET, body=None, url=URL):
    """POST the payload as WooCommerce does: raw JSON, signed, with its X-WC-Webhook headers."""
    body = body if body is not None else json.dumps(payload).encode()
    headers = {
        "X-WC-Webhook-Source": "https://woo.example.com/",
        "X-WC-Webhook-Topic": "order.created",
        "X-WC-Webhook-Resource": "order",
        "X-WC-Webhook-Event": "created",
        "X-WC-Webhook-ID": "12",
    }
    if delivery_id:
        headers["X-WC-Webhook-Delivery-ID"] = delivery_id
    if signature is None:
        signature = sign(secret=secret, body=body)
    if signature:
        headers["X-WC-Webhook-Signature"] = signature
    return Client(enforce_csrf_checks=True).post(
        url, data=body, content_type="application/json", headers=headers
    )


def the_order() -> Order:
    return Order.objects.select_related("customer", "shipping_address", "billing_address").get()


def test_signed_order_is_captured_with_its_lines_totals_address_and_customer(channel, stock):
    response = deliver(load("woocommerce_order"))

    assert response.status_code == 201, response.json()
    assert response.json()["outcome"] == "captured"
    order = the_order()
    assert (order.external_id, order.currency, order.email) == ("727", "EUR", "ada@example.com")
    assert (order.customer.first_name, order.customer.last_name, order.customer.phone) == (
        "Ada",
        "Lovelace",
        "+44 20 7946 0000",
    )
    # The line's price before the coupon; the coupon is the order's discount.
    assert [
        (line.sku, line.name, line.quantity, line.unit_price) for line in order.lines.all()
    ] == [("MUG", "Stoneware mug", 2, Decimal("16.00"))]
    totals = (order.subtotal, order.shipping_total, order.tax_total, order.discount_total)
    assert totals == (Decimal("32.00"), Decimal("5.00"), Decimal("2.10"), Decimal("3.00"))
    assert order.grand_total == Decimal("36.10")
    assert order.shipping_address.as_dict() == {
        "name": "Ada Lovelace",
        "company": "Engine Works",
        "line1": "12 Analytical Row",
        "line2": "Flat 2",
        "city": "London",
        "region": "LND",
        "postal_code": "W1 1AA",
        "country": "GB",
        "phone": "",
    }
    assert order.billing_address.phone == "+44 20 7946 0000"
    assert order.placed_at == datetime(2025, 3, 4, 14, 15, tzinfo=UTC)
    assert order.status == OrderStatus.READY
    assert order.events.get(type="captured").actor_label == "channel:woo (woocommerce webhook)"
    receipt = ChannelWebhookReceipt.objects.get()
    assert (receipt.source, receipt.webhook_id, receipt.topic, receipt.external_id) == (
        "woocommerce",
        "d-1",
        "order.created",
        "727",
    )
    assert (receipt.outcome, receipt.order) == ("captured", order)


def test_creation_ping_is_answered_without_storing_anything(channel):
    response = Client().post(
        URL, data="webhook_id=12", content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 200
    assert response.json()["outcome"] == "ping"
    assert not ChannelWebhookReceipt.objects.exists()
    assert not Order.objects.exists()


def test_ping_to_an_unknown_channel_is_404(channel):
    response = Client().post(
        "/api/v1/channels/other/woocommerce/orders/",
        data="webhook_id=12",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 404


@pytest.mark.parametrize(
    ("signature", "secret"),
    [("", SECRET), ("Zm9yZ2Vk", SECRET), (None, "not-the-secret")],
)
def test_unverified_delivery_is_refused_and_nothing_is_stored(channel, stock, signature, secret):
    response = deliver(load("woocommerce_order"), signature=signature, secret=secret)

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"
    assert "X-WC-Webhook-Signature" in response.json()["error"]["message"]
    assert not ChannelWebhookReceipt.objects.exists()
    assert not Order.objects.exists()


def test_redelivery_with_the_same_delivery_id_creates_nothing(channel, stock):
    first = deliver(load("woocommerce_order"), delivery_id="d-5")

    again = deliver(load("woocommerce_order"), delivery_id="d-5")

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["redelivered"] is True
    assert Order.objects.count() == 1
    assert ChannelWebhookReceipt.objects.count() == 1


def test_same_order_in_a_new_delivery_is_a_duplicate(channel, stock):
    first = deliver(load("woocommerce_order"), delivery_id="d-1")
    updated = load("woocommerce_order")
    updated["status"] = "completed"

    again = deliver(updated, delivery_id="d-2")

    assert again.status_code == 200
    assert (again.json()["outcome"], again.json()["order"]) == ("duplicate", first.json()["order"])
    assert Order.objects.count() == 1
    assert ChannelWebhookReceipt.objects.get(webhook_id="d-2").outcome == "duplicate"


def test_unknown_sku_is_captured_and_held(channel, stock):
    payload = load("woocommerce_order")
    payload["line_items"][0]["sku"] = "GHOST"

    assert deliver(payload).status_code == 201

    order = the_order()
    assert order.status == OrderStatus.ON_HOLD
    assert order.holds.filter(reason=HoldReason.UNKNOWN_SKU).exists()


def test_order_without_a_shipping_address_is_captured_and_held(channel, stock):
    payload = load("woocommerce_order")
    payload["shipping"] = {key: "" for key in payload["shipping"]}

    assert deliver(payload).status_code == 201

    order = the_order()
    assert order.status == OrderStatus.ON_HOLD
    assert order.holds.filter(reason=HoldReason.ADDRESS_INVALID).exists()


def test_paid_order_carries_the_marketplace_payment(channel, stock):
    deliver(load("woocommerce_order"))

    assert the_order().payment_request == {
        "gateway": "marketplace",
        "method": "woocommerce",
        "amount": "36.10",
    }


@pytest.mark.parametrize(
    "change",
    [
        {"status": "pending", "date_paid": None, "date_paid_gmt": None},
        {"status": "on-hold", "date_paid": None, "date_paid_gmt": None},
        {"status": "processing", "date_paid": None, "date_paid_gmt": None},
    ],
)
def test_unpaid_order_awaits_the_marketplace_payment(channel, stock, change):
    payload = load("woocommerce_order")
    payload.update(change)

    deliver(payload)

    assert the_order().payment_request == {"gateway": "marketplace", "method": "woocommerce"}


@pytest.mark.parametrize("status", ["cancelled", "refunded", "failed"])
def test_cancelled_refunded_or_failed_order_carries_no_payment(channel, stock, status):
    payload = load("woocommerce_order")
    payload["status"] = status

    deliver(payload)

    assert the_order().payment_request == {}


def test_paid_order_is_paid_by_a_captured_marketplace_payment_without_a_card_call(channel, stock):
    deliver(load("woocommerce_order"))

    order = the_order()
    assert (order.payment_status, order.amount_paid, order.balance_due) == (
        "paid",
        Decimal("36.10"),
        Decimal("0.00"),
    )
    payment = Payment.objects.get(order=order)
    assert (payment.gateway, payment.method, payment.status) == (
        "marketplace",
        "woocommerce",
        PaymentStatus.CAPTURED,
    )
    assert payment.amount_captured == Decimal("36.10")
    assert not SandboxRequest.objects.exists()


@pytest.mark.parametrize("status", ["pending", "on-hold"])
def test_unpaid_order_awaits_the_channel_with_nothing_captured(channel, stock, status):
    payload = load("woocommerce_order")
    payload.update({"status": status, "date_paid": None, "date_paid_gmt": None})

    deliver(payload)

    order = the_order()
    assert (order.payment_status, order.amount_paid, order.balance_due) == (
        "pending",
        Decimal("0.00"),
        Decimal("36.10"),
    )
    payment = Payment.objects.get(order=order)
    assert (payment.gateway, payment.method, payment.status) == (
        "marketplace",
        "woocommerce",
        PaymentStatus.PENDING,
    )
    assert (payment.amount_authorized, payment.amount_captured) == (0, 0)
    assert not payment.transactions.exists()
    assert order.events.filter(type="payment_awaited").exists()
    assert not SandboxRequest.objects.exists()


def test_set_paid_counts_as_paid(channel, stock):
    payload = load("woocommerce_order")
    payload.update({"date_paid": None, "date_paid_gmt": None, "set_paid": True})

    deliver(payload)

    assert the_order().payment_request["gateway"] == "marketplace"


def test_channel_total_that_differs_from_our_sum_holds_the_order(channel, stock):
    payload = load("woocommerce_order")
    payload["fee_lines"] = [{"name": "Gift wrap", "total": "2.00"}]
    payload["total"] = "38.10"

    assert deliver(payload).status_code == 201

    order = the_order()
    assert order.status == OrderStatus.ON_HOLD
    assert "Totals do not add up" in order.holds.get().note


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"line_items": []}, "at least one line"),
        ({"line_items": [{"sku": "MUG", "quantity": 0, "price": 1}]}, "line_items.0.quantity"),
    ],
)
def test_payload_that_cannot_be_mapped_is_kept_as_failed(channel, stock, change, reason):
    payload = load("woocommerce_order")
    payload.update(change)

    response = deliver(payload)

    assert response.status_code == 200
    assert response.json()["outcome"] == "failed"
    assert not Order.objects.exists()
    receipt = ChannelWebhookReceipt.objects.get()
    assert receipt.outcome == "failed"
    assert reason in receipt.error
    assert receipt.payload["id"] == 727


def test_inactive_channel_is_404(channel, stock):
    SalesChannel.objects.filter(pk=channel.pk).update(is_active=False)

    response = deliver(load("woocommerce_order"))

    assert response.status_code == 404
    assert not ChannelWebhookReceipt.objects.exists()


def test_the_stores_own_order_number_is_kept(channel, stock):
    deliver(load("woocommerce_order"))

    assert the_order().channel_order_name == "727"
