"""Turning allocated units into parcels: shipments per warehouse, pick lists per walk.

A shipment carries units that are allocated to the order at its warehouse and not yet in
another parcel. An order allocated in two warehouses gets two shipments; a shipment may carry
only some units (the rest stays allocated for a later one).
"""

from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Sum

from inventory.models import Warehouse
from oms.errors import DomainError, InvalidTransition
from orders.models import Allocation, Order, OrderStatus
from orders.services import order_start_fulfillment
from orders.services.common import lock_order
from shipping import events
from shipping.errors import ShippingError
from shipping.models import UNSHIPPED_STATUSES, PickList, Shipment, ShipmentLine, ShippingMethod
from shipping.services.common import numbered
from shipping.services.rating import apply_quote, shop_rates

SHIPPABLE = (OrderStatus.READY, OrderStatus.FULFILLING, OrderStatus.PARTIALLY_SHIPPED)


@dataclass(frozen=True)
class WantedUnits:
    """Units of one SKU asked for a parcel (the API's `lines: [{sku, quantity}]`)."""

    sku: str
    quantity: int


def free_units(order: Order) -> dict[int, dict[int, int]]:
    """Warehouse id → order line id → units allocated there and not in any unshipped parcel."""
    free: dict[int, dict[int, int]] = defaultdict(dict)
    allocated = (
        Allocation.objects.filter(order_line__order=order)
        .values("stock_level__warehouse_id", "order_line_id")
        .annotate(units=Sum("quantity"))
    )
    for row in allocated:
        free[row["stock_level__warehouse_id"]][row["order_line_id"]] = row["units"]
    parcelled = (
        ShipmentLine.objects.filter(shipment__order=order, shipment__status__in=UNSHIPPED_STATUSES)
        .values("shipment__warehouse_id", "order_line_id")
        .annotate(units=Sum("quantity"))
    )
    for row in parcelled:
        lines = free[row["shipment__warehouse_id"]]
        lines[row["order_line_id"]] = lines.get(row["order_line_id"], 0) - row["units"]
    return {
        warehouse_id: {line_id: units for line_id, units in lines.items() if units > 0}
        for warehouse_id, lines in free.items()
        if any(units > 0 for units in lines.values())
    }


def _take_wanted(order: Order, free: dict, wanted: list[WantedUnits]) -> dict[int, dict[int, int]]:
    """The free units that cover `wanted`, warehouse by warehouse (by priority)."""
    lines_by_sku = defaultdict(list)
    for line in order.lines.order_by("id"):
        lines_by_sku[line.sku].append(line.pk)
    priority = dict(Warehouse.objects.filter(pk__in=free).values_list("pk", "priority"))
    taken: dict[int, dict[int, int]] = defaultdict(dict)
    problems = {}
    for index, want in enumerate(wanted):
        remaining = want.quantity
        for warehouse_id in sorted(free, key=lambda pk: (priority.get(pk, 0), pk)):
            for line_id in lines_by_sku.get(want.sku, []):
                units = min(remaining, free[warehouse_id].get(line_id, 0))
                if units:
                    free[warehouse_id][line_id] -= units
                    taken[warehouse_id][line_id] = taken[warehouse_id].get(line_id, 0) + units
                    remaining -= units
        if remaining:
            problems[f"lines.{index}.quantity"] = [
                f"Only {want.quantity - remaining} of {want.sku} are allocated and not in a "
                "parcel yet."
            ]
    if problems:
        raise ShippingError("These units cannot go into a parcel now.", fields=problems)
    return taken


