"""Edits staff make to an order before it ships: line quantities, lines added, removed or
cancelled, the shipping address.

An edit of the lines re-runs processing (ready → pending → ready, or backordered) and
recomputes the totals (`orders.services.totals`). The steps in between are not news: the edit
writes one timeline entry with what was changed and what followed from it — the totals, the
allocation, the status it ended in — and publishes one status change if the status moved.
"""

from decimal import Decimal

from django.db import transaction
from django.db.models import F

from inventory.models import Product
from oms.errors import InvalidTransition
from oms.validators import normalize_country
from orders import events
from orders.errors import OrderInvalid, OrderNotEditable
from orders.models import RESUMED_STATUSES, HoldReason, Order, OrderLine, OrderStatus, may_edit
from orders.services.common import (
    check_order_fits,
    lock_order,
    publish_status_change,
    run_transition,
)
from orders.services.lifecycle import (
    cancel_open_units,
    order_cancel,
    order_hold,
    shipped_if_nothing_open,
)
from orders.services.processing import (
    allocate_outstanding,
    lock_order_stock,
    process_order,
    release_allocations,
    update_fulfillment_status,
)
from orders.services.rules import address_problems
from orders.services.totals import recompute_totals

EDITABLE = (OrderStatus.PENDING, OrderStatus.ON_HOLD, OrderStatus.BACKORDERED, OrderStatus.READY)
CANCELLABLE_LINE_STATUSES = (
    *EDITABLE,
    OrderStatus.FULFILLING,
    OrderStatus.PARTIALLY_SHIPPED,
)


def _editable(order: Order, actor, *, adding: Product | None = None) -> Order:
    """Lock an order for an edit, and every stock level the edit may touch.

    An edit releases some allocations and then allocates again; taking all of the order's
    levels in one id-ordered lock first keeps those two steps from locking out of order
    against a concurrent capture.
    """
    if not may_edit(order, actor if getattr(actor, "pk", None) else None):
        raise InvalidTransition("Your role may not edit orders.")
    order = lock_order(order)
    held_in_fulfillment = order.status_before_hold in RESUMED_STATUSES
    if order.status not in EDITABLE or held_in_fulfillment:
        raise OrderNotEditable(
            f"Order {order.number} is {order.get_status_display().lower()}: "
            "it can only be edited before fulfillment starts."
        )
    lock_order_stock(order, extra_product_ids={adding.pk} if adding else set())
    return order


def _finish_edit(order: Order, *, previous_status: str, changes: list[str], actor) -> Order:
    """After lines change: totals follow; a ready or backordered order is processed again, one
    on hold or in fulfillment is only topped up; then one entry and one status publication."""
    totals = recompute_totals(order)
    if order.status in (OrderStatus.READY, OrderStatus.BACKORDERED):
        run_transition(order, "reopen", actor=None, actor_label="system", quiet=True)
    if order.status == OrderStatus.PENDING:
        allocation = process_order(order, actor=actor, quiet=True)
    else:
        lines = list(order.lines.select_related("product"))
        allocation = allocate_outstanding(order, lines, actor=actor, record=False)
        update_fulfillment_status(order)
    events.edited(
        order,
        changes=changes,
        actor=actor,
        totals=totals,
        allocation=allocation,
        previous_status=previous_status,
    )
    if order.status != previous_status:
        publish_status_change(order, previous_status)
    return order


@transaction.atomic
def order_line_set_quantity(*, order: Order, line: OrderLine, quantity: int, actor) -> Order:
    """Change how many units a line orders; allocation, totals and tax follow."""
    order = _editable(order, actor)
    line = OrderLine.objects.select_for_update().get(pk=line.pk, order=order)
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity <= 0:
        raise OrderInvalid("Quantity must be above zero.", fields={"quantity": ["Above zero."]})
    if quantity < line.quantity_cancelled + line.quantity_shipped:
        raise OrderInvalid("Quantity cannot go below what was already cancelled or shipped.")
    previous = line.quantity
    if previous == quantity:
        return order
    previous_status = order.status
    release_allocations(order, lines=[line], actor=actor, note="line edited")
    line.quantity = quantity
    line.save(update_fields=["quantity", "updated_at"])
    return _finish_edit(
        order,
        previous_status=previous_status,
        changes=[f"{line.sku} quantity {previous} → {quantity}"],
        actor=actor,
    )


