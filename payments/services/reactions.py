"""How payments follows the order's life (called from `payments.receivers`, inside the
transaction of the order change — which may hold stock locks: these only insert and update
rows, and every gateway call is owed to a worker after commit).
"""

from decimal import Decimal

from django.utils import timezone

from oms.money import ZERO, parse_money
from orders.models import Order, SalesChannel
from payments import events
from payments.errors import UnknownGateway
from payments.gateways import get_gateway
from payments.models import CAPTURABLE_STATUSES, Payment, PaymentStatus, PaymentTransaction
from payments.services.common import (
    hold_for_payment,
    owe,
    sync_order,
)
from payments.services.execution import (
    CONFIRMED_REFERENCE,
    capture_open,
    settle_cancelled,
    settle_offline,
)

T = PaymentTransaction
TOTAL_LOWERED_REFERENCE = "order:total_lowered"


def _locked_payments(order: Order) -> list[Payment]:
    """The order's payments, locked by id. The caller holds the order's lock already."""
    return list(Payment.objects.select_for_update().filter(order=order).order_by("id"))


def payments_order_captured(*, order: Order) -> Payment | None:
    """Turn the payment block a channel sent with the order into a payment.

    A card payment is only written down here; its authorization is owed to a worker. Money the
    channel or the counter already took is recorded at once; money still to come (a bank
    transfer, cash on delivery, a marketplace order not yet paid) is awaited. A block that
    cannot be used keeps the order, on hold `payment_failed` with the reason.
    """
    block = order.payment_request if isinstance(order.payment_request, dict) else {}
    if not block:
        return None
    try:
        gateway = get_gateway(str(block.get("gateway") or "").strip())
    except UnknownGateway as error:
        hold_for_payment(order, f"The order's payment could not be used: {error.message}")
        return None
    given = block.get("amount")
    amount = order.grand_total if given in (None, "") else parse_money(given)
    if amount is None:
        hold_for_payment(order, f"The order's payment amount {given!r} is not an amount.")
        return None
    if amount <= 0:
        return None
    method = str(block.get("method") or ("card" if gateway.needs_token else ""))[:30]
    token = str(block.get("token") or "").strip()[:200]
    if gateway.needs_token and not token:
        hold_for_payment(order, "The card payment came without a token: ask for payment again.")
        return None
    payment = Payment.objects.create(
        order=order,
        gateway=gateway.code,
        method=method,
        currency=order.currency,
        amount=amount,
        token=token,
        reference=str(block.get("reference") or "")[:200],
    )
    if not gateway.offline:
        owe(payment, T.Kind.AUTHORIZE, amount, actor_label="checkout")
        events.payment_requested(order, payment, actor_label="checkout")
    elif given in (None, ""):
        events.payment_awaited(order, payment)
    else:
        txn = owe(payment, T.Kind.CAPTURE, amount, actor_label="checkout", enqueue=False)
        settle_offline(order, [payment], payment, txn)
        return payment
    sync_order(order, [payment])
    return payment


def payments_order_ready(*, order: Order) -> None:
    """An `on_confirm` channel captures the authorized money once the order is ready."""
    if order.channel.capture_policy != SalesChannel.CapturePolicy.ON_CONFIRM:
        return
    for payment in _locked_payments(order):
        if payment.status in CAPTURABLE_STATUSES:
            capture_open(order, payment, reference=CONFIRMED_REFERENCE)


def payments_order_cancelled(*, order: Order) -> None:
    """A cancelled order keeps no money: calls not yet sent are dropped, authorizations
    released, captured card money refunded; cash and marketplace money is flagged as owed."""
    payments = _locked_payments(order)
    now = timezone.now()
    for payment in payments:
        unsent = payment.transactions.select_for_update().filter(
            status=T.Status.REQUESTED, attempts=0, kind__in=(T.Kind.AUTHORIZE, T.Kind.CAPTURE)
        )
        unsent.update(
            status=T.Status.CANCELLED,
            error="The order was cancelled before this was sent.",
            completed_at=now,
            next_attempt_at=None,
        )
        if payment.status == PaymentStatus.PENDING and not payment.authorization_reference:
            if payment.owed(T.Kind.AUTHORIZE):
                continue  # Sent already: its answer settles the cancelled order.
            payment.voided_at = now
            payment.void()
            payment.save()
            events.payment_closed(order, payment)
            continue
        settle_cancelled(order, payment, announce_owed=True)
    sync_order(order, payments)


def _covered(payment: Payment) -> Decimal:
    """What this payment has taken or will take, as things stand."""
    taken = payment.amount_net - payment.owed(T.Kind.REFUND)
    return taken + payment.owed(T.Kind.CAPTURE) + payment.capturable_amount()


def payments_order_totals_changed(*, order: Order, previous_total: Decimal) -> None:
    """An edit changed the total: authorize a rise on the same card, release a drop from the
    authorization; what cannot be settled that way is written on the timeline for staff."""
    payments = _locked_payments(order)
    live = [p for p in payments if p.status not in (PaymentStatus.FAILED, PaymentStatus.VOIDED)]
    if not live:
        return
    difference = order.grand_total - sum((_covered(payment) for payment in live), ZERO)
    if difference > 0:
        card = next(
            (p for p in reversed(live) if p.token and not get_gateway(p.gateway).offline), None
        )
        if card is None:
            message = f"{difference} {order.currency} more is due; record or request it."
        else:
            extra = Payment.objects.create(
                order=order,
                gateway=card.gateway,
                method=card.method,
                currency=order.currency,
                amount=difference,
                token=card.token,
            )
            owe(extra, T.Kind.AUTHORIZE, difference)
            payments.append(extra)
            message = f"authorizing the extra {difference} {order.currency} on the same card."
    elif difference < 0:
        excess, released = -difference, ZERO
        for payment in reversed(live):
            if not payment.authorization_reference or get_gateway(payment.gateway).offline:
                continue
            amount = min(excess - released, payment.capturable_amount())
            if amount > 0:
                owe(payment, T.Kind.VOID, amount, reference=TOTAL_LOWERED_REFERENCE)
                released += amount
        parts = []
        if released:
            parts.append(f"releasing {released} {order.currency} of the authorization")
        if excess - released > 0:
            taken = sum((p.refundable_amount() for p in live), ZERO)
            if taken > order.grand_total:
                parts.append(
                    f"{min(excess - released, taken - order.grand_total)} {order.currency} "
                    "more than the new total was already taken: refund it if it is owed"
                )
            else:
                parts.append("the lower amount will be captured when the order ships")
        message = "; ".join(parts) + "."
    else:
        return
    events.total_difference(order, previous=previous_total, message=message)
    sync_order(order, payments)
