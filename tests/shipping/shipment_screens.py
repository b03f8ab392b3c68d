"""What the shipping back-office view tests share: parcels in the states the screens show,
made through the services like production makes them."""

import re
from datetime import datetime, timedelta

from django.urls import reverse

from shipping.models import Shipment
from shipping.services import (
    carrier_event_receive,
    shipment_label_make,
    shipment_pack,
    shipment_ship,
    shipments_create,
)
from tests.orders.factories import capture

HTMX = {"HX-Request": "true"}
LIST = reverse("shipping:shipments")


def parcel(channel, lines=(("MUG", 1),), **overrides) -> Shipment:
    """A new order's (first) parcel, pending: everything allocated goes in."""
    order = capture(channel, list(lines), **overrides)
    return shipments_create(order=order)[0]


def labelled(shipment: Shipment, actor) -> Shipment:
    """Packed without a scanner and its label made by the (sandbox) carrier: label ready."""
    shipment_pack(shipment=shipment, actor=actor, unscanned=True)
    shipment_label_make(shipment_id=shipment.pk)
    return Shipment.objects.get(pk=shipment.pk)


def shipped(shipment: Shipment, actor) -> Shipment:
    return shipment_ship(shipment=labelled(shipment, actor), actor=actor)


def tracked(shipment: Shipment, status: str, *, minutes: int, description: str = "") -> None:
    """The carrier reports `status`, `minutes` after the parcel shipped, through the service
    behind its webhook (the same call twice is the same event: a repeat)."""
    carrier_event_receive(
        carrier=shipment.method.carrier,
        payload={
            "tracking_number": shipment.tracking_number,
            "status": status,
            "occurred_at": (shipment.shipped_at + timedelta(minutes=minutes)).isoformat(),
            "location": "Newark, NJ",
            "description": description,
        },
    )


def created(shipment: Shipment, when: datetime, *, shipped_at: datetime | None = None) -> Shipment:
    """Move the parcel's creation (and shipping) time, as if it happened then."""
    values = {"created_at": when} | ({"shipped_at": shipped_at} if shipped_at else {})
    Shipment.objects.filter(pk=shipment.pk).update(**values)
    return Shipment.objects.get(pk=shipment.pk)


def shipment_url(shipment: Shipment, name: str = "shipment") -> str:
    return reverse(f"shipping:{name}", args=[shipment.pk])


def listed(html: str) -> list[str]:
    """The shipment numbers of the list's rows, top to bottom."""
    return re.findall(
        r'<th scope="row" class="nowrap"><a href="/shipping/shipments/\d+/">(SH-\d+)</a>', html
    )


def text_of(markup: str) -> str:
    """The words of some markup, as a reader sees them (no space before a comma)."""
    text = " ".join(re.sub(r"<[^>]+>", " ", markup).split())
    return text.replace(" ,", ",")


def fresh(shipment: Shipment) -> Shipment:
    return Shipment.objects.get(pk=shipment.pk)
