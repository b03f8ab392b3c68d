"""The order-timeline entries shipping writes, one function each (types start `shipment_`)."""

from orders.events import record
from orders.models import Order, OrderEvent
from shipping.models import Shipment


def _what(shipment: Shipment) -> str:
    return ", ".join(
        f"{line.quantity} × {line.order_line.sku}"
        for line in shipment.lines.select_related("order_line").order_by("id")
    )


def _data(shipment: Shipment, **extra) -> dict:
    return {"shipment": shipment.number, "shipment_id": shipment.pk, **extra}


def shipment_created(order: Order, shipment: Shipment, *, actor=None, actor_label=None):
    method = f" by {shipment.method}" if shipment.method else ""
    return record(
        order,
        "shipment_created",
        f"Shipment {shipment.number} from {shipment.warehouse.code}{method}: {_what(shipment)}.",
        actor=actor,
        actor_label=actor_label,
        data=_data(shipment),
    )


def shipment_packed(order: Order, shipment: Shipment, *, actor=None, actor_label=None):
    return record(
        order,
        "shipment_packed",
        f"Shipment {shipment.number} packed ({shipment.weight_grams / 1000:.2f} kg).",
        actor=actor,
        actor_label=actor_label,
        data=_data(shipment),
    )


def label_ready(order: Order, shipment: Shipment) -> OrderEvent:
    return record(
        order,
        "shipment_label_ready",
        f"Label for {shipment.number} ready: {shipment.method}, "
        f"tracking {shipment.tracking_number}.",
        data=_data(shipment, tracking_number=shipment.tracking_number),
    )


def label_refused(order: Order, shipment: Shipment, *, reason: str) -> OrderEvent:
    return record(
        order,
        "shipment_label_refused",
        f"The carrier refused the label for {shipment.number}: {reason.rstrip('.')}. Change the "
        "parcel and ask again.",
        data=_data(shipment, reason=reason),
    )


def shipment_shipped(order: Order, shipment: Shipment, *, actor=None, actor_label=None):
    tracking = f", tracking {shipment.tracking_number}" if shipment.tracking_number else ""
    method = f" by {shipment.method}" if shipment.method else ""
    return record(
        order,
        "shipment_shipped",
        f"Shipment {shipment.number} shipped{method}{tracking}.",
        actor=actor,
        actor_label=actor_label,
        data=_data(shipment, tracking_number=shipment.tracking_number),
    )


def shipment_cancelled(
    order: Order, shipment: Shipment, *, reason: str, actor=None, actor_label=None
):
    why = f": {reason.rstrip('.')}" if reason else ""
    return record(
        order,
        "shipment_cancelled",
        f"Shipment {shipment.number} cancelled{why}; its units stay allocated.",
        actor=actor,
        actor_label=actor_label,
        data=_data(shipment, reason=reason),
    )


def shipment_reduced(order: Order, shipment: Shipment, *, sku: str, quantity: int) -> OrderEvent:
    return record(
        order,
        "shipment_changed",
        f"{quantity} × {sku} taken out of shipment {shipment.number} (cancelled on the order).",
        data=_data(shipment, sku=sku, quantity=quantity),
    )


def shipment_tracked(order: Order, shipment: Shipment, *, status: str, description: str):
    detail = f": {description.rstrip('.')}" if description else ""
    return record(
        order,
        "shipment_tracking",
        f"Shipment {shipment.number} {status.replace('_', ' ')}{detail}.",
        actor_label="carrier",
        data=_data(shipment, status=status),
    )


def tracking_email_sent(order: Order, shipment: Shipment, *, to: str) -> OrderEvent:
    return record(
        order,
        "email_sent",
        f"Sent the tracking email for {shipment.number} to {to}.",
        data={"kind": "tracking", "shipment": shipment.number},
    )
