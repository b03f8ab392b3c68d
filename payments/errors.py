"""Payments' domain errors (see `oms.errors` for the shared ones). Each has a stable code."""

from oms.errors import DomainError


class PaymentInvalid(DomainError):
    """The payment request has invalid fields."""

    code = "validation_error"
    status_code = 400


class UnknownGateway(PaymentInvalid):
    """There is no payment gateway by that name."""


class RefundExceedsCaptured(DomainError):
    """A refund may give back at most what was captured and not yet refunded."""

    code = "refund_exceeds_captured"
    status_code = 409

    def __init__(self, message: str = "", *, refundable, **kwargs):
        super().__init__(message, **kwargs)
        self.refundable = refundable

    @property
    def extra(self) -> dict:
        return {"refundable": str(self.refundable)}


class RefundLimitExceeded(DomainError):
    """This refund is above what the person's role may refund on their own."""

    code = "refund_limit_exceeded"
    status_code = 403

    def __init__(self, message: str = "", *, limit, **kwargs):
        super().__init__(message, **kwargs)
        self.limit = limit

    @property
    def extra(self) -> dict:
        return {"limit": str(self.limit)}


class PaymentNotRetryable(DomainError):
    """Only a failed payment can be retried."""

    code = "payment_not_retryable"
    status_code = 409


class PaymentPermissionDenied(DomainError):
    """The person's role may not do this to a payment."""

    code = "permission_denied"
    status_code = 403
