"""The order-timeline entries payments write, one function each (types start with `payment_`).

A gateway's answer is recorded in the name of whoever asked for the operation (the refund's
support agent, or "system" for a capture on shipment), since the worker only carried it out.
"""

from decimal import Decimal

from orders.events import record
from orders.models import Order, OrderEvent
from payments.gateways import get_gateway
from payments.models import Payment, PaymentTransaction


def _clause(text: str) -> str:
    """A reason or error as part of a sentence that adds its own full stop."""
    return text.strip().rstrip(".")


def _money(amount: Decimal, order: Order) -> str:
    return f"{amount} {order.currency}"


def _how(payment: Payment) -> str:
    method = payment.method.replace("_", " ") if payment.method else ""
    label = get_gateway(payment.gateway).label if payment.gateway else ""
    return f"{method} ({label})" if method and label else method or label


def _by(txn: PaymentTransaction) -> dict:
    return {"actor": txn.requested_by, "actor_label": txn.actor_label}


def _data(payment: Payment, txn: PaymentTransaction | None = None, **extra) -> dict:
    data = {"payment_id": payment.pk, "gateway": payment.gateway, **extra}
    if txn is not None:
        data.update(transaction_id=txn.pk, kind=txn.kind, amount=str(txn.amount))
    return data


def payment_requested(order, payment, *, actor=None, actor_label=None) -> OrderEvent:
    return record(
        order,
        "payment_requested",
        f"Payment of {_money(payment.amount, order)} by {_how(payment)} requested; authorizing it.",
        actor=actor,
        actor_label=actor_label,
        data=_data(payment),
    )


def payment_awaited(order, payment, *, actor=None, actor_label=None) -> OrderEvent:
    return record(
        order,
        "payment_awaited",
        f"Awaiting {_money(payment.amount, order)} by {_how(payment)}.",
        actor=actor,
        actor_label=actor_label,
        data=_data(payment),
    )


def payment_recorded(order, payment, txn, *, reference: str = "") -> OrderEvent:
    ref = f" (reference {reference})" if reference else ""
    return record(
        order,
        "payment_recorded",
        f"Received {_money(txn.amount, order)} by {_how(payment)}{ref}.",
        data=_data(payment, txn, reference=reference),
        **_by(txn),
    )


def payment_authorized(order, payment, txn) -> OrderEvent:
    return record(
        order,
        "payment_authorized",
        f"Authorized {_money(txn.amount, order)} by {_how(payment)} ({txn.gateway_reference}).",
        data=_data(payment, txn),
        **_by(txn),
    )


def capture_requested(order, payment, txn) -> OrderEvent:
    why = f" for {txn.reference}" if txn.reference else ""
    return record(
        order,
        "payment_capture_requested",
        f"Capture of {_money(txn.amount, order)}{why} requested.",
        data=_data(payment, txn, reference=txn.reference),
        **_by(txn),
    )


def capture_shortfall(order, *, amount: Decimal, reference: str) -> OrderEvent:
    why = f" for {reference}" if reference else ""
    return record(
        order,
        "payment_capture_shortfall",
        f"Could not capture {_money(amount, order)}{why}: no authorized payment covers it; "
        "the amount stays due.",
        data={"amount": str(amount), "reference": reference},
    )


def payment_captured(order, payment, txn) -> OrderEvent:
    why = f" for {txn.reference}" if txn.reference else ""
    return record(
        order,
        "payment_captured",
        f"Captured {_money(txn.amount, order)}{why} ({txn.gateway_reference}).",
        data=_data(payment, txn),
        **_by(txn),
    )


def refund_requested(order, payment, txn) -> OrderEvent:
    why = f": {_clause(txn.reason)}" if txn.reason else ""
    return record(
        order,
        "payment_refund_requested",
        f"Refund of {_money(txn.amount, order)} to {_how(payment)} requested{why}.",
        data=_data(payment, txn, reason=txn.reason),
        **_by(txn),
    )


def payment_refunded(order, payment, txn) -> OrderEvent:
    why = f": {_clause(txn.reason)}" if txn.reason else ""
    return record(
        order,
        "payment_refunded",
        f"Refunded {_money(txn.amount, order)} to {_how(payment)}{why}.",
        data=_data(payment, txn, reason=txn.reason),
        **_by(txn),
    )


def refund_owed(order, payment, *, amount: Decimal) -> OrderEvent:
    return record(
        order,
        "payment_refund_owed",
        f"{_money(amount, order)} taken by {_how(payment)} must be given back by hand "
        "(or on the channel); record the refund once it is done.",
        data=_data(payment, amount=str(amount)),
    )


def payment_voided(order, payment, txn) -> OrderEvent:
    return record(
        order,
        "payment_voided",
        f"Released {_money(txn.amount, order)} of the authorization uncaptured.",
        data=_data(payment, txn),
        **_by(txn),
    )


def payment_closed(order, payment) -> OrderEvent:
    return record(
        order,
        "payment_voided",
        f"Payment of {_money(payment.amount, order)} by {_how(payment)} closed before any "
        "money moved.",
        data=_data(payment),
    )


def payment_declined(order, payment, txn) -> OrderEvent:
    code = f" ({txn.response.get('decline_code') or 'declined'})" if txn.response else ""
    return record(
        order,
        "payment_declined",
        f"{txn.get_kind_display()} of {_money(txn.amount, order)} declined by "
        f"{_how(payment)}: {_clause(txn.error) or 'no reason given'}{code}.",
        data=_data(payment, txn, error=txn.error),
        **_by(txn),
    )


def payment_failed(order, payment, txn) -> OrderEvent:
    return record(
        order,
        "payment_failed",
        f"{txn.get_kind_display()} of {_money(txn.amount, order)} failed after "
        f"{txn.attempts} attempts: {_clause(txn.error) or 'the gateway did not answer'}.",
        data=_data(payment, txn, error=txn.error),
        **_by(txn),
    )


def payment_retried(order, payment, txn, *, actor=None, actor_label=None) -> OrderEvent:
    return record(
        order,
        "payment_retried",
        f"Retrying the failed {txn.kind} of {_money(txn.amount, order)}.",
        actor=actor,
        actor_label=actor_label,
        data=_data(payment, txn),
    )


def total_difference(order, *, previous: Decimal, message: str) -> OrderEvent:
    return record(
        order,
        "payment_difference",
        f"Order total changed from {_money(previous, order)} to "
        f"{_money(order.grand_total, order)}: {message}",
        data={"previous_total": str(previous), "grand_total": str(order.grand_total)},
    )


def payment_problem(order, *, message: str) -> OrderEvent:
    return record(order, "payment_problem", message)
