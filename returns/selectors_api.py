"""Reads for the API: a return with its lines (scoped to a channel's orders for a channel key),
and the refund it would settle for while it is received."""

from dataclasses import dataclass, replace
from decimal import Decimal

from django.db.models import Prefetch, QuerySet

from oms.money import ZERO
from orders.models import SalesChannel
from returns.models import ReturnLine, ReturnRequest, ReturnStatus
from returns.services import RefundQuote, refund_quote


def return_api_queryset() -> QuerySet[ReturnRequest]:
    """Returns with what their JSON shows: two queries however many lines."""
    lines = ReturnLine.objects.select_related("order_line").order_by("id")
    return ReturnRequest.objects.select_related("order", "replacement_order").prefetch_related(
        Prefetch("lines", queryset=lines)
    )


def return_for_api(*, number: str, channel: SalesChannel | None = None) -> ReturnRequest:
    """One return by its number (only of `channel`'s orders, when given); raises
    ReturnRequest.DoesNotExist. A received return carries `current_quote` (see below)."""
    if "\x00" in number:  # PostgreSQL refuses NUL in a text parameter: it cannot be a number
        raise ReturnRequest.DoesNotExist
    returns = return_api_queryset()
    if channel is not None:
        returns = returns.filter(order__channel=channel)
    rma = returns.get(number=number)
    rma.current_quote = current_quote(rma)
    return rma


@dataclass(frozen=True)
class CurrentQuote:
    """What `refund/` with an empty body would refund, and the shipping it may add."""

    quote: RefundQuote
    # The order's shipping charge `include_shipping` would add (zero once another return of
    # the order refunded it).
    shipping_refundable: Decimal


def current_quote(rma: ReturnRequest) -> CurrentQuote | None:
    """While the return is received (and only then can it be refunded): its refund quote.
    Three queries and one per payment of the order, however many lines."""
    if rma.status != ReturnStatus.RECEIVED:
        return None
    with_shipping = refund_quote(rma, include_shipping=True)
    return CurrentQuote(
        quote=replace(with_shipping, shipping=ZERO), shipping_refundable=with_shipping.shipping
    )
