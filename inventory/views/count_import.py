"""Stock counts from a CSV file: upload → preview every row → apply a clean file at once.

Between preview and apply the rows wait in the session under a token the apply form carries,
so apply uses exactly the file that was previewed and checks it again against the stock as it
is then: stock may have moved while someone read the preview.
"""

import secrets

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from inventory import services
from inventory.csv_import import MAX_BYTES, CountSheet, check_counts, counts_by_note, read_counts
from inventory.forms import CountImportForm
from inventory.models import MovementKind
from inventory.selectors_backoffice import CountImportStock, count_import_stock
from inventory.views.common import STOCK_KEEPERS
from oms.errors import DomainError
from oms.roles import role_required

TEMPLATE = "inventory/count_import.html"
SESSION_KEY = "inventory.count_import"


def _checked(sheet: CountSheet) -> tuple[CountSheet, CountImportStock]:
    stock = count_import_stock(skus=sheet.skus, warehouse_codes=sheet.warehouse_codes)
    checked = check_counts(
        sheet, products=stock.products, warehouses=stock.warehouses, levels=stock.levels
    )
    return checked, stock


def _apply(sheet: CountSheet, stock: CountImportStock, *, actor, reference: str) -> None:
    """Book every row as a count, each with its own note, in one service call."""
    groups = counts_by_note(sheet, products=stock.products, warehouses=stock.warehouses)
    services.stock_count_lines(
        counts=[
            (product, warehouse, counted, note)
            for note, counts in groups.items()
            for product, warehouse, counted in counts
        ],
        actor=actor,
        reference=reference,
    )


@role_required(*STOCK_KEEPERS)
def count_import(request):
    """GET: the upload form. POST: the preview of the uploaded file."""
    if request.method != "POST":
        return render(request, TEMPLATE, {"form": CountImportForm()})
    form = CountImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, TEMPLATE, {"form": form})
    upload = form.cleaned_data["file"]
    sheet, _ = _checked(read_counts(upload.read(MAX_BYTES + 1)))
    reference = (form.cleaned_data["reference"].strip() or f"count import {upload.name}")[:100]
    token = ""
    request.session.pop(SESSION_KEY, None)
    if sheet.is_clean:
        token = secrets.token_urlsafe(12)
        request.session[SESSION_KEY] = {
            "token": token,
            "reference": reference,
            "filename": upload.name,
            "rows": sheet.to_data(),
        }
    context = {
        "form": CountImportForm(),
        "sheet": sheet,
        "token": token,
        "reference": reference,
        "filename": upload.name,
    }
    return render(request, TEMPLATE, context)


@require_POST
@role_required(*STOCK_KEEPERS)
def count_import_apply(request):
    pending = request.session.get(SESSION_KEY)
    if not pending or not secrets.compare_digest(pending["token"], request.POST.get("token", "")):
        messages.error(request, "That preview is no longer current; upload the file again.")
        return redirect("inventory:count_import")
    sheet, stock = _checked(CountSheet.from_data(pending["rows"]))
    context = {
        "form": CountImportForm(),
        "sheet": sheet,
        "reference": pending["reference"],
        "filename": pending["filename"],
        "stale": True,
    }
    if not sheet.is_clean:
        request.session.pop(SESSION_KEY, None)
        return render(request, TEMPLATE, context)
    try:
        _apply(sheet, stock, actor=request.user, reference=pending["reference"])
    except DomainError as error:
        request.session.pop(SESSION_KEY, None)
        return render(request, TEMPLATE, {**context, "apply_error": error.message})
    request.session.pop(SESSION_KEY, None)
    messages.success(
        request,
        f"Applied {len(sheet.rows)} counts from {pending['filename']} "
        f"under “{pending['reference']}”.",
    )
    query = urlencode({"reference": pending["reference"], "kind": MovementKind.COUNT.value})
    return redirect(f"{reverse('inventory:ledger')}?{query}")
