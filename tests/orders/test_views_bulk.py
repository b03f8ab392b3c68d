"""Bulk actions: each selected order is handled on its own, and the outcome is one summary
with the refusals and their reasons folded under it."""

import csv
import re
from html import unescape as html_unescape
from io import StringIO

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from orders import forms as order_forms
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


def banners(html: str) -> list[str]:
    """The flash messages an htmx answer carries (each `<div class="flash …">`)."""
    return re.findall(r'<div class="flash flash-(\w+)"', html)


def ticked(html: str) -> set[str]:
    return set(re.findall(r'name="orders" value="([^"]+)"[^>]*\bchecked\b', html))


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
    assert flashed(response) == ["Held 2 of 2."]


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
    assert "<summary>Cancelled 2 of 4; 2 could not be cancelled.</summary>" in html
    assert f"<li>Order {orders[1].number} is cancelled: it cannot be cancelled now.</li>" in html
    assert "<li>SO-999999: no such order.</li>" in html
    assert banners(html) == ["warning"]
    assert statuses(orders) == ["cancelled", "cancelled", "ready", "cancelled"]
    # The queue is swapped in again, with the outcome as an out-of-band flash message.
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
    assert "<summary>Released 2 of 3; 1 could not be released.</summary>" in html
    assert f"<li>{orders[2].number}: it has no active hold to release.</li>" in html


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


# --- one answer for many orders ---------------------------------------------------------------


