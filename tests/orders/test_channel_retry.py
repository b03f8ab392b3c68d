"""The sweeper retries channel deliveries that failed on our side, as the marketplace would have
had we answered with an error: every few minutes for a day, never a failure of the data."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from orders.channels.inbox import RETRY_EVERY, RETRY_FOR, channel_receipts_retry
from orders.models import ChannelWebhookReceipt, Order
from orders.tasks import retry_channel_receipts
from tests.inventory.factories import ProductFactory, WarehouseFactory, give_stock
from tests.orders.test_channel_inbox import crashed_delivery, receipt_row
from tests.orders.webhooks import deliver, encode, fixture_payload, make_marketplace_channels

pytestmark = pytest.mark.django_db


@pytest.fixture
def channels():
    return make_marketplace_channels()


@pytest.fixture
def stock():
    warehouse = WarehouseFactory(code="EAST", country="US", priority=1)
    for sku in ("MUG", "TOWEL"):
        give_stock(ProductFactory(sku=sku), warehouse, 50)


def test_a_delivery_that_failed_on_our_side_is_captured_by_the_next_sweep(
    channels, stock, monkeypatch
):
    receipt = crashed_delivery(monkeypatch, fixture_payload("shopify"))
    assert not Order.objects.exists()

    assert retry_channel_receipts.delay().get() == [receipt.pk]

    receipt.refresh_from_db()
    order = Order.objects.get()
    assert (receipt.outcome, receipt.order, receipt.error) == ("captured", order, "")
    assert receipt.replayed_at is not None and receipt.replayed_by is None
    # Settled: later sweeps leave it alone.
    assert channel_receipts_retry(now=timezone.now() + RETRY_EVERY * 2) == []
    assert Order.objects.count() == 1


def test_a_retry_that_fails_again_waits_before_the_next_one(channels, stock, monkeypatch):
    receipt = crashed_delivery(monkeypatch, fixture_payload("shopify"))
    with monkeypatch.context() as patch:
        patch.setattr(
            "orders.channels.inbox.order_capture",
            lambda **kwargs: (_ for _ in ()).throw(RuntimeError("still down")),
        )
        assert channel_receipts_retry() == []
    receipt.refresh_from_db()
    assert (receipt.outcome, "still down" in receipt.error) == ("failed", True)
    tried_at = receipt.replayed_at

    assert channel_receipts_retry(now=tried_at + RETRY_EVERY / 2) == []
    receipt.refresh_from_db()
    assert receipt.replayed_at == tried_at

    assert channel_receipts_retry(now=tried_at + RETRY_EVERY * 2) == [receipt.pk]
    assert Order.objects.count() == 1


def test_a_delivery_left_unfinished_is_retried_once_it_is_stale(channels, stock):
    body = encode(fixture_payload("woocommerce"))
    fresh = receipt_row(channels["woocommerce"], outcome="", error="", age=timedelta(0), body=body)

    assert channel_receipts_retry() == []
    assert channel_receipts_retry(now=timezone.now() + RETRY_EVERY * 2) == [fresh.pk]
    fresh.refresh_from_db()
    assert fresh.outcome == "captured"


def test_failures_of_the_data_old_failures_and_flagged_redeliveries_wait_for_a_person(
    channels, stock
):
    shop = channels["shopify"]
    body = encode(fixture_payload("shopify"))
    unreadable = receipt_row(shop, error="The body is not JSON (Expecting value).", body=b"nope")
    crash = "Unexpected error: RuntimeError()"
    too_old = receipt_row(shop, error=crash, age=RETRY_FOR + timedelta(hours=1), body=body)
    first = receipt_row(shop, outcome="captured", error="", body=body)
    flagged = receipt_row(shop, error=crash, body=body)
    flagged.conflicts_with = first
    flagged.save(update_fields=["conflicts_with"])

    assert channel_receipts_retry() == []
    assert not Order.objects.exists()
    outcomes = dict(
        ChannelWebhookReceipt.objects.filter(
            pk__in=[unreadable.pk, too_old.pk, flagged.pk]
        ).values_list("pk", "replayed_at")
    )
    assert outcomes == {unreadable.pk: None, too_old.pk: None, flagged.pk: None}


def test_the_retry_runs_in_beat_every_five_minutes():
    entry = settings.CELERY_BEAT_SCHEDULE["retry-channel-receipts"]
    assert entry == {"task": "orders.tasks.retry_channel_receipts", "schedule": 300.0}


def test_a_delivery_that_arrives_after_the_crash_still_makes_one_order(
    channels, stock, monkeypatch
):
    receipt = crashed_delivery(monkeypatch, fixture_payload("shopify"))
    assert deliver("shopify", fixture_payload("shopify")).status_code == 201

    assert channel_receipts_retry() == []
    receipt.refresh_from_db()
    assert receipt.outcome == "captured"
    assert Order.objects.count() == 1
