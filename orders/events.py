"""One function per kind of timeline entry, so every entry reads the same wherever it is written.

`actor` is a staff user, or None for the system; `actor_label` names API clients and channels
("api:Shopify key", "channel:shopify") when there is no user.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING

from oms.rows import insert_rows
from orders.models import Order, OrderEvent, OrderHold

if TYPE_CHECKING:
    from orders.services.processing import AllocationOutcome
    from orders.services.totals import TotalsChange


def _label(actor, actor_label: str | None) -> str:
    if actor_label:
        return actor_label
    if actor is not None and getattr(actor, "is_authenticated", False) and actor.pk:
        return actor.get_full_name() or actor.get_username()
    return "system"


def _user(actor):
    return actor if actor is not None and getattr(actor, "pk", None) else None


# Entries recorded inside `batched()`, written together when it ends.
_batch: ContextVar[list[OrderEvent] | None] = ContextVar("order_event_batch", default=None)


@contextmanager
def batched() -> Iterator[list[OrderEvent]]:
    """Write every entry recorded inside the block in one INSERT as the block ends (in the
    order they were recorded); nothing is written if the block raises."""
    entries: list[OrderEvent] = []
    token = _batch.set(entries)
    try:
        yield entries
    finally:
        _batch.reset(token)
    insert_rows(entries, returning=False)  # nobody asks an entry for its id


def record(
    order: Order,
    type: str,
    message: str,
    *,
    actor=None,
    actor_label: str | None = None,
    data: dict | None = None,
) -> OrderEvent:
    entry = OrderEvent(
        order=order,
        type=type,
        message=message[:1000],
        data=data or {},
        actor=_user(actor),
        actor_label=_label(actor, actor_label)[:150],
    )
    pending = _batch.get()
    if pending is None:
        entry.save()
    else:
        pending.append(entry)
    return entry


def order_captured(order: Order, *, actor=None, actor_label=None, source: str) -> OrderEvent:
    return record(
        order,
        "captured",
        f"Order captured from {source} ({order.channel.name}).",
        actor=actor,
        actor_label=actor_label,
        data={"source": source, "external_id": order.external_id},
    )


def status_changed(
    order: Order, previous: str, *, to: str | None = None, actor=None, actor_label=None
) -> OrderEvent:
    """`to` defaults to the order's status now (capture records steps it went through)."""
    to = to or order.status
    return record(
        order,
        "status_changed",
        f"Status changed from {previous.replace('_', ' ')} to {to.replace('_', ' ')}.",
        actor=actor,
        actor_label=actor_label,
        data={"from": previous, "to": to},
    )


def allocated(order: Order, *, reason: str, allocations: list[dict], shortfall: dict) -> OrderEvent:
    return record(
        order,
        "allocated",
        reason,
        data={"allocations": allocations, "shortfall": shortfall},
    )


def hold_placed(order: Order, hold: OrderHold, *, actor=None, actor_label=None) -> OrderEvent:
    note = f": {hold.note.rstrip('.')}" if hold.note else ""
    return record(
        order,
        "hold_placed",
        f"Hold placed ({hold.get_reason_display()}){note}.",
        actor=actor,
        actor_label=actor_label,
        data={"hold_id": hold.pk, "reason": hold.reason},
    )


def hold_released(order: Order, hold: OrderHold, *, actor=None, actor_label=None) -> OrderEvent:
    return record(
        order,
        "hold_released",
        f"Hold released ({hold.get_reason_display()}).",
        actor=actor,
        actor_label=actor_label,
        data={"hold_id": hold.pk, "reason": hold.reason},
    )


def cancelled(order: Order, *, reason: str, actor=None, actor_label=None) -> OrderEvent:
    return record(
        order,
        "cancelled",
        f"Order cancelled: {reason}." if reason else "Order cancelled.",
        actor=actor,
        actor_label=actor_label,
        data={"reason": reason},
    )


def cancelled_rest(order: Order, *, reason: str, actor=None, actor_label=None) -> OrderEvent:
    why = f": {reason.rstrip('.')}" if reason else ""
    return record(
        order,
        "cancelled",
        f"Cancelled what had not shipped yet{why}; what shipped stays shipped.",
        actor=actor,
        actor_label=actor_label,
        data={"reason": reason, "partial": True},
    )


def line_cancelled(order: Order, *, sku: str, quantity: int, actor=None) -> OrderEvent:
    return record(
        order,
        "line_cancelled",
        f"Cancelled {quantity} × {sku} (the unshipped remainder).",
        actor=actor,
        data={"sku": sku, "quantity": quantity},
    )


def shipped(order: Order, *, lines: list[dict], actor=None, actor_label=None) -> OrderEvent:
    what = ", ".join(f"{line['quantity']} × {line['sku']}" for line in lines)
    return record(
        order,
        "shipped",
        f"Shipped {what}.",
        actor=actor,
        actor_label=actor_label,
        data={"lines": lines},
    )


def shipment_exception(order: Order, *, note: str) -> OrderEvent:
    return record(
        order,
        "shipment_exception",
        f"Carrier exception: {note.rstrip('.')}." if note else "Carrier exception.",
        actor_label="carrier",
        data={"note": note},
    )


def turned_late(order: Order) -> OrderEvent:
    return record(
        order,
        "late",
        f"Not shipped by its ship-by time ({order.ship_by:%Y-%m-%d %H:%M}): the order is late.",
        data={"ship_by": order.ship_by.isoformat()},
    )


def edited(
    order: Order,
    *,
    changes: list[str],
    actor=None,
    totals: "TotalsChange | None" = None,
    allocation: "AllocationOutcome | None" = None,
    previous_status: str = "",
) -> OrderEvent:
    """One entry per edit: what was changed and what followed from it — the totals, where new
    units were allocated (or what is short), and the status if it ended somewhere else."""
    sentences = ["Edited: " + "; ".join(changes) + "."]
    data: dict = {"changes": changes}
    if totals is not None:
        described = totals.describe(order.currency)
        if described:
            sentences.append(described[0].upper() + described[1:] + ".")
        data["totals"] = {
            name: [str(before), str(after)]
            for name, (before, after) in (
                ("subtotal", totals.subtotal),
                ("tax_total", totals.tax_total),
                ("grand_total", totals.grand_total),
            )
        }
        data["tax_kept"] = totals.tax_kept
    if allocation is not None and (allocation.allocations or allocation.shortfall):
        sentences.append(allocation.reason)
        data["allocation"] = {
            "reason": allocation.reason,
            "allocations": allocation.allocations,
            "shortfall": allocation.shortfall,
        }
    if previous_status and previous_status != order.status:
        sentences.append(
            f"Status {previous_status.replace('_', ' ')} → {order.status.replace('_', ' ')}."
        )
        data["status"] = {"from": previous_status, "to": order.status}
    return record(order, "edited", " ".join(sentences), actor=actor, data=data)


def note_added(order: Order, *, text: str, actor) -> OrderEvent:
    return record(order, "note", text, actor=actor)


def inquiry_logged(order: Order, *, channel: str, summary: str, actor) -> OrderEvent:
    return record(
        order,
        "inquiry",
        f"Customer inquiry by {channel}: {summary}",
        actor=actor,
        data={"channel": channel, "summary": summary},
    )


def email_sent(order: Order, *, kind: str, to: str) -> OrderEvent:
    return record(order, "email_sent", f"Sent the {kind} email to {to}.", data={"kind": kind})
