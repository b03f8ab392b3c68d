"""Sweepers: owed labels and tracking emails whose nudge was lost, and the sandbox carrier."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from shipping.models import Carrier, Shipment, ShipmentStatus, TrackingEvent
from shipping.services.tracking import carrier_event_receive

LABEL_OVERDUE = timedelta(minutes=2)
NOTIFY_OVERDUE = timedelta(minutes=10)
SWEEP_BATCH_SIZE = 500
# How long the sandbox carrier takes to move a parcel on, in demo mode.
SANDBOX_PICKUP_AFTER = timedelta(minutes=2)
SANDBOX_DELIVERY_AFTER = timedelta(minutes=10)


def label_sweep(*, now=None) -> int:
    """Nudge labels owed for a while whose worker's lease (if any) has run out."""
    from shipping.services.packing import enqueue_label

    now = now or timezone.now()
    owed = list(
        Shipment.objects.filter(
            status=ShipmentStatus.LABEL_PENDING, label_requested_at__lt=now - LABEL_OVERDUE
        )
        .filter(Q(label_leased_until__isnull=True) | Q(label_leased_until__lt=now))
        .order_by("label_requested_at", "id")
        .values_list("pk", flat=True)[:SWEEP_BATCH_SIZE]
    )
    for shipment_id in owed:
        enqueue_label(shipment_id)
    return len(owed)


def notification_sweep(*, now=None) -> int:
    """Nudge tracking emails owed for a while."""
    from shipping.services.dispatch import _enqueue_notification

    now = now or timezone.now()
    owed = list(
        Shipment.objects.filter(notify_due=True, shipped_at__lt=now - NOTIFY_OVERDUE)
        .order_by("shipped_at", "id")
        .values_list("pk", flat=True)[:SWEEP_BATCH_SIZE]
    )
    for shipment_id in owed:
        _enqueue_notification(shipment_id)
    return len(owed)


def sandbox_carrier_tick(*, now=None) -> int:
    """Play the sandbox carrier (demo mode): collect parcels, then deliver them, through the same
    path as a real carrier's webhook. Returns how many events it sent."""
    if not settings.SHIPPING_SANDBOX_PLAYS_CARRIER:
        return 0
    now = now or timezone.now()
    sent = 0
    for carrier in Carrier.objects.filter(adapter="sandbox", is_active=True):
        parcels = Shipment.objects.filter(method__carrier=carrier).exclude(tracking_number="")
        collected = parcels.filter(
            status=ShipmentStatus.SHIPPED, shipped_at__lt=now - SANDBOX_PICKUP_AFTER
        )
        for shipment in collected.order_by("shipped_at")[:SWEEP_BATCH_SIZE]:
            sent += _send(carrier, shipment, TrackingEvent.Kind.IN_TRANSIT, now, "Collected")
        arrived = parcels.filter(
            status=ShipmentStatus.IN_TRANSIT, shipped_at__lt=now - SANDBOX_DELIVERY_AFTER
        )
        for shipment in arrived.order_by("shipped_at")[:SWEEP_BATCH_SIZE]:
            sent += _send(carrier, shipment, TrackingEvent.Kind.DELIVERED, now, "Delivered")
    return sent


def _send(carrier, shipment, status, now, description) -> int:
    carrier_event_receive(
        carrier=carrier,
        payload={
            "tracking_number": shipment.tracking_number,
            "status": status,
            "occurred_at": now.isoformat(),
            "location": shipment.order.shipping_address.city
            if status == TrackingEvent.Kind.DELIVERED
            else shipment.warehouse.city,
            "description": description,
        },
    )
    return 1
