"""Every table of the dashboard as a CSV download: its header and its rows, read off the same
`Dashboard` the page shows (the shared `stream_csv` makes each cell spreadsheet-safe)."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from dashboard.selectors import VELOCITY_DAYS, Dashboard
from orders.models import OrderStatus


@dataclass(frozen=True)
class ExportTable:
    title: str
    header: tuple[str, ...]
    rows: Callable[[Dashboard], Iterable[tuple]]


def _iso(moment) -> str:
    return moment.isoformat() if moment else ""


def _kpis(board: Dashboard) -> Iterable[tuple]:
    lead = board.lead_times
    yield ("orders", board.orders.orders)
    yield ("cancelled", board.orders.cancelled)
    yield ("units", board.orders.units)
    yield ("shipped", lead.shipped)
    yield ("shipped_on_time", lead.on_time)
    yield ("on_time_share", lead.on_time_share if lead.on_time_share is not None else "")
    yield ("median_hours_to_ship", lead.median_hours if lead.median_hours is not None else "")
    yield ("p90_hours_to_ship", lead.p90_hours if lead.p90_hours is not None else "")
    yield ("open_orders", board.open_orders)


def _money(board: Dashboard) -> Iterable[tuple]:
    for money in board.money:
        yield (
            money.currency,
            money.orders,
            money.gross,
            money.refunds,
            money.net,
            money.average_order_value,
        )


def _daily(board: Dashboard) -> Iterable[tuple]:
    for day in board.days:
        for currency, figures in sorted(board.orders.by_day.get(day, {}).items()):
            yield (day.isoformat(), currency, figures.orders, figures.units, figures.gross)


def _channels(board: Dashboard) -> Iterable[tuple]:
    for code, currencies in sorted(board.orders.by_channel.items()):
        for currency, figures in sorted(currencies.items()):
            yield (
                code,
                currency,
                figures.orders,
                figures.units,
                figures.gross,
                figures.average_order_value,
            )


def _pipeline(board: Dashboard) -> Iterable[tuple]:
    statuses = dict(OrderStatus.choices)
    buckets = dict(board.age_buckets)
    for cell in board.pipeline:
        yield (
            cell.status,
            statuses[cell.status],
            buckets[cell.bucket],
            cell.orders,
            cell.late,
            "yes" if (cell.status, cell.bucket) in board.bottlenecks else "",
            _iso(cell.placed_after),
            _iso(cell.placed_before),
        )


def _lateness(rows_of: Callable[[Dashboard], list]) -> Callable[[Dashboard], Iterable[tuple]]:
    return lambda board: ((row.key, row.late, row.at_risk) for row in rows_of(board))


def _exceptions(board: Dashboard) -> Iterable[tuple]:
    for parcel in board.exception_parcels:
        carrier = parcel.method.carrier.name if parcel.method else ""
        yield (
            parcel.number or parcel.pk,
            parcel.order.number,
            parcel.warehouse.code,
            carrier,
            parcel.tracking_number,
            _iso(parcel.shipped_at),
        )


def _holds(board: Dashboard) -> Iterable[tuple]:
    labels = board.hold_labels
    for reason, orders in board.holds_by_reason.items():
        yield (reason, labels.get(reason, reason), orders)


def _backorders(board: Dashboard) -> Iterable[tuple]:
    for row in board.backorders:
        yield (row.sku, row.orders, row.units_short, _iso(row.oldest_placed_at))


def _stock(board: Dashboard) -> Iterable[tuple]:
    for row in board.stock:
        yield (
            row.sku,
            row.name,
            "out of stock" if row.is_out else "low",
            row.available,
            row.reorder_point,
            row.shipped_recently,
            row.days_of_cover if row.days_of_cover is not None else "",
        )


def _inventory_value(board: Dashboard) -> Iterable[tuple]:
    for row in board.inventory_value:
        yield (row["warehouse__code"], row["warehouse__name"], row["units"], row["value"])


def _return_rates(board: Dashboard) -> Iterable[tuple]:
    for row in board.return_rates:
        yield (row.sku, row.shipped, row.returned, row.rate)


def _return_reasons(board: Dashboard) -> Iterable[tuple]:
    for row in board.return_reasons:
        yield (row.reason, row.label, row.units, row.share)


def _refunds(board: Dashboard) -> Iterable[tuple]:
    yield from sorted(board.refunds.items())


TABLES: dict[str, ExportTable] = {
    "kpis": ExportTable("Key figures", ("figure", "value"), _kpis),
    "money": ExportTable(
        "Money per currency",
        ("currency", "orders", "gross_revenue", "refunds", "net_revenue", "average_order_value"),
        _money,
    ),
    "daily": ExportTable(
        "Orders and revenue per day",
        ("day", "currency", "orders", "units", "gross_revenue"),
        _daily,
    ),
    "channels": ExportTable(
        "Orders and revenue per channel",
        ("channel", "currency", "orders", "units", "gross_revenue", "average_order_value"),
        _channels,
    ),
    "pipeline": ExportTable(
        "Open orders by status and age",
        (
            "status",
            "status_label",
            "age",
            "orders",
            "past_ship_by",
            "bottleneck",
            "placed_after",
            "placed_until",
        ),
        _pipeline,
    ),
    "late-by-channel": ExportTable(
        "Late and at-risk orders per channel",
        ("channel", "late", "at_risk"),
        _lateness(lambda board: board.late_by_channel),
    ),
    "late-by-warehouse": ExportTable(
        "Late and at-risk orders per warehouse",
        ("warehouse", "late", "at_risk"),
        _lateness(lambda board: board.late_by_warehouse),
    ),
    "exceptions": ExportTable(
        "Shipments in exception (oldest)",
        ("shipment", "order", "warehouse", "carrier", "tracking_number", "shipped_at"),
        _exceptions,
    ),
    "holds": ExportTable("Holds by reason", ("reason", "reason_label", "orders"), _holds),
    "backorders": ExportTable(
        "Backorders by SKU",
        ("sku", "orders_waiting", "units_short", "oldest_order_placed_at"),
        _backorders,
    ),
    "stock": ExportTable(
        "Stock-outs and low stock",
        (
            "sku",
            "name",
            "state",
            "available",
            "reorder_point",
            f"units_shipped_last_{VELOCITY_DAYS}_days",
            "days_of_cover",
        ),
        _stock,
    ),
    "inventory-value": ExportTable(
        "Inventory value at cost per warehouse",
        ("warehouse", "name", "units_on_hand", "value_at_cost"),
        _inventory_value,
    ),
    "return-rates": ExportTable(
        "Return rate by SKU",
        ("sku", "units_shipped", "units_returned", "return_rate"),
        _return_rates,
    ),
    "return-reasons": ExportTable(
        "Returns by reason", ("reason", "reason_label", "units", "share"), _return_reasons
    ),
    "refunds": ExportTable("Refunds issued", ("currency", "refunded"), _refunds),
}
