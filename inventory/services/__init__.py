"""Every change to stock. Nothing else writes a StockLevel.

Each service runs in one transaction, locks the levels it touches with `SELECT … FOR UPDATE`
ordered by id (two services touching the same levels in any order never deadlock), checks the
change, writes the levels and one ledger row per level change, then publishes the new
availability (coalesced per SKU) for stock sync.

- `ledger`: locking, checking and writing changes (the one path every service below takes);
- `movements`: receipts, adjustments, write-offs, counts, transfers, a level's settings;
- `orders`: what orders, shipping and returns call (reserve, release, consume, restock).
"""

from inventory.services.ledger import MAX_ON_HAND, StockLine, lock_levels, lock_levels_by_id
from inventory.services.movements import (
    stock_adjust,
    stock_count,
    stock_count_lines,
    stock_level_update,
    stock_receive,
    stock_receive_lines,
    stock_transfer,
    stock_write_off,
)
from inventory.services.orders import (
    stock_consume,
    stock_release,
    stock_reserve,
    stock_reserve_guarded,
    stock_reserve_locked,
    stock_restock,
)

__all__ = [
    "MAX_ON_HAND",
    "StockLine",
    "lock_levels",
    "lock_levels_by_id",
    "stock_adjust",
    "stock_consume",
    "stock_count",
    "stock_count_lines",
    "stock_level_update",
    "stock_receive",
    "stock_receive_lines",
    "stock_release",
    "stock_reserve",
    "stock_reserve_guarded",
    "stock_reserve_locked",
    "stock_restock",
    "stock_transfer",
    "stock_write_off",
]
