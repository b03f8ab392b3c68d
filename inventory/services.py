"""Every change to stock. Nothing else writes a StockLevel.

Each service runs in one transaction, locks the levels it touches with `SELECT … FOR UPDATE`
ordered by id (two services touching the same levels in any order never deadlock), checks the
change, writes the levels and one ledger row per level change, then publishes the new
availability (coalesced per SKU) for stock sync.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db import transaction
from django.db.models import Q

from inventory import sync
from inventory.errors import (
    InsufficientStock,
    InvalidQuantity,
    NegativeStock,
    OverRelease,
    StockAllocated,
)
from inventory.models import MovementKind, Product, StockLevel, StockMovement, Warehouse
from inventory.signals import stock_available_increased
from oms.numbers import column_max

# Each movement is bounded by the doors; this bounds their sum, which the column must hold.
MAX_ON_HAND = column_max(StockLevel, "on_hand")


@dataclass(frozen=True)
class StockLine:
    """A quantity of a product at a warehouse, as reserved, released or shipped for an order."""

    product: Product
    warehouse: Warehouse
    quantity: int


@dataclass(frozen=True)
class _Change:
    product: Product
    warehouse: Warehouse
    kind: str
    on_hand_delta: int = 0
    allocated_delta: int = 0
    # A count sets on_hand; its delta is only known once the level is locked.
    counted: int | None = None
    # Overrides the call's note for this change's ledger row (a count sheet's per-row note).
    note: str | None = None


def _check_quantity(quantity, *, allow_zero: bool = False, field: str = "quantity") -> int:
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        raise InvalidQuantity("Quantity must be a whole number.", fields={field: ["Not a number."]})
    if quantity < 0 or (quantity == 0 and not allow_zero):
        message = "must be zero or more" if allow_zero else "must be above zero"
        raise InvalidQuantity(f"Quantity {message}.", fields={field: [f"Quantity {message}."]})
    return quantity


def lock_levels(
    pairs: Iterable[tuple[int, int]], *, create_missing: bool
) -> dict[tuple[int, int], StockLevel]:
    """Lock the (product_id, warehouse_id) levels in id order, creating empty ones if asked."""
    pairs = set(pairs)
    if not pairs:
        return {}
    if create_missing:
        StockLevel.objects.bulk_create(
            [StockLevel(product_id=p, warehouse_id=w) for p, w in sorted(pairs)],
            ignore_conflicts=True,
        )
    match = reduce(or_, (Q(product_id=p, warehouse_id=w) for p, w in pairs))
    levels = StockLevel.objects.select_for_update().filter(match).order_by("id")
    return {(level.product_id, level.warehouse_id): level for level in levels}


def _apply(
    changes: Sequence[_Change], *, actor, reference: str, note: str, create_missing: bool
) -> list[StockLevel]:
    """Apply changes to locked levels, refusing any that breaks an invariant; write the ledger."""
    levels = lock_levels(
        ((change.product.pk, change.warehouse.pk) for change in changes),
        create_missing=create_missing,
    )
    before = {key: level.available for key, level in levels.items()}
    movements, touched = [], {}
    for index, change in enumerate(changes):
        key = (change.product.pk, change.warehouse.pk)
        level = levels.get(key)
        if level is None:
            level = StockLevel(product=change.product, warehouse=change.warehouse)
        on_hand_delta = change.on_hand_delta
        if change.counted is not None:
            on_hand_delta = change.counted - level.on_hand
        _check_change(change, level, on_hand_delta, index)
        level.on_hand += on_hand_delta
        level.allocated += change.allocated_delta
        touched[key] = level
        movements.append(
            StockMovement(
                stock_level=level,
                product=change.product,
                warehouse=change.warehouse,
                kind=change.kind,
                on_hand_delta=on_hand_delta,
                allocated_delta=change.allocated_delta,
                on_hand_after=level.on_hand,
                allocated_after=level.allocated,
                reference=reference[:100],
                note=(change.note if change.note is not None else note)[:500],
                actor=actor if actor is not None and actor.is_authenticated else None,
            )
        )
    for level in touched.values():
        level.save(update_fields=["on_hand", "allocated", "updated_at"])
    StockMovement.objects.bulk_create(movements)
    _after_change(before, touched)
    return list(touched.values())


def _check_change(change: _Change, level: StockLevel, on_hand_delta: int, index: int) -> None:
    where = f"{change.product.sku} at {change.warehouse.code}"
    field = f"lines.{index}.quantity"
    if change.kind == MovementKind.ALLOCATE and change.allocated_delta > level.available:
        raise InsufficientStock(
            f"Not enough {where}: {level.available} available, {change.allocated_delta} requested.",
            fields={field: [f"Only {level.available} available."]},
            shortages=[
                {
                    "sku": change.product.sku,
                    "warehouse": change.warehouse.code,
                    "requested": change.allocated_delta,
                    "available": level.available,
                }
            ],
        )
    if level.allocated + change.allocated_delta < 0:
        raise OverRelease(
            f"Only {level.allocated} of {where} are allocated; "
            f"cannot release or ship {-change.allocated_delta}.",
            fields={field: [f"Only {level.allocated} allocated."]},
        )
    new_on_hand = level.on_hand + on_hand_delta
    if new_on_hand > MAX_ON_HAND:
        raise InvalidQuantity(
            f"{where} would hold {new_on_hand:,} units; a level holds at most {MAX_ON_HAND:,}.",
            fields={field: [f"At most {MAX_ON_HAND - level.on_hand:,} more units fit here."]},
        )
    if new_on_hand < 0:
        raise NegativeStock(
            f"{where} has {level.on_hand} on hand; this would leave {new_on_hand}.",
            fields={field: [f"Only {level.on_hand} on hand."]},
        )
    if new_on_hand < level.allocated + change.allocated_delta:
        raise StockAllocated(
            f"{level.allocated} of {where} are allocated to orders; "
            f"on hand cannot drop to {new_on_hand}.",
            fields={field: [f"{level.allocated} units are allocated to orders."]},
        )


def _after_change(before: dict, touched: dict) -> None:
    changed = {key[0] for key, level in touched.items() if level.available != before.get(key, 0)}
    if changed:
        sync.publish_availability(product_ids=changed)
    increased = {key[0] for key, level in touched.items() if level.available > before.get(key, 0)}
    if increased:
        stock_available_increased.send(sender=StockLevel, product_ids=increased)


# --- stock coming in, going out, being counted ----------------------------------------------


@transaction.atomic
def stock_receive(
    *, product: Product, warehouse: Warehouse, quantity: int, actor=None, reference="", note=""
) -> StockLevel:
    """Book units received at a warehouse."""
    return stock_receive_lines(
        warehouse=warehouse,
        lines=[(product, quantity)],
        actor=actor,
        reference=reference,
        note=note,
    )[0]


@transaction.atomic
def stock_receive_lines(
    *,
    warehouse: Warehouse,
    lines: Sequence[tuple[Product, int]],
    actor=None,
    reference: str = "",
    note: str = "",
) -> list[StockLevel]:
    """Receive several products at once, all or nothing (the receive screen)."""
    if not lines:
        raise InvalidQuantity("Nothing to receive.", fields={"lines": ["Add at least one line."]})
    changes = [
        _Change(product, warehouse, MovementKind.RECEIPT, on_hand_delta=_check_quantity(quantity))
        for product, quantity in lines
    ]
    return _apply(changes, actor=actor, reference=reference, note=note, create_missing=True)


@transaction.atomic
def stock_adjust(
    *,
    product: Product,
    warehouse: Warehouse,
    delta: int,
    kind: str = MovementKind.ADJUSTMENT,
    actor=None,
    reference: str = "",
    note: str = "",
) -> StockLevel:
    """Change on_hand by ±delta: a correction, a receipt, or damage written off.

    Damage always removes units, whichever sign the delta was given with.
    """
    if kind not in {MovementKind.ADJUSTMENT, MovementKind.RECEIPT, MovementKind.DAMAGE}:
        raise InvalidQuantity(
            f"{kind} is not an adjustment reason.",
            fields={"reason": ["Use receipt, adjustment or damage."]},
        )
    if isinstance(delta, bool) or not isinstance(delta, int) or delta == 0:
        raise InvalidQuantity("The change must be a whole number other than zero.")
    if kind == MovementKind.RECEIPT and delta < 0:
        raise InvalidQuantity("A receipt adds stock; use an adjustment to remove it.")
    if kind == MovementKind.DAMAGE and delta > 0:
        delta = -delta
    change = _Change(product, warehouse, kind, on_hand_delta=delta)
    return _apply([change], actor=actor, reference=reference, note=note, create_missing=True)[0]


@transaction.atomic
def stock_write_off(
    *, product: Product, warehouse: Warehouse, quantity: int, actor=None, reference="", note=""
) -> StockLevel:
    """Write off damaged or lost units."""
    change = _Change(
        product, warehouse, MovementKind.DAMAGE, on_hand_delta=-_check_quantity(quantity)
    )
    return _apply([change], actor=actor, reference=reference, note=note, create_missing=False)[0]


@transaction.atomic
def stock_count(
    *, product: Product, warehouse: Warehouse, counted: int, actor=None, reference="", note=""
) -> StockLevel:
    """Set on_hand to what was counted; the ledger records the variance."""
    return stock_count_lines(
        counts=[(product, warehouse, counted)], actor=actor, reference=reference, note=note
    )[0]


@transaction.atomic
def stock_count_lines(
    *,
    counts: Sequence[tuple[Product, Warehouse, int] | tuple[Product, Warehouse, int, str]],
    actor=None,
    reference: str = "",
    note: str = "",
) -> list[StockLevel]:
    """Apply many counts in one transaction (CSV import); any refusal changes nothing.

    A count may carry a fourth item, its own note, which replaces `note` on its ledger row.
    """
    changes = [
        _Change(
            count[0],
            count[1],
            MovementKind.COUNT,
            counted=_check_quantity(count[2], allow_zero=True, field="counted"),
            note=count[3] if len(count) > 3 else None,
        )
        for count in counts
    ]
    return _apply(changes, actor=actor, reference=reference, note=note, create_missing=True)


@transaction.atomic
def stock_transfer(
    *,
    product: Product,
    source: Warehouse,
    destination: Warehouse,
    quantity: int,
    actor=None,
    reference: str = "",
    note: str = "",
) -> tuple[StockLevel, StockLevel]:
    """Move unallocated units between warehouses: a transfer_out and a transfer_in row."""
    if source.pk == destination.pk:
        raise InvalidQuantity(
            "Pick a different destination warehouse.",
            fields={"destination": ["Must differ from the source."]},
        )
    quantity = _check_quantity(quantity)
    changes = [
        _Change(product, source, MovementKind.TRANSFER_OUT, on_hand_delta=-quantity),
        _Change(product, destination, MovementKind.TRANSFER_IN, on_hand_delta=quantity),
    ]
    levels = _apply(changes, actor=actor, reference=reference, note=note, create_missing=True)
    by_warehouse = {level.warehouse_id: level for level in levels}
    return by_warehouse[source.pk], by_warehouse[destination.pk]


@transaction.atomic
def stock_level_update(
    *,
    product: Product,
    warehouse: Warehouse,
    safety_stock: int | None = None,
    bin_location: str | None = None,
    actor=None,
) -> StockLevel:
    """Set a level's safety stock or bin location.

    Neither moves units, but safety stock changes what can be promised, so a change is
    recorded in the ledger as a `settings` row with zero deltas, its actor and what changed.
    """
    key = (product.pk, warehouse.pk)
    level = lock_levels([key], create_missing=True)[key]
    before = {key: level.available}
    changes = []
    if safety_stock is not None:
        safety_stock = _check_quantity(safety_stock, allow_zero=True, field="safety_stock")
        if safety_stock != level.safety_stock:
            changes.append(f"safety stock {level.safety_stock} → {safety_stock}")
            level.safety_stock = safety_stock
    if bin_location is not None:
        bin_location = bin_location.strip()[:40]
        if bin_location != level.bin_location:
            changes.append(f"bin “{level.bin_location}” → “{bin_location}”")
            level.bin_location = bin_location
    if not changes:
        return level
    level.save(update_fields=["safety_stock", "bin_location", "updated_at"])
    StockMovement.objects.create(
        stock_level=level,
        product=product,
        warehouse=warehouse,
        kind=MovementKind.SETTINGS,
        on_hand_after=level.on_hand,
        allocated_after=level.allocated,
        note="; ".join(changes),
        actor=actor if actor is not None and actor.is_authenticated else None,
    )
    _after_change(before, {key: level})
    return level


# --- primitives the order, shipping and returns apps call -----------------------------------


def _line_changes(lines: Sequence[StockLine], kind: str, on_hand: int, allocated: int):
    return [
        _Change(
            line.product,
            line.warehouse,
            kind,
            on_hand_delta=on_hand * _check_quantity(line.quantity),
            allocated_delta=allocated * line.quantity,
        )
        for line in lines
    ]


@transaction.atomic
def stock_reserve(
    *, lines: Sequence[StockLine], reference: str, actor=None, note: str = ""
) -> list[StockLevel]:
    """Allocate units to an order, all lines or none; refuses beyond available to promise."""
    changes = _line_changes(lines, MovementKind.ALLOCATE, on_hand=0, allocated=1)
    return _apply(changes, actor=actor, reference=reference, note=note, create_missing=False)


@transaction.atomic
def stock_release(
    *, lines: Sequence[StockLine], reference: str, actor=None, note: str = ""
) -> list[StockLevel]:
    """Give allocated units back to available (order cancelled, edited or re-routed)."""
    changes = _line_changes(lines, MovementKind.RELEASE, on_hand=0, allocated=-1)
    return _apply(changes, actor=actor, reference=reference, note=note, create_missing=False)


@transaction.atomic
def stock_consume(
    *, lines: Sequence[StockLine], reference: str, actor=None, note: str = ""
) -> list[StockLevel]:
    """Ship allocated units: on_hand and allocated both drop."""
    changes = _line_changes(lines, MovementKind.SHIP, on_hand=-1, allocated=-1)
    return _apply(changes, actor=actor, reference=reference, note=note, create_missing=False)


@transaction.atomic
def stock_restock(
    *, product: Product, warehouse: Warehouse, quantity: int, reference: str, actor=None, note=""
) -> StockLevel:
    """Put returned, sellable units back on hand."""
    change = _Change(
        product, warehouse, MovementKind.RESTOCK, on_hand_delta=_check_quantity(quantity)
    )
    return _apply([change], actor=actor, reference=reference, note=note, create_missing=True)[0]
