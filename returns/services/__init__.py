"""Every write to returns. Import from here: `from returns.services import return_create`."""

from returns.services.common import returnable_units
from returns.services.labels import return_label_make
from returns.services.notifications import return_email_send
from returns.services.receiving import ReceivedUnits, return_receive
from returns.services.requests import (
    ExchangeLineData,
    ReturnLineData,
    return_approve,
    return_close,
    return_create,
    return_reject,
)
from returns.services.settlement import RefundQuote, refund_quote, return_exchange, return_refund
from returns.services.sweep import returns_sweep

__all__ = [
    "ExchangeLineData",
    "ReceivedUnits",
    "RefundQuote",
    "ReturnLineData",
    "refund_quote",
    "return_approve",
    "return_close",
    "return_create",
    "return_email_send",
    "return_exchange",
    "return_label_make",
    "return_receive",
    "return_refund",
    "return_reject",
    "returnable_units",
    "returns_sweep",
]
