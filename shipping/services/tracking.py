"""What carriers say about parcels: kept as received, then applied to the shipment and order.

Every signed delivery is written to `CarrierEventReceipt` in its own transaction before it is
applied, so an event for a tracking number we do not know (yet), or one that fails to apply,
is still there with the reason. Events may arrive twice or out of order: a repeat adds nothing,
and a late "in transit" never takes back a delivery.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from oms.validators import without_nul
from orders.models import Order
from orders.services import order_mark_delivered, order_shipment_exception_set
from orders.services.common import lock_order
from shipping import events
from shipping.errors import ShippingError
from shipping.models import (
    Carrier,
    CarrierEventReceipt,
    Shipment,
    ShipmentStatus,
    TrackingEvent,
)

S = ShipmentStatus
K = TrackingEvent.Kind
MAX_TRACKING_NUMBER = 64


@dataclass(frozen=True)
class CarrierEvent:
    tracking_number: str
    status: str
    occurred_at: datetime
    location: str = ""
    description: str = ""


def parse_event(payload) -> CarrierEvent:
    """A carrier's event body → `CarrierEvent`; ShippingError naming the bad fields."""
    if not isinstance(payload, dict):
        raise ShippingError("The event must be a JSON object.")
    problems = {}
    number = payload.get("tracking_number")
    if (
        not isinstance(number, str)
        or not number.strip()
        or len(number) > MAX_TRACKING_NUMBER
        or "\x00" in number
    ):
        problems["tracking_number"] = ["A tracking number of 1 to 64 characters."]
    status = payload.get("status")
    if status not in K.values:
        problems["status"] = [f"One of: {', '.join(K.values)}."]
    raw = payload.get("occurred_at")
    try:
        occurred = parse_datetime(raw) if isinstance(raw, str) else None
    except ValueError:
        occurred = None
    if occurred is not None:
        if timezone.is_naive(occurred):
            occurred = timezone.make_aware(occurred, timezone.get_current_timezone())
        if not _plausible(occurred):
            occurred = None
            problems["occurred_at"] = ["A date-time between 2000 and tomorrow."]
    else:
        problems["occurred_at"] = ["An ISO 8601 date-time."]
    texts = {}
    for name, limit in (("location", 200), ("description", 500)):
        value = payload.get(name) or ""
        if not isinstance(value, str) or len(value) > limit or "\x00" in value:
            problems[name] = [f"Text of at most {limit} characters."]
        texts[name] = value if isinstance(value, str) else ""
    if problems:
        raise ShippingError("The tracking event has invalid fields.", fields=problems)
    return CarrierEvent(
        number.strip(), status, occurred, texts["location"].strip(), texts["description"].strip()
    )


# A carrier's clock may run a little ahead; an event dated far from now is nonsense, and one
# outside years 1–9999 in UTC would be stored and then could not be read back.
EARLIEST_EVENT = datetime(2000, 1, 1, tzinfo=UTC)
CLOCK_SKEW = timedelta(days=1)


def _plausible(moment: datetime) -> bool:
    try:
        utc = moment.astimezone(UTC)
    except OverflowError:
        return False
    return EARLIEST_EVENT <= utc <= timezone.now() + CLOCK_SKEW


def carrier_event_receive(*, carrier: Carrier, payload) -> CarrierEventReceipt:
    """Keep a (verified) carrier delivery, then apply it; returns the receipt with its outcome.
    An invalid event is kept with the reason and raised as a ShippingError."""
    number = payload.get("tracking_number") if isinstance(payload, dict) else None
    kept = without_nul(payload if isinstance(payload, dict) else {"body": payload})
    with transaction.atomic():
        receipt = CarrierEventReceipt.objects.create(
            carrier=carrier,
            tracking_number=without_nul(number[:64]) if isinstance(number, str) else "",
            payload=kept,
        )
    try:
        event = parse_event(payload)
    except ShippingError as error:
        _finish(receipt, CarrierEventReceipt.Outcome.INVALID, error=error.message)
        raise
    with transaction.atomic():
        shipment = (
            Shipment.objects.filter(tracking_number=event.tracking_number, method__carrier=carrier)
            .only("pk", "order_id")
            .first()
        )
        if shipment is None:
            return _finish(
                receipt,
                CarrierEventReceipt.Outcome.UNMATCHED,
                error=f"No shipment of {carrier.code} has tracking number {event.tracking_number}.",
            )
        recorded = tracking_event_apply(shipment=shipment, event=event)
    outcome = (
        CarrierEventReceipt.Outcome.RECORDED if recorded else CarrierEventReceipt.Outcome.DUPLICATE
    )
    return _finish(receipt, outcome, shipment=shipment)


def _finish(receipt, outcome, *, error: str = "", shipment=None) -> CarrierEventReceipt:
    receipt.outcome = outcome
    receipt.error = error[:500]
    receipt.shipment = shipment
    receipt.save(update_fields=["outcome", "error", "shipment"])
    return receipt


@transaction.atomic
def tracking_event_apply(*, shipment: Shipment, event: CarrierEvent) -> bool:
    """Append the event to the parcel's history and move the parcel (and order) on; False when
    the carrier had sent this event before."""
    order = lock_order(Order(pk=shipment.order_id))
    shipment = Shipment.objects.select_for_update().get(pk=shipment.pk)
    try:
        with transaction.atomic():
            TrackingEvent.objects.create(
                shipment=shipment,
                status=event.status,
                occurred_at=event.occurred_at,
                location=event.location,
                description=event.description,
            )
    except IntegrityError:
        return False
    moved = _move(shipment, event)
    if moved:
        shipment.save()
        events.shipment_tracked(
            order, shipment, status=shipment.status, description=event.description
        )
    _follow_on_order(order, shipment, event)
    return True


def _move(shipment: Shipment, event: CarrierEvent) -> bool:
    """The parcel's new state, if the event moves it forward."""
    if event.status == K.DELIVERED and shipment.status in (S.SHIPPED, S.IN_TRANSIT, S.EXCEPTION):
        shipment.deliver()
        shipment.delivered_at = event.occurred_at
        return True
    if event.status == K.EXCEPTION and shipment.status in (S.SHIPPED, S.IN_TRANSIT):
        shipment.mark_exception()
        return True
    if event.status in (K.IN_TRANSIT, K.OUT_FOR_DELIVERY) and shipment.status in (
        S.SHIPPED,
        S.EXCEPTION,
    ):
        shipment.mark_in_transit()
        return True
    return False


def _follow_on_order(order: Order, shipment: Shipment, event: CarrierEvent) -> None:
    in_exception = order.shipments.filter(status=S.EXCEPTION).exists()
    order_shipment_exception_set(
        order=order,
        active=in_exception,
        note=f"{shipment.number}: {event.description or 'the carrier reports a problem'}",
    )
    live = order.shipments.exclude(status=S.CANCELLED)
    if live.exists() and not live.exclude(status=S.DELIVERED).exists():
        order_mark_delivered(order=order)
