"""Inventory's domain errors: raised by services before a database constraint would fire."""

from oms.errors import DomainError


class InvalidQuantity(DomainError):
    """Quantities must be whole numbers above zero."""

    code = "validation_error"
    status_code = 400


class InsufficientStock(DomainError):
    """Not enough stock is available to promise."""

    code = "insufficient_stock"
    status_code = 409

    def __init__(self, message: str = "", *, shortages: list[dict] | None = None, **kwargs):
        super().__init__(message, **kwargs)
        self.shortages = shortages or []

    @property
    def extra(self) -> dict:
        return {"shortages": self.shortages}


class NegativeStock(DomainError):
    """This would take stock on hand below zero."""

    code = "negative_stock"
    status_code = 409


class StockAllocated(DomainError):
    """Units promised to orders cannot be removed; release or reallocate them first."""

    code = "stock_allocated"
    status_code = 409


class OverRelease(DomainError):
    """More units were released or shipped than are allocated."""

    code = "over_release"
    status_code = 409


class StockMoved(Exception):
    """A level no longer had the units a plan made on an earlier read counted on (another order
    took them). Not a refusal: the caller rolls back and plans again on locked figures."""
