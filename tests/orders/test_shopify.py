"""Shopify `orders/create` webhook: verify the raw body, keep the delivery, capture the order."""

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

SECRET = "shpss_0123456789abcdef"
URL = "/api/v1/channels/shop/shopify/orders/"


@pytest.fixture
def channel():
    return SalesChannelFactory(
        code="shop",
        name="Shopify store",
        kind=SalesChannel.Kind.MARKETPLACE,
        webhook_secret=SECRET,
        webhook_platform="shopify",
    )


@pytest.fixture
def stock():
    warehouse = WarehouseFactory(code="EAST", country="US", priority=1)
    for sku, name in (("MUG", "Stoneware mug"), ("TOWEL", "Tea towel")):
        give_stock(ProductFactory(sku=sku, name=name), warehouse, 20)


def deliver(
    payload,
    *,
    webhook_id="wh-1",
    signature=None,
    secret=SECRET,
    url=URL,
    body=None,
    raise_errors=True,
):
    """POST the payload as Shopify does: raw JSON, signed, with the delivery headers."""
    body = body if body is not None else json.dumps(payload, indent=1).encode()
    headers = {"X-Shopify-Topic": "orders/create", "X-Shopify-Shop-Domain": "shop.myshopify.com"}
    if webhook_id:
        headers["X-Shopify-Webhook-Id"] = webhook_id
    if signature is None:
        signature = sign(secret=secret, body=body)
    if signature:
        headers["X-Shopify-Hmac-Sha256"] = signature
    # The signature is the only credential: CSRF checks must not get in the way.
    client = Client(enforce_csrf_checks=True, raise_request_exception=raise_errors)
    return client.post(url, data=body, content_type="application/json", headers=headers)


def the_order() -> Order:
    return Order.objects.select_related("customer", "shipping_address", "billing_address").get()


def test_signed_order_is_captured_with_its_lines_totals_address_and_customer(channel, stock):
    payload = load("shopify_order")
    # Formatting json.dumps would not reproduce: the signature must cover the bytes as sent.
    body = json.dumps(payload, indent=3, ensure_ascii=False).replace('"Grace"', '"Grâce"').encode()

    response = deliver(payload, body=body)

    assert response.status_code == 201, response.json()
    order = the_order()
    assert response.json() == {
        "outcome": "captured",
        "order": order.number,
        "status": "ready",
        "receipt": ChannelWebhookReceipt.objects.get().pk,
        "redelivered": False,
        "error": "",
        "conflicts_with": None,
    }
    assert (order.channel, order.external_id, order.currency) == (
        channel,
        "820982911946154500",
        "USD",
    )
    assert (order.email, order.customer.first_name, order.customer.last_name) == (
        "grace@example.com",
        "Grâce",
        "Hopper",
    )
    assert order.customer.phone == "+12025550147"
    assert [
        (line.sku, line.name, line.quantity, line.unit_price, line.line_total)
        for line in order.lines.all()
    ] == [
        ("MUG", "Stoneware mug - White", 2, Decimal("16.00"), Decimal("32.00")),
        ("TOWEL", "Tea towel", 1, Decimal("10.00"), Decimal("10.00")),
    ]
    totals = (order.subtotal, order.shipping_total, order.tax_total, order.discount_total)
    assert totals == (Decimal("42.00"), Decimal("7.00"), Decimal("3.04"), Decimal("4.00"))
    assert order.grand_total == Decimal("48.04")
    assert order.shipping_address.as_dict() == {
        "name": "Grace Hopper",
        "company": "Navy Yard",
        "line1": "1 Compiler Way",
        "line2": "Suite 5",
        "city": "Arlington",
        "region": "VA",
        "postal_code": "22201",
        "country": "US",
        "phone": "+12025550147",
    }
    assert order.billing_address.line1 == "9 Billing Street"
    assert order.placed_at == datetime(2025, 3, 4, 14, 15, tzinfo=UTC)
    assert order.status == OrderStatus.READY
    assert not order.holds.exists()
    captured = order.events.get(type="captured")
    assert captured.actor_label == "channel:shop (shopify webhook)"
    assert order.events.filter(type="note", message__contains="Shopify order #1042").exists()

    receipt = ChannelWebhookReceipt.objects.get()
    assert (receipt.source, receipt.webhook_id, receipt.topic) == (
        "shopify",
        "wh-1",
        "orders/create",
    )
    assert (receipt.outcome, receipt.order, receipt.external_id) == (
        "captured",
        order,
        order.external_id,
    )
    assert receipt.payload["name"] == "#1042"


