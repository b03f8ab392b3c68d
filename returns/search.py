"""The order search finds an order by the number of any of its returns (`RMA-000123`).

Registered with `orders.search_sources` (orders may not import returns).
"""

from oms.numbering import numbered
from orders.search_sources import SearchSource, register
from returns.models import ReturnRequest

PREFIX = "RMA"


def rma_number(text: str) -> str | None:
    """`RMA-000123` for "rma-123", "RMA 123", "rma123" or the whole number; None for text that
    is not an RMA number (a bare "123" is an order number)."""
    upper = text.strip().upper()
    if not upper.startswith(PREFIX):
        return None
    rest = upper.removeprefix(PREFIX).lstrip("- ")
    return numbered(f"{PREFIX}-{rest}", PREFIX) if rest else None


def order_ids_by_rma_number(text: str, limit: int) -> list[int]:
    """The order a return number belongs to (one lookup on the unique number index)."""
    number = rma_number(text)
    if number is None:
        return []
    return list(
        ReturnRequest.objects.filter(number=number)
        .order_by()
        .values_list("order_id", flat=True)[:limit]
    )


def register_search_source() -> None:
    register(
        SearchSource(
            key="rma_number",
            label="RMA number",
            order_ids=order_ids_by_rma_number,
            order=20,
        )
    )
