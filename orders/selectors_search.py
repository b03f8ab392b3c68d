"""The search: which orders and customers a text someone reads out on the phone may mean.

The global search and the queue's search box both ask `search_order_ids`. A text finds:
- the order number (`SO-000123`, `so-123`, `123`) and the order's email;
- the channel's ids in any case: the external id (whole, or its start from five characters
  on) and the channel's own order name (Shopify's `#1042`, with or without the `#`);
- the customer: email (whole or any part of three characters or more), name (every word a
  part of "first last", or a first or last name whole) and phone;
- a phone number in any format (`616.234.9992`, `(616) 234-9992`, `+1 616 234 9992`) or its
  last four digits, on the customer and on the order's shipping address (`oms.phones`);
- a SKU on any line, in any case;
- what the apps above orders register (tracking and RMA numbers; `orders.search_sources`).

Each way is one query served by an index, capped at SEARCH_LIMIT rows, so a search costs a
fixed number of queries at any size. On PostgreSQL (migration 0009): upper-case b-trees with
`text_pattern_ops` for identifiers (equal, or "starts with"), a b-tree on the reversed phone
digits ("ends with"), and pg_trgm GIN indexes on emails and names ("contains").
`bench/order_queues.py` times every form at a million orders.
"""

from django.db.models import Q, QuerySet
from django.db.models.functions import Reverse
from django.db.models.lookups import In, StartsWith

from oms.numbering import numbered
from oms.phones import MIN_WHOLE_DIGITS, phone_search_keys
from orders.models import Address, Customer, Order, OrderLine
from orders.search_sources import order_ids_from_sources

SEARCH_LIMIT = 1000
# A trigram index narrows nothing down with fewer characters: shorter words match whole names.
MIN_PARTIAL = 3
# An identifier matches by its start from this many characters on (fewer would list hundreds).
MIN_PREFIX = 5


def phone_matches(field: str, text: str) -> Q | None:
    """Rows whose normalised phone in `field` `text` names, or None when it is no phone number.

    The stored form's reversed digits are indexed, so "ends with the typed digits" (any format,
    the last four digits, a national number of a stored E.164 one) is a prefix range, and "is
    the end of the typed digits" (typed with a country code, stored without) a few equalities.
    """
    keys = phone_search_keys(text)
    if not keys:
        return None
    stored = Reverse(field)
    match = Q()
    ends = set()
    for key in keys:
        backwards = key[::-1]
        match |= Q(StartsWith(stored, backwards))
        ends.update(backwards[:size] for size in range(MIN_WHOLE_DIGITS, len(key) + 1))
    if ends:
        match |= Q(In(stored, sorted(ends)))
    return match


def customer_matches(text: str) -> Q:
    """Customers `text` may mean: by email, name or phone (see the module's docstring)."""
    text = text.strip()
    lower = text.lower()
    match = Q(email=lower) | Q(last_name__iexact=text) | Q(first_name__iexact=text)
    words = lower.split()
    if len(words) == 2:
        match |= Q(first_name__iexact=words[0], last_name__iexact=words[1])
    if len(lower) >= MIN_PARTIAL and len(words) == 1:
        match |= Q(email__contains=lower)
    # Every word part of the name; at least one long enough for the trigram index to use.
    if any(len(word) >= MIN_PARTIAL for word in words):
        match |= Q(*[Q(name_normalized__contains=word) for word in words])
    phone = phone_matches("phone_normalized", text)
    return match | phone if phone is not None else match


def channel_order_names(text: str) -> list[str]:
    """The channel order names `text` may be: as typed, and with or without a leading `#`."""
    bare = text.removeprefix("#").strip()
    return [name for name in dict.fromkeys((text, bare, f"#{bare}")) if name.strip("#")]


def order_matches(text: str) -> Q:
    """Orders `text` names by a column of their own: number, email, external id, channel
    order name (each an index lookup; together one bitmap scan)."""
    match = Q(number=numbered(text, "SO")) | Q(email=text.lower())
    if len(text) >= MIN_PREFIX:
        match |= Q(external_id__istartswith=text)
    else:
        match |= Q(external_id__iexact=text)
    for name in channel_order_names(text):
        match |= Q(channel_order_name__iexact=name)
    return match


def _ids(queryset: QuerySet, limit: int) -> list[int]:
    # `.order_by()`: a default ordering plus LIMIT would walk another index instead of the
    # one that answers the lookup.
    return list(queryset.order_by().values_list("pk", flat=True)[:limit])


def search_order_ids(text: str, *, limit: int = SEARCH_LIMIT) -> list[int]:
    """Ids of the orders `text` may mean (the newest `limit` ids when more match): four queries
    at most whatever matches, and one per registered source the text may be for."""
    text = text.strip()
    if not text:
        return []
    ids = set(_ids(Order.objects.filter(order_matches(text)), limit))
    customers = Customer.objects.filter(customer_matches(text)).order_by().values("pk")[:limit]
    ids.update(_ids(Order.objects.filter(customer__in=customers), limit))
    address_phone = phone_matches("phone_normalized", text)
    if address_phone is not None:
        addresses = Address.objects.filter(address_phone).order_by().values("pk")[:limit]
        ids.update(_ids(Order.objects.filter(shipping_address__in=addresses), limit))
    # A SKU has no spaces (`oms.validators.validate_reference`). A popular one is on many
    # orders: the newest, in the order of its index (upper-case SKU, order id).
    if " " not in text:
        lines = OrderLine.objects.filter(sku__iexact=text).order_by("-order_id")
        ids.update(lines.values_list("order_id", flat=True)[:limit])
    ids.update(order_ids_from_sources(text, limit=limit))
    return sorted(ids, reverse=True)[:limit]


def search_orders(queryset: QuerySet[Order], text: str) -> QuerySet[Order]:
    if not text.strip():
        return queryset
    return queryset.filter(pk__in=search_order_ids(text))
