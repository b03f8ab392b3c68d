"""Reads of the pick-and-pack screens: what to pick for a list, bin by bin; where chosen orders
can be picked; the parcels of a list (or an order) at the packing station; the parcel being
packed. Each reads a fixed number of row sets, however many orders, parcels and lines there are.

The parcels of a pick list keep the order they were made in (the order of the orders on the
list: soonest ship-by first for "next N"). That place is the parcel's tote number on the list,
and the packing station packs them in it.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, Sum

from inventory.models import StockLevel, Warehouse
from orders.models import Allocation, Order
from shipping.documents import NO_BIN, PickListData, PickRow, pick_rows_in_order
from shipping.models import (
    SHIPPED_STATUSES,
    UNSHIPPED_STATUSES,
    PickList,
    Shipment,
    ShipmentLine,
    ShipmentStatus,
)

S = ShipmentStatus
# A parcel that went to the packing bench: packed, labelled or on its way.
PACKED_STATUSES = tuple(status for status in S.values if status not in (S.PENDING, S.CANCELLED))
LIVE_STATUSES = (S.PENDING, *PACKED_STATUSES)


# --- the pick page ---------------------------------------------------------------------------


def recent_pick_lists(*, limit: int = 20) -> list[PickList]:
    """The newest pick lists with how far their parcels got (one query)."""
    return list(
        PickList.objects.select_related("warehouse", "created_by")
        .annotate(
            parcel_count=Count("shipments", filter=Q(shipments__status__in=LIVE_STATUSES)),
            packed_count=Count("shipments", filter=Q(shipments__status__in=PACKED_STATUSES)),
            labelled_count=Count("shipments", filter=Q(shipments__status=S.LABEL_READY)),
            shipped_count=Count("shipments", filter=Q(shipments__status__in=SHIPPED_STATUSES)),
        )
        .order_by("-created_at", "-id")[:limit]
    )


def orders_by_numbers(numbers: list[str]) -> tuple[list[Order], list[str]]:
    """The orders with these numbers in the order given, and the numbers no order has."""
    found = {order.number: order for order in Order.objects.filter(number__in=numbers)}
    return [found[number] for number in numbers if number in found], [
        number for number in numbers if number not in found
    ]


def pick_plan(
    orders: list[Order], *, warehouse: Warehouse | None = None
) -> list[tuple[Warehouse, list[Order]]]:
    """Which warehouse walks the orders join, by warehouse priority: `warehouse` for all of
    them when given; else each order joins every warehouse where it has allocated units not in
    a parcel yet (an order split over two warehouses is picked in both).

    An order with nothing to pick anywhere still joins a walk (the first one, or the first
    warehouse), so that `pick_list_create` says why it was skipped. At most four queries.
    """
    if not orders:
        return []
    if warehouse is not None:
        return [(warehouse, list(orders))]
    where = _warehouses_with_free_units([order.pk for order in orders])
    warehouses = Warehouse.objects.in_bulk({pk for found in where.values() for pk in found})
    walks: dict[int, list[Order]] = defaultdict(list)
    stranded = []
    for order in orders:
        for pk in where.get(order.pk, ()):
            walks[pk].append(order)
        if not where.get(order.pk):
            stranded.append(order)
    ordered = sorted(walks, key=lambda pk: (warehouses[pk].priority, warehouses[pk].code))
    plan = [(warehouses[pk], walks[pk]) for pk in ordered]
    if stranded:
        if plan:
            plan[0][1].extend(stranded)
        else:
            first = Warehouse.objects.active().order_by("priority", "code").first()
            plan = [(first, stranded)] if first else []
    return plan


def _warehouses_with_free_units(order_ids: list[int]) -> dict[int, set[int]]:
    """Order id → the warehouses holding units allocated to it and not in an unshipped parcel
    (what `shipping.services.free_units` counts, for many orders in two queries)."""
    free: dict[tuple[int, int], int] = defaultdict(int)
    allocated = (
        Allocation.objects.filter(order_line__order_id__in=order_ids)
        .values_list("order_line__order_id", "stock_level__warehouse_id")
        .annotate(units=Sum("quantity"))
        .order_by()
    )
    for order_id, warehouse_id, units in allocated:
        free[(order_id, warehouse_id)] += units
    parcelled = (
        ShipmentLine.objects.filter(
            shipment__order_id__in=order_ids, shipment__status__in=UNSHIPPED_STATUSES
        )
        .values_list("shipment__order_id", "shipment__warehouse_id")
        .annotate(units=Sum("quantity"))
        .order_by()
    )
    for order_id, warehouse_id, units in parcelled:
        free[(order_id, warehouse_id)] -= units
    where: dict[int, set[int]] = defaultdict(set)
    for (order_id, warehouse_id), units in free.items():
        if units > 0:
            where[order_id].add(warehouse_id)
    return where


# --- a pick list -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ListParcel:
    """A parcel of a pick list (or of an order at the packing station) as the screens show it."""

    position: int
    shipment: Shipment
    units: int = 0

    @property
    def has_label(self) -> bool:
        return bool(self.shipment.label_pdf) and self.shipment.status != S.CANCELLED


@dataclass(frozen=True)
class BinGroup:
    bin_label: str
    rows: list[PickRow]


@dataclass(frozen=True)
class PickSheet:
    pick_list: PickList
    parcels: list[ListParcel]
    # What to pick, in walk order (bins naturally sorted, no bin last).
    rows: list[PickRow]
    bins: list[BinGroup] = field(default_factory=list)

    @property
    def units(self) -> int:
        return sum(row.quantity for row in self.rows)

    @property
    def labelled(self) -> list[ListParcel]:
        """Parcels whose label is made and that wait to be handed to the carrier."""
        return [parcel for parcel in self.parcels if parcel.shipment.status == S.LABEL_READY]

    @property
    def to_pack(self) -> list[ListParcel]:
        return [parcel for parcel in self.parcels if parcel.shipment.status == S.PENDING]

    def document(self) -> PickListData:
        return PickListData(
            number=self.pick_list.number,
            warehouse_code=self.pick_list.warehouse.code,
            warehouse_name=self.pick_list.warehouse.name,
            created_at=self.pick_list.created_at,
            rows=self.rows,
        )


def pick_list_by_number(number: str) -> PickList:
    """The pick list with its warehouse and creator; raises `PickList.DoesNotExist`."""
    return PickList.objects.select_related("warehouse", "created_by").get(number=number.upper())


def list_parcels(*, pick_list: PickList | None = None, order: Order | None = None):
    """The parcels of a pick list (or of an order), in tote order, with orders and methods
    (one query)."""
    shipments = Shipment.objects.select_related("order", "method__carrier").order_by("id")
    if pick_list is not None:
        shipments = shipments.filter(pick_list=pick_list)
    else:
        shipments = shipments.filter(order=order)
    return list(shipments)


def pick_sheet(pick_list: PickList) -> PickSheet:
    """What to pick for the list, product by product with the orders each unit is for, and
    its parcels in tote order (three queries, whatever the list holds)."""
    shipments = list_parcels(pick_list=pick_list)
    position = {shipment.pk: index for index, shipment in enumerate(shipments, start=1)}
    numbers = {shipment.pk: shipment.order.number for shipment in shipments}
    lines = list(
        ShipmentLine.objects.filter(shipment__pick_list=pick_list)
        .exclude(shipment__status=S.CANCELLED)
        .select_related("order_line__product")
        .order_by("shipment_id", "id")
    )
    product_ids = {line.order_line.product_id for line in lines if line.order_line.product_id}
    bins = dict(
        StockLevel.objects.filter(warehouse_id=pick_list.warehouse_id, product_id__in=product_ids)
        .order_by()
        .values_list("product_id", "bin_location")
        if product_ids
        else ()
    )
    units: dict[int, int] = defaultdict(int)
    wanted: dict[object, dict] = {}
    for line in lines:
        units[line.shipment_id] += line.quantity
        order_line = line.order_line
        product = order_line.product
        key = product.pk if product else order_line.sku
        row = wanted.setdefault(
            key,
            {
                "bin_location": bins.get(product.pk, "") if product else "",
                "sku": product.sku if product else order_line.sku,
                "name": product.name if product else order_line.name,
                "barcode": product.barcode if product else "",
                "quantity": 0,
                "orders": defaultdict(int),
            },
        )
        row["quantity"] += line.quantity
        row["orders"][line.shipment_id] += line.quantity
    rows = pick_rows_in_order(
        [
            PickRow(
                **{name: value for name, value in row.items() if name != "orders"},
                orders=[
                    _for_order(numbers[shipment_id], quantity)
                    for shipment_id, quantity in sorted(
                        row["orders"].items(), key=lambda item: position[item[0]]
                    )
                ],
            )
            for row in wanted.values()
        ]
    )
    return PickSheet(
        pick_list=pick_list,
        parcels=[
            ListParcel(position=position[shipment.pk], shipment=shipment, units=units[shipment.pk])
            for shipment in shipments
        ],
        rows=rows,
        bins=_by_bin(rows),
    )


def _for_order(number: str, quantity: int) -> str:
    return f"{number} ×{quantity}" if quantity > 1 else number


def _by_bin(rows: list[PickRow]) -> list[BinGroup]:
    groups: list[BinGroup] = []
    for row in rows:
        label = row.bin_location.strip() or NO_BIN
        if not groups or groups[-1].bin_label != label:
            groups.append(BinGroup(bin_label=label, rows=[]))
        groups[-1].rows.append(row)
    return groups


def labelled_parcels(pick_list: PickList) -> list[Shipment]:
    """The list's parcels whose label is ready: what "mark shipped" hands to the carrier."""
    return list(Shipment.objects.filter(pick_list=pick_list, status=S.LABEL_READY).order_by("id"))