@pytest.mark.parametrize(
    ("signature", "secret"),
    [
        ("", SECRET),  # no header at all
        ("bm90IHRoZSByaWdodCBzaWduYXR1cmU=", SECRET),  # forged
        (None, "another-shops-secret"),  # signed with the wrong secret
    ],
)
def test_unverified_delivery_is_refused_and_nothing_is_stored(channel, stock, signature, secret):
    response = deliver(load("shopify_order"), signature=signature, secret=secret)

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"
    assert "X-Shopify-Hmac-Sha256" in response.json()["error"]["message"]
    assert not ChannelWebhookReceipt.objects.exists()
    assert not Order.objects.exists()


def test_body_changed_after_signing_is_refused(channel, stock):
    payload = load("shopify_order")
    body = json.dumps(payload).encode()
    signature = sign(secret=SECRET, body=body)

    response = deliver(payload, body=body.replace(b'"48.04"', b'"0.01"'), signature=signature)

    assert response.status_code == 401
    assert not ChannelWebhookReceipt.objects.exists()


def test_channel_without_a_secret_accepts_nothing(channel, stock):
    SalesChannel.objects.filter(pk=channel.pk).update(webhook_secret="")

    response = deliver(load("shopify_order"), secret="")

    assert response.status_code == 401
    assert not Order.objects.exists()


def test_unknown_channel_answers_404_in_the_envelope(channel, stock):
    response = deliver(load("shopify_order"), url="/api/v1/channels/nope/shopify/orders/")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert not ChannelWebhookReceipt.objects.exists()


def test_redelivery_with_the_same_webhook_id_creates_nothing(channel, stock):
    first = deliver(load("shopify_order"), webhook_id="wh-7")

    again = deliver(load("shopify_order"), webhook_id="wh-7")

    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json()["redelivered"] is True
    assert again.json()["order"] == first.json()["order"]
    assert Order.objects.count() == 1
    assert ChannelWebhookReceipt.objects.count() == 1


def test_same_order_under_a_new_webhook_id_is_a_duplicate(channel, stock):
    first = deliver(load("shopify_order"), webhook_id="wh-1")

    again = deliver(load("shopify_order"), webhook_id="wh-2")

    assert again.status_code == 200
    assert again.json()["outcome"] == "duplicate"
    assert again.json()["order"] == first.json()["order"]
    assert Order.objects.count() == 1
    second = ChannelWebhookReceipt.objects.get(webhook_id="wh-2")
    assert (second.outcome, second.order.number) == ("duplicate", first.json()["order"])


def test_a_delivery_that_never_finished_is_captured_when_redelivered(channel, stock):
    ChannelWebhookReceipt.objects.create(
        channel=channel, source="shopify", webhook_id="wh-9", payload=load("shopify_order")
    )

    response = deliver(load("shopify_order"), webhook_id="wh-9")

    assert response.status_code == 201
    assert response.json()["redelivered"] is True
    assert ChannelWebhookReceipt.objects.get().outcome == "captured"
    assert Order.objects.count() == 1


