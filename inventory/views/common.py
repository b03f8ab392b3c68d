"""What every back-office view shares: who may do what, partial rendering, paging links, CSV."""

import csv
from collections.abc import Callable, Iterable

from django.http import QueryDict, StreamingHttpResponse
from django.shortcuts import render

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


def is_partial_request(request) -> bool:
    """An htmx swap gets the partial; a full load and an htmx history restore get the page."""
    return bool(request.htmx) and not request.htmx.history_restore_request


def render_screen(request, template: str, partial: str, context: dict, *, status: int = 200):
    name = f"{template}#{partial}" if is_partial_request(request) else template
    return render(request, name, context, status=status)


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


class _Echo:
    """A file-like object that hands back what it is given, so csv.writer can feed a stream."""

    def write(self, value: str) -> str:
        return value


def spreadsheet_safe(value):
    """Text a spreadsheet would run as a formula gets a leading apostrophe (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return f"'{value}"
    return value


def stream_csv(filename: str, header: Iterable[str], rows: Iterable[Iterable]):
    """A CSV download written row by row as the rows are read, whatever their number."""
    writer = csv.writer(_Echo())

    def lines():
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow([spreadsheet_safe(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
