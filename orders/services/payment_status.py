"""What the order shows of its payments: the payment status, what was paid, what is still due.

The payments app owns the money; the order keeps a summary of it for queues, filters and the
API. `order_payment_status_set` is the one writer of that summary (payments calls it after every
change, in the same transaction); `balance_due_for` is the rule for what the customer owes.
"""

from decimal import Decimal

from orders.models import Order, OrderStatus


def balance_due_for(order: Order, *, amount_paid: Decimal | None = None) -> Decimal:
    """What the customer still owes: the order's worth minus what was paid (negative when more
    was taken than the order is now worth — a refund is owed). A cancelled order is worth 0."""
    paid = order.amount_paid if amount_paid is None else amount_paid
    worth = Decimal("0.00") if order.status == OrderStatus.CANCELLED else order.grand_total
    return worth - paid


def order_payment_status_set(*, order: Order, status: str, amount_paid: Decimal) -> Order:
    """Store the payments' summary on the order (called by payments, with the order locked)."""
    if status not in Order.PaymentStatus.values:
        raise ValueError(f"Unknown payment status {status!r}.")
    balance_due = balance_due_for(order, amount_paid=amount_paid)
    unchanged = (
        order.payment_status == status
        and order.amount_paid == amount_paid
        and order.balance_due == balance_due
    )
    if unchanged:
        return order
    order.payment_status = status
    order.amount_paid = amount_paid
    order.balance_due = balance_due
    order.save(update_fields=["payment_status", "amount_paid", "balance_due", "updated_at"])
    return order
