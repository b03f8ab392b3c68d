"""Cancelling parcels before they ship, and following the order when its lines are cancelled.

A parcel holds no stock of its own (the units stay allocated to the order's lines), so
cancelling one releases nothing: its units can go into another parcel, or be cancelled on the
order, which releases them.
"""

from django.db import transaction
from django.utils import timezone
from django_fsm import can_proceed, has_transition_perm

from oms.errors import InvalidTransition
from orders.models import Order, OrderLine
from shipping import events
from shipping.errors import ShippingPermissionDenied
from shipping.models import UNSHIPPED_STATUSES, Shipment, ShipmentStatus
from shipping.services.common import lock_order_and_shipments, status_phrase


def _user(actor):
    return actor if actor is not None and getattr(actor, "pk", None) else None


def _cancel(order: Order, shipment: Shipment, *, reason: str, actor=None, actor_label=None):
    shipment.cancel()
    shipment.cancelled_at = timezone.now()
    shipment.label_leased_until = None
    shipment.save()
    events.shipment_cancelled(order, shipment, reason=reason, actor=actor, actor_label=actor_label)


@transaction.atomic
def shipment_cancel(
    *, shipment: Shipment, reason: str = "", actor=None, actor_label: str | None = None
) -> Shipment:
    """Cancel a parcel that has not shipped; its units stay allocated to the order."""
    order, locked = lock_order_and_shipments(Order(pk=shipment.order_id), [shipment.pk])
    shipment = locked[shipment.pk]
    if not can_proceed(shipment.cancel):
        raise InvalidTransition(
            f"Shipment {shipment.number} is {status_phrase(shipment)}: "
            "only a parcel that has not shipped can be cancelled."
        )
    if not has_transition_perm(shipment.cancel, _user(actor)):
        raise ShippingPermissionDenied("Your role may not cancel shipments.")
    _cancel(order, shipment, reason=reason.strip(), actor=actor, actor_label=actor_label)
    return shipment


def shipments_cancel_for_order(*, order: Order, reason: str) -> list[Shipment]:
    """The order was cancelled (its lock is held): its unshipped parcels are cancelled too."""
    ids = order.shipments.filter(status__in=UNSHIPPED_STATUSES).values_list("pk", flat=True)
    order, locked = lock_order_and_shipments(order, list(ids))
    for shipment in locked.values():
        _cancel(
            order, shipment, reason=f"order cancelled: {reason}" if reason else "order cancelled"
        )
    return list(locked.values())


def shipments_drop_cancelled_units(*, order: Order, line: OrderLine, quantity: int) -> None:
    """`quantity` units of `line` were cancelled on the order: take them out of parcels not yet
    shipped. A parcel not packed yet just loses them; one packed or labelled is cancelled whole
    (its contents and label no longer match) and its other units wait for a new parcel."""
    ids = (
        order.shipments.filter(status__in=UNSHIPPED_STATUSES, lines__order_line=line)
        .values_list("pk", flat=True)
        .distinct()
    )
    order, locked = lock_order_and_shipments(order, list(ids))
    remaining = quantity
    for shipment in locked.values():
        if remaining <= 0:
            break
        parcel_line = shipment.lines.select_for_update().get(order_line=line)
        taken = min(remaining, parcel_line.quantity)
        remaining -= taken
        if shipment.status != ShipmentStatus.PENDING:
            _cancel(order, shipment, reason=f"{line.sku} was cancelled on the order")
            continue
        if taken == parcel_line.quantity:
            parcel_line.delete()
        else:
            parcel_line.quantity -= taken
            parcel_line.quantity_packed = min(parcel_line.quantity_packed, parcel_line.quantity)
            parcel_line.save(update_fields=["quantity", "quantity_packed"])
        if shipment.lines.exists():
            events.shipment_reduced(order, shipment, sku=line.sku, quantity=taken)
        else:
            _cancel(order, shipment, reason=f"{line.sku} was cancelled on the order")
