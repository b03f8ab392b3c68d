"""Processing: validate → place holds → allocate through the sourcing planner → ready/backordered.

Runs on capture, after the last hold is released, after an edit, and for backordered orders
when stock arrives. Allocation locks every level of the order's products (ordered by id) before
planning, so the plan is made on figures no one else can change until this transaction ends.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.db.models import Q, Sum
from django.utils import timezone

from inventory.errors import InsufficientStock
from inventory.models import Product, StockLevel, Warehouse
from inventory.services import StockLine, lock_levels, stock_release, stock_reserve
from inventory.sourcing import PlannedAllocation, SourcingPlan, WarehouseStock, plan_sourcing
from oms.validators import COUNTRY_CODE
from orders import events
from orders.models import (
    Allocation,
    HoldReason,
    Order,
    OrderHold,
    OrderLine,
    OrderStatus,
)
from orders.services.common import order_reference, run_transition

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


def expected_grand_total(order: Order) -> Decimal:
    return order.subtotal + order.shipping_total + order.tax_total - order.discount_total


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


def place_hold(
    order: Order, reason: str, note: str = "", *, actor=None, actor_label=None, channel=None
):
    hold = OrderHold.objects.create(
        order=order,
        reason=reason,
        note=note[:500],
        placed_by=actor if getattr(actor, "pk", None) else None,
        placed_by_channel=channel,
    )
    events.hold_placed(order, hold, actor=actor, actor_label=actor_label)
    return hold


def _open_lines(order: Order) -> list[OrderLine]:
    return list(order.lines.select_related("product").order_by("id"))


def link_known_skus(lines: list[OrderLine]) -> None:
    """Lines captured with an unknown SKU get their product once the catalog has it."""
    unlinked = [line for line in lines if line.product_id is None and line.sku.strip()]
    if not unlinked:
        return
    products = products_for_skus(line.sku for line in unlinked)
    for line in unlinked:
        product = products.get(line.sku.strip())
        if product is not None:
            line.product = product
            line.name = line.name or product.name
            line.save(update_fields=["product", "name", "updated_at"])


def lock_order_stock(order: Order, *, extra_product_ids: set[int] = frozenset()) -> None:
    """Lock, in one id-ordered statement, every level the order's products have."""
    product_ids = set(
        order.lines.filter(product__isnull=False).values_list("product_id", flat=True)
    ) | set(extra_product_ids)
    pairs = StockLevel.objects.filter(product_id__in=product_ids).values_list(
        "product_id", "warehouse_id"
    )
    lock_levels(pairs, create_missing=False)


def outstanding_by_line(lines: list[OrderLine]) -> dict[int, int]:
    """Units of each known line still to allocate (open quantity minus allocated)."""
    allocated = dict(
        Allocation.objects.filter(order_line__in=lines)
        .values("order_line")
        .annotate(total=Sum("quantity"))
        .values_list("order_line", "total")
    )
    return {
        line.pk: line.quantity_open - allocated.get(line.pk, 0)
        for line in lines
        if line.product_id is not None and line.quantity_open > allocated.get(line.pk, 0)
    }


@dataclass(frozen=True)
class AllocationOutcome:
    """What one allocation pass did: the planner's reason, the units reserved where, and what is
    still short (SKU → units)."""

    complete: bool
    reason: str = ""
    allocations: list[dict] = field(default_factory=list)
    shortfall: dict[str, int] = field(default_factory=dict)


