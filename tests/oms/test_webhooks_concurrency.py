"""Two transactions publishing for one coalesce key at once (needs real row locks: PostgreSQL)."""

import threading

import pytest
from django.db import connection, connections, transaction

from oms.models import WebhookEvent
from oms.webhooks import webhook_publish
from tests.concurrency import wait_for
from tests.oms.factories import WebhookEndpointFactory

STOCK = "stock.available_changed"
WAIT_SECONDS = 20


def insert_waiting_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND query LIKE 'INSERT INTO \"oms_webhookevent\"%%'"
        )
        return cursor.fetchone()[0] > 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_first_publishes_for_one_key_leave_the_latest_figure():
    # Closed port: deliveries fail fast; this test is about the outbox rows.
    WebhookEndpointFactory(url="http://127.0.0.1:9/hooks", events=[STOCK])
    first_published, release_first = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def first():
        try:
            with transaction.atomic():
                webhook_publish(event=STOCK, payload={"available": 1}, coalesce_key="stock:SKU-1")
                first_published.set()
                assert release_first.wait(WAIT_SECONDS)
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    def second():
        try:
            assert first_published.wait(WAIT_SECONDS)
            # Sees no committed pending row, so it inserts and waits on the unique index.
            with transaction.atomic():
                webhook_publish(event=STOCK, payload={"available": 2}, coalesce_key="stock:SKU-1")
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    try:
        wait_for(insert_waiting_on_a_lock, timeout=WAIT_SECONDS)
    finally:
        release_first.set()
        for thread in threads:
            thread.join(WAIT_SECONDS)

    assert errors == []
    # Whether the second publisher folded into the first row or, once that was dispatched on
    # commit, opened a new one, the newest event carries the latest figure and none is stuck.
    latest = WebhookEvent.objects.order_by("-id").first()
    assert latest.payload == {"available": 2}
    assert not WebhookEvent.objects.filter(status="pending").exists()
