"""What happens to an order after capture: holds, cancellation, notes, backorders.

Edits of lines and address live in `orders.services.edits`.
"""

from django.db import transaction
from django.utils import timezone

from oms.errors import InvalidTransition
from orders import events
from orders.errors import OrderInvalid
from orders.models import (
    HoldReason,
    Order,
    OrderHold,
    OrderLine,
    OrderStatus,
    may_cancel,
    staff_may_hold,
    staff_may_release,
)
from orders.services.common import lock_order, run_transition
from orders.services.payment_status import balance_due_for
from orders.services.processing import (
    allocate_outstanding,
    lock_order_stock,
    place_hold,
    process_order,
    release_allocations,
    update_fulfillment_status,
)
from orders.services.totals import recompute_totals
from orders.signals import order_cancelled, order_line_cancelled

INQUIRY_CHANNELS = ("phone", "email", "chat")


# What a channel's own API key may put an order on hold for (and so release again).
CHANNEL_HOLD_REASONS = (HoldReason.CUSTOMER_REQUEST, HoldReason.MANUAL)


@transaction.atomic
def order_hold(
    *, order: Order, reason: str, note: str = "", actor=None, actor_label=None, channel=None
):
    """Put a hold on the order (several may stack); returns the hold.

    `channel` is set when a channel's API key asks: it may hold for a customer request or a
    manual reason only, and may later release only the holds it placed itself.
    """
    given, order = order, lock_order(order)
    if reason not in HoldReason.values:
        raise OrderInvalid(f"Unknown hold reason {reason!r}.", fields={"reason": ["Unknown."]})
    if channel is not None and reason not in CHANNEL_HOLD_REASONS:
        raise OrderInvalid(
            "A channel may hold orders for a customer request or a manual reason only.",
            fields={"reason": ["Use customer_request or manual."]},
        )
    if order.status != OrderStatus.ON_HOLD:
        run_transition(order, "hold", actor=actor, actor_label=actor_label)
    elif actor is not None and not staff_may_hold(order, actor):
        raise InvalidTransition("Your role may not put orders on hold.")
    hold = place_hold(order, reason, note, actor=actor, actor_label=actor_label, channel=channel)
    # The caller's copy shows the hold too (capture answers the API from its copy).
    given.refresh_from_db(fields=["status", "status_before_hold", "updated_at"])
    return hold


@transaction.atomic
def order_hold_release(
    *, order: Order, hold: OrderHold, actor=None, actor_label=None, channel=None
) -> Order:
    """Release one hold; releasing the last active one sends the order through processing.

    A channel's key (`channel`) releases only holds it placed: fraud review, duplicate
    suspicion and data problems are for staff to clear.
    """
    order = lock_order(order)
    hold = OrderHold.objects.select_for_update().get(pk=hold.pk, order=order)
    if hold.released_at is not None:
        raise InvalidTransition("This hold was already released.")
    if channel is not None and hold.placed_by_channel_id != channel.pk:
        raise InvalidTransition(
            f"This {hold.get_reason_display().lower()} hold was placed by the OMS; "
            "staff release it."
        )
    if actor is not None and not staff_may_release(order, actor):
        raise InvalidTransition("Your role may not release holds.")
    hold.released_at = timezone.now()
    hold.released_by = actor if getattr(actor, "pk", None) else None
    hold.save(update_fields=["released_at", "released_by", "updated_at"])
    events.hold_released(order, hold, actor=actor, actor_label=actor_label)
    if not order.holds.filter(released_at__isnull=True).exists():
        run_transition(order, "release", actor=actor, actor_label=actor_label)
        if order.status == OrderStatus.PENDING:
            process_order(order, actor=actor)
        else:
            # Resumed where fulfillment was; if the rest was cancelled meanwhile, it is done.
            shipped_if_nothing_open(order)
    return order


def _partly_shipped(order: Order) -> bool:
    """Shipped in part (or held after that): cancelling it can only cancel the unshipped rest."""
    return OrderStatus.PARTIALLY_SHIPPED in (order.status, order.status_before_hold)


