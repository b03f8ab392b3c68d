"""The stock ledger: every movement, filtered, paged by key, and exported as CSV."""

from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from inventory import selectors
from inventory.forms import LedgerFilterForm
from inventory.selectors_backoffice import LEDGER_ORDER, ledger_key
from inventory.views.common import STOCK_VIEWERS, all_warehouses
from oms.csvfiles import stream_csv
from oms.paging import cursor_param, keyset_page, page_links
from oms.rendering import render_screen
from oms.roles import role_required

CSV_HEADER = (
    "created_at",
    "sku",
    "warehouse",
    "kind",
    "on_hand_delta",
    "allocated_delta",
    "on_hand_after",
    "allocated_after",
    "reference",
    "note",
    "actor",
)


def _movement_key(value: str | None) -> tuple | None:
    """Page links carry a movement id; the keyset needs its (created_at, id)."""
    if not value or not (value.isascii() and value.isdigit()):
        return None
    return ledger_key(int(value))


@require_GET
@role_required(*STOCK_VIEWERS)
def ledger(request):
    form = LedgerFilterForm(request.GET, warehouses=all_warehouses())
    context = {"form": form, "page": None}
    if form.is_valid():
        after = _movement_key(cursor_param(request, "after"))
        before = None if after else _movement_key(cursor_param(request, "before"))
        page = keyset_page(
            selectors.ledger(**form.selector_filters()),
            order=LEDGER_ORDER,
            size=form.cleaned_data["per_page"],
            after=after,
            before=before,
        )
        context.update(page=page, **page_links(request, page, lambda key: str(key[1])))
    return render_screen(request, "inventory/ledger.html", "results", context)


@require_GET
@role_required(*STOCK_VIEWERS)
def ledger_export(request):
    """The whole filtered ledger as CSV, streamed: no page limit and no list in memory."""
    form = LedgerFilterForm(request.GET, warehouses=all_warehouses())
    if not form.is_valid():
        problems = "; ".join(f"{name}: {' '.join(errors)}" for name, errors in form.errors.items())
        return HttpResponse(
            f"Fix the filters first — {problems}", status=400, content_type="text/plain"
        )
    movements = selectors.ledger(**form.selector_filters())
    rows = (
        (
            movement.created_at.isoformat(),
            movement.product.sku,
            movement.warehouse.code,
            movement.kind,
            movement.on_hand_delta,
            movement.allocated_delta,
            movement.on_hand_after,
            movement.allocated_after,
            movement.reference,
            movement.note,
            movement.actor.get_username() if movement.actor else "",
        )
        for movement in movements.iterator(chunk_size=2000)
    )
    filename = f"stock-ledger-{timezone.localdate():%Y%m%d}.csv"
    return stream_csv(filename, CSV_HEADER, rows)
