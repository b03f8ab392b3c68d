"""Reads for the API: a shipment with its lines and tracking history (oldest first), scoped to
a channel's orders for a channel key; carriers by code for their webhook."""

from django.db.models import Prefetch, QuerySet

from orders.models import SalesChannel
from shipping.models import Carrier, Shipment, ShipmentLine, TrackingEvent


def shipment_api_queryset() -> QuerySet[Shipment]:
    """Shipments with what their JSON shows: three queries however many lines and events."""
    lines = ShipmentLine.objects.select_related("order_line").order_by("id")
    events = TrackingEvent.objects.order_by("occurred_at", "id")
    related = ("order", "warehouse", "method__carrier")
    return Shipment.objects.select_related(*related).prefetch_related(
        Prefetch("lines", queryset=lines), Prefetch("events", queryset=events)
    )


def shipment_for_api(*, shipment_id: int, channel: SalesChannel | None = None) -> Shipment:
    """One shipment (only of `channel`'s orders, when given); raises Shipment.DoesNotExist."""
    shipments = shipment_api_queryset()
    if channel is not None:
        shipments = shipments.filter(order__channel=channel)
    return shipments.get(pk=shipment_id)


def shipments_for_api(*, shipment_ids: list[int]) -> list[Shipment]:
    """These shipments, in id order."""
    return list(shipment_api_queryset().filter(pk__in=shipment_ids).order_by("id"))


def active_carrier(*, code: str) -> Carrier | None:
    return Carrier.objects.filter(code=code, is_active=True).first()
