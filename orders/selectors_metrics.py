"""Order figures for the manager dashboard, computed in the database, a fixed number of queries
whatever the number of orders.

A period is `[start, end)`, in the shop's time zone. Orders "of a period" are those placed in
it (drafts excepted); cancelled ones are counted apart and bring no revenue. Money is kept per
currency and never summed across currencies.

Each query reads one of `Order`'s covering indexes and nothing else on PostgreSQL (an index-only
scan): the period's orders from `order_placed_metrics`, shipped ones from `order_shipped_lead`,
the open slice from `order_open_pipeline`. So they count with `count_rows()` and name no column
those indexes lack (`bench/dashboard.py --explain` writes the plans).
"""

import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import (
    Aggregate,
    Case,
    Count,
    F,
    FloatField,
    Func,
    IntegerField,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from oms.money import ZERO, to_money
from orders.models import (
    LATE_CANDIDATE_STATUSES,
    OPEN_STATUSES,
    Allocation,
    Order,
    OrderLine,
    OrderStatus,
)
from orders.sla import AT_RISK_WINDOW

S = OrderStatus


def count_rows(condition: Q | None = None) -> Count:
    """Count rows (those meeting `condition`) naming no column, so that a covering index can
    answer alone: `COUNT(*)`, or `COUNT(1) FILTER (WHERE …)` (Django refuses `*` with a filter).
    """
    return Count("*") if condition is None else Count(Value(1), filter=condition)


class Percentile(Aggregate):
    """PostgreSQL's `percentile_cont(p) WITHIN GROUP (ORDER BY x)`."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(%(percentile)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, percentile: float, **extra):
        super().__init__(expression, percentile=percentile, **extra)


@dataclass
class CurrencyFigures:
    orders: int = 0
    units: int = 0
    gross: Decimal = ZERO

    @property
    def average_order_value(self) -> Decimal:
        return (self.gross / self.orders).quantize(Decimal("0.01")) if self.orders else ZERO


@dataclass
class PeriodOrders:
    """The period's orders: per currency, per channel, per day."""

    orders: int = 0
    cancelled: int = 0
    units: int = 0
    by_currency: dict[str, CurrencyFigures] = field(default_factory=dict)
    # channel code → currency → figures
    by_channel: dict[str, dict[str, CurrencyFigures]] = field(default_factory=dict)
    # day → currency → figures
    by_day: dict[date, dict[str, CurrencyFigures]] = field(default_factory=dict)


def _placed_in(start: datetime, end: datetime, channel_id: int | None):
    orders = Order.objects.filter(placed_at__gte=start, placed_at__lt=end).exclude(status=S.DRAFT)
    return orders.filter(channel_id=channel_id) if channel_id else orders


def period_orders(*, start: datetime, end: datetime, channel_id: int | None = None) -> PeriodOrders:
    """One grouped query (day × channel × currency × cancelled) over the period's orders."""
    rows = (
        _placed_in(start, end, channel_id)
        .annotate(
            day=TruncDate("placed_at", tzinfo=timezone.get_current_timezone()),
            cancelled=Case(
                When(status=S.CANCELLED, then=1), default=0, output_field=IntegerField()
            ),
        )
        .values("day", "channel__code", "currency", "cancelled")
        .annotate(orders=count_rows(), units=Sum("units"), gross=Sum("grand_total"))
        .order_by()
    )
    result = PeriodOrders()
    for row in rows:
        if row["cancelled"]:
            result.cancelled += row["orders"]
            continue
        result.orders += row["orders"]
        result.units += row["units"] or 0
        buckets = (
            result.by_currency,
            result.by_channel.setdefault(row["channel__code"], {}),
            result.by_day.setdefault(row["day"], {}),
        )
        for bucket in buckets:
            figures = bucket.setdefault(row["currency"], CurrencyFigures())
            figures.orders += row["orders"]
            figures.units += row["units"] or 0
            figures.gross += to_money(row["gross"])
    return result


@dataclass(frozen=True)
class LeadTimes:
    shipped: int
    on_time: int
    median_hours: float | None
    p90_hours: float | None

    @property
    def on_time_share(self) -> Decimal | None:
        if not self.shipped:
            return None
        return (Decimal(self.on_time) / self.shipped).quantize(Decimal("0.0001"))


class EpochHours(Func):
    """Hours in an interval, as a float: `date_part` gives double precision where `EXTRACT`
    gives numeric, which is several times slower to compute and to sort."""

    template = "date_part('epoch', %(expressions)s) / 3600.0"
    output_field = FloatField()


def lead_times(*, start: datetime, end: datetime, channel_id: int | None = None) -> LeadTimes:
    """Orders that finished shipping in the period: how many on time (by their ship-by), and the
    median and 90th percentile of hours from placed to shipped (one query on PostgreSQL)."""
    shipped = Order.objects.filter(shipped_at__gte=start, shipped_at__lt=end)
    if channel_id:
        shipped = shipped.filter(channel_id=channel_id)
    counts = {
        "shipped": count_rows(),
        "on_time": count_rows(Q(shipped_at__lte=F("ship_by"))),
    }
    if connection.vendor == "postgresql":
        hours = EpochHours(F("shipped_at") - F("placed_at"))
        figures = shipped.aggregate(
            **counts, median=Percentile(hours, 0.5), p90=Percentile(hours, 0.9)
        )
        median, p90 = figures["median"], figures["p90"]
    else:
        # The embedded database has no percentile function; its data sets are small.
        figures = shipped.aggregate(**counts)
        durations = sorted(
            (shipped_at - placed_at).total_seconds() / 3600
            for placed_at, shipped_at in shipped.values_list("placed_at", "shipped_at")
        )
        median = statistics.median(durations) if durations else None
        p90 = _percentile(durations, 0.9)
    return LeadTimes(
        shipped=figures["shipped"],
        on_time=figures["on_time"],
        median_hours=round(median, 1) if median is not None else None,
        p90_hours=round(p90, 1) if p90 is not None else None,
    )


def _percentile(values: list[float], fraction: float) -> float | None:
    """Linear interpolation between closest ranks, as PostgreSQL's percentile_cont."""
    if not values:
        return None
    position = (len(values) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (position - low)


# --- the pipeline: open orders by status and age ---------------------------------------------

AGE_BUCKETS = (
    # key, label, from (inclusive), to (exclusive) — by hours since placed
    ("under_4h", "< 4 h", timedelta(0), timedelta(hours=4)),
    ("4_24h", "4–24 h", timedelta(hours=4), timedelta(hours=24)),
    ("1_3d", "1–3 days", timedelta(hours=24), timedelta(days=3)),
    ("over_3d", "> 3 days", timedelta(days=3), None),
)
PIPELINE_STATUSES = OPEN_STATUSES


@dataclass(frozen=True)
class PipelineCell:
    status: str
    bucket: str
    orders: int
    late: int
    # The placement bounds of the bucket, for the drill-down link.
    placed_after: datetime | None
    placed_before: datetime | None


def pipeline(*, now: datetime, channel_id: int | None = None) -> list[PipelineCell]:
    """Open orders per status × age bucket, with how many of each are past their ship-by
    (one grouped query over the open slice)."""
    orders = Order.objects.filter(status__in=PIPELINE_STATUSES)
    if channel_id:
        orders = orders.filter(channel_id=channel_id)
    rows = (
        orders.annotate(
            bucket=Case(
                When(placed_at__isnull=True, then=0),
                *[
                    When(placed_at__gt=now - upper, then=index)
                    for index, (_, _, _, upper) in enumerate(AGE_BUCKETS)
                    if upper is not None
                ],
                default=len(AGE_BUCKETS) - 1,
                output_field=IntegerField(),
            )
        )
        .values("status", "bucket")
        .annotate(orders=count_rows(), late=count_rows(Q(ship_by__lt=now)))
        .order_by()
    )
    found = {(row["status"], row["bucket"]): row for row in rows}
    cells = []
    for status in PIPELINE_STATUSES:
        for index, (key, _, low, upper) in enumerate(AGE_BUCKETS):
            row = found.get((status, index), {"orders": 0, "late": 0})
            cells.append(
                PipelineCell(
                    status=status,
                    bucket=key,
                    orders=row["orders"],
                    late=row["late"],
                    placed_after=now - upper if upper is not None else None,
                    placed_before=now - low if low else None,
                )
            )
    return cells


def open_orders(*, channel_id: int | None = None) -> int:
    orders = Order.objects.open()
    return (orders.filter(channel_id=channel_id) if channel_id else orders).count()


# --- fulfillment: late and at risk, backorders ------------------------------------------------


@dataclass(frozen=True)
class Lateness:
    key: str  # channel or warehouse code
    late: int
    at_risk: int


def lateness_by_channel(*, now: datetime, channel_id: int | None = None) -> list[Lateness]:
    """Late and at-risk open orders per channel (one query over the open, due-soon slice)."""
    due = Order.objects.filter(status__in=LATE_CANDIDATE_STATUSES, ship_by__lt=now + AT_RISK_WINDOW)
    if channel_id:
        due = due.filter(channel_id=channel_id)
    rows = (
        due.values("channel__code")
        .annotate(
            late=count_rows(Q(ship_by__lt=now)),
            at_risk=count_rows(Q(ship_by__gte=now)),
        )
        .order_by("channel__code")
    )
    return [Lateness(row["channel__code"], row["late"], row["at_risk"]) for row in rows]


def lateness_by_warehouse(*, now: datetime, channel_id: int | None = None) -> list[Lateness]:
    """Late and at-risk open orders per warehouse holding their stock (an order allocated in
    two warehouses counts in both; one query)."""
    due = Allocation.objects.filter(
        order_line__order__status__in=LATE_CANDIDATE_STATUSES,
        order_line__order__ship_by__lt=now + AT_RISK_WINDOW,
    )
    if channel_id:
        due = due.filter(order_line__order__channel_id=channel_id)
    rows = (
        due.values("stock_level__warehouse__code")
        .annotate(
            late=Count(
                "order_line__order", distinct=True, filter=Q(order_line__order__ship_by__lt=now)
            ),
            at_risk=Count(
                "order_line__order", distinct=True, filter=Q(order_line__order__ship_by__gte=now)
            ),
        )
        .order_by("stock_level__warehouse__code")
    )
    return [
        Lateness(row["stock_level__warehouse__code"], row["late"], row["at_risk"]) for row in rows
    ]


@dataclass(frozen=True)
class Backorder:
    sku: str
    orders: int
    units_short: int
    oldest_placed_at: datetime | None


def backorders_by_sku(*, channel_id: int | None = None, limit: int = 50) -> list[Backorder]:
    """SKUs backordered orders wait for: units short (open minus allocated) and the oldest
    order waiting, most units short first (one grouped query over the backordered slice)."""
    lines = OrderLine.objects.filter(order__status=S.BACKORDERED, product__isnull=False)
    if channel_id:
        lines = lines.filter(order__channel_id=channel_id)
    allocated = (
        Allocation.objects.filter(order_line=OuterRef("pk"))
        .order_by()
        .values("order_line")
        .annotate(units=Sum("quantity"))
        .values("units")
    )
    rows = (
        lines.values("sku")
        .annotate(
            open=Sum(F("quantity") - F("quantity_cancelled") - F("quantity_shipped")),
            allocated=Sum(Coalesce(Subquery(allocated), 0)),
            orders=Count("order", distinct=True),
            oldest=Min("order__placed_at"),
        )
        .order_by()
    )
    shortages = [
        Backorder(
            sku=row["sku"],
            orders=row["orders"],
            units_short=max(0, (row["open"] or 0) - (row["allocated"] or 0)),
            oldest_placed_at=row["oldest"],
        )
        for row in rows
    ]
    shortages = [shortage for shortage in shortages if shortage.units_short]
    return sorted(shortages, key=lambda b: (-b.units_short, b.sku))[:limit]


def daily_days(start: datetime, end: datetime) -> list[date]:
    """Every day of the period in the shop's time zone (for charts with no gaps)."""
    first = timezone.localtime(start).date()
    last = timezone.localtime(end - timedelta(microseconds=1)).date()
    return [first + timedelta(days=offset) for offset in range((last - first).days + 1)]
