"""Signals the orders app sends for the apps above it (payments, shipping).

Each is sent inside the transaction of the change, after the order is saved; receivers do their
own writes in that transaction and enqueue any outside work with `transaction.on_commit`.

- `order_captured(sender, order)` — a new order was captured and processed; its
  `payment_request` holds the payment block the channel sent.
- `order_ready(sender, order)` — everything is allocated and no hold is active.
- `order_cancelled(sender, order, reason)` — the order was cancelled and its stock released.
- `order_line_cancelled(sender, order, line, quantity)` — the unshipped rest of a line
  (`quantity` units) was cancelled and its stock released; shipping drops those units from
  shipments not yet shipped.
- `order_totals_changed(sender, order, previous_total)` — an edit (lines added, removed,
  re-quantified or cancelled) changed `grand_total`; payments re-authorizes or flags the
  difference.
"""

from django.dispatch import Signal

order_captured = Signal()
order_ready = Signal()
order_cancelled = Signal()
order_line_cancelled = Signal()
order_totals_changed = Signal()
