"""The order search finds an order by the tracking number of any of its parcels.

Registered with `orders.search_sources` (orders may not import shipping): a customer reading
the number off a carrier's email is one search away from their order.
"""

from orders.search_sources import SearchSource, register
from shipping.models import Shipment

# Carriers' tracking numbers are longer than this (the sandbox's are 14 characters).
MIN_TRACKING_NUMBER = 6


def order_ids_by_tracking_number(text: str, limit: int) -> list[int]:
    """Orders with a parcel under this tracking number, read out with spaces or in lower case
    (one lookup on the unique tracking-number index; none for text that cannot be one)."""
    number = "".join(text.split())
    if len(number) < MIN_TRACKING_NUMBER or "@" in number:
        return []
    return list(
        Shipment.objects.filter(tracking_number__in={number, number.upper()})
        .order_by()
        .values_list("order_id", flat=True)[:limit]
    )


def register_search_source() -> None:
    register(
        SearchSource(
            key="tracking_number",
            label="tracking number",
            order_ids=order_ids_by_tracking_number,
            order=10,
        )
    )
