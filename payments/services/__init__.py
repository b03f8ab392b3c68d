"""Every write to payments. Import from here: `from payments.services import payment_refund`."""

from payments.services.execution import payment_transaction_execute
from payments.services.reactions import (
    payments_order_cancelled,
    payments_order_captured,
    payments_order_ready,
    payments_order_totals_changed,
)
from payments.services.requests import (
    payment_authorize,
    payment_record,
    payment_refund,
    payment_request_capture,
    payment_retry,
    payments_release_uncaptured,
    refund_limit_for,
    refundable_total,
)
from payments.services.sweep import payment_sweep

__all__ = [
    "payment_authorize",
    "payment_record",
    "payment_refund",
    "payment_request_capture",
    "payment_retry",
    "payment_sweep",
    "payment_transaction_execute",
    "payments_order_cancelled",
    "payments_order_captured",
    "payments_order_ready",
    "payments_order_totals_changed",
    "payments_release_uncaptured",
    "refund_limit_for",
    "refundable_total",
]
