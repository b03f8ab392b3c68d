"""Shipping's domain errors (see `oms.errors` for the shared ones). Each has a stable code."""

from oms.errors import DomainError


class ShippingError(DomainError):
    """Something about a shipment, a carrier or a rate is not possible."""

    code = "shipping_error"
    status_code = 400


class UnknownCarrier(ShippingError):
    """There is no carrier adapter by that name."""

    code = "validation_error"
    status_code = 400


class ScanRefused(ShippingError):
    """The scanned item is not (or no longer) expected in this parcel."""

    code = "scan_refused"
    status_code = 409
