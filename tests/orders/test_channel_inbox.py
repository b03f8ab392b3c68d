"""The channel inbox: marketplace deliveries that did not become an order, for Support and
Managers, with the reason, the body as received (escaped) and a Replay that runs capture again."""

import hashlib
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from orders.models import ChannelWebhookReceipt, Order, OrderStatus
from tests.inventory.factories import ProductFactory, WarehouseFactory, give_stock
from tests.orders.webhooks import deliver, encode, fixture_payload, make_marketplace_channels

pytestmark = pytest.mark.django_db

INBOX = reverse("orders_inbox:list")
HOSTILE = b'<script>alert("inbox")</script>\x00\xff'
LONE_SURROGATE = b'{"id": 7, "email": "\\ud800@example.com"}'


@pytest.fixture
def channels():
    return make_marketplace_channels()


@pytest.fixture
def warehouse():
    warehouse = WarehouseFactory(code="EAST", country="US", priority=1)
    give_stock(ProductFactory(sku="MUG"), warehouse, 50)
    return warehouse


@pytest.fixture
def login_as(client, request):
    def login(role: str):
        user = request.getfixturevalue(f"{role}_user")
        client.force_login(user)
        return user

    return login


def receipt_row(
    channel, *, outcome="failed", error="It failed.", age=timedelta(hours=1), body=b"{}"
):
    return ChannelWebhookReceipt.objects.create(
        channel=channel,
        source=channel.webhook_platform,
        webhook_id=f"wh-{ChannelWebhookReceipt.objects.count()}",
        raw_body=body,
        body_sha256=hashlib.sha256(body).hexdigest(),
        outcome=outcome,
        error=error,
        received_at=timezone.now() - age,
    )


def replay_url(receipt) -> str:
    return reverse("orders_inbox:replay", args=[receipt.pk])


def crashed_delivery(monkeypatch, payload) -> ChannelWebhookReceipt:
    """A Shopify delivery that failed on our side (the capture broke), kept as failed."""

    def broken_capture(**kwargs):
        raise RuntimeError("database went away")

    with monkeypatch.context() as patch:
        patch.setattr("orders.channels.inbox.order_capture", broken_capture)
        assert deliver("shopify", payload).status_code == 200
    return ChannelWebhookReceipt.objects.get(outcome="failed")


# --- the list ----------------------------------------------------------------------------------


def test_inbox_lists_failed_and_stuck_deliveries_with_the_reason_and_the_body_escaped(
    client, login_as, channels, warehouse
):
    login_as("support")
    deliver("woocommerce", body=HOSTILE, webhook_id="wh-hostile")
    deliver("shopify", fixture_payload("shopify"), webhook_id="wh-fine")
    stuck = receipt_row(channels["shopify"], outcome="", error="", age=timedelta(minutes=10))
    in_flight = receipt_row(channels["shopify"], outcome="", error="", age=timedelta(seconds=5))
    hostile = ChannelWebhookReceipt.objects.get(webhook_id="wh-hostile")

    response = client.get(INBOX)

    assert response.status_code == 200
    html = response.content.decode()
    listed = {int(pk) for pk in re.findall(r'data-receipt="(\d+)"', html)}
    assert listed == {hostile.pk, stuck.pk}
    assert in_flight.pk not in listed
    assert "The body is not UTF-8 text" in html
    assert "Never finished" in html
    # The body as received, escaped: markup as text, NUL and a stray byte as escapes.
    assert "&lt;script&gt;alert(&quot;inbox&quot;)&lt;/script&gt;\\u0000\\xff" in html
    assert "<script>alert" not in html
    assert html.count(">Replay</button>") == 2
    assert "2 waiting" in html


def test_inbox_pages_newest_first(client, login_as, channels):
    login_as("manager")
    receipts = [receipt_row(channels["shopify"], age=timedelta(minutes=n)) for n in range(1, 28)]

    first = client.get(INBOX).content.decode()
    next_url = re.search(r'href="(\?after=[^"]+)"', first)[1].replace("&amp;", "&")
    second = client.get(INBOX + next_url).content.decode()

    def listed(html):
        return [int(pk) for pk in re.findall(r'data-receipt="(\d+)"', html)]

    assert listed(first) == [receipt.pk for receipt in receipts[:25]]
    assert listed(second) == [receipt.pk for receipt in receipts[25:]]


@pytest.mark.parametrize("role", ["support", "manager", "admin"])
def test_support_managers_and_admins_open_the_inbox_from_the_navigation(client, login_as, role):
    login_as(role)

    assert client.get(INBOX).status_code == 200
    assert f'href="{INBOX}"' in client.get(reverse("home")).content.decode()


def test_fulfillment_may_neither_open_the_inbox_nor_replay(client, login_as, channels):
    receipt = receipt_row(channels["shopify"], body=encode(fixture_payload("shopify")))
    login_as("fulfillment")

    assert client.get(INBOX).status_code == 403
    assert client.post(replay_url(receipt)).status_code == 403
    assert f'href="{INBOX}"' not in client.get(reverse("home")).content.decode()
    receipt.refresh_from_db()
    assert (receipt.outcome, receipt.replayed_at) == ("failed", None)
    assert not Order.objects.exists()


