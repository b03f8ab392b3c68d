"""Demo carriers, methods and parcels for `manage.py seed_demo` (runs after the payments demo).

Two sandbox carriers with domestic and international methods, then parcels in every state,
made through the services like real ones (so stock, ledger and payments agree):

- a pick list of ready orders at the Newark warehouse, waiting to be packed;
- parcels packed without a label yet, labelled, stuck asking for a label (the sandbox
  carrier is "down" for postal code 99999), shipped, in transit, delivered, in exception and
  cancelled; an order shipped in two parcels from two warehouses.

Which orders get what follows from their external ids, and an order that has a parcel already
is left alone, so a second run changes nothing. Owed work (labels, captures) is done here
in-process, so the demo is complete even when `REDIS_URL` is set and no worker runs.
"""

from datetime import time, timedelta
from decimal import Decimal

from django.utils import timezone

from inventory.models import Warehouse
from orders.demo import EXTERNAL_PREFIX
from orders.models import Order, OrderStatus
from orders.services import order_address_update
from payments.demo import run_owed_calls
from shipping.models import (
    Carrier,
    Destination,
    Shipment,
    ShipmentStatus,
    ShippingMethod,
    ShippingRate,
    TrackingEvent,
)
from shipping.services import (
    carrier_event_receive,
    pick_list_create,
    shipment_cancel,
    shipment_label_make,
    shipment_pack,
    shipment_ship,
    shipments_create,
)

CARRIERS = (
    # code, name, tracking URL
    ("sandbox-parcel", "Sandbox Parcel", "https://tracking.example.com/parcel/{tracking_number}"),
    (
        "sandbox-freight",
        "Sandbox Freight",
        "https://tracking.example.com/freight/{tracking_number}",
    ),
)
METHODS = (
    # carrier, code, name, domestic, international, days home/abroad, free over, cutoff hour,
    # bands: (destination, up to grams, base, per kg)
    (
        "sandbox-parcel",
        "standard",
        "Standard",
        True,
        False,
        4,
        7,
        Decimal("75"),
        16,
        [
            ("domestic", 1000, "4.95", "0"),
            ("domestic", 5000, "6.95", "0.50"),
            ("domestic", 30000, "9.95", "0.80"),
        ],
    ),
    (
        "sandbox-parcel",
        "express",
        "Express",
        True,
        False,
        1,
        3,
        None,
        14,
        [
            ("domestic", 1000, "14.95", "0"),
            ("domestic", 5000, "19.95", "1.00"),
            ("domestic", 30000, "29.95", "1.50"),
        ],
    ),
    (
        "sandbox-freight",
        "international",
        "International",
        False,
        True,
        4,
        6,
        None,
        12,
        [("international", 2000, "19.95", "0"), ("international", 30000, "29.95", "2.50")],
    ),
)
WEBHOOK_SECRET = "demo-carrier-secret"
DOWN_POSTAL_CODE = "99999"
# How many demo parcels reach each state (picked among the ready demo orders, oldest first).
PLAN = (
    ("label_pending", 1),
    ("shipped", 6),
    ("in_transit", 6),
    ("delivered", 8),
    ("exception", 2),
    ("label_ready", 5),
    ("packed", 3),
    ("cancelled", 2),
)
PICK_LIST_SIZE = 5


def demo_carriers() -> int:
    created = 0
    carriers = {}
    for code, name, url in CARRIERS:
        carriers[code], made = Carrier.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "adapter": "sandbox",
                "tracking_url_template": url,
                "webhook_secret": WEBHOOK_SECRET,
            },
        )
        created += made
    for carrier, code, name, home, abroad, days, days_abroad, free, cutoff, bands in METHODS:
        method, made = ShippingMethod.objects.get_or_create(
            code=code,
            defaults={
                "carrier": carriers[carrier],
                "name": name,
                "domestic": home,
                "international": abroad,
                "transit_days_domestic": days,
                "transit_days_international": days_abroad,
                "free_over": free,
                "pickup_cutoff": time(hour=cutoff),
            },
        )
        if made:
            ShippingRate.objects.bulk_create(
                ShippingRate(
                    method=method,
                    destination=Destination(destination),
                    up_to_grams=grams,
                    base=Decimal(base),
                    per_kg=Decimal(per_kg),
                )
                for destination, grams, base, per_kg in bands
            )
        created += made
    return created


