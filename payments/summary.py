"""What an order's payments add up to: the order's payment status and what was paid.

A pure function of the payments, so the rule lives in one place and reads like the table in
the README: failures first (they need someone), then refunds, then money taken, then promises.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from oms.money import ZERO
from payments.models import Payment, PaymentStatus


@dataclass(frozen=True)
class PaymentSummary:
    status: str  # one of orders' Order.PaymentStatus values
    amount_paid: Decimal  # captured minus refunded, over every payment
    amount_authorized_open: Decimal  # authorized and not yet captured or released


def summarize(payments: Iterable[Payment], *, grand_total: Decimal) -> PaymentSummary:
    payments = list(payments)
    captured = sum((payment.amount_captured for payment in payments), ZERO)
    refunded = sum((payment.amount_refunded for payment in payments), ZERO)
    paid = captured - refunded
    open_authorized = sum(
        (payment.amount_open for payment in payments if payment.status != PaymentStatus.FAILED),
        ZERO,
    )
    statuses = {payment.status for payment in payments}
    if not payments:
        status = "none"
    elif PaymentStatus.FAILED in statuses and paid < grand_total:
        status = "failed"
    elif refunded > 0:
        status = "refunded" if paid <= 0 and open_authorized == 0 else "partially_refunded"
    elif paid > 0:
        status = "paid" if paid >= grand_total else "partially_paid"
    elif open_authorized > 0:
        status = "authorized"
    elif PaymentStatus.PENDING in statuses:
        status = "pending"
    else:
        status = "none"
    return PaymentSummary(status=status, amount_paid=paid, amount_authorized_open=open_authorized)
