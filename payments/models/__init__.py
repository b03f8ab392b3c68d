"""The payments app's tables; import them from here."""

from payments.models.payments import (
    CAPTURABLE_STATUSES,
    Payment,
    PaymentStatus,
    PaymentTransaction,
    may_handle_money,
    may_refund,
)
from payments.models.sandbox import SandboxLedgerEntry, SandboxRequest

__all__ = [
    "CAPTURABLE_STATUSES",
    "Payment",
    "PaymentStatus",
    "PaymentTransaction",
    "SandboxLedgerEntry",
    "SandboxRequest",
    "may_handle_money",
    "may_refund",
]
