"""What the apps above orders let the search find an order by (shipping's tracking numbers,
returns' RMA numbers).

Orders may not import those apps, so each registers a source in its `AppConfig.ready`, as
they add order-page panels through `orders.panels`: a label for the search page's hint and a
callable that gives the ids of the orders a search text names. The global search and the
queue search (`orders.selectors_search.search_order_ids`) ask every registered source.

A source runs one query at most, capped at `limit` rows and served by an index, and none when
the text cannot be one of its identifiers: the search's query count is tested to stay fixed.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

# (the search text, stripped; the most ids wanted) → ids of the orders it names.
OrderIds = Callable[[str, int], Iterable[int]]


@dataclass(frozen=True)
class SearchSource:
    key: str
    # What the search page calls it: "tracking number".
    label: str
    order_ids: OrderIds
    # Lower comes first in the hint.
    order: int = 100


_REGISTRY: dict[str, SearchSource] = {}


def register(source: SearchSource) -> None:
    """Add (or replace, by key) a way to find orders."""
    _REGISTRY[source.key] = source


def registered() -> list[SearchSource]:
    return sorted(_REGISTRY.values(), key=lambda source: (source.order, source.key))


def order_ids_from_sources(text: str, *, limit: int) -> set[int]:
    """Ids of the orders every registered source finds for `text`."""
    found: set[int] = set()
    for source in registered():
        found.update(source.order_ids(text, limit))
    return found
