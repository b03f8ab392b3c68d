"""Bulk actions: each selected order is handled on its own, and each outcome is reported."""

import csv
from io import StringIO

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from orders.models import Order, OrderHold, OrderStatus
from orders.services import order_cancel, order_hold
from tests.inventory.factories import ProductFactory, WarehouseFactory, give_stock
from tests.orders.factories import SalesChannelFactory, capture

pytestmark = pytest.mark.django_db

BULK = reverse("orders:bulk")


@pytest.fixture
def orders():
    give_stock(ProductFactory(sku="TEE"), WarehouseFactory(code="EAST"), 100)
    channel = SalesChannelFactory(code="web")
    return [capture(channel, [("TEE", 1)], email=f"c{i}@example.com") for i in range(4)]


def statuses(orders) -> list[str]:
    return [Order.objects.get(pk=order.pk).status for order in orders]


def flashed(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_bulk_hold_holds_exactly_the_selected_orders(client, fulfillment_user, orders):
    client.force_login(fulfillment_user)
    response = client.post(
        BULK,
        {
            "action": "hold",
            "orders": [orders[0].number, orders[2].number],
            "hold_reason": "customer_request",
            "note": "Wants to change size",
            "query": "queue=ready",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('orders:queue')}?queue=ready"
    assert statuses(orders) == ["on_hold", "ready", "on_hold", "ready"]
    holds = OrderHold.objects.filter(order__in=[orders[0], orders[2]])
    assert {(hold.reason, hold.note, hold.placed_by) for hold in holds} == {
        ("customer_request", "Wants to change size", fulfillment_user)
    }
    assert flashed(response) == [
        "Hold: 2 of 2 orders done.",
        f"{orders[0].number} put on hold (Customer request).",
        f"{orders[2].number} put on hold (Customer request).",
    ]


def test_bulk_cancel_reports_each_order_and_skips_the_impossible(client, support_user, orders):
    order_cancel(order=orders[1], reason="earlier", actor=None)
    client.force_login(support_user)
    selected = [orders[0].number, orders[1].number, orders[3].number, "SO-999999"]
    response = client.post(
        BULK,
        {"action": "cancel", "orders": selected, "reason": "Out of business"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert f"{orders[0].number} cancelled." in html
    assert f"{orders[3].number} cancelled." in html
    assert f"Order {orders[1].number} is cancelled: it cannot be cancelled now." in html
    assert "SO-999999: no such order." in html
    assert "Cancel: 2 of 4 orders done." in html
    assert statuses(orders) == ["cancelled", "cancelled", "ready", "cancelled"]
    # The queue is swapped in again, with the outcome as out-of-band flash messages.
    assert 'id="queue"' in html and 'hx-swap-oob="true"' in html


def test_bulk_release_releases_every_hold_and_the_orders_become_ready(client, manager_user, orders):
    order_hold(order=orders[0], reason="fraud_review", actor=None)
    order_hold(order=orders[0], reason="manual", actor=None)
    order_hold(order=orders[1], reason="manual", actor=None)
    client.force_login(manager_user)
    response = client.post(
        BULK, {"action": "release", "orders": [o.number for o in orders[:3]]}, follow=True
    )
    assert statuses(orders) == ["ready", "ready", "ready", "ready"]
    assert not OrderHold.objects.filter(released_at__isnull=True).exists()
    assert OrderHold.objects.filter(released_by=manager_user).count() == 3
    html = response.content.decode()
    assert f"{orders[0].number} released: now ready to fulfill." in html
    assert f"{orders[2].number}: it has no active hold to release." in html


def test_fulfillment_may_not_bulk_cancel_or_release(client, fulfillment_user, orders):
    order_hold(order=orders[0], reason="manual", actor=None)
    client.force_login(fulfillment_user)
    for action in ("cancel", "release"):
        response = client.post(
            BULK, {"action": action, "orders": [orders[0].number], "reason": "x"}
        )
        assert response.status_code == 403
    assert statuses(orders)[0] == OrderStatus.ON_HOLD


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"action": "hold"}, "Choose why the orders are held."),
        ({"action": "cancel", "reason": "  "}, "Say why the orders are cancelled."),
        ({"action": "hold", "hold_reason": "bored"}, "Select a valid choice."),
    ],
)
def test_bulk_input_errors_change_nothing(client, support_user, orders, data, message):
    client.force_login(support_user)
    response = client.post(BULK, {**data, "orders": [orders[0].number]}, follow=True)
    assert message in response.content.decode()
    assert statuses(orders) == ["ready"] * 4
    assert not OrderHold.objects.exists()


def test_nothing_selected_is_explained(client, support_user, orders):
    client.force_login(support_user)
    response = client.post(BULK, {"action": "release"}, follow=True)
    assert "Select at least one order." in response.content.decode()


def test_export_csv_of_the_selected_orders(client, fulfillment_user, orders):
    order_hold(order=orders[1], reason="fraud_review", actor=None)
    client.force_login(fulfillment_user)
    response = client.post(
        BULK, {"action": "export", "orders": [orders[1].number, orders[0].number]}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="orders-')
    body = b"".join(response.streaming_content).decode()
    rows = list(csv.DictReader(StringIO(body)))
    assert [row["number"] for row in rows] == [orders[0].number, orders[1].number]
    assert rows[1]["status"] == "on_hold"
    assert rows[1]["active_holds"] == "fraud_review"
    assert rows[0]["email"] == "c0@example.com"
    assert rows[0]["grand_total"] == "10.00"
