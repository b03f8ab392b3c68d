"""What every returns service shares: locks, numbers, what may still be returned.

Lock order, everywhere: the order row, then its lines (by id), then its returns (by id), then
stock levels, then payments — so two returns racing for the same units queue on the order, and
returns never wait on a lock while holding one capture, shipping or a refund needs first.
"""

from functools import partial

from django.db import transaction
from django.db.models import F, Sum

from orders.models import Order, OrderLine
from orders.services.common import lock_order
from returns.models import OPEN_STATUSES, ReturnLine, ReturnRequest


def user_of(actor):
    return actor if actor is not None and getattr(actor, "pk", None) else None


def lock_order_lines(order: Order) -> tuple[Order, dict[int, OrderLine]]:
    order = lock_order(order)
    lines = OrderLine.objects.select_for_update().filter(order=order).order_by("id")
    return order, {line.pk: line for line in lines}


def lock_return(rma: ReturnRequest) -> tuple[Order, ReturnRequest]:
    order = lock_order(Order(pk=rma.order_id))
    locked = (
        ReturnRequest.objects.select_for_update(of=("self",))
        .select_related("warehouse")
        .get(pk=rma.pk)
    )
    return order, locked


def held_by_open_returns(order: Order, *, excluding: ReturnRequest | None = None) -> dict[int, int]:
    """Order line id → units authorized on open returns and not received yet."""
    open_lines = ReturnLine.objects.filter(
        order_line__order=order, return_request__status__in=OPEN_STATUSES
    )
    if excluding is not None:
        open_lines = open_lines.exclude(return_request=excluding)
    rows = open_lines.values("order_line").annotate(
        units=Sum(F("quantity") - F("quantity_sellable") - F("quantity_damaged"))
    )
    return {row["order_line"]: row["units"] for row in rows}


def returnable_units(order: Order, lines=None) -> dict[int, int]:
    """Order line id → units that may still be returned: shipped, minus returned, minus what
    open returns already authorize."""
    held = held_by_open_returns(order)
    lines = order.lines.all() if lines is None else lines
    return {
        line.pk: max(0, line.quantity_shipped - line.quantity_returned - held.get(line.pk, 0))
        for line in lines
    }


def numbered(rma: ReturnRequest) -> ReturnRequest:
    rma.number = f"RMA-{rma.pk:06d}"
    rma.save(update_fields=["number"])
    return rma


def after_commit(task_name: str, rma_id: int) -> None:
    """Nudge a worker (the row says what is owed; the message is only a nudge)."""
    transaction.on_commit(partial(_enqueue, task_name, rma_id), robust=True)


def _enqueue(task_name: str, rma_id: int) -> None:
    from returns import tasks

    getattr(tasks, task_name).delay(rma_id)
