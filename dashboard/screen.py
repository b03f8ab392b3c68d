"""What the dashboard page shows, read off a `Dashboard` (no queries here): the key figures as
text, each countable figure with the link to the orders it counts, the pipeline with its
bottlenecks, and the charts."""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from dashboard import links
from dashboard.board_charts import board_charts
from dashboard.filters import BoardFilters
from dashboard.selectors import Dashboard
from orders.models import OrderStatus, SalesChannel

NONE = "—"


def money(amount: Decimal) -> str:
    return f"{amount:,.2f}"


def percent(share: Decimal) -> str:
    return f"{share * 100:.1f} %"


def hours(value: float | None) -> str:
    return f"{value:.1f} h" if value is not None else NONE


@dataclass(frozen=True)
class Kpi:
    key: str
    label: str
    value: str = ""
    # Money: one line per currency, never summed across them.
    amounts: tuple[tuple[str, str], ...] = ()
    note: str = ""
    url: str = ""
    note_url: str = ""


def kpis(board: Dashboard, filters: BoardFilters) -> list[Kpi]:
    orders, lead, channel = board.orders, board.lead_times, filters.channel_code
    share = lead.on_time_share

    def per_currency(figure) -> tuple[tuple[str, str], ...]:
        return tuple((money(figure(row)), row.currency) for row in board.money)

    return [
        Kpi(
            "orders",
            "Orders",
            f"{orders.orders:,}",
            note=f"{orders.cancelled:,} cancelled",
            note_url=links.cancelled_url(
                filters.period.first_day, filters.period.last_day, channel
            ),
        ),
        Kpi("units", "Units", f"{orders.units:,}"),
        Kpi("gross", "Gross revenue", amounts=per_currency(lambda row: row.gross)),
        Kpi("refunds", "Refunds", amounts=per_currency(lambda row: row.refunds)),
        Kpi("net", "Net revenue", amounts=per_currency(lambda row: row.net)),
        Kpi(
            "aov", "Average order value", amounts=per_currency(lambda row: row.average_order_value)
        ),
        Kpi(
            "on_time",
            "Shipped on time",
            percent(share) if share is not None else NONE,
            note=f"{lead.on_time:,} of {lead.shipped:,} shipped in the period",
        ),
        Kpi("median", "Median placed → shipped", hours(lead.median_hours)),
        Kpi("p90", "90th percentile placed → shipped", hours(lead.p90_hours)),
        Kpi(
            "open",
            "Open orders",
            f"{board.open_orders:,}",
            note="now",
            url=links.open_orders_url(channel),
        ),
    ]


@dataclass(frozen=True)
class PipelineCellView:
    status: str
    bucket: str
    bucket_label: str
    orders: int
    late: int
    url: str
    bottleneck: bool


@dataclass(frozen=True)
class PipelineRow:
    status: str
    label: str
    cells: list[PipelineCellView]
    total: int
    url: str


@dataclass
class Pipeline:
    rows: list[PipelineRow] = field(default_factory=list)
    # Per age bucket: (label, open orders, link)
    columns: list[tuple[str, int, str]] = field(default_factory=list)
    total: int = 0
    total_url: str = ""
    # "Ready, > 3 days: 3 of 3 past their ship-by", worst first.
    bottlenecks: list[str] = field(default_factory=list)


def pipeline(board: Dashboard, channel: str) -> Pipeline:
    statuses = dict(OrderStatus.choices)
    buckets = dict(board.age_buckets)
    view = Pipeline(total_url=links.open_orders_url(channel))
    by_status: dict[str, list[PipelineCellView]] = {}
    first_of_bucket = {}
    for cell in board.pipeline:
        first_of_bucket.setdefault(cell.bucket, cell)
        by_status.setdefault(cell.status, []).append(
            PipelineCellView(
                status=cell.status,
                bucket=cell.bucket,
                bucket_label=buckets[cell.bucket],
                orders=cell.orders,
                late=cell.late,
                url=links.pipeline_cell_url(cell, channel),
                bottleneck=(cell.status, cell.bucket) in board.bottlenecks,
            )
        )
    for status, cells in by_status.items():
        total = sum(cell.orders for cell in cells)
        view.rows.append(
            PipelineRow(status, statuses[status], cells, total, links.status_url(status, channel))
        )
        view.total += total
    # Each status's cells come in the buckets' order.
    for index, (key, label) in enumerate(board.age_buckets):
        count = sum(row.cells[index].orders for row in view.rows)
        view.columns.append(
            (label, count, links.pipeline_bucket_url(first_of_bucket[key], channel))
        )
    worst = sorted(
        (cell for row in view.rows for cell in row.cells if cell.bottleneck),
        key=lambda cell: -cell.late,
    )
    view.bottlenecks = [
        f"{statuses[cell.status]}, {cell.bucket_label}: {cell.late:,} of {cell.orders:,} "
        "past their ship-by"
        for cell in worst
    ]
    return view


