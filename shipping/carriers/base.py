"""The one small interface every carrier adapter implements.

An adapter books a parcel with its carrier (`create_label`) and recognises the carrier's tracking
numbers (`tracking_number_valid`, for scans and incoming tracking webhooks). Each request carries
an idempotency key that the carrier must honour: the same key books one parcel and always gets
the same tracking number back, however often it is sent. The answer is a `LabelResult`:
approved with a tracking number, declined with a reason, or a transient error worth retrying —
the same three outcomes as a payment gateway's.

A live carrier's adapter implements `CarrierAdapter` and is registered by name in
`SHIPPING_CARRIERS`; a `Carrier` row names it in `adapter`. Adapters are called outside any
database transaction: a carrier's API is slow and may not answer at all.
"""

from abc import ABC, abstractmethod
from dataclasses import dataclass, field

from payments.gateways.base import Outcome


@dataclass(frozen=True)
class Party:
    """Who sends or receives a parcel, and where (the fields of an order's address)."""

    name: str
    company: str = ""
    line1: str = ""
    line2: str = ""
    city: str = ""
    region: str = ""
    postal_code: str = ""
    country: str = ""
    phone: str = ""

    @classmethod
    def from_address(cls, address) -> "Party":
        """From an `orders.Address` (or anything with the same attributes)."""
        return cls(**{name: getattr(address, name, "") or "" for name in cls.__dataclass_fields__})

    @classmethod
    def from_warehouse(cls, warehouse) -> "Party":
        """From an `inventory.Warehouse`: the parcel's sender."""
        return cls(
            name=warehouse.name,
            line1=warehouse.address_line1,
            city=warehouse.city,
            postal_code=warehouse.postal_code,
            country=warehouse.country,
        )

    def address_lines(self) -> list[str]:
        """The address as printed on a parcel, one line each, empty parts left out."""
        place = " ".join(part for part in (self.city, self.region, self.postal_code) if part)
        lines = [self.name, self.company, self.line1, self.line2, place, self.country]
        return [line.strip() for line in lines if line and line.strip()]


@dataclass(frozen=True)
class LabelRequest:
    shipment_number: str
    order_number: str
    # One per label wanted: a retry sends the same key, a new label for the parcel a new one.
    idempotency_key: str
    method_code: str
    method_name: str
    weight_grams: int
    ship_from: Party
    ship_to: Party


@dataclass(frozen=True)
class LabelResult:
    outcome: Outcome
    tracking_number: str = ""
    # Machine-readable decline or error code ("too_heavy", "no_postal_code") …
    code: str = ""
    # … and what a person reads on the shipment.
    reason: str = ""
    # The raw answer, kept for support.
    response: dict = field(default_factory=dict)

    @property
    def approved(self) -> bool:
        return self.outcome == Outcome.APPROVED

    @property
    def declined(self) -> bool:
        return self.outcome == Outcome.DECLINED

    @property
    def transient(self) -> bool:
        return self.outcome == Outcome.TRANSIENT_ERROR


def approved(tracking_number: str, **response) -> LabelResult:
    return LabelResult(Outcome.APPROVED, tracking_number=tracking_number, response=response)


def declined(code: str, reason: str, **response) -> LabelResult:
    return LabelResult(Outcome.DECLINED, code=code, reason=reason, response=response)


def transient_error(reason: str, **response) -> LabelResult:
    return LabelResult(
        Outcome.TRANSIENT_ERROR, code="transient_error", reason=reason, response=response
    )


class CarrierAdapter(ABC):
    code: str = ""
    label: str = ""

    @abstractmethod
    def create_label(self, request: LabelRequest) -> LabelResult:
        """Book the parcel with the carrier; approved answers carry its tracking number."""

    @abstractmethod
    def tracking_number_valid(self, number: str) -> bool:
        """Whether `number` is one of this carrier's tracking numbers (format and check digit)."""