def test_failure_on_our_side_is_kept_as_failed_and_answered_200_and_the_redelivery_captures(
    channel, stock, monkeypatch
):
    def broken_capture(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr("orders.channels.inbox.order_capture", broken_capture)
    failed = deliver(load("shopify_order"), webhook_id="wh-3")
    receipt = ChannelWebhookReceipt.objects.get()
    # Stored and answered 2xx: a 500 would only make Shopify retry into the same error.
    assert failed.status_code == 200
    assert failed.json()["outcome"] == "failed"
    assert (receipt.outcome, receipt.order) == ("failed", None)
    assert "database went away" in receipt.error

    monkeypatch.undo()
    retried = deliver(load("shopify_order"), webhook_id="wh-3")

    assert retried.status_code == 201
    receipt.refresh_from_db()
    assert (receipt.outcome, receipt.error, receipt.order.number) == (
        "captured",
        "",
        retried.json()["order"],
    )


def test_unknown_sku_is_captured_and_held(channel, stock):
    payload = load("shopify_order")
    payload["line_items"][1]["sku"] = "NOT-IN-CATALOG"

    response = deliver(payload)

    assert response.status_code == 201
    order = the_order()
    assert order.status == OrderStatus.ON_HOLD
    hold = order.holds.get(reason=HoldReason.UNKNOWN_SKU)
    assert "NOT-IN-CATALOG" in hold.note
    assert ChannelWebhookReceipt.objects.get().outcome == "captured"


def test_incomplete_address_is_captured_and_held(channel, stock):
    payload = load("shopify_order")
    payload["shipping_address"].update({"zip": None, "country_code": None, "country": None})

    response = deliver(payload)

    assert response.status_code == 201
    order = the_order()
    assert order.status == OrderStatus.ON_HOLD
    assert order.holds.filter(reason=HoldReason.ADDRESS_INVALID, released_at=None).exists()


def test_order_without_a_shipping_address_is_captured_and_held(channel, stock):
    payload = load("shopify_order")
    payload["shipping_address"] = None

    response = deliver(payload)

    assert response.status_code == 201
    assert the_order().holds.filter(reason=HoldReason.ADDRESS_INVALID).exists()


def test_paid_order_carries_the_marketplace_payment(channel, stock):
    deliver(load("shopify_order"))

    assert the_order().payment_request == {
        "gateway": "marketplace",
        "method": "shopify",
        "amount": "48.04",
    }


@pytest.mark.parametrize("financial_status", ["pending", "authorized", "partially_paid"])
def test_order_not_yet_paid_awaits_the_marketplace_payment(channel, stock, financial_status):
    payload = load("shopify_order")
    payload["financial_status"] = financial_status

    deliver(payload)

    assert the_order().payment_request == {"gateway": "marketplace", "method": "shopify"}


@pytest.mark.parametrize(
    "change",
    [
        {"financial_status": "refunded"},
        {"financial_status": "voided"},
        {"financial_status": "expired"},
        {"financial_status": "pending", "cancelled_at": "2025-03-04T10:00:00-05:00"},
    ],
)
def test_refunded_voided_or_cancelled_order_carries_no_payment(channel, stock, change):
    payload = load("shopify_order")
    payload.update(change)

    deliver(payload)

    assert the_order().payment_request == {}


def test_paid_order_is_paid_by_a_captured_marketplace_payment_without_a_card_call(channel, stock):
    deliver(load("shopify_order"))

    order = the_order()
    assert (order.payment_status, order.amount_paid, order.balance_due) == (
        "paid",
        Decimal("48.04"),
        Decimal("0.00"),
    )
    payment = Payment.objects.get(order=order)
    assert (payment.gateway, payment.method, payment.status) == (
        "marketplace",
        "shopify",
        PaymentStatus.CAPTURED,
    )
    assert payment.amount_captured == Decimal("48.04")
    assert not SandboxRequest.objects.exists()


@pytest.mark.parametrize("financial_status", ["pending", "authorized"])
def test_unpaid_order_awaits_the_channel_with_nothing_captured(channel, stock, financial_status):
    payload = load("shopify_order")
    payload["financial_status"] = financial_status

    deliver(payload)

    order = the_order()
    assert (order.payment_status, order.amount_paid, order.balance_due) == (
        "pending",
        Decimal("0.00"),
        Decimal("48.04"),
    )
    payment = Payment.objects.get(order=order)
    assert (payment.gateway, payment.method, payment.status) == (
        "marketplace",
        "shopify",
        PaymentStatus.PENDING,
    )
    assert (payment.amount_authorized, payment.amount_captured) == (0, 0)
    assert not payment.transactions.exists()
    assert order.events.filter(type="payment_awaited").exists()
    assert not SandboxRequest.objects.exists()


def test_channel_total_that_differs_from_our_sum_holds_the_order(channel, stock):
    payload = load("shopify_order")
    payload["total_price"] = "50.00"

    response = deliver(payload)

    assert response.status_code == 201
    order = the_order()
    assert order.status == OrderStatus.ON_HOLD
    assert "Totals do not add up" in order.holds.get().note


def test_tax_included_prices_are_not_taxed_twice(channel, stock):
    payload = load("shopify_order")
    payload.update({"taxes_included": True, "total_tax": "7.00", "total_price": "45.00"})

    deliver(payload)

    order = the_order()
    assert (order.tax_total, order.grand_total) == (Decimal("0.00"), Decimal("45.00"))
    assert order.status == OrderStatus.READY


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"line_items": []}, "at least one line"),
        ({"id": None}, "no id"),
        ({"line_items": [{"sku": "MUG", "quantity": 0, "price": "1.00"}]}, "quantity"),
    ],
)
def test_payload_that_cannot_be_mapped_is_kept_as_failed(channel, stock, change, reason):
    payload = load("shopify_order")
    payload.update(change)

    response = deliver(payload)

    assert response.status_code == 200
    assert response.json()["outcome"] == "failed"
    assert not Order.objects.exists()
    receipt = ChannelWebhookReceipt.objects.get()
    assert (receipt.outcome, receipt.order) == ("failed", None)
    assert reason in receipt.error
    assert receipt.payload["name"] == "#1042"


def test_signed_body_that_is_not_json_is_kept_as_failed(channel, stock):
    response = deliver(None, body=b"<order>1</order>")

    assert response.status_code == 200
    receipt = ChannelWebhookReceipt.objects.get()
    assert receipt.outcome == "failed"
    assert receipt.error.startswith("The body is not JSON (Expecting value")
    assert (bytes(receipt.raw_body), receipt.payload) == (b"<order>1</order>", {})


def test_the_shops_own_order_name_is_kept_and_finds_the_order(channel, stock, support_user):
    deliver(load("shopify_order"))

    order = the_order()
    assert order.channel_order_name == "#1042"
    client = Client()
    client.force_login(support_user)
    response = client.get("/orders/search/", {"q": "#1042"})
    assert response.status_code == 302
    assert response.url == f"/orders/{order.number}/"
