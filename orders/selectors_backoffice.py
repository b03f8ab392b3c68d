"""Reads the orders back office needs beyond `orders.selectors`: keyset pages, search results,
the pickers of the filter bar, saved views and the rows of a bulk action (ticked, or every order
matching the filters).

Keyset pagination: a page is "the next N orders after this (sort key, id)", so page 500 costs
what page 1 costs and nothing counts the whole table. `placed_at` and `ship_by` may be empty
(a draft); empty keys sort as the largest value, which is how PostgreSQL's b-tree indexes order
them, so every page query is a plain range scan of an index.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from django.db.models import DateTimeField, Prefetch, Q, QuerySet

from inventory.models import Warehouse
from orders.models import Order, OrderHold, SalesChannel, SavedView
from orders.selectors import SORTS, list_page_queryset
from orders.selectors_backorders import attach_shortages
from orders.selectors_search import search_order_ids

# --- keyset pagination ----------------------------------------------------------------------


@dataclass(frozen=True)
class SortKey:
    field: str
    descending: bool


def sort_key(sort: str) -> SortKey:
    """The column a `SORTS` entry orders by; the order id breaks ties in the same direction."""
    first = SORTS.get(sort, SORTS["newest"])[0]
    return SortKey(field=first.lstrip("-"), descending=first.startswith("-"))


def cursor_for(order: Order, key: SortKey) -> str:
    """`<id>:<value>` of the row a page starts or ends at (readable, and safe in a URL)."""
    value = getattr(order, key.field)
    text = value.isoformat() if isinstance(value, datetime) else "" if value is None else value
    return f"{order.pk}:{text}"


def parse_cursor(text: str | None, key: SortKey) -> tuple | None:
    """(value, id) from `cursor_for`, or None when the text is not a cursor for this sort."""
    pk, separator, raw = (text or "").partition(":")
    if not separator or not (pk.isascii() and pk.isdigit()):
        return None
    if raw == "":
        return (None, int(pk)) if Order._meta.get_field(key.field).null else None
    try:
        if isinstance(Order._meta.get_field(key.field), DateTimeField):
            value = datetime.fromisoformat(raw)
            value = value if value.tzinfo else value.replace(tzinfo=UTC)
        else:
            value = Decimal(raw)
            if not value.is_finite():
                return None
    except (ValueError, InvalidOperation):
        return None
    return value, int(pk)


def _keys_after(orders: QuerySet, field: str, descending: bool, cursor, limit: int) -> list:
    """Up to `limit` (value, id) pairs strictly after `cursor` in this direction.

    Rows with the value split from rows without it, so each part is a single index range:
    ascending, the filled rows come first and the empty ones last; descending, the reverse.
    """
    beyond = "lt" if descending else "gt"
    nullable = Order._meta.get_field(field).null
    filled = orders.filter(**{f"{field}__isnull": False}) if nullable else orders
    empty = orders.filter(**{f"{field}__isnull": True}) if nullable else None
    if cursor is not None:
        value, pk = cursor
        if value is None:
            empty = empty.filter(**{f"pk__{beyond}": pk})
            filled = filled if descending else None
        else:
            # The redundant `<=`/`>=` bound lets the index start at the cursor.
            filled = filled.filter(**{f"{field}__{beyond}e": value}).filter(
                Q(**{f"{field}__{beyond}": value}) | Q(**{f"pk__{beyond}": pk})
            )
            empty = None if descending else empty
    prefix = "-" if descending else ""
    keys: list = []
    for part in (empty, filled) if descending else (filled, empty):
        if part is None or len(keys) >= limit:
            continue
        ordered = part.order_by(f"{prefix}{field}", f"{prefix}pk").values_list(field, "pk")
        keys.extend(ordered[: limit - len(keys)])
    return keys


@dataclass(frozen=True)
class OrderPage:
    orders: list[Order]
    next_cursor: str | None
    previous_cursor: str | None

    @property
    def is_first(self) -> bool:
        return self.previous_cursor is None


def order_page(
    orders: QuerySet[Order], *, sort: str, size: int, after: str | None, before: str | None
) -> OrderPage:
    """One page of `orders` in `sort` order after (or before) a cursor, with what each row shows.

    A fixed number of queries whatever the page size: the keys (one or two index ranges), the
    rows, their active holds, and what the backordered ones among them are short of.
    """
    key = sort_key(sort)
    after_key = parse_cursor(after, key)
    before_key = parse_cursor(before, key) if after_key is None else None
    if before_key is not None:
        keys = _keys_after(orders, key.field, not key.descending, before_key, size + 1)
        has_previous, has_next = len(keys) > size, True
        keys = keys[:size][::-1]
    else:
        keys = _keys_after(orders, key.field, key.descending, after_key, size + 1)
        has_previous, has_next = after_key is not None, len(keys) > size
        keys = keys[:size]
    rows = orders_in_order([pk for _, pk in keys])
    attach_shortages(rows)
    return OrderPage(
        orders=rows,
        next_cursor=cursor_for(rows[-1], key) if has_next and rows else None,
        previous_cursor=cursor_for(rows[0], key) if has_previous and rows else None,
    )


def orders_in_order(ids: list[int]) -> list[Order]:
    """The list rows for these ids, in the order given (two queries; none for no ids)."""
    if not ids:
        return []
    found = {order.pk: order for order in list_page_queryset(Order.objects.filter(pk__in=ids))}
    return [found[pk] for pk in ids if pk in found]


# --- search ---------------------------------------------------------------------------------

SEARCH_RESULTS_SHOWN = 50
EPOCH = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True)
class SearchResults:
    orders: list[Order]
    found: int

    @property
    def truncated(self) -> bool:
        return self.found > len(self.orders)


def search_results(text: str, *, shown: int = SEARCH_RESULTS_SHOWN) -> SearchResults:
    """Orders matching what a customer quoted, newest first (the first `shown` of them)."""
    ids = search_order_ids(text)
    if not ids:
        return SearchResults(orders=[], found=0)
    # Each id's placing time by primary key, sorted here as SORTS["newest"] sorts (no time
    # first): asked for `ORDER BY placed_at DESC LIMIT n`, the planner may instead walk the
    # whole placing-time index looking for these ids, which takes a million steps when they
    # are old orders.
    placed = Order.objects.filter(pk__in=ids).order_by().values_list("placed_at", "pk")
    newest = sorted(placed, key=lambda row: (row[0] is None, row[0] or EPOCH, row[1]))
    return SearchResults(
        orders=orders_in_order([pk for _, pk in newest[::-1][:shown]]), found=len(ids)
    )


# --- filter bar, saved views ----------------------------------------------------------------


def channel_choices() -> list[tuple[str, str]]:
    return list(SalesChannel.objects.order_by("code").values_list("code", "name"))


def warehouse_choices() -> list[tuple[str, str]]:
    return list(Warehouse.objects.order_by("priority", "code").values_list("code", "name"))


def saved_views_of(user) -> QuerySet[SavedView]:
    return SavedView.objects.filter(user=user).order_by("name")


# --- bulk actions ---------------------------------------------------------------------------


def orders_for_bulk(numbers: list[str]) -> list[Order]:
    """The chosen orders in number order, each with its active holds (two queries)."""
    active = OrderHold.objects.filter(released_at__isnull=True).order_by("placed_at", "id")
    return list(
        Order.objects.filter(number__in=numbers)
        .select_related("channel", "customer")
        .prefetch_related(Prefetch("holds", queryset=active, to_attr="active_holds"))
        .order_by("number")
    )


def matching_count(orders: QuerySet[Order], *, limit: int) -> int:
    """How many orders match, counted no further than `limit + 1`: more than the limit is all
    the bulk bar says, and a bounded count stays cheap on a million orders."""
    return orders.order_by()[: limit + 1].count()


def matching_numbers(orders: QuerySet[Order], *, limit: int) -> list[str]:
    """The numbers of the matching orders in list order, `limit + 1` at most (one more than
    the limit tells the caller there are too many)."""
    return list(orders.values_list("number", flat=True)[: limit + 1])