@transaction.atomic
def order_line_add(
    *, order: Order, product: Product, quantity: int, unit_price: Decimal | None, actor
) -> OrderLine:
    """Add a catalog product to the order; allocation follows."""
    order = _editable(order, actor, adding=product)
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity <= 0:
        raise OrderInvalid("Quantity must be above zero.", fields={"quantity": ["Above zero."]})
    price = Decimal(product.price if unit_price is None else unit_price)
    check_order_fits(
        subtotal=order.subtotal + price * quantity,
        grand_total=order.grand_total + price * quantity,
        units=order.units + quantity,
    )
    previous_status = order.status
    line = OrderLine.objects.create(
        order=order,
        product=product,
        sku=product.sku,
        name=product.name,
        quantity=quantity,
        unit_price=price,
        line_total=price * quantity,
    )
    _finish_edit(
        order,
        previous_status=previous_status,
        changes=[f"added {quantity} × {product.sku} at {price}"],
        actor=actor,
    )
    return line


@transaction.atomic
def order_line_remove(*, order: Order, line: OrderLine, actor) -> Order:
    """Remove a line entirely (before fulfillment); its stock is released."""
    order = _editable(order, actor)
    line = OrderLine.objects.select_for_update().get(pk=line.pk, order=order)
    others_open = order.lines.exclude(pk=line.pk).filter(
        quantity__gt=F("quantity_cancelled") + F("quantity_shipped")
    )
    if not others_open.exists():
        raise OrderInvalid(
            "This is the last line still to ship; cancel the order instead of removing it."
        )
    previous_status = order.status
    release_allocations(order, lines=[line], actor=actor, note="line removed")
    sku, quantity = line.sku, line.quantity
    line.delete()
    return _finish_edit(
        order,
        previous_status=previous_status,
        changes=[f"removed {quantity} × {sku}"],
        actor=actor,
    )


@transaction.atomic
def order_line_cancel(*, order: Order, line: OrderLine, actor=None) -> Order:
    """Cancel the unshipped remainder of one line, in any open status (fulfillment included:
    shipping drops the units from shipments not yet shipped). Cancelling the last open units
    cancels the order, or, if some shipped, leaves it shipped."""
    if not may_edit(order, actor if getattr(actor, "pk", None) else None):
        raise InvalidTransition("Your role may not edit orders.")
    order = lock_order(order)
    if order.status not in CANCELLABLE_LINE_STATUSES:
        raise OrderNotEditable(
            f"Order {order.number} is {order.get_status_display().lower()}: nothing of it can "
            "be cancelled now."
        )
    lock_order_stock(order)
    line = OrderLine.objects.select_for_update().get(pk=line.pk, order=order)
    if line.quantity_open == 0:
        raise InvalidTransition(f"Nothing left to cancel on {line.sku}.")
    others_open = order.lines.exclude(pk=line.pk).filter(
        quantity__gt=F("quantity_cancelled") + F("quantity_shipped")
    )
    if others_open.exists():
        previous_status = order.status
        units = cancel_open_units(order, line, actor=actor, note="line cancelled", record=False)
        return _finish_edit(
            order,
            previous_status=previous_status,
            changes=[f"cancelled the remaining {units} × {line.sku}"],
            actor=actor,
        )
    # The last open units: the order ends, cancelled or (some shipped) shipped.
    cancel_open_units(order, line, actor=actor, note="line cancelled")
    if not order.lines.filter(quantity_shipped__gt=0).exists():
        return order_cancel(order=order, reason="every line was cancelled", actor=actor)
    recompute_totals(order)
    shipped_if_nothing_open(order)
    return order


@transaction.atomic
def order_address_update(*, order: Order, values: dict, actor) -> Order:
    """Correct the shipping address; an address that cannot ship puts the order on hold."""
    order = _editable(order, actor)
    address = order.shipping_address
    changes = []
    for name, value in values.items():
        value = str(value or "").strip()
        if name == "country":
            value = normalize_country(value)
        if getattr(address, name) != value:
            changes.append(f"{name.replace('_', ' ')} “{getattr(address, name)}” → “{value}”")
            setattr(address, name, value)
    if not changes:
        return order
    address.save()
    events.edited(order, changes=["shipping address: " + ", ".join(changes)], actor=actor)
    problems = address_problems(address)
    active = set(order.holds.filter(released_at__isnull=True).values_list("reason", flat=True))
    if problems and HoldReason.ADDRESS_INVALID not in active:
        order_hold(
            order=order,
            reason=HoldReason.ADDRESS_INVALID,
            note="Shipping address: " + "; ".join(problems),
            actor=None,
            actor_label="system",
        )
    return order