def _candidates() -> list[Order]:
    """Ready demo orders with no parcel yet, oldest first."""
    return list(
        Order.objects.filter(
            external_id__startswith=EXTERNAL_PREFIX, status=OrderStatus.READY, shipments=None
        )
        .select_related("shipping_address")
        .order_by("placed_at", "id")
    )


def _make_labels() -> None:
    for shipment_id in Shipment.objects.filter(status=ShipmentStatus.LABEL_PENDING).values_list(
        "pk", flat=True
    ):
        shipment_label_make(shipment_id=shipment_id, ignore_schedule=True)


def _track(shipment: Shipment, status: str, *, hours_ago: float, description: str) -> None:
    carrier_event_receive(
        carrier=shipment.method.carrier,
        payload={
            "tracking_number": shipment.tracking_number,
            "status": status,
            "occurred_at": (timezone.now() - timedelta(hours=hours_ago)).isoformat(),
            "location": shipment.warehouse.city,
            "description": description,
        },
    )


def _to_state(order: Order, state: str, actor) -> int:
    """Parcels for the order, brought to `state`; returns how many parcels were made."""
    if state == "label_pending":
        # The sandbox carrier is "down" for this postal code: the label stays owed.
        order_address_update(order=order, values={"postal_code": DOWN_POSTAL_CODE}, actor=actor)
    shipments = shipments_create(order=order, actor=actor)
    for shipment in shipments:
        if state == "cancelled":
            shipment_cancel(shipment=shipment, reason="packed the wrong box size", actor=actor)
            continue
        shipment_pack(
            shipment=shipment, actor=actor, unscanned=True, request_label=state != "packed"
        )
    if state in ("cancelled", "packed"):
        return len(shipments)
    _make_labels()
    if state in ("label_ready", "label_pending"):
        return len(shipments)
    for shipment in shipments:
        shipment = Shipment.objects.get(pk=shipment.pk)
        if shipment.status != ShipmentStatus.LABEL_READY:
            continue
        # Demo customers are not real people: no tracking emails.
        shipment_ship(shipment=shipment, actor=actor, notify_customer=False)
        if state in ("in_transit", "delivered", "exception"):
            _track(shipment, TrackingEvent.Kind.IN_TRANSIT, hours_ago=20, description="Collected")
        if state == "delivered":
            _track(shipment, TrackingEvent.Kind.DELIVERED, hours_ago=2, description="Delivered")
        if state == "exception":
            _track(
                shipment,
                TrackingEvent.Kind.EXCEPTION,
                hours_ago=1,
                description="Address not found: the driver could not deliver",
            )
    return len(shipments)


def seed_shipping(actor=None) -> dict:
    created = demo_carriers()
    made = 0
    candidates = _candidates()
    if (
        candidates
        and not Shipment.objects.filter(order__external_id__startswith=EXTERNAL_PREFIX).exists()
    ):
        plan = [state for state, count in PLAN for _ in range(count)]
        for order, state in zip(candidates, plan, strict=False):
            made += _to_state(order, state, actor)
        newark = Warehouse.objects.filter(code="EWR").first()
        waiting = [
            order
            for order in _candidates()
            if order.lines.filter(allocations__stock_level__warehouse=newark).exists()
        ][:PICK_LIST_SIZE]
        if newark is not None and waiting:
            made += len(pick_list_create(warehouse=newark, orders=waiting, actor=actor).shipments)
    # Captures the parcels asked for go to the card processor too.
    run_owed_calls()
    return {"new_carriers_and_methods": created, "new_parcels": made, **_counts()}


def _counts() -> dict:
    demo = Shipment.objects.filter(order__external_id__startswith=EXTERNAL_PREFIX)
    return {status: demo.filter(status=status).count() for status in ShipmentStatus.values}
