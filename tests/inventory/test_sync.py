"""Stock sync: ATP changes reach channels as one coalesced, signed `stock.available_changed`."""

import pytest
from celery.contrib.testing.worker import start_worker
from django.test import override_settings

from inventory import services
from inventory.models import StockLevel
from inventory.services import StockLine
from oms.celery import app as celery_app
from oms.models import WebhookDelivery, WebhookEvent
from oms.webhooks import verify_signature, webhook_delivery_attempt, webhook_event_dispatch
from tests.concurrency import run_concurrently, wait_for
from tests.inventory.factories import ProductFactory, WarehouseFactory
from tests.oms.factories import WebhookEndpointFactory

STOCK = "stock.available_changed"


@pytest.fixture
def stocked():
    product, warehouse = ProductFactory(sku="SYNC-1"), WarehouseFactory(code="SYNC")
    services.stock_receive(product=product, warehouse=warehouse, quantity=150)
    return product, warehouse


def reserve_one(product, warehouse, index: int):
    return services.stock_reserve(
        lines=[StockLine(product, warehouse, 1)], reference=f"order:B{index}"
    )


@pytest.mark.django_db
def test_burst_of_reservations_is_coalesced_into_one_delivery_with_the_final_figure(
    stocked, webhook_receiver
):
    product, warehouse = stocked
    endpoint = WebhookEndpointFactory(url=webhook_receiver.url + "/stock", events=[STOCK])

    for index in range(100):
        reserve_one(product, warehouse, index)

    event = WebhookEvent.objects.get(event=STOCK)
    assert event.coalesce_key == "stock:SYNC-1"
    assert event.payload == {
        "sku": "SYNC-1",
        "available": 50,
        "warehouses": [{"warehouse": "SYNC", "available": 50}],
    }
    deliveries = webhook_event_dispatch(event_id=event.pk)
    assert len(deliveries) == 1
    delivered = webhook_delivery_attempt(delivery_id=deliveries[0].pk)
    assert delivered.status == WebhookDelivery.Status.SUCCEEDED

    [request] = webhook_receiver.requests
    assert request.json["event"] == STOCK
    assert request.json["data"]["available"] == 50
    assert verify_signature(
        secret=endpoint.secret, body=request.body, header=request.headers["X-OMS-Signature"]
    )
    assert not verify_signature(
        secret="wrong", body=request.body, header=request.headers["X-OMS-Signature"]
    )


@pytest.mark.django_db
def test_no_event_when_availability_does_not_change(stocked, webhook_receiver):
    product, warehouse = stocked
    WebhookEndpointFactory(url=webhook_receiver.url, events=[STOCK])
    services.stock_count(product=product, warehouse=warehouse, counted=150)
    services.stock_level_update(product=product, warehouse=warehouse, bin_location="A-01-1")
    assert WebhookEvent.objects.count() == 0


@pytest.mark.django_db
def test_failing_endpoint_is_retried_and_the_stock_change_still_commits(stocked, webhook_receiver):
    product, warehouse = stocked
    WebhookEndpointFactory(url=webhook_receiver.url, events=[STOCK])
    webhook_receiver.statuses = [500]

    reserve_one(product, warehouse, 1)
    event = WebhookEvent.objects.get()
    delivery = webhook_event_dispatch(event_id=event.pk)[0]
    failed = webhook_delivery_attempt(delivery_id=delivery.pk)

    assert StockLevel.objects.get(product=product).allocated == 1
    assert failed.status == WebhookDelivery.Status.PENDING
    assert failed.attempts == 1
    assert failed.last_status_code == 500
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=failed.created_at)
    retried = webhook_delivery_attempt(delivery_id=delivery.pk)
    assert retried.status == WebhookDelivery.Status.SUCCEEDED
    assert retried.attempts == 2
    assert [r.json["data"]["available"] for r in webhook_receiver.requests] == [149, 149]


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
@override_settings(WEBHOOK_COALESCE_SECONDS=3)
def test_real_worker_delivers_one_coalesced_event_after_a_concurrent_burst(webhook_receiver):
    product, warehouse = ProductFactory(sku="SYNC-2"), WarehouseFactory(code="BURST")
    services.stock_receive(product=product, warehouse=warehouse, quantity=120)
    endpoint = WebhookEndpointFactory(url=webhook_receiver.url, events=[STOCK])
    celery_app.conf.task_always_eager = False
    with celery_app.connection_for_write() as connection:
        connection.default_channel.queue_purge(celery_app.conf.task_default_queue)

    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
        results = run_concurrently(100, lambda i: reserve_one(product, warehouse, i))
        assert all(outcome == "ok" for outcome, _ in results)
        delivery = wait_for(
            lambda: WebhookDelivery.objects.filter(status=WebhookDelivery.Status.SUCCEEDED).first(),
            timeout=30,
        )

    assert WebhookEvent.objects.count() == 1
    assert WebhookDelivery.objects.count() == 1
    assert delivery.endpoint == endpoint
    [request] = webhook_receiver.requests
    assert request.json["data"]["available"] == 20
    assert verify_signature(
        secret=endpoint.secret, body=request.body, header=request.headers["X-OMS-Signature"]
    )