# --- the packing station ---------------------------------------------------------------------


@dataclass(frozen=True)
class PackBatch:
    """What the packing station works through: a pick list's parcels, or one order's."""

    number: str
    pick_list: PickList | None = None
    order: Order | None = None

    @property
    def is_pick_list(self) -> bool:
        return self.pick_list is not None


def pack_batch(number: str) -> PackBatch | None:
    """The pick list (PL-…) or order (SO-…) with this number; None when there is none."""
    number = (number or "").strip().upper()
    if number.startswith("PL-"):
        found = PickList.objects.select_related("warehouse").filter(number=number).first()
        return PackBatch(number=number, pick_list=found) if found else None
    if number.startswith("SO-"):
        order = Order.objects.filter(number=number).first()
        return PackBatch(number=number, order=order) if order else None
    return None


def batch_of(shipment: Shipment) -> PackBatch:
    """The batch a parcel is packed in: its pick list, or else its order."""
    if shipment.pick_list is not None:
        return PackBatch(number=shipment.pick_list.number, pick_list=shipment.pick_list)
    return PackBatch(number=shipment.order.number, order=shipment.order)


def batch_parcels(batch: PackBatch) -> list[ListParcel]:
    shipments = list_parcels(pick_list=batch.pick_list, order=batch.order)
    return [
        ListParcel(position=index, shipment=shipment)
        for index, shipment in enumerate(shipments, start=1)
    ]


