"""Payment writes people and other apps ask for: a new payment, money received, a capture for
what shipped, a refund, a retry. Each locks the order and its payments, writes the owed
gateway calls, and leaves the calls to a worker after commit (offline gateways answer at once).
"""

from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django_fsm import has_transition_perm

from oms.errors import InvalidTransition
from oms.money import MAX_MONEY, ZERO, to_money
from oms.roles import Role, user_has_role
from orders.models import Order, OrderStatus
from payments import events
from payments.errors import (
    PaymentInvalid,
    PaymentNotRetryable,
    PaymentPermissionDenied,
    RefundExceedsCaptured,
    RefundLimitExceeded,
)
from payments.gateways import get_gateway
from payments.models import Payment, PaymentStatus, PaymentTransaction, may_handle_money
from payments.services.common import (
    lock_payments,
    owe,
    sync_order,
    user_of,
)
from payments.services.execution import capture_open, settle_offline

T = PaymentTransaction


def _amount(value, *, field: str = "amount") -> Decimal:
    amount = to_money(value)
    if not ZERO < amount <= MAX_MONEY:
        raise PaymentInvalid(
            f"The amount must be above zero and at most {MAX_MONEY}.",
            fields={field: ["Must be above zero and not absurdly large."]},
        )
    return amount


def _open_order(order: Order) -> None:
    if order.status == OrderStatus.CANCELLED:
        raise InvalidTransition(f"Order {order.number} is cancelled: it takes no new payments.")


def payment_authorize(
    *,
    order: Order,
    gateway: str,
    token: str,
    method: str = "card",
    amount=None,
    actor=None,
    actor_label: str | None = None,
) -> Payment:
    """Ask a card gateway to authorize a payment for the order (the balance due by default)."""
    card_gateway = get_gateway(gateway)
    if card_gateway.offline:
        raise PaymentInvalid(
            f"{card_gateway.label} payments are recorded, not authorized: record the money "
            "received instead.",
            fields={"gateway": ["Use a card gateway, or record a manual payment."]},
        )
    token = (token or "").strip()
    if card_gateway.needs_token and not token:
        raise PaymentInvalid(
            "A card payment needs the token from checkout.", fields={"token": ["Required."]}
        )
    with transaction.atomic():
        order, payments = lock_payments(order)
        _open_order(order)
        if amount is None and order.balance_due <= 0:
            raise PaymentInvalid(
                f"Nothing is due on order {order.number}; give the amount to authorize.",
                fields={"amount": ["Nothing is due: give an amount."]},
            )
        amount = _amount(order.balance_due if amount is None else amount)
        payment = Payment.objects.create(
            order=order,
            gateway=card_gateway.code,
            method=(method or "card")[:30],
            currency=order.currency,
            amount=amount,
            token=token[:200],
        )
        owe(payment, T.Kind.AUTHORIZE, amount, actor=actor, actor_label=actor_label)
        events.payment_requested(order, payment, actor=actor, actor_label=actor_label)
        sync_order(order, [*payments, payment])
    return payment


def payment_record(
    *,
    order: Order,
    amount,
    method: str,
    gateway: str = "manual",
    reference: str = "",
    actor=None,
    actor_label: str | None = None,
) -> Payment:
    """Record money received outside a card gateway (cash, transfer, COD, the channel).

    A payment that was awaiting this gateway's money (captured with the order, e.g. "bank
    transfer") receives it; otherwise a new payment is recorded.
    """
    offline = get_gateway(gateway)
    if not offline.offline:
        raise PaymentInvalid(
            "Card payments are authorized through their gateway, not recorded by hand.",
            fields={"gateway": ["Use manual or marketplace."]},
        )
    amount = _amount(amount)
    with transaction.atomic():
        order, payments = lock_payments(order)
        _open_order(order)
        payment = next(
            (
                payment
                for payment in payments
                if payment.gateway == offline.code and payment.status == PaymentStatus.PENDING
            ),
            None,
        )
        if payment is None:
            payment = Payment.objects.create(
                order=order,
                gateway=offline.code,
                method=(method or "")[:30],
                currency=order.currency,
                amount=amount,
            )
            payments.append(payment)
        else:
            # The awaited payment becomes what was received; anything still owed shows as
            # the order's balance due, and a later receipt is a payment of its own.
            payment.amount = amount
            payment.method = (method or payment.method)[:30]
        if not has_transition_perm(payment.receive, user_of(actor)):
            raise PaymentPermissionDenied("Your role may not record payments.")
        payment.reference = (reference or "").strip()[:200]
        payment.recorded_by = user_of(actor)
        payment.save()
        txn = owe(
            payment,
            T.Kind.CAPTURE,
            amount,
            reference=f"received:{payment.reference}"[:100] if payment.reference else "",
            actor=actor,
            actor_label=actor_label,
            enqueue=False,
        )
        settle_offline(order, payments, payment, txn)
    return payment


def payment_request_capture(
    *, order: Order, amount, reference: str, actor=None
) -> list[PaymentTransaction]:
    """Owe a capture of `amount` (the value of what shipped), oldest authorization first.

    Called by shipping when a shipment ships (and for `on_confirm` channels, by payments itself
    when the order is ready). The same `reference` ("shipment:12") is captured once, however
    often this is called. What no authorization covers is written on the timeline and stays
    due. Only inserts rows: it may run while stock is locked.
    """
    amount = to_money(amount)
    if amount <= 0:
        return []
    with transaction.atomic():
        order, payments = lock_payments(order)
        _open_order(order)
        asked = list(
            T.objects.filter(
                payment__order=order,
                kind=T.Kind.CAPTURE,
                reference=reference,
                status__in=(T.Status.REQUESTED, T.Status.SUCCEEDED),
            )
        )
        if asked:
            return asked
        remaining, owed = amount, []
        for payment in payments:
            take = min(remaining, payment.capturable_amount())
            if take <= 0:
                continue
            txn = owe(payment, T.Kind.CAPTURE, take, reference=reference, actor=actor)
            events.capture_requested(order, payment, txn)
            owed.append(txn)
            remaining -= take
            if remaining == 0:
                break
        # A shortfall matters only while something is due (an order the channel or the
        # counter already took the money for owes nothing more).
        due = min(remaining, order.balance_due)
        if due > 0:
            events.capture_shortfall(order, amount=due, reference=reference)
    return owed


