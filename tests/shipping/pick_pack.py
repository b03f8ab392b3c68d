"""What the pick-and-pack screen tests share: ready orders, bins, and posting scans."""

import re
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from inventory.services import stock_level_update
from orders.models import Order
from tests.orders.factories import capture

HTMX = {"HX-Request": "true"}
PACK = reverse("shipping:pack")
PICKING = reverse("shipping:picking")
PICK_NEXT = reverse("shipping:pick_next")


def ready_order(channel, lines=(("MUG", 1),), *, due_in_hours: int | None = None) -> Order:
    """A ready order (allocated at EAST, where the catalog's stock is); `due_in_hours` sets
    its ship-by that far from now."""
    order = capture(channel, list(lines))
    if due_in_hours is not None:
        Order.objects.filter(pk=order.pk).update(
            ship_by=timezone.now() + timedelta(hours=due_in_hours)
        )
    return Order.objects.get(pk=order.pk)


def put_in_bin(product, warehouse, bin_location: str) -> None:
    stock_level_update(product=product, warehouse=warehouse, bin_location=bin_location)


def pick_list_url(number: str) -> str:
    return reverse("shipping:pick_list", args=[number])


def text_of(markup: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", markup).split())


def section(html: str, start: str, end: str) -> str:
    """The markup from the first `start` to the next `end` after it."""
    begin = html.index(start)
    return html[begin : html.index(end, begin)]


def scan(client, code: str, *, batch: str = "", parcel: str = "", **extra):
    """One scan at the packing station, as htmx posts it."""
    data = {"code": code, "batch": batch, "parcel": parcel, "intent": "scan", **extra}
    return client.post(PACK, data, headers=HTMX)
