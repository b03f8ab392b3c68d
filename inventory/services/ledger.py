"""The one way stock changes: lock levels in id order, check each change, write the levels and
their ledger rows, publish the new availability.

`lock_levels` takes `SELECT … FOR UPDATE` ordered by id, so two services touching the same
levels in any order never deadlock. `apply_changes` locks and writes; `write_changes` writes
levels a caller locked itself (order capture locks last, just before it writes).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db import connection
from django.db.models import Q
from django.utils import timezone

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
class Change:
    product: Product
    warehouse: Warehouse
    kind: str
    on_hand_delta: int = 0
    allocated_delta: int = 0
    # A count sets on_hand; its delta is only known once the level is locked.
    counted: int | None = None
    # Overrides the call's note for this change's ledger row (a count sheet's per-row note).
    note: str | None = None


def check_quantity(quantity, *, allow_zero: bool = False, field: str = "quantity") -> int:
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


def apply_changes(
    changes: Sequence[Change], *, actor, reference: str, note: str, create_missing: bool
) -> list[StockLevel]:
    """Lock the levels the changes touch, then write them (see `write_changes`)."""
    levels = lock_levels(
        ((change.product.pk, change.warehouse.pk) for change in changes),
        create_missing=create_missing,
    )
    return write_changes(levels, changes, actor=actor, reference=reference, note=note)


def write_changes(
    levels: dict[tuple[int, int], StockLevel],
    changes: Sequence[Change],
    *,
    actor,
    reference: str,
    note: str,
    subscribed: frozenset[str] | None = None,
) -> list[StockLevel]:
    """Apply changes to levels the caller has locked, refusing any that breaks an invariant:
    one UPDATE for the levels, one INSERT for their ledger rows. `subscribed` is the webhook
    events someone listens to, when the caller has read them already."""
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
    _save_levels(list(touched.values()))
    StockMovement.objects.bulk_create(movements)
    after_change(before, touched, subscribed=subscribed)
    return list(touched.values())


def _save_levels(levels: list[StockLevel]) -> None:
    """Store the levels' figures in one statement however many levels (new ones are inserted)."""
    now = timezone.now()
    for level in levels:
        level.updated_at = now
    new = [level for level in levels if level.pk is None]
    if new:
        StockLevel.objects.bulk_create(new)
    stored = [level for level in levels if level not in new]
    if not stored:
        return
    if connection.vendor != "postgresql":
        StockLevel.objects.bulk_update(stored, ["on_hand", "allocated", "updated_at"])
        return
    # The hot path of every capture: one UPDATE … FROM VALUES costs a fraction of what
    # bulk_update's CASE per column takes to build.
    rows = ", ".join(["(%s::bigint, %s::integer, %s::integer)"] * len(stored))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {StockLevel._meta.db_table} AS level SET on_hand = figures.on_hand, "
            "allocated = figures.allocated, updated_at = %s "
            f"FROM (VALUES {rows}) AS figures (id, on_hand, allocated) "
            "WHERE level.id = figures.id",
            [now, *(value for s in stored for value in (s.pk, s.on_hand, s.allocated))],
        )


def lock_levels_by_id(ids: Iterable[int]) -> dict[tuple[int, int], StockLevel]:
    """Lock these levels in id order; for a caller that read them (and their ids) already."""
    levels = StockLevel.objects.select_for_update().filter(pk__in=sorted(set(ids))).order_by("id")
    return {(level.product_id, level.warehouse_id): level for level in levels}


def _check_change(change: Change, level: StockLevel, on_hand_delta: int, index: int) -> None:
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


def after_change(before: dict, touched: dict, *, subscribed: frozenset[str] | None = None) -> None:
    """Publish the new availability of products whose figure moved; announce increases."""
    changed = {key[0] for key, level in touched.items() if level.available != before.get(key, 0)}
    if changed:
        sync.publish_availability(product_ids=changed, subscribed=subscribed)
    increased = {key[0] for key, level in touched.items() if level.available > before.get(key, 0)}
    if increased:
        stock_available_increased.send(sender=StockLevel, product_ids=increased)
