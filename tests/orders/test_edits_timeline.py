"""An edit writes one timeline entry with what changed and what followed, and the tax follows
the subtotal in proportion (or the entry says it could not)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from oms.models import WebhookEvent
from orders.models import OrderStatus
from orders.services import (
    order_line_add,
    order_line_cancel,
    order_line_remove,
    order_line_set_quantity,
)
from tests.inventory.factories import ProductFactory, WarehouseFactory, give_stock
from tests.oms.factories import WebhookEndpointFactory
from tests.orders.factories import SalesChannelFactory, capture

pytestmark = pytest.mark.django_db
S = OrderStatus


@pytest.fixture
def channel():
    return SalesChannelFactory(code="web")


@pytest.fixture
def east():
    return WarehouseFactory(code="EAST", country="US", priority=1)


@pytest.fixture
def mug(east):
    product = ProductFactory(sku="MUG", price=Decimal("10.00"))
    give_stock(product, east, 5)
    return product


@pytest.fixture
def status_hooks():
    """A subscriber to status changes, so each publication leaves an outbox row."""
    return WebhookEndpointFactory(events=["order.status_changed"])


def new_events(order, after_id: int) -> list:
    return list(order.events.filter(id__gt=after_id).order_by("id"))


def last_event_id(order) -> int:
    return order.events.order_by("-id").values_list("id", flat=True).first()


def status_publications(order) -> list[tuple[str, str]]:
    return [
        (event.payload["from"], event.payload["to"])
        for event in WebhookEvent.objects.filter(event="order.status_changed").order_by("id")
        if event.payload["number"] == order.number
    ]


def test_a_quantity_change_writes_one_entry_with_the_diff_and_scales_the_tax(
    channel, mug, support_user, status_hooks
):
    order = capture(channel, [("MUG", 2, "10.00")], tax_total=Decimal("1.60"))
    assert (order.status, order.grand_total) == (S.READY, Decimal("21.60"))
    before, published = last_event_id(order), status_publications(order)

    order_line_set_quantity(order=order, line=order.lines.get(), quantity=3, actor=support_user)

    order.refresh_from_db()
    assert (order.status, order.subtotal, order.tax_total, order.grand_total) == (
        S.READY,
        Decimal("30.00"),
        Decimal("2.40"),
        Decimal("32.40"),
    )
    [entry] = new_events(order, before)
    assert entry.type == "edited"
    assert entry.actor == support_user
    assert entry.message.startswith(
        "Edited: MUG quantity 2 → 3. "
        "Subtotal 20.00 → 30.00, tax 1.60 → 2.40, total 21.60 → 32.40 USD. "
        "Allocated from EAST"
    )
    assert "Status" not in entry.message
    assert entry.data["totals"]["tax_total"] == ["1.60", "2.40"]
    assert entry.data["allocation"]["allocations"] == [
        {"sku": "MUG", "warehouse": "EAST", "quantity": 3}
    ]
    # Ready → pending → ready is not news for subscribers either.
    assert status_publications(order) == published


def test_an_edit_that_ends_backordered_says_so_once(channel, mug, support_user, status_hooks):
    order = capture(channel, [("MUG", 2)])
    before, published = last_event_id(order), status_publications(order)

    order_line_set_quantity(order=order, line=order.lines.get(), quantity=7, actor=support_user)

    order.refresh_from_db()
    assert order.status == S.BACKORDERED
    [entry] = new_events(order, before)
    assert "short MUG ×2, which is backordered." in entry.message
    assert entry.message.endswith("Status ready → backordered.")
    assert entry.data["status"] == {"from": "ready", "to": "backordered"}
    assert status_publications(order) == [*published, ("ready", "backordered")]


def test_the_tax_comes_back_to_the_cent_after_edits_there_and_back(channel, mug, support_user):
    order = capture(channel, [("MUG", 3, "1.00")], tax_total=Decimal("1.00"))
    line = order.lines.get()
    taxes = []
    for quantity in (2, 3, 1, 3):
        order_line_set_quantity(order=order, line=line, quantity=quantity, actor=support_user)
        order.refresh_from_db()
        taxes.append(order.tax_total)
    assert taxes == [Decimal("0.67"), Decimal("1.00"), Decimal("0.33"), Decimal("1.00")]


def test_tax_on_a_zero_subtotal_is_kept_and_the_entry_says_it_cannot_be_scaled(
    channel, mug, support_user
):
    order = capture(channel, [("MUG", 1, "0.00")], tax_total=Decimal("5.00"))
    before = last_event_id(order)

    order_line_add(
        order=order, product=mug, quantity=1, unit_price=Decimal("10.00"), actor=support_user
    )

    order.refresh_from_db()
    assert (order.subtotal, order.tax_total, order.grand_total) == (
        Decimal("10.00"),
        Decimal("5.00"),
        Decimal("15.00"),
    )
    [entry] = new_events(order, before)
    assert "tax 5.00 USD kept as it was: with no subtotal before, it cannot be scaled" in (
        entry.message
    )
    assert entry.data["tax_kept"] is True


def test_removing_and_cancelling_lines_write_one_entry_each(channel, mug, east, support_user):
    cup = ProductFactory(sku="CUP")
    give_stock(cup, east, 5)
    bowl = ProductFactory(sku="BOWL")
    give_stock(bowl, east, 5)
    order = capture(channel, [("MUG", 1), ("CUP", 1), ("BOWL", 1)], tax_total=Decimal("3.00"))

    before = last_event_id(order)
    order_line_remove(order=order, line=order.lines.get(sku="CUP"), actor=support_user)
    [removed] = new_events(order, before)
    assert removed.message.startswith("Edited: removed 1 × CUP. Subtotal 30.00 → 20.00, tax ")

    before = last_event_id(order)
    order_line_cancel(order=order, line=order.lines.get(sku="BOWL"), actor=support_user)
    [cancelled] = new_events(order, before)
    assert cancelled.type == "edited"
    assert cancelled.message.startswith("Edited: cancelled the remaining 1 × BOWL.")
    order.refresh_from_db()
    assert (order.status, order.subtotal, order.tax_total) == (
        S.READY,
        Decimal("10.00"),
        Decimal("1.00"),
    )


def test_an_inline_quantity_edit_on_the_order_page_writes_one_entry(
    client, channel, mug, support_user
):
    order = capture(channel, [("MUG", 1)], tax_total=Decimal("0.80"))
    line = order.lines.get()
    before = last_event_id(order)
    client.force_login(support_user)

    response = client.post(
        reverse("orders:line_quantity", args=[order.number, line.pk]),
        {"quantity": "2"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    [entry] = new_events(order, before)
    assert entry.message.startswith(
        "Edited: MUG quantity 1 → 2. Subtotal 10.00 → 20.00, tax 0.80 → 1.60"
    )
    assert "tax 0.80 → 1.60" in response.content.decode()
