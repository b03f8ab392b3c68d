"""Outbound webhooks end to end: publish → dispatch → signed POST to a real local HTTP server
(`webhook_receiver`, from tests/oms/webhook_receiver.py via tests/conftest.py)."""

import socket
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F
from django.db.transaction import TransactionManagementError
from django.utils import timezone

from oms.models import WebhookAttempt, WebhookDelivery, WebhookEvent
from oms.tasks import sweep_webhooks
from oms.webhooks import (
    verify_signature,
    webhook_delivery_attempt,
    webhook_event_dispatch,
    webhook_publish,
)
from tests.oms.factories import (
    WebhookDeliveryFactory,
    WebhookEndpointFactory,
    WebhookEventFactory,
)

STOCK = "stock.available_changed"


@pytest.fixture
def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/hooks"


def publish(**kwargs) -> WebhookEvent | None:
    with transaction.atomic():
        return webhook_publish(**kwargs)


# --- publishing -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_publish_without_subscribers_records_nothing_in_one_query(django_assert_num_queries):
    WebhookEndpointFactory(events=["order.created"])
    WebhookEndpointFactory(events=[STOCK], is_active=False)
    with transaction.atomic(), django_assert_num_queries(1):
        assert webhook_publish(event=STOCK, payload={"available": 1}) is None
    assert WebhookEvent.objects.count() == 0


@pytest.mark.django_db
def test_publish_rejects_unknown_event():
    WebhookEndpointFactory()
    with pytest.raises(ValueError, match=r"Unknown webhook event 'order\.exploded'"):
        publish(event="order.exploded", payload={})
    assert WebhookEvent.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_publish_outside_a_transaction_is_refused():
    WebhookEndpointFactory()
    with pytest.raises(TransactionManagementError, match="inside the transaction"):
        webhook_publish(event=STOCK, payload={"available": 1})
    assert WebhookEvent.objects.count() == 0


# --- delivery -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_delivery_posts_signed_json_and_succeeds(
    webhook_receiver, django_capture_on_commit_callbacks
):
    endpoint = WebhookEndpointFactory(url=f"{webhook_receiver.url}/hooks", events=["order.created"])
    payload = {"number": "SO-000001", "total": Decimal("12.50")}
    with django_capture_on_commit_callbacks(execute=True):
        event = publish(event="order.created", payload=payload)

    assert len(webhook_receiver.requests) == 1
    request = webhook_receiver.requests[0]
    delivery = WebhookDelivery.objects.get()
    event.refresh_from_db()
    assert (request.method, request.path) == ("POST", "/hooks")
    assert request.json == {
        "id": event.pk,
        "event": "order.created",
        "created_at": event.created_at.isoformat(),
        "data": {"number": "SO-000001", "total": "12.50"},
    }
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["X-OMS-Event"] == "order.created"
    assert request.headers["X-OMS-Delivery"] == str(delivery.pk)
    signature = request.headers["X-OMS-Signature"]
    assert verify_signature(secret=endpoint.secret, body=request.body, header=signature)
    assert not verify_signature(secret="someone-else", body=request.body, header=signature)

    assert event.status == WebhookEvent.Status.DISPATCHED
    assert delivery.status == WebhookDelivery.Status.SUCCEEDED
    assert delivery.attempts == 1
    assert delivery.last_status_code == 200
    assert delivery.delivered_at is not None
    assert delivery.next_attempt_at is None
    attempt = WebhookAttempt.objects.get()
    assert (attempt.delivery, attempt.status_code, attempt.error) == (delivery, 200, "")
    assert attempt.response_snippet == "ok"


@pytest.mark.django_db(transaction=True)
def test_failing_endpoint_never_undoes_the_publishing_change(webhook_receiver):
    webhook_receiver.statuses = [500]
    WebhookEndpointFactory(url=webhook_receiver.url, events=[STOCK])
    before = timezone.now()
    with transaction.atomic():
        get_user_model().objects.create(username="stock-clerk")
        event = webhook_publish(event=STOCK, payload={"available": 3})

    # Committed: the on-commit dispatch and delivery ran in-process; the receiver said 500.
    assert get_user_model().objects.filter(username="stock-clerk").exists()
    assert len(webhook_receiver.requests) == 1
    delivery = WebhookDelivery.objects.get(event=event)
    assert delivery.status == WebhookDelivery.Status.PENDING
    assert delivery.attempts == 1
    assert delivery.last_status_code == 500
    assert delivery.last_error == "HTTP 500 Internal Server Error"
    # First retry: 30 s with jitter (15 to 30 s) after the attempt.
    assert before + timedelta(seconds=15) <= delivery.next_attempt_at
    assert delivery.next_attempt_at <= timezone.now() + timedelta(seconds=30)
    attempt = WebhookAttempt.objects.get()
    assert (attempt.status_code, attempt.response_snippet) == (500, "upstream exploded")


