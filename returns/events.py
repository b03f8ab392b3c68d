"""The order-timeline entries returns write, one function each (types start with `return_`).

Each carries the RMA number in its data, so a return's page shows its own part of the order's
timeline.
"""

from orders.events import record
from orders.models import Order, OrderEvent
from returns.models import ReturnRequest


def _what(rma: ReturnRequest) -> str:
    return ", ".join(
        f"{line.quantity} × {line.order_line.sku} ({line.get_reason_display().lower()})"
        for line in rma.lines.select_related("order_line").order_by("id")
    )


def _data(rma: ReturnRequest, **extra) -> dict:
    return {"rma": rma.number, "return_id": rma.pk, **extra}


def requested(order: Order, rma: ReturnRequest, *, actor=None, actor_label=None) -> OrderEvent:
    return record(
        order,
        "return_requested",
        f"Return {rma.number} opened for {rma.get_resolution_display().lower()}: {_what(rma)}.",
        actor=actor,
        actor_label=actor_label,
        data=_data(rma, resolution=rma.resolution),
    )


def approved(order: Order, rma: ReturnRequest, *, actor=None, actor_label=None) -> OrderEvent:
    label = " A return label is being made." if rma.label_status == "pending" else ""
    told = "; the customer is sent the instructions" if rma.notify_customer else ""
    return record(
        order,
        "return_approved",
        f"Return {rma.number} approved{told}.{label}",
        actor=actor,
        actor_label=actor_label,
        data=_data(rma),
    )


def rejected(order: Order, rma: ReturnRequest, *, actor=None, actor_label=None) -> OrderEvent:
    return record(
        order,
        "return_rejected",
        f"Return {rma.number} rejected: {rma.rejection_reason.rstrip('.')}.",
        actor=actor,
        actor_label=actor_label,
        data=_data(rma, reason=rma.rejection_reason),
    )


def received(
    order: Order, rma: ReturnRequest, *, lines: list[dict], actor=None, actor_label=None
) -> OrderEvent:
    what = ", ".join(
        f"{line['quantity']} × {line['sku']} {line['condition']}"
        + (f" (restocked at {line['warehouse']})" if line.get("warehouse") else "")
        for line in lines
    )
    return record(
        order,
        "return_received",
        f"Received for {rma.number}: {what}.",
        actor=actor,
        actor_label=actor_label,
        data=_data(rma, lines=lines),
    )


def refunded(order: Order, rma: ReturnRequest, *, actor=None, actor_label=None) -> OrderEvent:
    return record(
        order,
        "return_refunded",
        f"Return {rma.number} refunded: {rma.refund_amount} {order.currency}.",
        actor=actor,
        actor_label=actor_label,
        data=_data(rma, amount=str(rma.refund_amount)),
    )


def exchanged(order: Order, rma: ReturnRequest, *, actor=None, actor_label=None) -> OrderEvent:
    replacement = rma.replacement_order
    return record(
        order,
        "return_exchanged",
        f"Return {rma.number} exchanged: replacement order {replacement.number} "
        f"({replacement.get_status_display().lower()}).",
        actor=actor,
        actor_label=actor_label,
        data=_data(rma, replacement=replacement.number),
    )


def closed(order: Order, rma: ReturnRequest, *, actor=None, actor_label=None) -> OrderEvent:
    return record(
        order,
        "return_closed",
        f"Return {rma.number} closed.",
        actor=actor,
        actor_label=actor_label,
        data=_data(rma),
    )


def label_ready(order: Order, rma: ReturnRequest) -> OrderEvent:
    return record(
        order,
        "return_label_ready",
        f"Return label for {rma.number} ready (tracking {rma.tracking_number}).",
        data=_data(rma, tracking_number=rma.tracking_number),
    )


def email_sent(order: Order, rma: ReturnRequest, *, kind: str) -> OrderEvent:
    return record(
        order,
        "email_sent",
        f"Sent the return {kind} email for {rma.number} to {order.email}.",
        data=_data(rma, kind=f"return {kind}"),
    )
