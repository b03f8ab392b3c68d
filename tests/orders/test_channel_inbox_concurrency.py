"""Real threads against PostgreSQL: replays and redeliveries of one receipt take turns."""

import hashlib

import pytest

from orders.channels.inbox import NothingToReplay, channel_receipt_replay
from orders.models import ChannelWebhookReceipt, Order
from tests.concurrency import run_concurrently
from tests.inventory.factories import ProductFactory, WarehouseFactory, give_stock
from tests.orders.webhooks import deliver, encode, fixture_payload, make_marketplace_channels

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_replays_and_redeliveries_capture_one_order(manager_user):
    channel = make_marketplace_channels()["shopify"]
    warehouse = WarehouseFactory(code="EAST", country="US", priority=1)
    for sku in ("MUG", "TOWEL"):
        give_stock(ProductFactory(sku=sku), warehouse, 10)
    body = encode(fixture_payload("shopify"))
    receipt = ChannelWebhookReceipt.objects.create(
        channel=channel,
        source="shopify",
        webhook_id="wh-race",
        raw_body=body,
        body_sha256=hashlib.sha256(body).hexdigest(),
        outcome="failed",
        error="Unexpected error: OperationalError('the database restarted')",
    )

    def race(index: int):
        if index % 2:
            return deliver("shopify", body=body, webhook_id="wh-race").status_code
        try:
            return channel_receipt_replay(receipt=receipt, actor=manager_user).captured
        except NothingToReplay:
            return "nothing to replay"

    results = run_concurrently(6, race)

    assert all(outcome == "ok" for outcome, _ in results), results
    answers = [value for _, value in results]
    assert answers.count(201) + answers.count(True) == 1, answers
    assert set(answers) <= {200, 201, True, "nothing to replay"}
    receipt.refresh_from_db()
    assert (receipt.outcome, receipt.order) == ("captured", Order.objects.get())
