"""Making an owed gateway call and recording its answer — the outbox shape of
`oms.webhooks.services`, for money.

1. Lease (own short transaction): the owed transaction is due and its payment is ready for it;
   count the attempt and push `next_attempt_at` to the end of a lease, so no other worker sends
   it meanwhile. Nothing is marked done.
2. Call the gateway outside any transaction, with the transaction's idempotency key.
3. Record (own transaction, order → payments → transaction locked): apply the answer to the
   amounts, the payment's state and the order, and write the timeline.

A worker killed between 2 and 3 leaves the transaction `requested`; once the lease runs out the
sweeper sends it again with the same key, and the gateway answers what it answered before.
"""

import logging
import random
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from orders.models import Order, OrderStatus
from payments import events
from payments.gateways import GatewayResult, get_gateway
from payments.gateways.base import transient_error
from payments.models import Payment, PaymentStatus, PaymentTransaction
from payments.services.common import (
    enqueue_after_commit,
    hold_for_payment,
    lock_payments,
    owe,
    sync_order,
)

T = PaymentTransaction
logger = logging.getLogger(__name__)
# While one worker waits for the gateway, the transaction is not due for anyone else.
LEASE = timedelta(minutes=2)
# Statuses in which the order is confirmed: an `on_confirm` channel captures from here on.
CONFIRMED_STATUSES = (
    OrderStatus.READY,
    OrderStatus.FULFILLING,
    OrderStatus.PARTIALLY_SHIPPED,
    OrderStatus.SHIPPED,
    OrderStatus.DELIVERED,
)
CONFIRMED_REFERENCE = "order:confirmed"
CANCEL_REFERENCE = "order:cancelled"


def _backoff(attempts: int) -> timedelta:
    """Base, 2×base, 4×base … capped, with jitter so a struggling gateway is not hit in step."""
    base = settings.PAYMENTS_RETRY_BASE_SECONDS
    ceiling = min(settings.CELERY_MAX_COUNTDOWN_SECONDS, base * 2 ** (attempts - 1))
    return timedelta(seconds=random.uniform(ceiling / 2, ceiling))


def _waits_for_authorization(txn: PaymentTransaction, payment: Payment) -> bool:
    """A capture, refund or void of a payment whose authorization is still being asked for."""
    return txn.kind != T.Kind.AUTHORIZE and not payment.authorization_reference


def _lease(transaction_id: int, *, ignore_schedule: bool) -> PaymentTransaction:
    with transaction.atomic(durable=True):
        txn = (
            PaymentTransaction.objects.select_for_update(of=("self",))
            .select_related("payment")
            .get(pk=transaction_id)
        )
        txn.leased = False
        now = timezone.now()
        not_due = txn.next_attempt_at is not None and txn.next_attempt_at > now
        if txn.status != T.Status.REQUESTED or (not_due and not ignore_schedule):
            return txn
        if _waits_for_authorization(txn, txn.payment):
            # The authorization's answer enqueues it (and the sweeper would, too).
            return txn
        txn.attempts += 1
        txn.next_attempt_at = now + LEASE
        txn.save(update_fields=["attempts", "next_attempt_at", "updated_at"])
        txn.leased = True
        return txn


def call_gateway(payment: Payment, txn: PaymentTransaction) -> GatewayResult:
    """Make the call. An adapter that raises instead of answering (a bug, a dropped connection)
    is treated as a transient error: retried with the same key, then failed where staff see it."""
    try:
        return _call(payment, txn)
    except Exception as error:  # any adapter failure must leave the call owed, never lost
        logger.exception("Payment gateway %s raised on %s #%s", payment.gateway, txn.kind, txn.pk)
        return transient_error(f"The gateway call raised {type(error).__name__}: {error}"[:500])


def _call(payment: Payment, txn: PaymentTransaction) -> GatewayResult:
    gateway = get_gateway(payment.gateway)
    common = {
        "amount": txn.amount,
        "currency": payment.currency,
        "idempotency_key": txn.idempotency_key,
    }
    if txn.kind == T.Kind.AUTHORIZE:
        return gateway.authorize(token=payment.token, **common)
    operation = getattr(gateway, txn.kind)
    return operation(authorization=payment.authorization_reference, **common)


def payment_transaction_execute(
    *, transaction_id: int, ignore_schedule: bool = False
) -> PaymentTransaction:
    """Make one owed gateway call and record the answer.

    Skips a transaction that is settled, not yet due (unless `ignore_schedule`), or waiting for
    its payment's authorization. The returned transaction's `attempted` says whether this call
    reached the gateway; a transient error leaves it `requested` with its next due time.
    """
    txn = _lease(transaction_id, ignore_schedule=ignore_schedule)
    if not txn.leased:
        txn.attempted = False
        return txn
    result = call_gateway(txn.payment, txn)
    with transaction.atomic(durable=True):
        order, payments = lock_payments(Order(pk=txn.payment.order_id))
        txn = PaymentTransaction.objects.select_for_update().get(pk=transaction_id)
        payment = next(payment for payment in payments if payment.pk == txn.payment_id)
        apply_result(order, payments, payment, txn, result)
    txn.attempted = True
    return txn


