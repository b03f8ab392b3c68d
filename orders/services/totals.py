"""An order's totals after its lines change: subtotal, tax, grand total, units, balance.

The tax follows the subtotal in proportion: it is kept as a share of the subtotal
(`Order.tax_rate`), taken from the captured figures the first time the subtotal changes. When
there is no share to take (tax on a zero subtotal) the tax is kept as it was and the change says
so; the edit's timeline entry shows it to staff.
"""

from dataclasses import dataclass
from decimal import Decimal

from oms.money import ZERO, to_money
from orders.models import Order, OrderLine
from orders.services.common import check_order_fits
from orders.services.payment_status import balance_due_for
from orders.signals import order_totals_changed

RATE_PLACES = Decimal("1e-12")
# The largest share `Order.tax_rate` holds (20 digits, 12 after the point).
MAX_RATE = Decimal("1e8")


@dataclass(frozen=True)
class TotalsChange:
    """The totals before and after, as (before, after) pairs."""

    subtotal: tuple[Decimal, Decimal]
    tax_total: tuple[Decimal, Decimal]
    grand_total: tuple[Decimal, Decimal]
    # The subtotal changed but the tax could not follow it.
    tax_kept: bool = False

    def describe(self, currency: str) -> str:
        """What changed, as "subtotal 20.00 → 30.00, tax 1.60 → 2.40, total 26.60 → 37.40 USD"."""
        parts = [
            f"{name} {before} → {after}"
            for name, (before, after) in (
                ("subtotal", self.subtotal),
                ("tax", self.tax_total),
                ("total", self.grand_total),
            )
            if before != after
        ]
        text = f"{', '.join(parts)} {currency}" if parts else ""
        if self.tax_kept:
            kept = (
                f"tax {self.tax_total[1]} {currency} kept as it was: with no subtotal before, "
                "it cannot be scaled to the new one"
            )
            text = f"{text}; {kept}" if text else kept
        return text


def _scaled_tax(order: Order, previous_subtotal: Decimal) -> tuple[Decimal, bool]:
    """The tax for the order's new subtotal, and whether it had to be kept unscaled."""
    if order.subtotal == previous_subtotal:
        return order.tax_total, False
    if order.tax_rate is None:
        if not order.tax_total:
            return ZERO, False
        if not previous_subtotal or order.tax_total / previous_subtotal >= MAX_RATE:
            return order.tax_total, True
        order.tax_rate = (order.tax_total / previous_subtotal).quantize(RATE_PLACES)
    return to_money(order.subtotal * order.tax_rate), False


def recompute_totals(order: Order) -> TotalsChange:
    """Totals follow the lines; payments hears of a changed total (`order_totals_changed`)."""
    lines = list(order.lines.all())
    for line in lines:
        line.line_total = line.unit_price * line.quantity_net
    before = (order.subtotal, order.tax_total, order.grand_total)
    order.subtotal = sum((line.line_total for line in lines), ZERO)
    order.tax_total, tax_kept = _scaled_tax(order, before[0])
    order.grand_total = max(
        ZERO, order.subtotal + order.shipping_total + order.tax_total - order.discount_total
    )
    order.units = sum(line.quantity_net for line in lines)
    check_order_fits(subtotal=order.subtotal, grand_total=order.grand_total, units=order.units)
    OrderLine.objects.bulk_update(lines, ["line_total"])
    order.balance_due = balance_due_for(order)
    order.save(
        update_fields=[
            *("subtotal", "tax_total", "tax_rate", "grand_total"),
            *("units", "balance_due", "updated_at"),
        ]
    )
    if order.grand_total != before[2]:
        order_totals_changed.send(sender=Order, order=order, previous_total=before[2])
    return TotalsChange(
        subtotal=(before[0], order.subtotal),
        tax_total=(before[1], order.tax_total),
        grand_total=(before[2], order.grand_total),
        tax_kept=tax_kept,
    )
