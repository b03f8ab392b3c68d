"""Demo payments for `manage.py seed_demo` (runs after the orders demo).

The orders demo captures each order with the payment block its channel would send, and capture
turns the block into a payment. This seeder does what a worker and the staff would have done
since, so the demo shows orders in every payment status:

1. It makes every gateway call the demo orders still owe, in-process: with `REDIS_URL` set and
   no worker running they would otherwise stay owed (and without it, they ran already).
2. It cancels a few orders whose money was authorized or captured, so the OMS itself releases
   an authorization and refunds a card (the orders demo cancels its orders before any gateway
   call goes out, so there the payment is only closed).
3. It records bank transfers that arrived for phone orders: a deposit on some, the full amount
   on others; the rest are still awaited.
4. It refunds part of a few paid orders as a goodwill gesture, and in full a couple of orders
   cancelled after the marketplace or the counter had taken the money.

Which orders get what follows from their external ids and the payment blocks they came with,
never from what this seeder did to them, so a second run picks the same orders, finds each one
done, and changes nothing.
"""

from decimal import Decimal

from django.db import transaction
from django.db.models import QuerySet

from oms.money import CENT
from orders.demo import EXTERNAL_PREFIX
from orders.models import Order, OrderStatus, SalesChannel
from orders.services import order_cancel
from payments.models import PaymentTransaction
from payments.services import payment_record, payment_refund, payment_transaction_execute

T = PaymentTransaction
P = Order.PaymentStatus
# Enough rounds for a flaky card (two transient errors) followed by the capture an `on_confirm`
# channel asks for once the authorization is in.
MAX_ROUNDS = 20
DEPOSIT_SHARE = Decimal("0.30")
GOODWILL_SHARE = Decimal("0.10")
GOODWILL_REASON = "Goodwill: 10% back after the customer complained about the delivery estimate."


def _demo_orders() -> QuerySet:
    return (
        Order.objects.filter(external_id__startswith=EXTERNAL_PREFIX)
        .select_related("channel")
        .order_by("external_id")
    )


def _paid_with(
    order: Order, *, gateway: str, token: str = "", received: bool | None = None
) -> bool:
    """Whether the order came with this payment block (`received`: with an amount or not)."""
    block = order.payment_request if isinstance(order.payment_request, dict) else {}
    if block.get("gateway") != gateway or (token and block.get("token") != token):
        return False
    return received is None or (block.get("amount") not in (None, "")) == received


def run_owed_calls(*, prefix: str = EXTERNAL_PREFIX) -> int:
    """Make every gateway call the demo orders (external ids starting `prefix`) owe, retries
    included; returns the calls made."""
    made = 0
    for _ in range(MAX_ROUNDS):
        owed = list(
            T.objects.filter(
                status=T.Status.REQUESTED,
                payment__order__external_id__startswith=prefix,
            )
            .order_by("id")
            .values_list("pk", flat=True)
        )
        progressed = False
        for transaction_id in owed:
            if payment_transaction_execute(
                transaction_id=transaction_id, ignore_schedule=True
            ).attempted:
                made += 1
                progressed = True
        if not progressed:
            break
    return made


def _cancel_after_payment(actor) -> int:
    """Cancel every 40th approved web card order once authorized (the authorization is
    released) and every 8th card phone order once captured (the card is refunded)."""
    web = [
        order
        for order in _demo_orders().filter(channel__kind=SalesChannel.Kind.WEB)
        if _paid_with(order, gateway="sandbox", token="tok_visa")
    ]
    phone = [
        order
        for order in _demo_orders().filter(channel__kind=SalesChannel.Kind.MANUAL)
        if _paid_with(order, gateway="sandbox", token="tok_visa")
    ]
    chosen = [(order, P.AUTHORIZED) for order in web[13::40]]
    chosen += [(order, P.PAID) for order in phone[3::8]]
    cancelled = 0
    for order, payment_status in chosen:
        if order.status == OrderStatus.CANCELLED or order.payment_status != payment_status:
            continue
        with transaction.atomic():
            order_cancel(order=order, reason="customer cancelled after paying by card", actor=actor)
        cancelled += 1
    return cancelled


def _record_transfers(actor) -> int:
    """Bank transfers that arrived for phone orders: of every three awaited, a deposit on the
    first, the whole amount on the second; the third is still awaited."""
    awaited = [
        order
        for order in _demo_orders()
        .filter(channel__kind=SalesChannel.Kind.MANUAL)
        .exclude(status=OrderStatus.CANCELLED)
        if _paid_with(order, gateway="manual", received=False)
    ]
    recorded = 0
    for position, order in enumerate(awaited):
        if position % 3 == 2 or order.payment_status != P.PENDING:
            continue
        share = DEPOSIT_SHARE if position % 3 == 0 else Decimal("1")
        payment_record(
            order=order,
            amount=(order.grand_total * share).quantize(CENT),
            method="bank_transfer",
            gateway="manual",
            reference=f"TRF-{order.external_id.removeprefix(EXTERNAL_PREFIX)}",
            actor=actor,
        )
        recorded += 1
    return recorded


def _refunds(actor) -> int:
    """A goodwill refund on every 20th order paid at the counter, on the marketplace or by card
    over the phone; the full amount back on the first cancelled order whose money the counter
    took, and the first whose money the marketplace took (the OMS cannot give that back by
    itself: staff do, then record it)."""
    offline = ("manual", "marketplace")
    paid_when_placed = [
        order
        for order in _demo_orders()
        if any(_paid_with(order, gateway=gateway, received=True) for gateway in offline)
        or (
            order.channel.kind == SalesChannel.Kind.MANUAL
            and _paid_with(order, gateway="sandbox", token="tok_visa")
        )
    ]
    refunds = [
        (order, (order.grand_total * GOODWILL_SHARE).quantize(CENT), GOODWILL_REASON)
        for order in paid_when_placed[4::20]
        if order.status != OrderStatus.CANCELLED
    ]
    for gateway in offline:
        cancelled = next(
            (
                order
                for order in paid_when_placed
                if order.status == OrderStatus.CANCELLED
                and _paid_with(order, gateway=gateway, received=True)
            ),
            None,
        )
        if cancelled is not None:
            reason = "Order cancelled: the money was given back to the customer."
            refunds.append((cancelled, cancelled.amount_paid, reason))
    made = 0
    for order, amount, reason in refunds:
        if order.payment_status != P.PAID or amount <= 0:
            continue
        if T.objects.filter(payment__order=order, kind=T.Kind.REFUND).exists():
            continue
        payment_refund(order=order, amount=amount, reason=reason, actor=actor)
        made += 1
    return made


def seed_payments(actor=None) -> dict:
    """Settle the demo orders' payments; returns what was done and the orders per status."""
    calls = run_owed_calls()
    cancelled = _cancel_after_payment(actor)
    transfers = _record_transfers(actor)
    refunds = _refunds(actor)
    # The cancellations' voids and refunds go to the card processor too.
    calls += run_owed_calls()
    return {
        "gateway_calls": calls,
        "cancelled_after_payment": cancelled,
        "transfers_recorded": transfers,
        "refunds": refunds,
        **_status_counts(),
    }


def _status_counts() -> dict:
    demo = Order.objects.filter(external_id__startswith=EXTERNAL_PREFIX)
    return {status: demo.filter(payment_status=status).count() for status in P.values}