def channel_rows(board: Dashboard, names: dict[str, str]) -> list[dict]:
    return [
        {
            "code": code,
            "name": names.get(code, code),
            "currency": currency,
            "figures": figures,
            "gross": money(figures.gross),
            "average": money(figures.average_order_value),
        }
        for code, currencies in sorted(board.orders.by_channel.items())
        for currency, figures in sorted(currencies.items())
    ]


def waiting(since: datetime | None, now: datetime) -> str:
    """How long an order has waited, roughly: "19 h", "4 days"."""
    if since is None:
        return ""
    hours_waited = int((now - since).total_seconds() // 3600)
    if hours_waited < 48:
        return f"{max(hours_waited, 0)} h"
    return f"{hours_waited // 24} days"


def fulfillment(board: Dashboard, channel: str, names: dict[str, str]) -> dict:
    labels = board.hold_labels
    return {
        "late_by_channel": [
            {
                "row": row,
                "name": names.get(row.key, row.key),
                "late_url": links.late_url(channel=row.key),
                "at_risk_url": links.at_risk_url(channel=row.key),
            }
            for row in board.late_by_channel
        ],
        "late_by_warehouse": [
            {
                "row": row,
                "late_url": links.late_url(channel=channel, warehouse=row.key),
                "at_risk_url": links.at_risk_url(channel=channel, warehouse=row.key),
            }
            for row in board.late_by_warehouse
        ],
        "exceptions_url": links.exceptions_url(),
        "exception_parcels": [
            {
                "parcel": parcel,
                "url": links.shipment_url(parcel.pk),
                "order_url": links.order_url(parcel.order.number),
            }
            for parcel in board.exception_parcels
        ],
        "holds": [
            {
                "reason": reason,
                "label": labels.get(reason, reason),
                "orders": count,
                "url": links.hold_reason_url(reason),
            }
            for reason, count in board.holds_by_reason.items()
        ],
        "backorders": [
            {
                "row": row,
                "product_url": links.product_url(row.sku),
                "orders_url": links.backordered_sku_url(row.sku, channel),
                "waiting": waiting(row.oldest_placed_at, board.as_of),
            }
            for row in board.backorders
        ],
    }


def returns(board: Dashboard) -> dict:
    returned = [row for row in board.return_rates if row.returned]
    return {
        # SKUs that came back; those shipped without a return are only counted (and in the CSV).
        "return_rates": [
            {
                "row": row,
                "url": links.product_url(row.sku),
                "rate": percent(row.rate) if row.shipped else NONE,
            }
            for row in returned
        ],
        "skus_without_returns": len(board.return_rates) - len(returned),
        "return_reasons": [
            {"row": row, "url": links.return_reason_url(row.reason), "share": percent(row.share)}
            for row in board.return_reasons
        ],
        "refunds": [
            (currency, money(amount)) for currency, amount in sorted(board.refunds.items())
        ],
    }


def screen_context(board: Dashboard, filters: BoardFilters, channels: list[SalesChannel]) -> dict:
    channel = filters.channel_code
    names = {known.code: known.name for known in channels}
    return {
        "board": board,
        "filters": filters,
        "query": filters.query(),
        "kpis": kpis(board, filters),
        "pipeline": pipeline(board, channel),
        "channel_rows": channel_rows(board, names),
        "charts": board_charts(board),
        "stock": [{"row": row, "url": links.product_url(row.sku)} for row in board.stock],
        **returns(board),
        **fulfillment(board, channel, names),
    }
