"""Shipping a parcel — one service for the packing screen, bulk "mark shipped" and the API.

In one transaction, with the order, every stock level the parcel touches and the parcel locked
up front (in that order): consume the stock (ledger `ship`), record the units on the order,
ask payments to capture the parcel's value (`on_ship` channels), release what stays authorized
once the order is fully shipped, publish `shipment.shipped`, and owe the customer a tracking
email. Outside work (the capture, the email, the webhook) runs after commit.
"""

from dataclasses import dataclass
from functools import partial

from django.db import transaction
from django_fsm import can_proceed, has_transition_perm

from inventory.services import StockLine, stock_consume
from oms.errors import DomainError, InvalidTransition
from oms.webhooks import webhook_publish
from orders.models import Order, OrderStatus, SalesChannel
from orders.services import ShippedUnits, order_record_shipment
from orders.services.fulfillment import SHIPPABLE_STATUSES
from payments.services import payment_request_capture, payments_release_uncaptured
from shipping import events
from shipping.errors import LabelMissing, ShippingError, ShippingPermissionDenied
from shipping.models import Shipment, ShipmentStatus
from shipping.services.common import (
    lock_order_and_shipments,
    lock_shipment_levels,
    now,
    parcel_value,
    shipment_reference,
    status_phrase,
)


def _user(actor):
    return actor if actor is not None and getattr(actor, "pk", None) else None


@transaction.atomic
def shipment_ship(
    *,
    shipment: Shipment,
    actor=None,
    actor_label: str | None = None,
    tracking_number: str = "",
    notify_customer: bool = True,
    require_label: bool = False,
) -> Shipment:
    """Mark the parcel shipped (a 3PL may give its own `tracking_number`). The customer is owed
    a tracking email unless `notify_customer` is off (demo data, historical imports). The back
    office ships only labelled parcels (`require_label`): packed, verified and labelled."""
    order, locked = lock_order_and_shipments(Order(pk=shipment.order_id), [shipment.pk])
    shipment = locked[shipment.pk]
    if not can_proceed(shipment.ship):
        raise InvalidTransition(
            f"Shipment {shipment.number} cannot be shipped: it is {status_phrase(shipment)}."
        )
    if not has_transition_perm(shipment.ship, _user(actor)):
        raise ShippingPermissionDenied("Your role may not ship parcels.")
    if order.status not in SHIPPABLE_STATUSES:
        raise InvalidTransition(
            f"Order {order.number} is {order.get_status_display().lower()}: it cannot ship now."
        )
    if require_label and shipment.status != ShipmentStatus.LABEL_READY:
        raise LabelMissing(
            f"Shipment {shipment.number} has no label yet ({status_phrase(shipment)}): "
            "pack it and print its label first."
        )
    tracking_number = (tracking_number or "").strip()
    if tracking_number and shipment.tracking_number and tracking_number != shipment.tracking_number:
        raise ShippingError(
            f"Shipment {shipment.number} already has tracking number {shipment.tracking_number}.",
            fields={"tracking_number": ["It differs from the label's."]},
        )
    taken = Shipment.objects.filter(tracking_number=tracking_number).exclude(pk=shipment.pk)
    if tracking_number and taken.exists():
        raise ShippingError(
            f"Tracking number {tracking_number} belongs to another parcel.",
            fields={"tracking_number": ["Already used."]},
        )
    levels = lock_shipment_levels([shipment])
    lines = list(shipment.lines.select_related("order_line__product").order_by("id"))
    if not lines:
        raise ShippingError(f"Shipment {shipment.number} holds nothing to ship.")
    unknown = [line.order_line.sku for line in lines if line.order_line.product is None]
    if unknown:
        raise ShippingError(f"Unknown products cannot ship: {', '.join(unknown)}.")
    stock_consume(
        lines=[
            StockLine(line.order_line.product, shipment.warehouse, line.quantity) for line in lines
        ],
        reference=shipment_reference(shipment),
        actor=_user(actor),
    )
    order = order_record_shipment(
        order=order,
        lines=[
            ShippedUnits(
                line.order_line,
                levels[(line.order_line.product_id, shipment.warehouse_id)],
                line.quantity,
            )
            for line in lines
        ],
        actor=actor,
        actor_label=actor_label,
    )
    completes = order.status == OrderStatus.SHIPPED
    shipment.value = parcel_value(order, shipment, completes_order=completes)
    shipment.tracking_number = tracking_number or shipment.tracking_number
    shipment.ship()
    shipment.shipped_at = now()
    shipment.notify_due = notify_customer
    shipment.save()
    shipment.lines.update(shipped_at=shipment.shipped_at)
    events.shipment_shipped(order, shipment, actor=actor, actor_label=actor_label)
    if order.channel.capture_policy == SalesChannel.CapturePolicy.ON_SHIP:
        payment_request_capture(
            order=order, amount=shipment.value, reference=shipment_reference(shipment)
        )
    if completes:
        payments_release_uncaptured(order=order)
    webhook_publish(
        event="shipment.shipped",
        payload={
            "shipment": shipment.number,
            "order": order.number,
            "external_id": order.external_id,
            "channel": order.channel.code,
            "warehouse": shipment.warehouse.code,
            "carrier": shipment.method.carrier.code if shipment.method else "",
            "method": shipment.method.code if shipment.method else "",
            "tracking_number": shipment.tracking_number,
            "tracking_url": shipment.tracking_url,
            "lines": [{"sku": line.order_line.sku, "quantity": line.quantity} for line in lines],
        },
    )
    if notify_customer:
        transaction.on_commit(partial(_enqueue_notification, shipment.pk), robust=True)
    return shipment


def _enqueue_notification(shipment_id: int) -> None:
    from shipping.tasks import send_tracking_email

    send_tracking_email.delay(shipment_id)


@dataclass(frozen=True)
class ShipOutcome:
    shipment: str
    done: bool
    message: str


def shipments_ship(
    *, shipments: list[Shipment], actor=None, require_label: bool = True
) -> list[ShipOutcome]:
    """Bulk "mark shipped": each parcel on its own (one refusal never undoes the others); by
    default only labelled parcels ship."""
    outcomes = []
    for shipment in shipments:
        try:
            shipped = shipment_ship(shipment=shipment, actor=actor, require_label=require_label)
        except DomainError as error:
            outcomes.append(ShipOutcome(shipment.number, False, error.message))
        else:
            tracking = f" ({shipped.tracking_number})" if shipped.tracking_number else ""
            outcomes.append(
                ShipOutcome(shipment.number, True, f"{shipped.number} shipped{tracking}.")
            )
    return outcomes
