"""What the order learns from fulfillment: units shipped, deliveries, carrier exceptions.

Shipping calls these (orders never imports shipping): it consumes the stock itself, then
records here what left, in the same transaction, so the order's lines, its allocation rows and
`StockLevel.allocated` always agree.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from inventory.models import StockLevel
from oms.errors import InvalidTransition
from orders import events
from orders.models import Allocation, Order, OrderLine, OrderStatus
from orders.services.common import lock_order, run_transition

SHIPPABLE_STATUSES = (OrderStatus.READY, OrderStatus.FULFILLING, OrderStatus.PARTIALLY_SHIPPED)


@dataclass(frozen=True)
class ShippedUnits:
    """`quantity` units of an order line that left from one stock level (warehouse)."""

    line: OrderLine
    stock_level: StockLevel
    quantity: int


@transaction.atomic
def order_start_fulfillment(*, order: Order, actor=None, actor_label=None) -> Order:
    """A first shipment is being prepared: ready → fulfilling (no-op once fulfilling)."""
    order = lock_order(order)
    if order.status == OrderStatus.READY:
        run_transition(order, "start_fulfillment", actor=actor, actor_label=actor_label)
    return order


@transaction.atomic
def order_record_shipment(
    *, order: Order, lines: Sequence[ShippedUnits], actor=None, actor_label=None
) -> Order:
    """Count shipped units on their lines and take them off the allocation rows; the order
    becomes partially shipped or shipped. The caller has consumed the stock (ledger `ship`)."""
    order = lock_order(order)
    if order.status not in SHIPPABLE_STATUSES:
        raise InvalidTransition(
            f"Order {order.number} is {order.get_status_display().lower()}: it cannot ship now."
        )
    by_id = {
        line.pk: line
        for line in OrderLine.objects.select_for_update()
        .filter(order=order, pk__in=[shipped.line.pk for shipped in lines])
        .order_by("id")
    }
    shipped_lines = []
    for shipped in lines:
        line = by_id.get(shipped.line.pk)
        if line is None:
            raise InvalidTransition(f"Line {shipped.line.pk} is not on order {order.number}.")
        if not 0 < shipped.quantity <= line.quantity_open:
            raise InvalidTransition(
                f"{line.sku}: {shipped.quantity} cannot ship; {line.quantity_open} are still open."
            )
        allocation = (
            Allocation.objects.select_for_update()
            .filter(order_line=line, stock_level=shipped.stock_level)
            .first()
        )
        if allocation is None or allocation.quantity < shipped.quantity:
            reserved = allocation.quantity if allocation else 0
            raise InvalidTransition(
                f"{line.sku}: only {reserved} are allocated at that warehouse; "
                f"{shipped.quantity} cannot ship from it."
            )
        if allocation.quantity == shipped.quantity:
            allocation.delete()
        else:
            allocation.quantity -= shipped.quantity
            allocation.save(update_fields=["quantity", "updated_at"])
        line.quantity_shipped += shipped.quantity
        line.save(update_fields=["quantity_shipped", "updated_at"])
        shipped_lines.append({"sku": line.sku, "quantity": shipped.quantity})
    everything = not any(line.quantity_open for line in order.lines.all())
    statuses = Order.FulfillmentStatus
    order.fulfillment_status = statuses.SHIPPED if everything else statuses.PARTIALLY_SHIPPED
    if everything:
        order.shipped_at = timezone.now()
    order.save(update_fields=["fulfillment_status", "shipped_at", "updated_at"])
    events.shipped(order, lines=shipped_lines, actor=actor, actor_label=actor_label)
    if everything:
        run_transition(order, "ship", actor=actor, actor_label=actor_label)
    elif order.status != OrderStatus.PARTIALLY_SHIPPED:
        run_transition(order, "ship_partially", actor=actor, actor_label=actor_label)
    return order


@transaction.atomic
def order_mark_delivered(*, order: Order, actor_label: str = "carrier") -> Order:
    """Every shipment of a shipped order was delivered: the order is delivered."""
    order = lock_order(order)
    if order.status == OrderStatus.SHIPPED:
        order.fulfillment_status = Order.FulfillmentStatus.DELIVERED
        order.save(update_fields=["fulfillment_status", "updated_at"])
        run_transition(order, "deliver", actor=None, actor_label=actor_label)
    return order


@transaction.atomic
def order_shipment_exception_set(*, order: Order, active: bool, note: str = "") -> Order:
    """Flag (or clear) a carrier exception on one of the order's shipments; a flagged order is
    in Needs attention whatever its status."""
    order = lock_order(order)
    if order.shipment_exception == active:
        return order
    order.shipment_exception = active
    order.save(update_fields=["shipment_exception", "updated_at"])
    if active:
        events.shipment_exception(order, note=note)
    return order


LATE_NOTE_BATCH = 500


def orders_note_late(*, now=None) -> list[str]:
    """Orders that passed their ship-by unshipped get a timeline entry saying so, once each."""
    now = now or timezone.now()
    noted = []
    late = Order.objects.late(now).filter(late_noted_at__isnull=True).order_by("ship_by", "id")
    for order_id in list(late.values_list("pk", flat=True)[:LATE_NOTE_BATCH]):
        with transaction.atomic():
            order = lock_order(Order(pk=order_id))
            if order.late_noted_at is not None or not order.is_late:
                continue
            order.late_noted_at = now
            order.save(update_fields=["late_noted_at", "updated_at"])
            events.turned_late(order)
            noted.append(order.number)
    return noted


@transaction.atomic
def order_record_return(
    *, order: Order, lines: Sequence[tuple[OrderLine, int]], actor=None, actor_label=None
) -> Order:
    """Returned units arrived: count them on their lines (never more than shipped). Called by
    the returns app, which restocks what is sellable itself."""
    order = lock_order(order)
    by_id = {
        line.pk: line
        for line in OrderLine.objects.select_for_update()
        .filter(order=order, pk__in=[line.pk for line, _ in lines])
        .order_by("id")
    }
    for given, quantity in lines:
        line = by_id.get(given.pk)
        if line is None:
            raise InvalidTransition(f"Line {given.pk} is not on order {order.number}.")
        if not 0 < quantity <= line.quantity_shipped - line.quantity_returned:
            raise InvalidTransition(
                f"{line.sku}: {quantity} cannot come back; "
                f"{line.quantity_shipped - line.quantity_returned} shipped and not returned."
            )
        line.quantity_returned += quantity
        line.save(update_fields=["quantity_returned", "updated_at"])
    return order