@transaction.atomic
def shipments_create(
    *,
    order: Order,
    warehouse: Warehouse | None = None,
    wanted: list[WantedUnits] | None = None,
    method: ShippingMethod | None = None,
    pick_list: PickList | None = None,
    pack_unscanned: bool = False,
    actor=None,
    actor_label: str | None = None,
) -> list[Shipment]:
    """Parcels for the order's allocated units not yet in one: by default everything, one
    shipment per warehouse; or only `warehouse`, or only the `wanted` units. The cheapest
    method that meets the ship-by and the customer's promise is chosen unless `method` is given.

    `pack_unscanned` (integrations without a scan station: the API, a 3PL) packs each parcel at
    once and asks for its label; a parcel that cannot be packed leaves no parcel at all.
    """
    order = lock_order(order)
    if order.status not in SHIPPABLE:
        raise InvalidTransition(
            f"Order {order.number} is {order.get_status_display().lower()}: "
            "it cannot be shipped now."
        )
    free = free_units(order)
    if warehouse is not None:
        free = {warehouse.pk: free[warehouse.pk]} if warehouse.pk in free else {}
    chosen = _take_wanted(order, free, wanted) if wanted else free
    if not chosen:
        where = f" at {warehouse.code}" if warehouse else ""
        raise ShippingError(
            f"Order {order.number} has nothing allocated{where} that is not in a parcel already."
        )
    warehouses = Warehouse.objects.in_bulk(list(chosen))
    skus = dict(order.lines.values_list("id", "sku"))
    shipments = []
    for warehouse_id, lines in sorted(chosen.items()):
        shipment = numbered(
            Shipment.objects.create(
                order=order,
                warehouse=warehouses[warehouse_id],
                pick_list=pick_list,
                currency=order.currency,
            )
        )
        ShipmentLine.objects.bulk_create(
            ShipmentLine(
                shipment=shipment, order_line_id=line_id, quantity=units, sku=skus[line_id]
            )
            for line_id, units in sorted(lines.items())
        )
        shipment.weight_grams = estimated_weight(shipment)
        if method is not None:
            apply_quote(shipment, order, method)
        else:
            shopping = shop_rates(order, shipment)
            if shopping.chosen is not None:
                apply_quote(shipment, order, shopping.chosen.method, quote_=shopping.chosen)
        shipment.save()
        events.shipment_created(order, shipment, actor=actor, actor_label=actor_label)
        shipments.append(shipment)
    order_start_fulfillment(order=order, actor=actor, actor_label=actor_label)
    if pack_unscanned:
        from shipping.services.packing import shipment_pack

        shipments = [
            shipment_pack(shipment=shipment, actor=actor, actor_label=actor_label, unscanned=True)
            for shipment in shipments
        ]
    return shipments


def estimated_weight(shipment: Shipment) -> int:
    """The parcel's weight from its products (what a scale would say, give or take the box)."""
    return sum(
        (line.order_line.product.weight_grams if line.order_line.product else 0) * line.quantity
        for line in shipment.lines.select_related("order_line__product")
    )


@dataclass(frozen=True)
class PickListResult:
    pick_list: PickList | None
    shipments: list[Shipment]
    skipped: list[tuple[str, str]]  # (order number, why)


def next_orders_to_pick(*, warehouse: Warehouse, count: int) -> list[Order]:
    """The `count` ready orders soonest due that have units to pick at `warehouse`."""
    waiting = (
        Order.objects.filter(
            status=OrderStatus.READY,
            lines__allocations__stock_level__warehouse=warehouse,
        )
        .exclude(
            pk__in=Shipment.objects.filter(
                warehouse=warehouse, status__in=UNSHIPPED_STATUSES
            ).values("order_id")
        )
        .order_by("ship_by", "id")
        .values_list("pk", flat=True)
        .distinct()
    )
    ids = list(dict.fromkeys(waiting))[:count]
    orders = Order.objects.in_bulk(ids)
    return [orders[pk] for pk in ids]


def pick_list_create(
    *, warehouse: Warehouse, orders: list[Order], actor=None, actor_label: str | None = None
) -> PickListResult:
    """One walk through `warehouse` for these orders: a shipment each for what is allocated
    there. An order that cannot be picked (held meanwhile, nothing there) is skipped with the
    reason; the others are not undone."""
    with transaction.atomic():
        pick_list = PickList.objects.create(warehouse=warehouse, created_by=_user(actor))
        pick_list.number = f"PL-{pick_list.pk:06d}"
        pick_list.save(update_fields=["number"])
    shipments, skipped = [], []
    for order in orders:
        try:
            shipments += shipments_create(
                order=order,
                warehouse=warehouse,
                pick_list=pick_list,
                actor=actor,
                actor_label=actor_label,
            )
        except DomainError as error:
            skipped.append((order.number, error.message))
    if not shipments:
        pick_list.delete()
        return PickListResult(pick_list=None, shipments=[], skipped=skipped)
    return PickListResult(pick_list=pick_list, shipments=shipments, skipped=skipped)


def _user(actor):
    return actor if actor is not None and getattr(actor, "pk", None) else None