def sourcing_plan(
    order: Order,
    needed: dict[int, int],
    levels: Iterable[StockLevel],
    *,
    warehouses: dict[int, Warehouse],
    products: dict[int, Product],
) -> SourcingPlan:
    """Plan where `needed` (product id → units) comes from, over `levels` in the active
    `warehouses`; refuses a shortfall when the order asked not to be backordered."""
    available: dict[int, dict[int, int]] = defaultdict(dict)
    for level in levels:
        if level.warehouse_id in warehouses:
            available[level.warehouse_id][level.product_id] = level.available
    snapshot = [
        WarehouseStock(w.pk, w.code, w.country, w.priority, available.get(w.pk, {}))
        for w in warehouses.values()
    ]
    plan = plan_sourcing(
        lines=needed,
        destination_country=order.shipping_address.country,
        warehouses=snapshot,
        skus={product_id: product.sku for product_id, product in products.items()},
    )
    if plan.shortfall and not order.allow_backorder:
        raise InsufficientStock(
            "Not enough stock for "
            + ", ".join(f"{products[p].sku} (short {q})" for p, q in plan.shortfall.items())
            + "; the order asked not to be backordered.",
            shortages=[
                {"sku": products[p].sku, "requested": needed[p], "short": q}
                for p, q in plan.shortfall.items()
            ],
        )
    return plan


def plan_outcome(
    plan: SourcingPlan, *, warehouses: dict[int, Warehouse], products: dict[int, Product]
) -> AllocationOutcome:
    """What the plan does, as the timeline and the callers tell it (SKUs and warehouse codes)."""
    return AllocationOutcome(
        complete=plan.is_complete,
        reason=plan.reason,
        allocations=[
            {
                "sku": products[a.product_id].sku,
                "warehouse": warehouses[a.warehouse_id].code,
                "quantity": a.quantity,
            }
            for a in plan.allocations
        ],
        shortfall={products[p].sku: q for p, q in plan.shortfall.items()},
    )


def allocate_outstanding(
    order: Order, lines: list[OrderLine], *, actor=None, record: bool = True
) -> AllocationOutcome:
    """Reserve what can be reserved for the order's outstanding units.

    The planner's reason goes on the timeline unless `record` is off: an edit writes it into
    its own single entry.
    """
    outstanding = outstanding_by_line(lines)
    if not outstanding:
        return AllocationOutcome(complete=True)
    by_line = {line.pk: line for line in lines}
    needed: dict[int, int] = defaultdict(int)
    for line_id, quantity in outstanding.items():
        needed[by_line[line_id].product_id] += quantity

    pairs = StockLevel.objects.filter(product_id__in=needed, warehouse__is_active=True).values_list(
        "product_id", "warehouse_id"
    )
    levels = lock_levels(pairs, create_missing=False)
    warehouses = {warehouse.pk: warehouse for warehouse in Warehouse.objects.active()}
    products = {line.product_id: line.product for line in lines if line.product_id}
    plan = sourcing_plan(order, needed, levels.values(), warehouses=warehouses, products=products)
    if plan.allocations:
        stock_reserve(
            lines=[
                StockLine(products[a.product_id], warehouses[a.warehouse_id], a.quantity)
                for a in plan.allocations
            ],
            reference=order_reference(order),
            actor=actor,
        )
        _record_allocations(plan.allocations, outstanding, by_line, levels)
    outcome = plan_outcome(plan, warehouses=warehouses, products=products)
    if record:
        events.allocated(
            order,
            reason=outcome.reason,
            allocations=outcome.allocations,
            shortfall=outcome.shortfall,
        )
    return outcome


def split_allocations(
    planned: Iterable[PlannedAllocation], outstanding: dict[int, int], by_line: dict
) -> list[tuple[int, PlannedAllocation, int]]:
    """Share each product's planned units among its lines, oldest line first:
    (line id, planned allocation, units). `outstanding` (line id → units) is used up."""
    shares = []
    for allocation in planned:
        remaining = allocation.quantity
        for line_id in sorted(outstanding):
            if remaining == 0:
                break
            if by_line[line_id].product_id != allocation.product_id or not outstanding[line_id]:
                continue
            units = min(remaining, outstanding[line_id])
            shares.append((line_id, allocation, units))
            outstanding[line_id] -= units
            remaining -= units
    return shares


