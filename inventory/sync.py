"""Stock sync: publish each product's new available-to-promise to channels.

Published as the `stock.available_changed` webhook event, coalesced per SKU: a burst of changes
to one product while the event waits for dispatch leaves one event carrying the final figure.
"""

from collections import defaultdict

from inventory.models import Product, StockLevel
from oms.webhooks import webhook_event_has_subscribers, webhook_publish

EVENT = "stock.available_changed"


def availability_payloads(*, product_ids: set[int]) -> list[dict]:
    """Current ATP per product over active warehouses, with the per-warehouse split."""
    levels = (
        StockLevel.objects.in_active_warehouses()
        .filter(product_id__in=product_ids)
        .values_list("product_id", "warehouse__code", "on_hand", "allocated", "safety_stock")
        .order_by("product_id", "warehouse__priority", "warehouse__code")
    )
    warehouses = defaultdict(list)
    for product_id, code, on_hand, allocated, safety_stock in levels:
        available = max(0, on_hand - allocated - safety_stock)
        warehouses[product_id].append({"warehouse": code, "available": available})
    skus = dict(Product.objects.filter(pk__in=product_ids).values_list("pk", "sku"))
    return [
        {
            "sku": skus[product_id],
            "available": sum(entry["available"] for entry in warehouses[product_id]),
            "warehouses": warehouses[product_id],
        }
        for product_id in sorted(product_ids)
        if product_id in skus
    ]


def publish_availability(
    *, product_ids: set[int], subscribed: frozenset[str] | None = None
) -> None:
    """Queue `stock.available_changed` for each product, in the caller's transaction.

    The product rows are locked first (in id order, after the levels the caller holds), so two
    transactions changing one product at different warehouses take turns here: the second
    computes its figure after the first has committed, and the pending event ends up with the
    true total rather than whichever transaction wrote last.
    """
    if not webhook_event_has_subscribers(event=EVENT, subscribed=subscribed):
        return
    list(Product.objects.select_for_update().filter(pk__in=product_ids).order_by("pk"))
    for payload in availability_payloads(product_ids=product_ids):
        webhook_publish(
            event=EVENT,
            payload=payload,
            coalesce_key=f"stock:{payload['sku']}",
            subscribed=subscribed,
        )
