"""Returns' domain errors (see `oms.errors` for the shared ones). Each has a stable code."""

from oms.errors import DomainError


class ReturnInvalid(DomainError):
    """The return has invalid fields."""

    code = "validation_error"
    status_code = 400


class ReturnExceedsShipped(DomainError):
    """More units than were shipped and not yet returned (or on another open return)."""

    code = "return_exceeds_shipped"
    status_code = 409


class ReturnPermissionDenied(DomainError):
    """The person's role may not do this to a return."""

    code = "permission_denied"
    status_code = 403


class RefundAboveQuote(DomainError):
    """Staff may lower a return's refund, never raise it above what the return is worth."""

    code = "refund_above_quote"
    status_code = 409

    def __init__(self, message: str = "", *, quote, **kwargs):
        super().__init__(message, **kwargs)
        self.quote = quote

    @property
    def extra(self) -> dict:
        return {"quote": str(self.quote)}