def _record_allocations(planned, outstanding, by_line, levels) -> None:
    for line_id, allocation, units in split_allocations(planned, outstanding, by_line):
        level = levels[(allocation.product_id, allocation.warehouse_id)]
        existing = Allocation.objects.filter(order_line_id=line_id, stock_level=level).first()
        if existing:
            existing.quantity += units
            existing.save(update_fields=["quantity", "updated_at"])
        else:
            Allocation.objects.create(order_line_id=line_id, stock_level=level, quantity=units)


def release_allocations(order: Order, *, lines=None, actor=None, note: str = "") -> int:
    """Give back every unit allocated to the order (or to some of its lines); returns units."""
    allocations = Allocation.objects.filter(order_line__order=order).select_related(
        "stock_level__product", "stock_level__warehouse"
    )
    if lines is not None:
        allocations = allocations.filter(order_line__in=lines)
    allocations = list(allocations)
    if not allocations:
        return 0
    stock_release(
        lines=[
            StockLine(a.stock_level.product, a.stock_level.warehouse, a.quantity)
            for a in allocations
        ],
        reference=order_reference(order),
        actor=actor,
        note=note,
    )
    Allocation.objects.filter(pk__in=[a.pk for a in allocations]).delete()
    return sum(a.quantity for a in allocations)


def update_fulfillment_status(order: Order) -> None:
    """Keep the allocated/unfulfilled badge in step with the allocation rows."""
    if order.status == OrderStatus.CANCELLED:
        return
    lines = list(order.lines.all())
    open_units = sum(line.quantity_open for line in lines)
    allocated = (
        Allocation.objects.filter(order_line__order=order).aggregate(total=Sum("quantity"))["total"]
        or 0
    )
    statuses = Order.FulfillmentStatus
    if order.fulfillment_status in {statuses.PARTIALLY_SHIPPED, statuses.SHIPPED}:
        return
    order.fulfillment_status = fulfillment_status_for(open_units=open_units, allocated=allocated)
    order.save(update_fields=["fulfillment_status", "updated_at"])


def fulfillment_status_for(*, open_units: int, allocated: int) -> str:
    """The badge of an order not shipped yet: allocated, partially allocated or unfulfilled."""
    statuses = Order.FulfillmentStatus
    if allocated and allocated >= open_units:
        return statuses.ALLOCATED
    if allocated:
        return statuses.PARTIALLY_ALLOCATED
    return statuses.UNFULFILLED


def process_order(
    order: Order, *, actor=None, actor_label=None, first_time=False, quiet=False
) -> AllocationOutcome:
    """Validate, hold, allocate, and move a pending order on. `order` must be locked.

    `quiet`: part of an edit, which writes the allocation and the status change it ends in
    into its own timeline entry (holds placed are still recorded each).
    """
    lines = _open_lines(order)
    link_known_skus(lines)
    active = set(order.holds.filter(released_at__isnull=True).values_list("reason", flat=True))
    ever = set(order.holds.values_list("reason", flat=True))
    wanted = validation_holds(order, lines)
    if first_time:
        wanted += rule_holds(order, lines)
    for reason, note in wanted:
        if reason in active or (reason in RULE_HOLDS and reason in ever):
            continue
        place_hold(order, reason, note)
        active.add(reason)

    outcome = allocate_outstanding(order, lines, actor=actor, record=not quiet)
    update_fulfillment_status(order)
    if active:
        transition = "hold"
    elif outcome.complete:
        transition = "mark_ready"
    else:
        transition = "mark_backordered"
    run_transition(order, transition, actor=None, actor_label="system", quiet=quiet)
    return outcome


def products_for_skus(skus) -> dict[str, Product]:
    """Catalog products by SKU, for SKUs as given (surrounding spaces ignored)."""
    wanted = {sku.strip() for sku in skus if sku and sku.strip()}
    return {product.sku: product for product in Product.objects.filter(sku__in=wanted)}
