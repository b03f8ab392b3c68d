"""Low stock (with what to reorder) and warehouses (with their levels)."""

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from inventory import selectors
from inventory.forms import DEFAULT_PAGE_SIZE, PAGE_SIZES
from inventory.selectors_backoffice import LOW_STOCK_ORDER, low_stock_rows, warehouse_levels
from inventory.views.common import STOCK_VIEWERS
from oms.csvfiles import stream_csv
from oms.paging import cursor_param, keyset_page, page_links
from oms.rendering import render_screen
from oms.roles import role_required

PAGE_SIZE = 100


def _low_stock_key(value: str | None) -> tuple | None:
    """Low-stock page links carry "<available>.<sku>"."""
    available, _, sku = (value or "").partition(".")
    return (int(available), sku) if available.isascii() and available.isdigit() and sku else None


@require_GET
@role_required(*STOCK_VIEWERS)
def low_stock(request):
    after = _low_stock_key(cursor_param(request, "after"))
    before = None if after else _low_stock_key(cursor_param(request, "before"))
    page = keyset_page(
        selectors.low_stock(), order=LOW_STOCK_ORDER, size=PAGE_SIZE, after=after, before=before
    )
    context = {
        "page": page,
        "rows": list(low_stock_rows(page.items)),
        **page_links(request, page, lambda key: f"{key[0]}.{key[1]}"),
    }
    return render_screen(request, "inventory/low_stock.html", "results", context)


LOW_STOCK_CSV_HEADER = (
    "sku",
    "name",
    "on_hand",
    "allocated",
    "available",
    "reorder_point",
    "backordered",
    "suggested_reorder_quantity",
)


@require_GET
@role_required(*STOCK_VIEWERS)
def low_stock_export(request):
    rows = (
        (
            row.product.sku,
            row.product.name,
            row.on_hand,
            row.allocated,
            row.available,
            row.reorder_point,
            row.backordered,
            row.suggested_quantity,
        )
        for row in low_stock_rows(selectors.low_stock().iterator(chunk_size=2000))
    )
    filename = f"low-stock-{timezone.localdate():%Y%m%d}.csv"
    return stream_csv(filename, LOW_STOCK_CSV_HEADER, rows)


@require_GET
@role_required(*STOCK_VIEWERS)
def warehouse_list(request):
    context = {"warehouses": list(selectors.warehouse_list())}
    return render(request, "inventory/warehouse_list.html", context)


@require_GET
@role_required(*STOCK_VIEWERS)
def warehouse_detail(request, code: str):
    warehouse = selectors.warehouse_list().filter(code=code).first()
    if warehouse is None:
        raise Http404(f"No warehouse has the code {code}.")
    per_page = request.GET.get("per_page", "")
    size = (
        int(per_page)
        if per_page.isascii() and per_page.isdigit() and int(per_page) in PAGE_SIZES
        else DEFAULT_PAGE_SIZE
    )
    after, before = cursor_param(request, "after"), cursor_param(request, "before")
    page = keyset_page(
        warehouse_levels(warehouse=warehouse),
        order=("sku",),
        size=size,
        after=(after,) if after else None,
        before=(before,) if before and not after else None,
    )
    context = {
        "warehouse": warehouse,
        "page": page,
        **page_links(request, page, lambda key: key[0]),
    }
    return render_screen(request, "inventory/warehouse_detail.html", "results", context)
