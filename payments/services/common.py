"""What every payment service shares: locks, owing a gateway call, keeping the order in step.

Lock order, everywhere: the order row, then its payments by id, then transactions. Services
that change stock lock the order first too, so a payment service never waits on a lock while
holding one another service needs first.
"""

import uuid
from decimal import Decimal
from functools import partial

from django.db import transaction
from django.utils import timezone
from django_fsm import can_proceed

from oms.money import ZERO
from orders.models import HoldReason, Order, OrderStatus
from orders.services import order_hold, order_payment_status_set
from orders.services.common import lock_order
from payments import events
from payments.models import Payment, PaymentTransaction
from payments.summary import summarize

T = PaymentTransaction


def lock_payments(order: Order) -> tuple[Order, list[Payment]]:
    """The order and all its payments, locked in that order (payments by id)."""
    order = lock_order(order)
    payments = list(Payment.objects.select_for_update().filter(order=order).order_by("id"))
    return order, payments


def user_of(actor):
    return actor if actor is not None and getattr(actor, "pk", None) else None


def label_of(actor, actor_label: str | None) -> str:
    if actor_label:
        return actor_label[:150]
    user = user_of(actor)
    if user is not None:
        return (user.get_full_name() or user.get_username())[:150]
    return "system"


def new_idempotency_key(kind: str) -> str:
    return f"oms_{kind}_{uuid.uuid4().hex}"


def enqueue_transaction(transaction_id: int) -> None:
    """Nudge a worker to make an owed call (only a nudge: the row says what is owed)."""
    from payments.tasks import execute_payment_transaction

    execute_payment_transaction.delay(transaction_id)


def enqueue_after_commit(txn: PaymentTransaction) -> None:
    transaction.on_commit(partial(enqueue_transaction, txn.pk), robust=True)


def owe(
    payment: Payment,
    kind: str,
    amount: Decimal,
    *,
    reference: str = "",
    reason: str = "",
    actor=None,
    actor_label: str | None = None,
    enqueue: bool = True,
) -> PaymentTransaction:
    """Write down a gateway call that is owed; a worker makes it after commit."""
    txn = PaymentTransaction.objects.create(
        payment=payment,
        kind=kind,
        amount=amount,
        reference=reference[:100],
        reason=reason[:300],
        idempotency_key=new_idempotency_key(kind),
        next_attempt_at=timezone.now(),
        requested_by=user_of(actor),
        actor_label=label_of(actor, actor_label),
    )
    if enqueue:
        enqueue_after_commit(txn)
    return txn


def sync_order(order: Order, payments: list[Payment] | None = None) -> Order:
    """Store on the order what its payments add up to (status, paid, balance due)."""
    if payments is None:
        payments = list(Payment.objects.filter(order=order))
    # A cancelled order is worth nothing: a failed payment there is moot, money held is owed back.
    worth = ZERO if order.status == OrderStatus.CANCELLED else order.grand_total
    summary = summarize(payments, grand_total=worth)
    return order_payment_status_set(
        order=order, status=summary.status, amount_paid=summary.amount_paid
    )


def hold_for_payment(order: Order, note: str) -> None:
    """Put the order on hold `payment_failed`, when it can still be held and is not already."""
    if order.status == OrderStatus.CANCELLED:
        return
    active = order.holds.filter(released_at__isnull=True, reason=HoldReason.PAYMENT_FAILED)
    if active.exists():
        return
    if order.status == OrderStatus.ON_HOLD or can_proceed(order.hold):
        order_hold(
            order=order,
            reason=HoldReason.PAYMENT_FAILED,
            note=note[:500],
            actor=None,
            actor_label="payments",
        )
    else:
        events.payment_problem(
            order,
            message=f"Payment problem on an order that is already {order.get_status_display()}"
            f" (it cannot be held): {note}",
        )