@pytest.mark.django_db
def test_unreachable_endpoint_records_an_attempt_without_status(closed_port_url):
    delivery = WebhookDeliveryFactory(endpoint__url=closed_port_url)
    delivery = webhook_delivery_attempt(delivery_id=delivery.pk)
    assert delivery.attempted
    assert delivery.status == WebhookDelivery.Status.PENDING
    assert delivery.attempts == 1
    assert delivery.next_attempt_at > timezone.now()
    assert delivery.last_status_code is None
    assert delivery.last_error.startswith("Could not connect")
    attempt = WebhookAttempt.objects.get(delivery=delivery)
    assert attempt.status_code is None
    assert attempt.error.startswith("Could not connect")


@pytest.mark.django_db
def test_delivery_retries_until_the_receiver_recovers(webhook_receiver):
    webhook_receiver.statuses = [503, 500]
    delivery = WebhookDeliveryFactory(endpoint__url=webhook_receiver.url)
    for expected_attempts in (1, 2):
        delivery = webhook_delivery_attempt(delivery_id=delivery.pk)
        assert (delivery.status, delivery.attempts) == ("pending", expected_attempts)
        WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    delivery = webhook_delivery_attempt(delivery_id=delivery.pk)
    assert delivery.status == WebhookDelivery.Status.SUCCEEDED
    assert delivery.attempts == 3
    codes = list(delivery.attempt_log.order_by("id").values_list("status_code", flat=True))
    assert codes == [503, 500, 200]
    assert len(webhook_receiver.requests) == 3


@pytest.mark.django_db
def test_delivery_gives_up_once_the_first_attempt_is_24_hours_old(webhook_receiver):
    webhook_receiver.statuses = [500, 500]
    delivery = WebhookDeliveryFactory(endpoint__url=webhook_receiver.url)
    webhook_delivery_attempt(delivery_id=delivery.pk)
    day_ago = timedelta(hours=24, minutes=1)
    WebhookAttempt.objects.filter(delivery=delivery).update(
        attempted_at=F("attempted_at") - day_ago
    )
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        first_attempt_at=F("first_attempt_at") - day_ago, next_attempt_at=timezone.now()
    )
    delivery = webhook_delivery_attempt(delivery_id=delivery.pk)
    assert delivery.status == WebhookDelivery.Status.FAILED
    assert delivery.attempts == 2
    assert delivery.next_attempt_at is None
    assert WebhookAttempt.objects.filter(delivery=delivery).count() == 2


@pytest.mark.django_db
def test_redirect_is_not_followed_and_counts_as_a_failure(webhook_receiver):
    webhook_receiver.statuses = [302]
    delivery = webhook_delivery_attempt(
        delivery_id=WebhookDeliveryFactory(endpoint__url=webhook_receiver.url).pk
    )
    assert [request.method for request in webhook_receiver.requests] == ["POST"]
    assert (delivery.status, delivery.last_status_code) == ("pending", 302)


@pytest.mark.django_db
def test_response_snippet_keeps_the_first_500_characters(webhook_receiver):
    webhook_receiver.reply = "é".encode() * 2000
    delivery = WebhookDeliveryFactory(endpoint__url=webhook_receiver.url)
    webhook_delivery_attempt(delivery_id=delivery.pk)
    assert WebhookAttempt.objects.get().response_snippet == "é" * 500


@pytest.mark.django_db
def test_delivery_to_a_deactivated_endpoint_fails_without_a_request(webhook_receiver):
    delivery = WebhookDeliveryFactory(endpoint__url=webhook_receiver.url, endpoint__is_active=False)
    delivery = webhook_delivery_attempt(delivery_id=delivery.pk)
    assert delivery.status == WebhookDelivery.Status.FAILED
    assert delivery.last_error == "The endpoint is inactive."
    assert webhook_receiver.requests == []
    assert WebhookAttempt.objects.count() == 0


# --- coalescing -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_burst_for_one_key_coalesces_into_one_event_with_the_last_figure(
    webhook_receiver, django_capture_on_commit_callbacks
):
    first = WebhookEndpointFactory(url=f"{webhook_receiver.url}/first", events=[STOCK])
    second = WebhookEndpointFactory(
        url=f"{webhook_receiver.url}/second", events=[STOCK, "order.created"]
    )
    WebhookEndpointFactory(url=f"{webhook_receiver.url}/orders-only", events=["order.created"])
    # The dispatch waits for its countdown: capture it instead of running it.
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        for available in range(100):
            publish(event=STOCK, payload={"available": available}, coalesce_key="stock:SKU-1")

    event = WebhookEvent.objects.get()
    assert (event.status, event.coalesce_key) == ("pending", "stock:SKU-1")
    assert event.payload == {"available": 99}
    assert len(callbacks) == 1

    with django_capture_on_commit_callbacks(execute=True):
        deliveries = webhook_event_dispatch(event_id=event.pk)
    assert sorted(delivery.endpoint_id for delivery in deliveries) == [first.pk, second.pk]
    assert WebhookDelivery.objects.count() == 2
    assert sorted(request.path for request in webhook_receiver.requests) == ["/first", "/second"]
    assert all(request.json["data"] == {"available": 99} for request in webhook_receiver.requests)
    assert all(request.json["id"] == event.pk for request in webhook_receiver.requests)