def payments_release_uncaptured(*, order: Order, reference: str = "order:completed") -> list:
    """Give back what stays authorized once nothing more will be captured (all shipped)."""
    with transaction.atomic():
        order, payments = lock_payments(order)
        owed = []
        for payment in payments:
            amount = payment.capturable_amount() if payment.authorization_reference else ZERO
            if amount > 0:
                owed.append(owe(payment, T.Kind.VOID, amount, reference=reference))
    return owed


def refund_limit_for(user) -> Decimal | None:
    """The most one refund by this person may be; None when there is no limit."""
    if user is None or user_has_role(user, Role.MANAGER):
        return None
    return Decimal(settings.PAYMENTS_SUPPORT_REFUND_LIMIT)


def refundable_total(payments: list[Payment]) -> Decimal:
    """What may still be refunded over these payments (no query when transactions are
    prefetched)."""
    return sum((payment.refundable_amount() for payment in payments), ZERO)


def payment_refund(
    *, order: Order, amount, reason: str, actor=None, actor_label: str | None = None
) -> list[PaymentTransaction]:
    """Give back `amount` of what was captured, newest payment first; returns the refunds owed.

    Bounded by what was captured and not yet refunded (or being refunded), checked under the
    payments' locks, so two refunds racing for the last amount cannot both pass.
    """
    amount = _amount(amount)
    reason = (reason or "").strip()
    if not reason:
        raise PaymentInvalid("Say why the money is refunded.", fields={"reason": ["Required."]})
    user = user_of(actor)
    if user is not None and not user_has_role(user, Role.SUPPORT, Role.MANAGER):
        raise PaymentPermissionDenied("Your role may not refund payments.")
    limit = refund_limit_for(user)
    if limit is not None and amount > limit:
        raise RefundLimitExceeded(
            f"Refunds above {limit} need a manager: ask one to refund {amount} {order.currency}.",
            limit=limit,
            fields={"amount": [f"Your limit is {limit} per refund."]},
        )
    with transaction.atomic():
        order, payments = lock_payments(order)
        refundable = refundable_total(payments)
        if amount > refundable:
            raise RefundExceedsCaptured(
                f"At most {refundable} {order.currency} can be refunded: that is what was "
                "captured and not refunded yet.",
                refundable=refundable,
                fields={"amount": [f"At most {refundable}."]},
            )
        remaining, owed = amount, []
        for payment in reversed(payments):
            take = min(remaining, payment.refundable_amount())
            if take <= 0:
                continue
            offline = get_gateway(payment.gateway).offline
            txn = owe(
                payment,
                T.Kind.REFUND,
                take,
                reason=reason,
                actor=actor,
                actor_label=actor_label,
                enqueue=not offline,
            )
            if offline:
                settle_offline(order, payments, payment, txn)
            else:
                events.refund_requested(order, payment, txn)
            owed.append(txn)
            remaining -= take
            if remaining == 0:
                break
        sync_order(order, payments)
    return owed


def payment_retry(*, payment: Payment, actor=None, actor_label: str | None = None) -> Payment:
    """Ask again for the operation that failed (a declined capture, an authorization that
    timed out), with a fresh idempotency key; the payment leaves the failed queue."""
    with transaction.atomic():
        order, payments = lock_payments(payment.order)
        payment = next(locked for locked in payments if locked.pk == payment.pk)
        if not may_handle_money(payment, user_of(actor)):
            raise PaymentPermissionDenied("Your role may not retry payments.")
        if payment.status != PaymentStatus.FAILED:
            raise PaymentNotRetryable(
                f"This payment is {payment.get_status_display().lower()}, not failed: "
                "there is nothing to retry."
            )
        if order.status == OrderStatus.CANCELLED:
            raise PaymentNotRetryable(f"Order {order.number} is cancelled: nothing to retry.")
        failed = (
            payment.transactions.filter(status__in=(T.Status.DECLINED, T.Status.FAILED))
            .order_by("-id")
            .first()
        )
        if failed is None:
            raise PaymentNotRetryable("This payment has no failed operation to retry.")
        payment.failed_at = None
        payment.failure_reason = ""
        payment.retry()
        payment.save()
        if failed.kind == T.Kind.CAPTURE:
            amount = min(failed.amount, payment.capturable_amount())
        elif failed.kind == T.Kind.REFUND:
            amount = min(failed.amount, payment.refundable_amount())
        else:
            amount = failed.amount
        if amount <= 0:
            raise PaymentNotRetryable("Nothing of the failed operation is left to ask for.")
        txn = owe(
            payment,
            failed.kind,
            amount,
            reference=failed.reference,
            reason=failed.reason,
            actor=actor,
            actor_label=actor_label,
        )
        events.payment_retried(order, payment, txn, actor=actor, actor_label=actor_label)
        sync_order(order, payments)
    return payment


__all__ = [
    "capture_open",
    "payment_authorize",
    "payment_record",
    "payment_refund",
    "payment_request_capture",
    "payment_retry",
    "payments_release_uncaptured",
    "refund_limit_for",
    "refundable_total",
]
