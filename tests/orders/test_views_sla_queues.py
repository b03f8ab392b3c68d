"""The At risk and Late queues on the orders screen, and the order page's header badges: an
open order due to ship within four hours is at risk; one past its ship-by is late."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from orders.models import Order
from orders.services import order_cancel
from tests.inventory.factories import ProductFactory, WarehouseFactory, give_stock
from tests.orders.factories import SalesChannelFactory, capture

pytestmark = pytest.mark.django_db
QUEUE = reverse("orders:queue")


@pytest.fixture
def due(db):
    """Orders (ready, allocated) due to ship `hours` from now."""
    give_stock(ProductFactory(sku="MUG"), WarehouseFactory(code="EAST"), 100)
    channel = SalesChannelFactory(code="web")

    def order_due_in(hours: float) -> Order:
        order = capture(channel, [("MUG", 1)])
        Order.objects.filter(pk=order.pk).update(ship_by=timezone.now() + timedelta(hours=hours))
        return Order.objects.get(pk=order.pk)

    return order_due_in


@pytest.fixture
def support(client, support_user):
    client.force_login(support_user)
    return client


def numbers(response) -> list[str]:
    return [order.number for order in response.context["page"].orders]


def header_badges(html: str) -> list[str]:
    status_line = re.search(
        r'<p class="status-line" data-testid="order-status">.*?</p>', html, re.S
    )
    return re.findall(r'<span class="badge[^"]*">([^<]+)</span>', status_line[0])


def test_an_order_due_in_three_hours_is_at_risk_and_one_past_ship_by_is_late(support, due):
    soon, late, later = due(3), due(-2), due(10)
    at_risk_page = support.get(QUEUE, {"queue": "at_risk"})
    late_page = support.get(QUEUE, {"queue": "late"})
    assert numbers(at_risk_page) == [soon.number]
    assert numbers(late_page) == [late.number]
    ready = numbers(support.get(QUEUE, {"queue": "ready"}))
    assert sorted(ready) == sorted([soon.number, late.number, later.number])


def test_the_at_risk_tab_shows_its_count_and_is_current_when_open(support, due):
    due(3)
    due(1)
    due(-5)
    html = support.get(QUEUE, {"queue": "at_risk"}).content.decode()
    assert (
        f'<a href="{QUEUE}?queue=at_risk" hx-get="{QUEUE}?queue=at_risk" hx-push-url="true"'
        ' aria-current="page">At risk <span class="count">2</span></a>'
    ) in html
    assert (
        f'<a href="{QUEUE}?queue=late" hx-get="{QUEUE}?queue=late" hx-push-url="true">'
        'Late <span class="count">1</span></a>'
    ) in html
    assert '<caption class="visually-hidden">At risk</caption>' in html


def test_the_at_risk_tab_keeps_its_filters_for_htmx(support, due):
    soon = due(3)
    response = support.get(
        QUEUE, {"queue": "at_risk", "sort": "ship_by"}, headers={"HX-Request": "true"}
    )
    assert response.content.decode().lstrip().startswith('<div id="queue"')
    assert numbers(response) == [soon.number]


def test_the_order_page_says_at_risk_or_late_in_its_header(support, due):
    soon, late, later = due(3), due(-2), due(10)
    badges = {
        order: header_badges(
            support.get(reverse("orders:detail", args=[order.number])).content.decode()
        )
        for order in (soon, late, later)
    }
    assert "At risk" in badges[soon] and "Late" not in badges[soon]
    assert "Late" in badges[late] and "At risk" not in badges[late]
    assert "At risk" not in badges[later] and "Late" not in badges[later]


def test_a_cancelled_or_late_order_is_not_at_risk(due, support_user):
    order = due(2)
    assert order.is_at_risk
    order_cancel(order=order, reason="changed mind", actor=support_user)
    assert not Order.objects.get(pk=order.pk).is_at_risk
    assert not due(-1).is_at_risk  # late, not at risk


def test_the_home_page_and_navigation_are_unaffected(support, due):
    due(3)
    html = support.get(reverse("home")).content.decode()
    nav = re.search(r'<nav class="sidenav".*?</nav>', html, re.S)[0]
    assert "At risk" not in nav and "queue=at_risk" not in html
    assert f'<a href="{QUEUE}">Orders</a>' in nav
    assert support.get(QUEUE, {"queue": "at_risk"}).status_code == 200