@transaction.atomic
def order_cancel(*, order: Order, reason: str = "", actor=None, actor_label=None) -> Order:
    """Cancel the whole order: stock is released, and payments and shipping react (signal).

    An order already shipped in part cannot be unshipped: its unshipped rest is cancelled
    instead and the order ends shipped (payments hears of the lower total).
    """
    order = lock_order(order)
    if _partly_shipped(order):
        if not may_cancel(order, actor if getattr(actor, "pk", None) else None):
            raise InvalidTransition(f"Your role may not cancel order {order.number}.")
        lock_order_stock(order)
        for line in order.lines.select_for_update().order_by("id"):
            cancel_open_units(order, line, actor=actor, note=f"cancelled: {reason}"[:500])
        events.cancelled_rest(order, reason=reason, actor=actor, actor_label=actor_label)
        recompute_totals(order)
        shipped_if_nothing_open(order)
        return order
    run_transition(order, "cancel", actor=actor, actor_label=actor_label)
    release_allocations(order, actor=actor, note=f"cancelled: {reason}"[:500])
    order.cancelled_at = timezone.now()
    order.fulfillment_status = Order.FulfillmentStatus.CANCELLED
    order.balance_due = balance_due_for(order)
    order.save(update_fields=["cancelled_at", "fulfillment_status", "balance_due", "updated_at"])
    events.cancelled(order, reason=reason, actor=actor, actor_label=actor_label)
    order_cancelled.send(sender=Order, order=order, reason=reason)
    return order


def cancel_open_units(
    order: Order, line: OrderLine, *, actor, note: str, record: bool = True
) -> int:
    """Cancel what of `line` is not shipped: its allocations go back to stock, and shipping drops
    the units from shipments not yet shipped (signal). Returns the units cancelled.

    `record` off: an edit that names the cancellation in its own timeline entry.
    """
    remainder = line.quantity_open
    if remainder == 0:
        return 0
    release_allocations(order, lines=[line], actor=actor, note=note)
    line.quantity_cancelled += remainder
    line.save(update_fields=["quantity_cancelled", "updated_at"])
    if record:
        events.line_cancelled(order, sku=line.sku, quantity=remainder, actor=actor)
    order_line_cancelled.send(sender=Order, order=order, line=line, quantity=remainder)
    return remainder


def shipped_if_nothing_open(order: Order) -> None:
    """Nothing left to ship on an order that shipped some: it is shipped."""
    if order.status not in (OrderStatus.FULFILLING, OrderStatus.PARTIALLY_SHIPPED):
        return
    lines = list(order.lines.all())
    nothing_open = not any(line.quantity_open for line in lines)
    if not nothing_open or not any(line.quantity_shipped for line in lines):
        return
    order.fulfillment_status = Order.FulfillmentStatus.SHIPPED
    order.shipped_at = timezone.now()
    order.save(update_fields=["fulfillment_status", "shipped_at", "updated_at"])
    run_transition(order, "ship", actor=None, actor_label="system")


@transaction.atomic
def order_note_add(*, order: Order, text: str, actor) -> Order:
    """An internal note on the timeline."""
    text = text.strip()
    if not text:
        raise OrderInvalid("Write the note first.", fields={"text": ["This field is required."]})
    events.note_added(order, text=text[:1000], actor=actor)
    return order


@transaction.atomic
def order_inquiry_log(*, order: Order, channel: str, summary: str, actor) -> Order:
    """Log a customer's inquiry (phone, email, chat) on the timeline."""
    if channel not in INQUIRY_CHANNELS:
        raise OrderInvalid(
            f"Inquiry channel must be one of {', '.join(INQUIRY_CHANNELS)}.",
            fields={"channel": ["Choose phone, email or chat."]},
        )
    summary = summary.strip()
    if not summary:
        raise OrderInvalid("Summarise the inquiry.", fields={"summary": ["Required."]})
    events.inquiry_logged(order, channel=channel, summary=summary[:800], actor=actor)
    return order


def orders_reprocess_backordered(*, product_ids: set[int]) -> list[str]:
    """Stock arrived: allocate to backordered orders wanting these products, oldest first."""
    numbers = []
    candidates = (
        Order.objects.filter(status=OrderStatus.BACKORDERED, lines__product_id__in=product_ids)
        .order_by("placed_at", "id")
        .values_list("pk", flat=True)
        .distinct()
    )
    for order_id in list(candidates):
        with transaction.atomic():
            order = lock_order(Order(pk=order_id))
            if order.status != OrderStatus.BACKORDERED:
                continue
            lines = list(order.lines.select_related("product"))
            outcome = allocate_outstanding(order, lines)
            update_fulfillment_status(order)
            if outcome.complete:
                run_transition(order, "allocate_backorder", actor=None, actor_label="system")
                numbers.append(order.number)
    return numbers


def orders_backordered_product_ids() -> set[int]:
    """Products that backordered orders wait for and that now have stock to promise."""
    from inventory.models import StockLevel, available_expression

    waiting = OrderLine.objects.filter(
        order__status=OrderStatus.BACKORDERED, product__isnull=False
    ).values("product_id")
    return set(
        StockLevel.objects.in_active_warehouses()
        .filter(product_id__in=waiting)
        .annotate(available_to_promise=available_expression())
        .filter(available_to_promise__gt=0)
        .values_list("product_id", flat=True)
        .distinct()
    )
