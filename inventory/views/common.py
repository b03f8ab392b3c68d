"""What every inventory view shares: who may do what, warehouses, paging links."""

from collections.abc import Callable

from django.http import QueryDict

from inventory.models import Warehouse
from oms.roles import Role

# Everyone who works with stock may look; only those who handle it may change it.
STOCK_VIEWERS = (Role.FULFILLMENT, Role.MANAGER, Role.SUPPORT)
STOCK_KEEPERS = (Role.FULFILLMENT, Role.MANAGER)

# The stock actions on a product's page, each at products/<sku>/<action>/.
PRODUCT_ACTIONS = ("receive", "adjust", "count", "transfer", "settings")


def units(count: int) -> str:
    return f"{count} unit" if count == 1 else f"{count} units"


def all_warehouses() -> list[Warehouse]:
    """Every warehouse, loaded once per request for all the pickers on a page."""
    return list(Warehouse.objects.order_by("priority", "code"))


def cursor_param(request, name: str) -> str | None:
    value = request.GET.get(name, "").strip()
    return value or None


def page_links(request, page, cursor: Callable[[tuple], str]) -> dict:
    """URLs for the next, previous and first page, keeping the filters of this request."""
    params: QueryDict = request.GET.copy()
    for name in ("after", "before"):
        params.pop(name, None)

    def link(**cursors) -> str:
        query = params.copy()
        for name, value in cursors.items():
            query[name] = value
        return f"?{query.urlencode()}"

    # Back at the start by walking backwards, "first page" would only repeat this page; past
    # the end (a stale link), it is the way back.
    paged = "after" in request.GET or "before" in request.GET
    return {
        "next_url": link(after=cursor(page.next_key)) if page.next_key else "",
        "previous_url": link(before=cursor(page.previous_key)) if page.previous_key else "",
        "first_url": link() if paged and (page.previous_key or not page.items) else "",
        "query_string": params.urlencode(),
    }
