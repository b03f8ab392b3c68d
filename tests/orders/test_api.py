from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from inventory.models import StockLevel
from oms.services import api_client_create
from orders.models import Order, OrderStatus
from orders.services import channel_api_key_create
from tests.inventory.factories import ProductFactory, WarehouseFactory, give_stock
from tests.orders.factories import SalesChannelFactory, capture

pytestmark = pytest.mark.django_db


@pytest.fixture
def channel():
    return SalesChannelFactory(code="web", name="Web store")


@pytest.fixture
def mug():
    product = ProductFactory(sku="MUG", name="Stoneware mug")
    give_stock(product, WarehouseFactory(code="EAST", country="US", priority=1), 10)
    return product


def channel_api(channel) -> APIClient:
    _, key = channel_api_key_create(channel=channel, name=f"{channel.code} storefront")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def staff_api(user) -> APIClient:
    _, key = api_client_create(name="staff", user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def order_body(**overrides) -> dict:
    body = {
        "external_id": "WEB-1001",
        "currency": "USD",
        "customer": {"email": "ada@example.com", "first_name": "Ada", "last_name": "Lovelace"},
        "shipping_address": {
            "name": "Ada Lovelace",
            "line1": "12 Analytical Row",
            "city": "Newark",
            "region": "NJ",
            "postal_code": "07114",
            "country": "US",
        },
        "lines": [{"sku": "MUG", "quantity": 2, "unit_price": "16.00"}],
        "shipping_total": "5.00",
        "tax_total": "2.00",
        "payment": {"gateway": "sandbox", "method": "card", "token": "tok_visa"},
    }
    body.update(overrides)
    return body


def test_channel_key_captures_an_order_and_gets_it_back_ready(channel, mug):
    response = channel_api(channel).post("/api/v1/orders/", order_body(), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["number"].startswith("SO-")
    assert (body["status"], body["channel"], body["external_id"]) == ("ready", "web", "WEB-1001")
    assert body["grand_total"] == "39.00"
    assert body["lines"] == [
        {
            "sku": "MUG",
            "name": "Stoneware mug",
            "quantity": 2,
            "quantity_cancelled": 0,
            "unit_price": "16.00",
            "line_total": "32.00",
            "quantity_allocated": 2,
            "quantity_shipped": 0,
            "quantity_returned": 0,
        }
    ]
    assert body["holds"] == []
    assert body["customer"]["email"] == "ada@example.com"
    assert body["shipping_address"]["postal_code"] == "07114"
    order = Order.objects.get()
    assert order.payment_request == {"gateway": "sandbox", "method": "card", "token": "tok_visa"}
    assert order.events.first().actor_label == "api:web storefront"


def test_backordered_and_on_hold_are_reported(channel, mug):
    api = channel_api(channel)
    backordered = api.post(
        "/api/v1/orders/",
        order_body(external_id="B-1", lines=[{"sku": "MUG", "quantity": 12, "unit_price": "1"}]),
        format="json",
    )
    assert backordered.json()["status"] == "backordered"
    held = api.post(
        "/api/v1/orders/",
        order_body(external_id="H-1", lines=[{"sku": "NOPE", "quantity": 1, "unit_price": "1"}]),
        format="json",
    )
    assert held.status_code == 201
    assert held.json()["status"] == "on_hold"
    assert held.json()["holds"][0]["reason"] == "unknown_sku"


def test_no_backorder_conflict_stores_and_reserves_nothing(channel, mug):
    response = channel_api(channel).post(
        "/api/v1/orders/",
        order_body(
            allow_backorder=False, lines=[{"sku": "MUG", "quantity": 11, "unit_price": "1"}]
        ),
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "insufficient_stock"
    assert Order.objects.count() == 0
    assert StockLevel.objects.get(product=mug).allocated == 0


def test_duplicate_external_id_is_409_naming_the_existing_number(channel, mug):
    api = channel_api(channel)
    first = api.post("/api/v1/orders/", order_body(), format="json").json()
    again = api.post("/api/v1/orders/", order_body(), format="json")
    assert again.status_code == 409
    error = again.json()["error"]
    assert error["code"] == "duplicate_order"
    assert first["number"] in error["message"]
    assert error["existing_number"] == first["number"]


def test_invalid_body_names_the_fields(channel, mug):
    response = channel_api(channel).post(
        "/api/v1/orders/",
        order_body(currency="dollars", lines=[{"sku": "MUG", "quantity": 0, "unit_price": "x"}]),
        format="json",
    )
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert {"currency", "lines.0.quantity", "lines.0.unit_price"} <= set(fields)
    assert Order.objects.count() == 0


def test_channel_key_sees_only_its_own_orders(channel, mug):
    other = SalesChannelFactory(code="pos")
    mine = capture(channel, [("MUG", 1)])
    theirs = capture(other, [("MUG", 1)], email="b@example.com")
    api = channel_api(channel)
    listing = api.get("/api/v1/orders/").json()
    assert [item["number"] for item in listing["results"]] == [mine.number]
    assert api.get(f"/api/v1/orders/{theirs.number}/").status_code == 404
    assert api.get(f"/api/v1/orders/{mine.number}/").status_code == 200


def test_list_filters_by_status_external_id_and_updated_after(channel, mug, support_user):
    ready = capture(channel, [("MUG", 1)], external_id="X-1")
    capture(channel, [("MUG", 20)], external_id="X-2", email="b@example.com")
    api = staff_api(support_user)
    by_status = api.get("/api/v1/orders/", {"status": "ready"}).json()["results"]
    assert [item["number"] for item in by_status] == [ready.number]
    by_external = api.get("/api/v1/orders/", {"external_id": "X-2"}).json()["results"]
    assert [item["external_id"] for item in by_external] == ["X-2"]
    later = api.get("/api/v1/orders/", {"updated_after": "2999-01-01T00:00:00Z"}).json()
    assert later["results"] == []
    bad = api.get("/api/v1/orders/", {"updated_after": "yesterday"})
    assert bad.status_code == 400


def test_staff_capture_must_name_the_channel(channel, mug, support_user):
    api = staff_api(support_user)
    missing = api.post("/api/v1/orders/", order_body(), format="json")
    assert missing.status_code == 400
    assert "channel" in missing.json()["error"]["fields"]
    named = api.post("/api/v1/orders/", order_body(channel="web"), format="json")
    assert named.status_code == 201
    assert Order.objects.get().events.first().actor == support_user


def test_cancel_hold_and_release_through_the_api(channel, mug):
    api = channel_api(channel)
    number = api.post("/api/v1/orders/", order_body(), format="json").json()["number"]
    held = api.post(
        f"/api/v1/orders/{number}/holds/", {"reason": "customer_request", "note": "wait"}
    )
    assert held.status_code == 201
    hold_id = held.json()["holds"][0]["id"]
    assert held.json()["status"] == "on_hold"
    released = api.post(f"/api/v1/orders/{number}/holds/{hold_id}/release/")
    assert released.json()["status"] == "ready"
    again = api.post(f"/api/v1/orders/{number}/holds/{hold_id}/release/")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "invalid_transition"
    cancelled = api.post(f"/api/v1/orders/{number}/cancel/", {"reason": "fraud"})
    assert cancelled.json()["status"] == "cancelled"
    assert StockLevel.objects.get(product=mug).allocated == 0
    twice = api.post(f"/api/v1/orders/{number}/cancel/", {"reason": "again"})
    assert twice.status_code == 409
    assert twice.json()["error"]["code"] == "invalid_transition"


def test_bad_hold_reason_is_a_field_error(channel, mug):
    api = channel_api(channel)
    number = api.post("/api/v1/orders/", order_body(), format="json").json()["number"]
    response = api.post(f"/api/v1/orders/{number}/holds/", {"reason": "bored"})
    assert response.status_code == 400
    assert "reason" in response.json()["error"]["fields"]


@pytest.mark.parametrize(
    ("fixture", "read", "capture_status", "cancel"),
    [
        ("fulfillment_user", 200, 403, 403),
        ("support_user", 200, 201, 200),
        ("manager_user", 200, 201, 200),
        ("admin_user", 200, 201, 200),
        ("no_role_user", 403, 403, 403),
    ],
)
def test_permission_matrix_per_role(channel, mug, request, fixture, read, capture_status, cancel):
    existing = capture(channel, [("MUG", 1)], external_id="PERM-0", email="p@example.com")
    api = staff_api(request.getfixturevalue(fixture))
    assert api.get("/api/v1/orders/").status_code == read
    assert api.get(f"/api/v1/orders/{existing.number}/").status_code == read
    created = api.post("/api/v1/orders/", order_body(channel="web"), format="json")
    assert created.status_code == capture_status
    assert api.post(f"/api/v1/orders/{existing.number}/cancel/").status_code == cancel


def test_anonymous_is_401(channel):
    response = APIClient().post("/api/v1/orders/", order_body(), format="json")
    assert response.status_code == 401
    assert Order.objects.count() == 0


def test_order_status_changes_are_visible_in_totals(channel, mug):
    order = capture(channel, [("MUG", 1, "9.99")], shipping_total=Decimal("1.01"))
    assert order.grand_total == Decimal("11.00")
    assert order.status == OrderStatus.READY


def test_a_channel_key_cannot_clear_the_oms_own_holds(mug):
    channel = SalesChannelFactory(code="risky", review_threshold=Decimal("10.00"))
    api = channel_api(channel)
    placed = api.post("/api/v1/orders/", order_body(), format="json").json()
    assert placed["status"] == "on_hold"
    fraud_hold = placed["holds"][0]
    assert fraud_hold["reason"] == "fraud_review"
    refused = api.post(f"/api/v1/orders/{placed['number']}/holds/{fraud_hold['id']}/release/")
    assert refused.status_code == 409
    assert "placed by the OMS" in refused.json()["error"]["message"]
    assert Order.objects.get().status == OrderStatus.ON_HOLD
    not_allowed = api.post(f"/api/v1/orders/{placed['number']}/holds/", {"reason": "fraud_review"})
    assert not_allowed.status_code == 400


def test_a_channel_key_releases_the_hold_it_placed(channel, mug):
    api = channel_api(channel)
    number = api.post("/api/v1/orders/", order_body(), format="json").json()["number"]
    held = api.post(f"/api/v1/orders/{number}/holds/", {"reason": "customer_request"}).json()
    released = api.post(f"/api/v1/orders/{number}/holds/{held['holds'][0]['id']}/release/")
    assert released.status_code == 200
    assert released.json()["status"] == "ready"
