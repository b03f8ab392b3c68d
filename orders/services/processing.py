"""Processing: validate → place holds → allocate through the sourcing planner → ready/backordered.

Runs after the last hold is released, after an edit, and for backordered orders when stock
arrives. Allocation locks every level of the order's products (ordered by id) before planning,
so the plan is made on figures no one else can change until this transaction ends. Capture
stores a new order in one go instead (`capture_store`), sharing the hold rules (`rules`), the
planner step (`sourcing_plan`, `plan_outcome`, `split_allocations`) and the fulfillment badge.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Sum

from inventory.errors import InsufficientStock
from inventory.models import Product, StockLevel, Warehouse
from inventory.services import StockLine, lock_levels, stock_release, stock_reserve
from inventory.sourcing import PlannedAllocation, SourcingPlan, WarehouseStock, plan_sourcing
from orders import events
from orders.models import (
    Allocation,
    Order,
    OrderHold,
    OrderLine,
    OrderStatus,
)
from orders.services.common import order_reference, run_transition
from orders.services.rules import RULE_HOLDS, rule_holds, validation_holds


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
