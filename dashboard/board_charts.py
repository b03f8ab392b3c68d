"""The dashboard's four charts, from a `Dashboard`: orders per day, gross revenue per day (one
chart per currency: amounts in different currencies are never added up), the pipeline, and
returns by reason."""

from dataclasses import dataclass

from dashboard.charts import Chart, bar_chart, column_chart, number, stacked_bar_chart
from dashboard.selectors import Dashboard
from oms.money import ZERO
from orders.models import OrderStatus

NO_ORDERS = "No orders in this period."


@dataclass(frozen=True)
class BoardCharts:
    orders: Chart
    revenue: list[Chart]
    pipeline: Chart
    returns: Chart


def _span(board: Dashboard) -> str:
    days = board.days
    if not days:
        return ""
    return f"from {days[0].isoformat()} to {days[-1].isoformat()}"


def orders_chart(board: Dashboard) -> Chart:
    counts = [
        sum(figures.orders for figures in board.orders.by_day.get(day, {}).values())
        for day in board.days
    ]
    total = sum(counts)
    description = f"{total:,} orders placed {_span(board)}, not counting cancelled ones."
    if total:
        busiest = max(range(len(counts)), key=lambda index: counts[index])
        description += (
            f" The busiest day was {board.days[busiest].isoformat()} with {counts[busiest]:,}."
        )
    return column_chart(
        key="chart-orders",
        title="Orders per day",
        description=description,
        days=board.days,
        values=counts,
        unit="orders",
        y_label="Orders",
        empty_text=NO_ORDERS,
    )


def _gross(board: Dashboard, day, currency: str):
    figures = board.orders.by_day.get(day, {}).get(currency)
    return figures.gross if figures else ZERO


def revenue_charts(board: Dashboard) -> list[Chart]:
    charts = []
    for currency in sorted(board.orders.by_currency):
        amounts = [_gross(board, day, currency) for day in board.days]
        charts.append(
            column_chart(
                key=f"chart-revenue-{currency.lower()}",
                title=f"Gross revenue per day, {currency}",
                description=f"Gross revenue in {currency} {_span(board)}: "
                f"{number(sum(amounts, ZERO))} {currency} in all.",
                days=board.days,
                values=amounts,
                unit=currency,
                y_label=f"Gross revenue ({currency})",
                empty_text=NO_ORDERS,
            )
        )
    return charts


def pipeline_chart(board: Dashboard) -> Chart:
    statuses = dict(OrderStatus.choices)
    by_status: dict[str, list] = {}
    for cell in board.pipeline:
        by_status.setdefault(cell.status, []).append(cell)
    categories = [
        (
            statuses[status],
            [cell.orders for cell in cells],
            [(cell.status, cell.bucket) in board.bottlenecks for cell in cells],
        )
        for status, cells in by_status.items()
    ]
    total = sum(sum(values) for _, values, _ in categories)
    return stacked_bar_chart(
        key="chart-pipeline",
        title="Open orders by status and age",
        description=f"{total:,} open orders, per status, split by the time since they were "
        "placed. Bottleneck cells have a heavy outline.",
        categories=categories,
        series=[label for _, label in board.age_buckets],
        unit="orders",
        x_label="Open orders",
        empty_text="No open orders.",
    )


def returns_chart(board: Dashboard) -> Chart:
    items = [(share.label, share.units) for share in board.return_reasons]
    total = sum(units for _, units in items)
    return bar_chart(
        key="chart-returns",
        title="Units returned by reason",
        description=f"{total:,} units asked back by returns opened {_span(board)}, per reason.",
        items=items,
        unit="units",
        x_label="Units",
        empty_text="No returns in this period.",
    )


def board_charts(board: Dashboard) -> BoardCharts:
    return BoardCharts(
        orders=orders_chart(board),
        revenue=revenue_charts(board),
        pipeline=pipeline_chart(board),
        returns=returns_chart(board),
    )
