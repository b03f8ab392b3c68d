"""Orders' domain errors (see `oms.errors` for the shared ones)."""

from oms.errors import DomainError


class DuplicateOrder(DomainError):
    """This channel already sent an order with this external id."""

    code = "duplicate_order"
    status_code = 409

    def __init__(self, message: str = "", *, existing_number: str, **kwargs):
        super().__init__(message, **kwargs)
        self.existing_number = existing_number

    @property
    def extra(self) -> dict:
        return {"existing_number": self.existing_number}


class OrderInvalid(DomainError):
    """The order has invalid fields."""

    code = "validation_error"
    status_code = 400


class OrderNotEditable(DomainError):
    """The order can no longer be edited: fulfillment has started or it is closed."""

    code = "invalid_transition"
    status_code = 409