def test_signed_out_visitors_are_sent_to_sign_in(client, channels):
    assert client.get(INBOX)["Location"].startswith(reverse("login"))


def test_the_home_page_counts_the_deliveries_waiting(client, login_as, channels):
    login_as("support")
    receipt_row(channels["shopify"])
    receipt_row(channels["woocommerce"], outcome="", error="", age=timedelta(minutes=30))
    receipt_row(channels["woocommerce"], outcome="captured", error="")

    html = client.get(reverse("home")).content.decode()

    card = re.search(r'data-work="orders_inbox".*?</p>', html, re.S)[0]
    assert f'href="{INBOX}"' in card
    assert '<strong class="figure">2</strong> channel deliveries wait' in card


# --- Replay ------------------------------------------------------------------------------------


def test_replay_after_the_cause_is_fixed_captures_the_order_with_the_product_created_since(
    client, login_as, channels, warehouse, monkeypatch
):
    payload = fixture_payload("shopify")
    payload["line_items"][1]["sku"] = "LAMP"
    receipt = crashed_delivery(monkeypatch, payload)
    assert "database went away" in receipt.error
    give_stock(ProductFactory(sku="LAMP", name="Desk lamp"), warehouse, 5)
    user = login_as("support")

    response = client.post(replay_url(receipt), follow=True)

    assert response.status_code == 200
    order = Order.objects.get()
    assert f"Replayed: captured as {order.number} (ready to fulfill)." in response.content.decode()
    assert order.status == OrderStatus.READY
    assert order.lines.get(sku="LAMP").product.name == "Desk lamp"
    receipt.refresh_from_db()
    assert (receipt.outcome, receipt.order, receipt.error) == ("captured", order, "")
    assert receipt.replayed_by == user
    assert order.events.get(type="captured").actor == user
    assert "replayed shopify webhook" in order.events.get(type="captured").actor_label
    # Settled, it leaves the inbox.
    assert f'data-receipt="{receipt.pk}"' not in client.get(INBOX).content.decode()


def test_replay_with_htmx_swaps_the_row_for_its_outcome(client, login_as, channels, warehouse):
    receipt = receipt_row(channels["woocommerce"], body=encode(fixture_payload("woocommerce")))
    login_as("manager")

    response = client.post(replay_url(receipt), headers={"HX-Request": "true"})

    html = response.content.decode()
    order = Order.objects.get()
    assert html.lstrip().startswith(f'<tbody id="receipt-{receipt.pk}"')
    assert f'href="/orders/{order.number}/"' in html
    assert ">Replay</button>" not in html
    assert f"Replayed: captured as {order.number}" in html  # the flash, swapped out of band


def test_replay_of_a_body_that_still_cannot_be_read_records_it_failed_again(
    client, login_as, channels
):
    deliver("shopify", body=LONE_SURROGATE)
    receipt = ChannelWebhookReceipt.objects.get()
    login_as("support")

    response = client.post(replay_url(receipt), follow=True)

    assert "Replayed, and it failed again: The body has a lone surrogate" in (
        response.content.decode()
    )
    receipt.refresh_from_db()
    assert receipt.outcome == "failed"
    assert receipt.replayed_at is not None
    assert not Order.objects.exists()


def test_replay_captures_a_delivery_flagged_for_reusing_a_webhook_id(
    client, login_as, channels, warehouse
):
    deliver("shopify", fixture_payload("shopify"), webhook_id="wh-9")
    other = fixture_payload("shopify")
    other["id"] = 5150
    deliver("shopify", other, webhook_id="wh-9")
    flagged = ChannelWebhookReceipt.objects.get(conflicts_with__isnull=False)
    login_as("manager")

    client.post(replay_url(flagged))

    flagged.refresh_from_db()
    assert (flagged.outcome, flagged.order.external_id) == ("captured", "5150")
    assert Order.objects.count() == 2


def test_replay_of_a_settled_delivery_changes_nothing(client, login_as, channels, warehouse):
    deliver("shopify", fixture_payload("shopify"))
    receipt = ChannelWebhookReceipt.objects.get()
    login_as("support")

    response = client.post(replay_url(receipt), follow=True)

    number = Order.objects.get().number
    assert f"This delivery already captured {number}: there is nothing to replay." in (
        response.content.decode()
    )
    receipt.refresh_from_db()
    assert receipt.replayed_at is None
    assert Order.objects.count() == 1


def test_replay_takes_a_post_with_the_csrf_token_only(channels, support_user):
    receipt = receipt_row(channels["shopify"], body=encode(fixture_payload("shopify")))
    client = Client(enforce_csrf_checks=True)
    client.force_login(support_user)

    assert client.get(replay_url(receipt)).status_code == 405
    assert client.post(replay_url(receipt)).status_code == 403
    receipt.refresh_from_db()
    assert (receipt.outcome, receipt.replayed_at) == ("failed", None)
    assert client.post(reverse("orders_inbox:replay", args=[999_999])).status_code == 403


def test_replay_of_an_unknown_delivery_is_404(client, login_as):
    login_as("support")

    assert client.post(reverse("orders_inbox:replay", args=[999_999])).status_code == 404
