"""Signals inventory sends for the apps above it (connected in their `receivers.py`).

`stock_available_increased(sender, product_ids: set[int])` — sent inside the transaction that
raised available-to-promise (receipt, restock, transfer in, upward adjustment or count), after
the levels and ledger are written. Orders re-processes backordered orders on it, after commit
(the receive screens do that at once themselves, through `inventory.backorders`, and the nudge
then finds nothing left).
"""

from django.dispatch import Signal

stock_available_increased = Signal()
