"""Where the dashboard's figures lead: the order queue (or the shipments, returns or a product)
filtered to the orders a figure counts.

The order queue takes `status`, `channel`, `queue` (late, at_risk, …), `hold_reason`,
`warehouse`, `q`, day bounds (`date_from`, `date_to`), exact placement bounds
(`placed_after` ≤ placed_at < `placed_before`) and `open`.
"""

from datetime import date, datetime, timedelta
from urllib.parse import urlencode

from django.urls import reverse

from orders.models import OrderStatus
from orders.selectors_metrics import PipelineCell

# The databases keep times to the microsecond: `placed_at > t` is `placed_at ≥ t + 1 µs`.
RESOLUTION = timedelta(microseconds=1)


def _url(url_name: str, *args, **params) -> str:
    url = reverse(url_name, args=args)
    kept = {name: value for name, value in params.items() if value not in ("", None)}
    return f"{url}?{urlencode(kept)}" if kept else url


def _instant(moment: datetime | None) -> str:
    """A pipeline bound as the queue's: the pipeline counts placed_at in (after, before], the
    queue lists [after, before); one microsecond later on both sides is the same set."""
    return (moment + RESOLUTION).isoformat() if moment is not None else ""


def queue_url(**params) -> str:
    return _url("orders:queue", **params)


def pipeline_cell_url(cell: PipelineCell, channel: str = "") -> str:
    """The orders of one status × age cell."""
    return queue_url(
        status=cell.status,
        channel=channel,
        placed_after=_instant(cell.placed_after),
        placed_before=_instant(cell.placed_before),
    )


def pipeline_bucket_url(cell: PipelineCell, channel: str = "") -> str:
    """Every open order of one age bucket (a column of the pipeline)."""
    return queue_url(
        open="on",
        channel=channel,
        placed_after=_instant(cell.placed_after),
        placed_before=_instant(cell.placed_before),
    )


def status_url(status: str, channel: str = "") -> str:
    return queue_url(status=status, channel=channel)


def open_orders_url(channel: str = "") -> str:
    return queue_url(open="on", channel=channel)


def cancelled_url(first_day: date, last_day: date, channel: str = "") -> str:
    """Orders placed in the period and cancelled (the queue's days are the shop's, as the
    period's)."""
    return queue_url(
        status=OrderStatus.CANCELLED,
        date_from=first_day.isoformat(),
        date_to=last_day.isoformat(),
        channel=channel,
    )


def late_url(*, channel: str = "", warehouse: str = "") -> str:
    return queue_url(queue="late", channel=channel, warehouse=warehouse)


def at_risk_url(*, channel: str = "", warehouse: str = "") -> str:
    return queue_url(queue="at_risk", channel=channel, warehouse=warehouse)


def hold_reason_url(reason: str) -> str:
    """Orders on hold for `reason` (the figure counts every channel's)."""
    return queue_url(status=OrderStatus.ON_HOLD, hold_reason=reason)


def backordered_sku_url(sku: str, channel: str = "") -> str:
    """Backordered orders found by the SKU (the queue's search also matches an order number,
    email or customer name equal to the text)."""
    return queue_url(queue="backordered", q=sku, channel=channel)


def exceptions_url() -> str:
    return _url("shipping:shipments", exceptions="on")


def shipment_url(shipment_id: int) -> str:
    return _url("shipping:shipment", shipment_id)


def order_url(number: str) -> str:
    return _url("orders:detail", number)


def product_url(sku: str) -> str:
    return _url("inventory:product_detail", sku)


def return_reason_url(reason: str) -> str:
    return _url("returns:queue", status="all", reason=reason)