@pytest.mark.django_db
def test_change_after_dispatch_starts_a_new_event(django_capture_on_commit_callbacks):
    WebhookEndpointFactory(url="http://127.0.0.1:9/never", events=[STOCK], is_active=True)
    with django_capture_on_commit_callbacks(execute=False):
        first = publish(event=STOCK, payload={"available": 5}, coalesce_key="stock:SKU-1")
        webhook_event_dispatch(event_id=first.pk)
        second = publish(event=STOCK, payload={"available": 4}, coalesce_key="stock:SKU-1")
        other_sku = publish(event=STOCK, payload={"available": 9}, coalesce_key="stock:SKU-2")
    assert len({first.pk, second.pk, other_sku.pk}) == 3
    statuses = dict(WebhookEvent.objects.values_list("pk", "status"))
    assert statuses == {first.pk: "dispatched", second.pk: "pending", other_sku.pk: "pending"}


@pytest.mark.django_db
def test_uncoalesced_events_are_never_merged(django_capture_on_commit_callbacks):
    WebhookEndpointFactory(events=["order.status_changed"])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        publish(event="order.status_changed", payload={"status": "ready"})
        publish(event="order.status_changed", payload={"status": "shipped"})
    assert WebhookEvent.objects.filter(status="pending").count() == 2
    assert len(callbacks) == 2


# --- idempotency ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_dispatching_twice_creates_deliveries_once(django_capture_on_commit_callbacks):
    WebhookEndpointFactory.create_batch(2, events=[STOCK])
    event = WebhookEventFactory()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert len(webhook_event_dispatch(event_id=event.pk)) == 2
        assert webhook_event_dispatch(event_id=event.pk) == []
    assert WebhookDelivery.objects.filter(event=event).count() == 2
    assert len(callbacks) == 2


@pytest.mark.django_db
def test_attempting_a_succeeded_delivery_does_nothing(webhook_receiver):
    delivery = WebhookDeliveryFactory(endpoint__url=webhook_receiver.url)
    assert webhook_delivery_attempt(delivery_id=delivery.pk).status == "succeeded"
    again = webhook_delivery_attempt(delivery_id=delivery.pk)
    assert not again.attempted
    assert again.attempts == 1
    assert len(webhook_receiver.requests) == 1
    assert WebhookAttempt.objects.count() == 1


@pytest.mark.django_db
def test_attempt_before_the_delivery_is_due_does_nothing(webhook_receiver):
    later = timezone.now() + timedelta(minutes=5)
    delivery = WebhookDeliveryFactory(endpoint__url=webhook_receiver.url, next_attempt_at=later)
    assert not webhook_delivery_attempt(delivery_id=delivery.pk).attempted
    assert webhook_receiver.requests == []


# --- sweeper --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_sweeper_reenqueues_overdue_deliveries_only(webhook_receiver):
    overdue = WebhookDeliveryFactory(
        endpoint__url=f"{webhook_receiver.url}/overdue",
        next_attempt_at=timezone.now() - timedelta(minutes=5),
    )
    # Due a moment ago: its own message is probably on the way, so the sweeper leaves it.
    recent = WebhookDeliveryFactory(
        endpoint__url=f"{webhook_receiver.url}/recent",
        next_attempt_at=timezone.now() - timedelta(seconds=10),
    )
    sweep_webhooks.delay()
    overdue.refresh_from_db()
    recent.refresh_from_db()
    assert overdue.status == WebhookDelivery.Status.SUCCEEDED
    assert recent.status == WebhookDelivery.Status.PENDING
    assert [request.path for request in webhook_receiver.requests] == ["/overdue"]


@pytest.mark.django_db
def test_sweeper_dispatches_stale_pending_events(
    webhook_receiver, django_capture_on_commit_callbacks
):
    WebhookEndpointFactory(url=webhook_receiver.url, events=[STOCK])
    stale = WebhookEventFactory(payload={"available": 1})
    fresh = WebhookEventFactory(payload={"available": 2})
    WebhookEvent.objects.filter(pk=stale.pk).update(
        created_at=F("created_at") - timedelta(minutes=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        sweep_webhooks.delay()
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert stale.status == WebhookEvent.Status.DISPATCHED
    assert fresh.status == WebhookEvent.Status.PENDING
    assert WebhookDelivery.objects.get().status == WebhookDelivery.Status.SUCCEEDED
    assert [request.json["data"] for request in webhook_receiver.requests] == [{"available": 1}]
