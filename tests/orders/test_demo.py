import io

import pytest
from django.core.management import call_command
from django.test import override_settings

from inventory.audit import audit_ledger
from orders.demo import ORDER_COUNT, seed_orders
from orders.models import HoldReason, Order, OrderEvent, OrderHold, OrderStatus, SalesChannel

pytestmark = pytest.mark.django_db


@override_settings(DEBUG=True)
def test_seed_demo_captures_orders_in_every_reachable_state_once():
    out = io.StringIO()
    call_command("seed_demo", "--skip", "history", stdout=out)
    assert f"orders: new channels 5, new orders {ORDER_COUNT}," in out.getvalue()
    numbers = set(Order.objects.values_list("number", flat=True))

    again = io.StringIO()
    call_command("seed_demo", "--skip", "history", stdout=again)

    assert "orders: new channels 0, new orders 0," in again.getvalue()
    assert set(Order.objects.values_list("number", flat=True)) == numbers
    # The returns demo adds a replacement order (origin exchange) to one demo order.
    captured = Order.objects.filter(external_id__startswith="DEMO-").exclude(
        origin=Order.Origin.EXCHANGE
    )
    assert captured.count() == ORDER_COUNT
    assert Order.objects.filter(external_id="DEMO-00001").exists()

    statuses = set(Order.objects.values_list("status", flat=True))
    assert {
        OrderStatus.READY,
        OrderStatus.BACKORDERED,
        OrderStatus.ON_HOLD,
        OrderStatus.CANCELLED,
    } <= statuses
    # The shipping demo ships, delivers and partly ships some of them.
    assert statuses <= set(OrderStatus.values) - {OrderStatus.DRAFT, OrderStatus.PENDING}
    active_reasons = set(
        OrderHold.objects.filter(released_at__isnull=True).values_list("reason", flat=True)
    )
    assert {
        HoldReason.ADDRESS_INVALID,
        HoldReason.UNKNOWN_SKU,
        HoldReason.FRAUD_REVIEW,
        HoldReason.CUSTOMER_REQUEST,
        HoldReason.DUPLICATE_SUSPECT,
    } <= active_reasons
    late = Order.objects.late()
    assert 0 < late.count() < ORDER_COUNT // 4
    assert OrderEvent.objects.filter(type="note").exists()
    assert OrderEvent.objects.filter(type="inquiry").exists()

    channels = {channel.code: channel for channel in SalesChannel.objects.all()}
    assert {code: channel.kind for code, channel in channels.items()} == {
        "web": "web",
        "shopify": "marketplace",
        "woocommerce": "marketplace",
        "pos": "pos",
        "manual": "manual",
    }
    assert channels["shopify"].webhook_secret
    assert channels["shopify"].webhook_platform == "shopify"
    assert {code: channel.capture_policy for code, channel in channels.items()} == {
        "web": "on_ship",
        "shopify": "on_ship",
        "woocommerce": "on_ship",
        "pos": "on_ship",
        "manual": "on_confirm",
    }
    assert Order.objects.filter(channel__code="manual").exclude(origin="manual").count() == 0
    countries = set(Order.objects.values_list("shipping_address__country", flat=True))
    assert {"US", "DE"} <= countries
    assert Order.objects.values("customer").distinct().count() < ORDER_COUNT
    assert audit_ledger()[1] == []


def test_without_a_catalog_only_the_channels_are_created():
    summary = seed_orders()
    assert (summary["new_channels"], summary["new_orders"]) == (5, 0)
    assert SalesChannel.objects.count() == 5
    assert Order.objects.count() == 0
