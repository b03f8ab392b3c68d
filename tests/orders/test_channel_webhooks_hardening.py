"""A signed marketplace delivery is never lost: stored first, answered 2xx, and either captured
(held with the reason when its data cannot be stored as sent) or kept as a failed receipt."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import timezone

from orders.api_webhooks import MAX_BODY_BYTES
from orders.models import ChannelWebhookReceipt, HoldReason, Order, OrderStatus
from tests.inventory.factories import ProductFactory, WarehouseFactory, give_stock
from tests.orders.webhooks import (
    CHANNELS,
    deliver,
    encode,
    fixture_payload,
    make_marketplace_channels,
    post_delivery,
)

pytestmark = pytest.mark.django_db

PLATFORMS = ["shopify", "woocommerce"]
DATE_FIELD = {"shopify": "created_at", "woocommerce": "date_created_gmt"}


@pytest.fixture
def channels():
    return make_marketplace_channels()


@pytest.fixture
def stock():
    warehouse = WarehouseFactory(code="EAST", country="US", priority=1)
    for sku in ("MUG", "TOWEL"):
        give_stock(ProductFactory(sku=sku), warehouse, 2_000)


def held_for_data(response) -> tuple[Order, str]:
    """The order a delivery captured, and the note of its invalid-data hold."""
    assert response.status_code == 201, response.json()
    order = Order.objects.get(number=response.json()["order"])
    assert order.status == OrderStatus.ON_HOLD
    assert ChannelWebhookReceipt.objects.get().outcome == "captured"
    return order, order.holds.get(reason=HoldReason.INVALID_DATA).note


# --- data out of range: captured and held -----------------------------------------------------


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("sent", ["9999-12-31T23:59:59+14:00", "0001-01-01T00:00:00-14:00", "soon"])
def test_date_out_of_range_is_captured_placed_now_and_held(channels, stock, platform, sent):
    payload = fixture_payload(platform)
    payload[DATE_FIELD[platform]] = sent

    order, note = held_for_data(deliver(platform, payload))

    assert f"{DATE_FIELD[platform]} {sent!r} is not a usable date" in note
    assert abs(order.placed_at - timezone.now()) < timedelta(minutes=1)
    assert order.ship_by > order.placed_at


def test_unit_price_at_the_largest_amount_twice_overflows_the_total_and_holds(channels, stock):
    payload = fixture_payload("shopify")
    for item in payload["line_items"]:
        item.update(price="9999999999.99", quantity=1)

    order, note = held_for_data(deliver("shopify", payload))

    # Two lines at the largest amount, plus shipping and tax.
    assert "The order's total 20,000,000,010.02 is beyond the largest amount" in note
    assert "every price and total is stored as 0" in note
    assert [line.unit_price for line in order.lines.all()] == [Decimal("0.00")] * 2
    assert order.grand_total == Decimal("0.00")
    # The channel's total and its payment describe figures we did not store.
    assert "The payment the channel reports (48.04) is not recorded." in note
    assert "amount" not in order.payment_request
    assert not order.holds.filter(note__startswith="Totals do not add up").exists()


def test_line_whose_total_overflows_is_stored_at_price_zero_with_its_units(channels, stock):
    payload = fixture_payload("shopify")
    payload["line_items"][0].update(price="9999999999.99", quantity=2)

    order, note = held_for_data(deliver("shopify", payload))

    assert "Line 1 (MUG): 2 × 9999999999.99 is beyond the largest amount" in note
    mug, towel = order.lines.get(sku="MUG"), order.lines.get(sku="TOWEL")
    assert (mug.quantity, mug.unit_price, towel.unit_price) == (2, Decimal("0"), Decimal("10"))
    assert order.grand_total == Decimal("16.04")  # the towel, shipping and tax, less discount


@pytest.mark.parametrize(
    ("price", "reason"),
    [
        ("1e20", "is out of range"),
        ("-5.00", "is out of range"),
        ("9999999999.995", "is out of range"),
        ("a lot", "is not an amount of money"),
        ("NaN", "is not an amount of money"),
        (1e300, "is out of range"),
    ],
)
def test_price_that_cannot_be_stored_is_stored_as_zero_and_held(channels, stock, price, reason):
    payload = fixture_payload("shopify")
    payload["line_items"][1]["price"] = price

    order, note = held_for_data(deliver("shopify", payload))

    assert f"line_items.1.price {price!r} {reason}" in note
    assert "; stored as 0." in note
    assert order.lines.get(sku="TOWEL").unit_price == Decimal("0.00")
    assert order.lines.get(sku="MUG").unit_price == Decimal("16.00")


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("email", ["a" * 288 + "@example.com", "", "two words@example.com"])
def test_unusable_email_is_kept_under_a_placeholder_without_confirmation(
    channels, stock, platform, email
):
    payload = fixture_payload(platform)
    if platform == "shopify":
        payload.update(email=email, contact_email=None, customer={"first_name": "Grace"})
    else:
        payload["billing"]["email"] = email

    order, note = held_for_data(deliver(platform, payload))

    assert order.email.startswith("no-email-")
    assert order.email.endswith("@example.invalid")
    assert order.customer.email == order.email
    assert order.confirmation_due is False
    expected = f"({len(email)} characters) is not a usable address" if email else "without an email"
    assert expected in note
    assert f"kept under {order.email} and no confirmation is sent" in note


def test_many_problems_are_listed_then_counted(channels, stock):
    payload = fixture_payload("shopify")
    payload["line_items"] = [{"sku": "MUG", "quantity": 1, "price": "-1"} for _ in range(9)]

    order, note = held_for_data(deliver("shopify", payload))

    # Nine prices and the payment set aside: those that fit the note whole, then a count.
    listed = note.count("is out of range")
    assert 3 <= listed < 9
    assert note.endswith(f"stored as 0. And {10 - listed} more like these.")
    assert len(note) <= 500
    assert order.lines.count() == 9


# --- bodies our parser cannot take: failed receipts, answered 200 -----------------------------


HOSTILE_BODIES = {
    "nested deeper than 64": (b'{"id": 1, "x": ' + b"[" * 70 + b"]" * 70 + b"}", "nested more"),
    "nested past the stack": (b"[" * 100_000 + b"]" * 100_000, "nested more"),
    "lone surrogate": (b'{"id": 1, "email": "\\ud800@example.com"}', "lone surrogate"),
    "lone surrogate in a key": (b'{"id": 1, "\\udfff": 1}', "lone surrogate"),
    "1e400": (b'{"id": 1, "total_price": 1e400}', "1e400 is too large"),
    "NaN": (b'{"id": 1, "total_price": NaN}', "NaN is not a number"),
    "an array": (b"[1, 2]", "not a JSON object (it is an array)"),
    "a string": (b'"order"', "not a JSON object (it is a string)"),
    "null": (b"null", "not a JSON object (it is null)"),
    "not UTF-8": (b'{"id": "\xff\xfe"}', "not UTF-8 text"),
    "an integer of 5,000 digits": (b'{"id": ' + b"9" * 5000 + b"}", "not JSON"),
    "empty": (b"", "not JSON"),
    "NUL bytes": (b"\x00\x00", "not JSON"),
}


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("case", HOSTILE_BODIES)
def test_body_the_parser_cannot_take_is_kept_as_failed_with_the_reason(channels, platform, case):
    body, reason = HOSTILE_BODIES[case]

    response = deliver(platform, body=body)

    assert response.status_code == 200
    assert (response.json()["outcome"], response.json()["order"]) == ("failed", None)
    receipt = ChannelWebhookReceipt.objects.get()
    assert receipt.outcome == "failed"
    assert reason in receipt.error
    assert response.json()["error"] == receipt.error
    # The bytes exactly as signed, so the delivery can be shown and replayed.
    assert bytes(receipt.raw_body) == body
    assert not Order.objects.exists()


def test_nul_characters_are_replaced_in_the_payload_and_kept_in_the_raw_body(channels, stock):
    payload = fixture_payload("shopify")
    payload["note"] = "ring\x00twice"
    body = encode(payload)

    response = deliver("shopify", body=body)

    assert response.status_code == 201
    receipt = ChannelWebhookReceipt.objects.get()
    assert receipt.payload["note"] == "ring\ufffdtwice"
    assert b"ring\\u0000twice" in bytes(receipt.raw_body)


# --- body size ---------------------------------------------------------------------------------


def thousand_line_order() -> bytes:
    """A Shopify order of 1,000 lines with the fields Shopify sends per line (about 3 KB each)."""
    payload = fixture_payload("shopify")
    money = {"amount": "1.00", "currency_code": "USD"}
    payload["line_items"] = [
        {
            "id": 866550311766439000 + index,
            "sku": "MUG" if index % 2 else "TOWEL",
            "title": "Stoneware mug",
            "name": f"Stoneware mug - colour {index}",
            "quantity": 1,
            "price": "1.00",
            "price_set": {"shop_money": money, "presentment_money": money},
            "tax_lines": [{"title": "State tax", "rate": 0.06, "price": "0.06"}],
            "properties": [{"name": "Gift message", "value": "Happy birthday! " * 150}],
        }
        for index in range(1000)
    ]
    payload.update(total_price="1010.04", total_tax="3.04", total_discounts="0.00")
    return encode(payload)


def test_a_thousand_line_order_beyond_django_s_default_limit_is_captured(channels, stock):
    body = thousand_line_order()
    assert len(body) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE

    response = deliver("shopify", body=body)

    assert response.status_code == 201, response.json()
    order = Order.objects.get()
    assert (order.lines.count(), order.grand_total) == (1000, Decimal("1010.04"))
    assert order.status == OrderStatus.READY


def padded(size: int) -> bytes:
    """A Shopify order body of exactly `size` bytes (the padding in a field nobody reads)."""
    body = encode({**fixture_payload("shopify"), "padding": ""})
    return body.replace(b'"padding": ""', b'"padding": "' + b"x" * (size - len(body)) + b'"')


def test_a_body_of_20_mb_is_taken_and_one_byte_more_is_refused_in_the_envelope(channels, stock):
    largest = padded(MAX_BODY_BYTES)
    assert len(largest) == MAX_BODY_BYTES == 20 * 1024 * 1024

    taken = deliver("shopify", body=largest)
    refused = deliver("woocommerce", body=largest + b" ", webhook_id="wh-2")

    assert taken.status_code == 201
    assert refused.status_code == 413
    assert refused.json()["error"]["code"] == "payload_too_large"
    assert "at most 20,971,520 bytes" in refused.json()["error"]["message"]
    assert ChannelWebhookReceipt.objects.count() == Order.objects.count() == 1


def test_other_doors_keep_django_s_default_body_limit():
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 2_621_440


# --- redeliveries ------------------------------------------------------------------------------


@pytest.mark.parametrize("platform", PLATFORMS)
def test_same_webhook_id_with_another_body_is_kept_and_flagged_not_captured(
    channels, stock, platform
):
    first = deliver(platform, fixture_payload(platform), webhook_id="wh-5")
    changed = fixture_payload(platform)
    changed["id"] = 4242

    flagged = deliver(platform, changed, webhook_id="wh-5")
    again = deliver(platform, changed, webhook_id="wh-5")

    assert first.status_code == 201
    assert flagged.status_code == again.status_code == 200
    original = ChannelWebhookReceipt.objects.get(external_id=str(fixture_payload(platform)["id"]))
    receipt = ChannelWebhookReceipt.objects.get(conflicts_with=original)
    assert flagged.json() | {"receipt": None} == {
        "outcome": "failed",
        "order": None,
        "status": None,
        "receipt": None,
        "redelivered": False,
        "error": receipt.error,
        "conflicts_with": original.pk,
    }
    assert f"came before with another body (receipt {original.pk})" in receipt.error
    assert bytes(receipt.raw_body) == encode(changed)
    # Its own redelivery is recognised, and still waits for a person.
    assert again.json()["redelivered"] is True
    assert again.json()["receipt"] == receipt.pk
    assert ChannelWebhookReceipt.objects.count() == 2
    assert Order.objects.count() == 1


# --- a secret opens its own platform's door only -----------------------------------------------


@pytest.mark.parametrize(
    ("platform", "door"), [("woocommerce", "shopify"), ("shopify", "woocommerce")]
)
def test_a_channel_secret_does_not_open_the_other_platform_s_door(channels, stock, platform, door):
    code, secret, _ = CHANNELS[platform]

    response = post_delivery(door, channel=code, body=encode(fixture_payload(door)), secret=secret)

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "wrong_platform"
    assert not ChannelWebhookReceipt.objects.exists()
    assert not Order.objects.exists()


@pytest.mark.parametrize("door", PLATFORMS)
def test_a_secret_without_a_platform_opens_no_door(channels, stock, door):
    channels["shopify"].webhook_platform = ""
    channels["shopify"].save()

    response = post_delivery(
        door, channel="shop", body=encode(fixture_payload(door)), secret=CHANNELS["shopify"][1]
    )

    assert response.status_code == 403
    assert "is not set up to take" in response.json()["error"]["message"]
    assert not ChannelWebhookReceipt.objects.exists()