def next_parcel_to_pack(batch: PackBatch, *, after: Shipment | None = None) -> str | None:
    """The number of the batch's next parcel still to pack in tote order: the first after
    `after` (the one just packed or skipped), else the first from the start (one query)."""
    shipments = Shipment.objects.filter(status=S.PENDING).order_by("id")
    if batch.pick_list is not None:
        shipments = shipments.filter(pick_list=batch.pick_list)
    else:
        shipments = shipments.filter(order=batch.order)
    waiting = list(shipments.values_list("pk", "number"))
    later = [number for pk, number in waiting if after is not None and pk > after.pk]
    return (later or [number for _, number in waiting] or [None])[0]


def parcel_to_pack(number: str) -> Shipment | None:
    """The parcel with everything the packing screen shows: its order and address, warehouse,
    method and carrier, pick list, and its lines with their products (two queries)."""
    lines = ShipmentLine.objects.select_related("order_line__product").order_by("id")
    return (
        Shipment.objects.select_related(
            "order__shipping_address", "warehouse", "method__carrier", "pick_list"
        )
        .prefetch_related(Prefetch("lines", queryset=lines))
        .filter(number=(number or "").strip().upper())
        .first()
    )


def shipment_with_label(pk: int) -> Shipment | None:
    return Shipment.objects.filter(pk=pk).exclude(label_pdf="").first()
