"""What the order learns from fulfillment: shipped units, resumed holds, cancelling the rest."""

from decimal import Decimal

import pytest

from inventory import services as stock
from inventory.models import StockLevel
from oms.errors import InvalidTransition
from orders.errors import OrderNotEditable
from orders.models import Allocation, HoldReason, Order, OrderStatus
from orders.services import (
    ShippedUnits,
    order_cancel,
    order_hold,
    order_hold_release,
    order_line_cancel,
    order_line_set_quantity,
    order_record_shipment,
    order_start_fulfillment,
)
from orders.signals import order_line_cancelled
from tests.inventory.factories import ProductFactory, WarehouseFactory, give_stock
from tests.orders.factories import SalesChannelFactory, capture

pytestmark = pytest.mark.django_db
S = OrderStatus


@pytest.fixture
def east():
    return WarehouseFactory(code="EAST", priority=1)


@pytest.fixture
def order(east):
    for sku in ("MUG", "TEE"):
        give_stock(ProductFactory(sku=sku), east, 10)
    return capture(SalesChannelFactory(code="web"), [("MUG", 3, "10.00"), ("TEE", 1, "20.00")])


def ship(order: Order, sku: str, quantity: int, *, actor=None) -> Order:
    """What shipping does: consume the stock, then record the units on the order."""
    line = order.lines.get(sku=sku)
    level = Allocation.objects.get(order_line=line).stock_level
    stock.stock_consume(
        lines=[stock.StockLine(level.product, level.warehouse, quantity)], reference="test"
    )
    return order_record_shipment(
        order=order, lines=[ShippedUnits(line, level, quantity)], actor=actor
    )


def level(sku: str) -> StockLevel:
    return StockLevel.objects.get(product__sku=sku)


def test_shipping_part_counts_units_and_takes_them_off_the_allocations(order):
    order_start_fulfillment(order=order)
    ship(order, "MUG", 2)
    order.refresh_from_db()
    assert (order.status, order.fulfillment_status) == (S.PARTIALLY_SHIPPED, "partially_shipped")
    mug = order.lines.get(sku="MUG")
    assert (mug.quantity_shipped, mug.quantity_open, mug.quantity_net) == (2, 1, 3)
    assert Allocation.objects.get(order_line=mug).quantity == 1
    assert (level("MUG").on_hand, level("MUG").allocated) == (8, 1)
    assert order.events.filter(type="shipped", message="Shipped 2 × MUG.").exists()


def test_shipping_everything_makes_the_order_shipped(order):
    ship(order, "MUG", 3)
    ship(order, "TEE", 1)
    order.refresh_from_db()
    assert (order.status, order.fulfillment_status) == (S.SHIPPED, "shipped")
    assert not Allocation.objects.filter(order_line__order=order).exists()
    assert order.grand_total == Decimal("50.00")  # shipping changes no totals


def test_more_than_is_open_or_allocated_cannot_ship(order):
    line = order.lines.get(sku="MUG")
    allocated_at = Allocation.objects.get(order_line=line).stock_level
    with pytest.raises(InvalidTransition, match="cannot ship"):
        order_record_shipment(order=order, lines=[ShippedUnits(line, allocated_at, 4)])
    elsewhere = give_stock(line.product, WarehouseFactory(code="WEST"), 5)
    with pytest.raises(InvalidTransition, match="allocated at that warehouse"):
        order_record_shipment(order=order, lines=[ShippedUnits(line, elsewhere, 1)])
    assert order.lines.get(sku="MUG").quantity_shipped == 0


def test_an_order_on_hold_does_not_ship(order, support_user):
    order_hold(order=order, reason=HoldReason.MANUAL, actor=support_user)
    with pytest.raises(InvalidTransition, match="on hold"):
        ship(order, "MUG", 1)


@pytest.mark.parametrize("shipped_first", [False, True])
def test_a_hold_in_fulfillment_returns_the_order_where_it_was(order, support_user, shipped_first):
    order_start_fulfillment(order=order)
    if shipped_first:
        ship(order, "MUG", 1)
    before = Order.objects.get(pk=order.pk).status
    hold = order_hold(order=order, reason=HoldReason.CUSTOMER_REQUEST, actor=support_user)
    held = Order.objects.get(pk=order.pk)
    assert (held.status, held.status_before_hold) == (S.ON_HOLD, before)
    allocated = level("MUG").allocated
    order_hold_release(order=order, hold=hold, actor=support_user)
    released = Order.objects.get(pk=order.pk)
    assert (released.status, released.status_before_hold) == (before, "")
    # Resumed, not processed again: nothing was released or re-allocated.
    assert level("MUG").allocated == allocated


def test_an_order_held_in_fulfillment_cannot_be_edited(order, support_user):
    order_start_fulfillment(order=order)
    order_hold(order=order, reason=HoldReason.MANUAL, actor=support_user)
    with pytest.raises(OrderNotEditable):
        order_line_set_quantity(
            order=order, line=order.lines.get(sku="MUG"), quantity=1, actor=support_user
        )


def test_cancelling_the_unshipped_rest_of_a_line_while_fulfilling(order, support_user):
    heard = []

    def listen(**kwargs):
        heard.append(kwargs["quantity"])

    order_line_cancelled.connect(listen, dispatch_uid="test-listener")
    try:
        order_start_fulfillment(order=order)
        ship(order, "MUG", 1)
        order_line_cancel(order=order, line=order.lines.get(sku="MUG"), actor=support_user)
    finally:
        order_line_cancelled.disconnect(dispatch_uid="test-listener")
    mug = Order.objects.get(pk=order.pk).lines.get(sku="MUG")
    assert (mug.quantity_shipped, mug.quantity_cancelled, mug.quantity_open) == (1, 2, 0)
    assert heard == [2]
    assert (level("MUG").on_hand, level("MUG").allocated) == (9, 0)
    order.refresh_from_db()
    assert order.status == S.PARTIALLY_SHIPPED
    assert order.grand_total == Decimal("30.00")  # 1 mug + 1 tee


def test_cancelling_a_partly_shipped_order_cancels_the_rest_and_leaves_it_shipped(
    order, support_user
):
    ship(order, "MUG", 2)
    order_cancel(order=order, reason="customer does not want the rest", actor=support_user)
    order.refresh_from_db()
    assert order.status == S.SHIPPED
    assert [
        (line.sku, line.quantity_shipped, line.quantity_cancelled) for line in order.lines.all()
    ] == [
        ("MUG", 2, 1),
        ("TEE", 0, 1),
    ]
    assert order.grand_total == Decimal("20.00")
    assert (level("MUG").allocated, level("TEE").allocated) == (0, 0)
    assert order.events.filter(type="cancelled", data__partial=True).exists()


def test_cancelling_the_last_open_units_of_a_held_partly_shipped_order(order, support_user):
    ship(order, "MUG", 3)
    hold = order_hold(order=order, reason=HoldReason.MANUAL, actor=support_user)
    order_line_cancel(order=order, line=order.lines.get(sku="TEE"), actor=support_user)
    assert Order.objects.get(pk=order.pk).status == S.ON_HOLD
    order_hold_release(order=order, hold=hold, actor=support_user)
    assert Order.objects.get(pk=order.pk).status == S.SHIPPED
