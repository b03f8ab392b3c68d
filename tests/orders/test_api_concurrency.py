"""Real threads against PostgreSQL: captures never oversell, one Idempotency-Key makes one order."""

import threading

import pytest
from django.db import connections, transaction
from rest_framework.test import APIClient

from inventory.audit import audit_ledger
from inventory.models import StockLevel
from oms.models import IdempotencyKey
from orders.models import Order
from orders.services import channel_api_key_create
from tests.concurrency import run_concurrently, wait_for
from tests.inventory.factories import ProductFactory, WarehouseFactory, give_stock
from tests.orders.factories import SalesChannelFactory
from tests.orders.test_api import order_body

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def setup():
    channel = SalesChannelFactory(code="web")
    product = ProductFactory(sku="MUG")
    give_stock(product, WarehouseFactory(code="EAST", country="US", priority=1), 10)
    _, key = channel_api_key_create(channel=channel)
    return channel, product, key


def client_for(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_hundred_concurrent_captures_for_ten_units_never_oversell(setup):
    _channel, product, key = setup

    def capture(index: int):
        body = order_body(
            external_id=f"RACE-{index}",
            customer={"email": f"c{index}@example.com"},
            allow_backorder=False,
            lines=[{"sku": "MUG", "quantity": 1, "unit_price": "16.00"}],
        )
        response = client_for(key).post("/api/v1/orders/", body, format="json")
        return response.status_code, response.json()

    results = run_concurrently(100, capture)

    assert all(outcome == "ok" for outcome, _ in results), results
    statuses = sorted(value[0] for _, value in results)
    assert statuses.count(201) == 10
    assert statuses.count(409) == 90
    conflicts = [body for _, (code, body) in results if code == 409]
    assert {body["error"]["code"] for body in conflicts} == {"insufficient_stock"}
    level = StockLevel.objects.get(product=product)
    assert (level.on_hand, level.allocated) == (10, 10)
    assert Order.objects.count() == 10
    assert set(Order.objects.values_list("status", flat=True)) == {"ready"}
    assert audit_ledger()[1] == []


def test_thirty_concurrent_sends_with_one_idempotency_key_make_one_order(setup):
    _channel, product, key = setup
    body = order_body(external_id="IDEM-1")

    def send(index: int):
        response = client_for(key).post(
            "/api/v1/orders/", body, format="json", HTTP_IDEMPOTENCY_KEY="key-30"
        )
        return response.status_code, response.json(), response.headers.get("Idempotent-Replayed")

    results = run_concurrently(30, send)

    assert all(outcome == "ok" for outcome, _ in results), results
    codes = [value[0] for _, value in results]
    assert Order.objects.count() == 1
    assert codes.count(201) >= 1
    assert set(codes) <= {201, 409}
    conflicts = [value[1]["error"]["code"] for _, value in results if value[0] == 409]
    assert set(conflicts) <= {"request_in_progress"}
    created = [value for _, value in results if value[0] == 201]
    originals = [value for value in created if value[2] is None]
    assert len(originals) == 1
    assert {value[1]["number"] for value in created} == {Order.objects.get().number}
    assert StockLevel.objects.get(product=product).allocated == 2


def test_replay_returns_the_first_response_and_another_body_is_422(setup):
    _channel, _product, key = setup
    api = client_for(key)
    first = api.post("/api/v1/orders/", order_body(), format="json", HTTP_IDEMPOTENCY_KEY="k1")
    replay = api.post("/api/v1/orders/", order_body(), format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert first.status_code == replay.status_code == 201
    assert replay.json() == first.json()
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    other = api.post(
        "/api/v1/orders/",
        order_body(external_id="DIFFERENT"),
        format="json",
        HTTP_IDEMPOTENCY_KEY="k1",
    )
    assert other.status_code == 422
    assert other.json()["error"]["code"] == "idempotency_key_reused"
    assert Order.objects.count() == 1


def test_a_refusal_is_replayed_too(setup):
    _channel, _product, key = setup
    api = client_for(key)
    body = order_body(
        allow_backorder=False, lines=[{"sku": "MUG", "quantity": 50, "unit_price": "1"}]
    )
    first = api.post("/api/v1/orders/", body, format="json", HTTP_IDEMPOTENCY_KEY="k2")
    again = api.post("/api/v1/orders/", body, format="json", HTTP_IDEMPOTENCY_KEY="k2")
    assert first.status_code == again.status_code == 409
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"


def test_keys_are_per_client(setup):
    channel, _product, key = setup
    _, other_key = channel_api_key_create(channel=channel, name="second storefront")
    first = client_for(key).post(
        "/api/v1/orders/", order_body(), format="json", HTTP_IDEMPOTENCY_KEY="shared"
    )
    second = client_for(other_key).post(
        "/api/v1/orders/", order_body(), format="json", HTTP_IDEMPOTENCY_KEY="shared"
    )
    assert first.status_code == 201
    # Not a replay: the other client's key is its own, so this is a real (duplicate) capture.
    assert second.status_code == 409
    assert second.json()["error"]["code"] == "duplicate_order"
    assert IdempotencyKey.objects.count() == 2


def test_a_request_still_running_answers_409_request_in_progress(setup):
    _channel, product, key = setup
    level = StockLevel.objects.get(product=product)
    locked, release = threading.Event(), threading.Event()

    def hold_the_stock_lock():
        # Another transaction holds the level's row lock, so the first capture waits on it.
        try:
            with transaction.atomic():
                StockLevel.objects.select_for_update().get(pk=level.pk)
                locked.set()
                release.wait(timeout=30)
        finally:
            connections.close_all()

    blocker = threading.Thread(target=hold_the_stock_lock)
    blocker.start()
    locked.wait(timeout=10)
    first_result = {}

    def first_request():
        try:
            response = client_for(key).post(
                "/api/v1/orders/", order_body(), format="json", HTTP_IDEMPOTENCY_KEY="slow"
            )
            first_result["status"] = response.status_code
        finally:
            connections.close_all()

    first = threading.Thread(target=first_request)
    first.start()
    wait_for(lambda: IdempotencyKey.objects.filter(key="slow").exists())

    second = client_for(key).post(
        "/api/v1/orders/", order_body(), format="json", HTTP_IDEMPOTENCY_KEY="slow"
    )
    assert second.status_code == 409
    assert second.json()["error"]["code"] == "request_in_progress"

    release.set()
    blocker.join(timeout=30)
    first.join(timeout=30)
    assert first_result["status"] == 201
    assert Order.objects.count() == 1