def apply_result(
    order: Order,
    payments: list[Payment],
    payment: Payment,
    txn: PaymentTransaction,
    result: GatewayResult,
) -> None:
    """Record a gateway's answer. Everything is locked by the caller."""
    if txn.status != T.Status.REQUESTED:
        # Another worker recorded this answer already (the same key gets the same answer).
        return
    now = timezone.now()
    if result.transient:
        txn.error = result.reason[:500]
        if txn.attempts < settings.PAYMENTS_MAX_ATTEMPTS:
            txn.next_attempt_at = now + _backoff(txn.attempts)
            txn.save(update_fields=["error", "next_attempt_at", "updated_at"])
            return
        txn.status = T.Status.FAILED
    else:
        txn.status = T.Status.SUCCEEDED if result.approved else T.Status.DECLINED
        txn.error = result.reason[:500]
    txn.gateway_reference = result.reference[:100]
    txn.response = result.response
    txn.completed_at = now
    txn.next_attempt_at = None
    txn.save()
    if txn.status == T.Status.SUCCEEDED:
        _apply_money(order, payment, txn)
    else:
        _apply_failure(order, payment, txn)
    if order.status == OrderStatus.CANCELLED:
        settle_cancelled(order, payment)
    sync_order(order, payments)


def _apply_money(order: Order, payment: Payment, txn: PaymentTransaction) -> None:
    if txn.kind == T.Kind.AUTHORIZE:
        payment.amount_authorized += txn.amount
        payment.authorization_reference = txn.gateway_reference
        payment.authorize()
        payment.save()
        events.payment_authorized(order, payment, txn)
        _release_waiting(payment)
        if _captures_on_confirm(order):
            capture_open(order, payment, reference=CONFIRMED_REFERENCE)
    elif txn.kind == T.Kind.CAPTURE:
        payment.amount_captured += txn.amount
        if payment.status == PaymentStatus.PENDING:
            # Money recorded by an offline gateway: authorized and captured at once.
            payment.amount_authorized += txn.amount
            payment.receive()
            payment.save()
            events.payment_recorded(order, payment, txn, reference=payment.reference)
        else:
            payment.capture()
            payment.save()
            events.payment_captured(order, payment, txn)
    elif txn.kind == T.Kind.REFUND:
        payment.amount_refunded += txn.amount
        payment.refund()
        payment.save()
        events.payment_refunded(order, payment, txn)
    elif txn.kind == T.Kind.VOID:
        payment.amount_voided += txn.amount
        payment.void()
        payment.save()
        events.payment_voided(order, payment, txn)


def _apply_failure(order: Order, payment: Payment, txn: PaymentTransaction) -> None:
    if txn.status == T.Status.DECLINED:
        events.payment_declined(order, payment, txn)
    else:
        events.payment_failed(order, payment, txn)
    payment.failed_at = timezone.now()
    payment.failure_reason = f"{txn.get_kind_display()} {txn.get_status_display().lower()}: "
    payment.failure_reason = (payment.failure_reason + (txn.error or "no reason given"))[:500]
    payment.fail()
    payment.save()
    if txn.kind == T.Kind.AUTHORIZE:
        # Nothing was authorized: what waited for the authorization is no longer owed.
        payment.transactions.filter(status=T.Status.REQUESTED).exclude(pk=txn.pk).update(
            status=T.Status.CANCELLED,
            error="The authorization failed.",
            completed_at=timezone.now(),
            next_attempt_at=None,
        )
    hold_for_payment(
        order,
        f"{txn.get_kind_display()} of {txn.amount} {order.currency} "
        f"{txn.get_status_display().lower()}: {txn.error or 'no reason given'}",
    )


def _release_waiting(payment: Payment) -> None:
    """Enqueue what waited for this payment's authorization (captures, voids)."""
    waiting = payment.transactions.filter(status=T.Status.REQUESTED).exclude(kind=T.Kind.AUTHORIZE)
    for txn in waiting:
        enqueue_after_commit(txn)


def _captures_on_confirm(order: Order) -> bool:
    from orders.models import SalesChannel

    return (
        order.channel.capture_policy == SalesChannel.CapturePolicy.ON_CONFIRM
        and order.status in CONFIRMED_STATUSES
    )


def capture_open(order: Order, payment: Payment, *, reference: str, actor=None) -> Decimal:
    """Ask to capture what is still capturable on one payment; returns the amount asked."""
    if payment.transactions.filter(
        kind=T.Kind.CAPTURE,
        reference=reference,
        status__in=(T.Status.REQUESTED, T.Status.SUCCEEDED),
    ).exists():
        return Decimal("0.00")
    amount = payment.capturable_amount()
    if amount <= 0:
        return Decimal("0.00")
    txn = owe(payment, T.Kind.CAPTURE, amount, reference=reference, actor=actor)
    events.capture_requested(order, payment, txn)
    return amount


def settle_cancelled(order: Order, payment: Payment, *, announce_owed: bool = False) -> None:
    """A cancelled order keeps no money: release what is authorized, refund what was taken.

    Cash and marketplace money cannot be given back by the OMS: it is announced as owed (once,
    when the order is cancelled) for a person to return and record.
    """
    gateway = get_gateway(payment.gateway)
    if not gateway.offline and payment.authorization_reference:
        in_flight = payment.owed(T.Kind.CAPTURE) + payment.owed(T.Kind.VOID)
        open_amount = payment.amount_open - in_flight
        if open_amount > 0:
            owe(payment, T.Kind.VOID, open_amount, reference=CANCEL_REFERENCE)
    refundable = payment.refundable_amount()
    if refundable > 0:
        if gateway.refunds_on_cancel:
            txn = owe(payment, T.Kind.REFUND, refundable, reason="order cancelled", reference="")
            events.refund_requested(order, payment, txn)
        elif announce_owed:
            events.refund_owed(order, payment, amount=refundable)


def settle_offline(
    order: Order, payments: list[Payment], payment: Payment, txn: PaymentTransaction
) -> None:
    """Offline gateways answer at once (no call leaves the process): record it right here."""
    txn.attempts += 1
    txn.save(update_fields=["attempts", "updated_at"])
    apply_result(order, payments, payment, txn, call_gateway(payment, txn))
