"""Everything the manager dashboard shows, read through each app's selectors (the dashboard
writes nothing). A fixed number of queries whatever the data size: every figure is a grouped
aggregate in the database.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from dashboard.periods import Period
from inventory.selectors import StockPosition, inventory_value_by_warehouse, stock_positions
from oms.money import ZERO
from orders.models import HoldReason, SalesChannel
from orders.selectors import attention_by_reason
from orders.selectors_metrics import (
    AGE_BUCKETS,
    Backorder,
    Lateness,
    LeadTimes,
    PeriodOrders,
    PipelineCell,
    backorders_by_sku,
    daily_days,
    lateness_by_channel,
    lateness_by_warehouse,
    lead_times,
    open_orders,
    period_orders,
    pipeline,
)
from payments.selectors import refunds_issued
from returns.selectors import ReasonShare, SkuReturnRate, return_rates_by_sku, return_reasons
from shipping.selectors import exceptions_summary

VELOCITY_DAYS = 14
# The bottlenecks: this many pipeline cells with the most orders past their ship-by.
BOTTLENECKS = 3


@dataclass(frozen=True)
class Money:
    """Per currency, never summed across currencies."""

    currency: str
    gross: Decimal
    refunds: Decimal
    orders: int

    @property
    def net(self) -> Decimal:
        return self.gross - self.refunds

    @property
    def average_order_value(self) -> Decimal:
        return (self.gross / self.orders).quantize(Decimal("0.01")) if self.orders else ZERO


@dataclass
class Dashboard:
    period: Period
    channel: SalesChannel | None
    as_of: datetime
    orders: PeriodOrders
    money: list[Money]
    lead_times: LeadTimes
    open_orders: int
    pipeline: list[PipelineCell]
    bottlenecks: set[tuple[str, str]]
    late_by_channel: list[Lateness]
    late_by_warehouse: list[Lateness]
    exceptions: int
    exception_parcels: list
    holds_by_reason: dict[str, int]
    backorders: list[Backorder]
    stock: list[StockPosition]
    inventory_value: list[dict]
    return_rates: list[SkuReturnRate]
    return_reasons: list[ReasonShare]
    refunds: dict[str, Decimal]
    days: list[date] = field(default_factory=list)

    @property
    def hold_labels(self) -> dict[str, str]:
        return dict(HoldReason.choices)

    @property
    def age_buckets(self) -> list[tuple[str, str]]:
        return [(key, label) for key, label, *_ in AGE_BUCKETS]


def _bottlenecks(cells: list[PipelineCell]) -> set[tuple[str, str]]:
    """The cells worst against the SLA: most orders past their ship-by (ties: the older)."""
    late = [cell for cell in cells if cell.late]
    order = {key: index for index, (key, *_rest) in enumerate(AGE_BUCKETS)}
    worst = sorted(late, key=lambda cell: (-cell.late, -order[cell.bucket]))[:BOTTLENECKS]
    return {(cell.status, cell.bucket) for cell in worst}


def dashboard(*, period: Period, channel: SalesChannel | None = None, now=None) -> Dashboard:
    now = now or timezone.now()
    channel_id = channel.pk if channel else None
    orders = period_orders(start=period.start, end=period.end, channel_id=channel_id)
    refunds = refunds_issued(start=period.start, end=period.end, channel_id=channel_id)
    currencies = sorted(set(orders.by_currency) | set(refunds))
    money = [
        Money(
            currency=currency,
            gross=orders.by_currency[currency].gross if currency in orders.by_currency else ZERO,
            refunds=refunds.get(currency, ZERO),
            orders=orders.by_currency[currency].orders if currency in orders.by_currency else 0,
        )
        for currency in currencies
    ]
    cells = pipeline(now=now, channel_id=channel_id)
    exceptions, exception_parcels = exceptions_summary(channel_id=channel_id)
    return Dashboard(
        period=period,
        channel=channel,
        as_of=now,
        orders=orders,
        money=money,
        lead_times=lead_times(start=period.start, end=period.end, channel_id=channel_id),
        open_orders=open_orders(channel_id=channel_id),
        pipeline=cells,
        bottlenecks=_bottlenecks(cells),
        late_by_channel=lateness_by_channel(now=now, channel_id=channel_id),
        late_by_warehouse=lateness_by_warehouse(now=now, channel_id=channel_id),
        exceptions=exceptions,
        exception_parcels=exception_parcels,
        holds_by_reason=attention_by_reason(),
        backorders=backorders_by_sku(channel_id=channel_id),
        stock=stock_positions(since=now - timedelta(days=VELOCITY_DAYS), window_days=VELOCITY_DAYS),
        inventory_value=inventory_value_by_warehouse(),
        return_rates=return_rates_by_sku(
            date_from=period.first_day, date_to=period.last_day, channel=channel
        ),
        return_reasons=return_reasons(
            date_from=period.first_day, date_to=period.last_day, channel=channel
        ),
        refunds=refunds,
        days=daily_days(period.start, period.end),
    )
