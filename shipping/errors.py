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


class ShippingPermissionDenied(ShippingError):
    """The person's role may not do this to a parcel."""

    code = "permission_denied"
    status_code = 403


class LabelMissing(ShippingError):
    """From the back office a parcel ships with its label: pack it first."""

    code = "label_missing"
    status_code = 409