def test_fifty_orders_with_three_refusals_answer_with_one_summary(client, support_user):
    give_stock(ProductFactory(sku="MUG"), WarehouseFactory(code="WEST"), 100)
    channel = SalesChannelFactory(code="shop")
    orders = [capture(channel, [("MUG", 1)], email=f"m{i}@example.com") for i in range(50)]
    refused = [orders[4], orders[20], orders[41]]
    for order in refused:
        order_cancel(order=order, reason="customer changed their mind", actor=None)
    client.force_login(support_user)
    response = client.post(
        BULK,
        {
            "action": "hold",
            "orders": [order.number for order in orders],
            "hold_reason": "fraud_review",
        },
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert banners(html) == ["warning"]
    assert "<summary>Held 47 of 50; 3 could not be held.</summary>" in html
    failures = re.search(r'<details class="bulk-failures">.*?</details>', html, re.S).group()
    assert re.findall(r"<li>(.*?)</li>", failures) == [
        f"Order {order.number} is cancelled: it cannot be put on hold now." for order in refused
    ]
    held = Order.objects.filter(status=OrderStatus.ON_HOLD)
    assert held.count() == 47
    assert not held.filter(pk__in=[order.pk for order in refused]).exists()


def test_every_order_done_is_one_success_banner(client, support_user, orders):
    client.force_login(support_user)
    response = client.post(
        BULK,
        {"action": "hold", "orders": [o.number for o in orders], "hold_reason": "manual"},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert banners(html) == ["success"]
    assert "Held 4 of 4." in html
    assert "bulk-failures" not in html


def test_a_refused_bulk_action_keeps_the_selection_and_the_choices(client, support_user, orders):
    client.force_login(support_user)
    chosen = {orders[1].number, orders[3].number}
    data = {
        "action": "hold",
        "orders": sorted(chosen),
        "note": "Call first",
        "query": "queue=ready",
    }
    partial = client.post(BULK, data, headers={"HX-Request": "true"}).content.decode()
    page = client.post(BULK, data)
    for html in (partial, page.content.decode()):
        assert ticked(html) == chosen
        assert 'value="Call first"' in html
        assert "Choose why the orders are held." in html
    assert banners(partial) == ["error"]
    assert page.status_code == 200 and b"<html" in page.content
    assert statuses(orders) == ["ready"] * 4


def test_a_refused_action_on_a_later_page_shows_that_page_again(client, support_user, orders):
    extra = [capture(orders[0].channel, [("TEE", 1)]) for _ in range(10)]
    client.force_login(support_user)
    first_page = client.get(reverse("orders:queue"), {"per_page": 10, "sort": "oldest"})
    second_page = client.get(first_page.context["next_url"]).content.decode()
    # The bulk form carries the page on screen (its filters and cursor) as `query`.
    query = html_unescape(
        re.search(
            r'<input type="hidden" name="query" value="([^"]*)">\s*<div class="bulk-bar"',
            second_page,
        ).group(1)
    )
    response = client.post(
        BULK,
        {"action": "cancel", "orders": [extra[-1].number], "query": query},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    # Fourteen orders, oldest first: the second page holds the last four, one still ticked.
    shown = [order.number for order in response.context["page"].orders]
    assert shown == [order.number for order in extra[6:]]
    assert ticked(html) == {extra[-1].number}
    assert "Say why the orders are cancelled." in html


# --- every order matching the filters ---------------------------------------------------------


@pytest.fixture
def many_ready(orders):
    """Fourteen ready orders on the web channel (two pages of ten) and two on another."""
    web = orders[0].channel
    more = [capture(web, [("TEE", 1)], email=f"w{i}@example.com") for i in range(10)]
    elsewhere = SalesChannelFactory(code="market")
    others = [capture(elsewhere, [("TEE", 1)]) for _ in range(2)]
    return orders + more, others


def test_the_queue_offers_all_matching_orders_when_they_reach_beyond_the_page(
    client, support_user, many_ready
):
    client.force_login(support_user)
    paged = client.get(reverse("orders:queue"), {"channel": "web", "per_page": 10}).content
    assert b"All 14 orders matching these filters" in paged
    one_page = client.get(reverse("orders:queue"), {"channel": "market"}).content
    assert b"orders matching these filters" not in one_page


def test_all_matching_runs_over_orders_beyond_the_first_page(client, support_user, many_ready):
    web, others = many_ready
    client.force_login(support_user)
    response = client.post(
        BULK,
        {
            "action": "hold",
            "scope": "matching",
            "hold_reason": "customer_request",
            "query": "channel=web&per_page=10",
        },
        headers={"HX-Request": "true"},
    )
    assert "Held 14 of 14." in response.content.decode()
    assert statuses(web) == ["on_hold"] * 14
    assert statuses(others) == ["ready", "ready"]
    assert OrderHold.objects.filter(reason="customer_request").count() == 14


def test_all_matching_exports_every_matching_order(client, fulfillment_user, many_ready):
    web, _ = many_ready
    client.force_login(fulfillment_user)
    response = client.post(
        BULK, {"action": "export", "scope": "matching", "query": "channel=web&per_page=10"}
    )
    rows = list(csv.DictReader(StringIO(b"".join(response.streaming_content).decode())))
    assert sorted(row["number"] for row in rows) == sorted(order.number for order in web)


def test_more_matches_than_the_limit_are_refused_and_nothing_changes(
    client, support_user, many_ready, monkeypatch
):
    monkeypatch.setattr(order_forms, "BULK_LIMIT", 10)
    client.force_login(support_user)
    response = client.post(
        BULK,
        {"action": "cancel", "scope": "matching", "reason": "x", "query": "channel=web"},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert "More than 10 orders match these filters, and one bulk action takes at most 10" in html
    assert banners(html) == ["error"]
    assert not Order.objects.filter(status=OrderStatus.CANCELLED).exists()


def test_the_queue_says_when_more_orders_match_than_one_action_takes(
    client, support_user, many_ready, monkeypatch
):
    monkeypatch.setattr("orders.views.queues.BULK_LIMIT", 10)
    client.force_login(support_user)
    html = client.get(reverse("orders:queue"), {"channel": "web", "per_page": 10}).content
    assert b"More than 10 orders match: one bulk action takes at most 10" in html
    assert b'name="scope"' not in html
