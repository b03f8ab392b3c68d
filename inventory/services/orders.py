"""The stock primitives the order, shipping and returns apps call: reserve for an order, release,
ship (consume) and restock."""

from collections.abc import Sequence

from django.db import connection, transaction
from django.utils import timezone

from inventory.errors import StockMoved
from inventory.models import MovementKind, Product, StockLevel, StockMovement, Warehouse
from inventory.services.ledger import (
    Change,
    StockLine,
    after_change,
    apply_changes,
    check_quantity,
    lock_levels_by_id,
    write_changes,
)
from oms.rows import insert_rows


def _line_changes(lines: Sequence[StockLine], kind: str, on_hand: int, allocated: int):
    return [
        Change(
            line.product,
            line.warehouse,
            kind,
            on_hand_delta=on_hand * check_quantity(line.quantity),
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
    return apply_changes(changes, actor=actor, reference=reference, note=note, create_missing=False)


def stock_reserve_locked(
    *,
    levels: dict[tuple[int, int], StockLevel],
    lines: Sequence[StockLine],
    reference: str,
    actor=None,
    subscribed: frozenset[str] | None = None,
) -> list[StockLevel]:
    """`stock_reserve` for levels the caller has locked in its own transaction (`lock_levels`):
    order capture takes the locks as its last read, just before these writes."""
    changes = _line_changes(lines, MovementKind.ALLOCATE, on_hand=0, allocated=1)
    return write_changes(
        levels, changes, actor=actor, reference=reference, note="", subscribed=subscribed
    )


def stock_reserve_guarded(
    *,
    levels: dict[tuple[int, int], StockLevel],
    lines: Sequence[StockLine],
    reference: str,
    actor=None,
    subscribed: frozenset[str] | None = None,
) -> list[StockLevel]:
    """Reserve with one statement that locks the levels in id order and adds the units to each
    only while it still has them available (PostgreSQL; `levels` are the caller's reads, for
    their ids), then writes the ledger rows from the figures it returned.

    Raises StockMoved when a level no longer had the units: the statement has written the
    others, so the caller rolls its transaction back and plans again on locked levels. Elsewhere
    than on PostgreSQL it locks, checks and writes as `stock_reserve_locked` does.
    """
    wanted: dict[int, int] = {}
    for line in lines:
        level = levels[(line.product.pk, line.warehouse.pk)]
        wanted[level.pk] = wanted.get(level.pk, 0) + check_quantity(line.quantity)
    if connection.vendor != "postgresql":
        locked = lock_levels_by_id(wanted)
        return stock_reserve_locked(
            levels=locked, lines=lines, reference=reference, actor=actor, subscribed=subscribed
        )
    table = StockLevel._meta.db_table
    rows = ", ".join(["(%s::bigint, %s::integer)"] * len(wanted))
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS level SET allocated = level.allocated + wanted.quantity, "
            "updated_at = %s "
            f"FROM (VALUES {rows}) AS wanted (id, quantity) "
            "WHERE level.id = wanted.id "
            f"AND level.id IN (SELECT id FROM {table} WHERE id = ANY(%s) ORDER BY id FOR UPDATE) "
            "AND level.on_hand - level.allocated - level.safety_stock >= wanted.quantity "
            "RETURNING level.id, level.on_hand, level.allocated, level.safety_stock",
            [now, *(value for item in wanted.items() for value in item), sorted(wanted)],
        )
        written = {row[0]: row[1:] for row in cursor.fetchall()}
    if written.keys() != wanted.keys():
        raise StockMoved
    by_id = {level.pk: level for level in levels.values() if level.pk in wanted}
    before, touched, running = {}, {}, {}
    for level_id, (on_hand, allocated, safety_stock) in written.items():
        level = by_id[level_id]
        level.on_hand, level.safety_stock, level.updated_at = on_hand, safety_stock, now
        level.allocated = running[level_id] = allocated - wanted[level_id]
        key = (level.product_id, level.warehouse_id)
        before[key] = level.available
        touched[key] = level
    movements = []
    for line in lines:  # each row says what its level held after it, as write_changes does
        level = touched[(line.product.pk, line.warehouse.pk)]
        level.allocated += line.quantity
        movements.append(
            StockMovement(
                stock_level=level,
                product=line.product,
                warehouse=line.warehouse,
                kind=MovementKind.ALLOCATE,
                allocated_delta=line.quantity,
                on_hand_after=level.on_hand,
                allocated_after=level.allocated,
                reference=reference[:100],
                actor=actor if actor is not None and actor.is_authenticated else None,
            )
        )
    insert_rows(movements, returning=False)
    after_change(before, touched, subscribed=subscribed)
    return list(touched.values())


@transaction.atomic
def stock_release(
    *, lines: Sequence[StockLine], reference: str, actor=None, note: str = ""
) -> list[StockLevel]:
    """Give allocated units back to available (order cancelled, edited or re-routed)."""
    changes = _line_changes(lines, MovementKind.RELEASE, on_hand=0, allocated=-1)
    return apply_changes(changes, actor=actor, reference=reference, note=note, create_missing=False)


@transaction.atomic
def stock_consume(
    *, lines: Sequence[StockLine], reference: str, actor=None, note: str = ""
) -> list[StockLevel]:
    """Ship allocated units: on_hand and allocated both drop."""
    changes = _line_changes(lines, MovementKind.SHIP, on_hand=-1, allocated=-1)
    return apply_changes(changes, actor=actor, reference=reference, note=note, create_missing=False)


@transaction.atomic
def stock_restock(
    *, product: Product, warehouse: Warehouse, quantity: int, reference: str, actor=None, note=""
) -> StockLevel:
    """Put returned, sellable units back on hand."""
    change = Change(
        product, warehouse, MovementKind.RESTOCK, on_hand_delta=check_quantity(quantity)
    )
    return apply_changes(
        [change], actor=actor, reference=reference, note=note, create_missing=True
    )[0]
