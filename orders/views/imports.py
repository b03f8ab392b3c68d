"""Orders from a marketplace CSV export: upload → preview every row → import a clean file.

Between preview and import the file's text waits in the session with its hash, which the import
form carries back; import parses and checks that text again (the catalog may have changed) and
captures each order through `order_capture`. An order the channel already has (same external
id) is reported as already imported, so importing the same file twice creates nothing new.
"""

import secrets
from collections import Counter
from dataclasses import dataclass

from django import forms
from django.views.decorators.http import require_POST

from inventory.models import Product
from oms.csvfiles import decode, file_hash
from oms.errors import DomainError
from oms.rendering import render_screen
from oms.roles import Role, role_required
from orders.csv_import import COLUMNS, MAX_BYTES, REQUIRED_COLUMNS, ImportSheet, read_orders
from orders.errors import DuplicateOrder
from orders.models import Order, SalesChannel
from orders.services import CaptureRequest, order_capture

TEMPLATE = "orders/import.html"
SESSION_KEY = "orders.csv_import"
IMPORTERS = (Role.SUPPORT, Role.MANAGER)


class OrderImportForm(forms.Form):
    channel = forms.ModelChoiceField(
        queryset=SalesChannel.objects.filter(is_active=True),
        label="Channel",
        empty_label="Choose the channel the orders came from",
        help_text="Orders are matched to earlier imports by this channel and the order id.",
    )
    file = forms.FileField(
        label="Orders file (CSV)",
        help_text="One row per order line; rows of one order share its order_id.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, auto_id="import-%s", **kwargs)
        self.fields["channel"].label_from_instance = lambda channel: (
            f"{channel.name} ({channel.code})"
        )


@dataclass(frozen=True)
class ImportResult:
    order_id: str
    outcome: str  # imported, already imported, failed
    number: str = ""
    status: str = ""
    message: str = ""


def _known_skus(skus: set[str]) -> set[str]:
    return set(Product.objects.filter(sku__in=skus).values_list("sku", flat=True))


def _read(content: bytes | str, channel: SalesChannel) -> ImportSheet:
    return read_orders(content, currency=channel.currency, known_skus=_known_skus)


def _already_imported(sheet: ImportSheet, channel: SalesChannel) -> dict[str, str]:
    """External id → order number, for the file's orders this channel already has."""
    ids = [order.order_id for order in sheet.orders]
    return dict(
        Order.objects.filter(channel=channel, external_id__in=ids).values_list(
            "external_id", "number"
        )
    )


def _capture(channel: SalesChannel, request: CaptureRequest, actor) -> ImportResult:
    order_id = request.external_id
    try:
        order = order_capture(channel=channel, request=request, source="csv", actor=actor)
    except DuplicateOrder as error:
        return ImportResult(order_id, "already imported", number=error.existing_number)
    except DomainError as error:
        return ImportResult(order_id, "failed", message=error.message)
    return ImportResult(
        order_id, "imported", number=order.number, status=order.get_status_display()
    )


def _render(request, context: dict):
    """An htmx request gets the form and result part (`import-body`); a full request the page."""
    context = {
        "columns": COLUMNS,
        "required_columns": REQUIRED_COLUMNS,
        "form": OrderImportForm(),
        **context,
    }
    sheet, imported = context.get("sheet"), context.get("imported", {})
    if sheet is not None:
        context["preview_rows"] = [
            (row, imported.get(row.cell("order_id"), "")) for row in sheet.rows
        ]
    if "results" in context:
        context["summary"] = list(Counter(result.outcome for result in context["results"]).items())
    return render_screen(request, TEMPLATE, "import-body", context)


@role_required(*IMPORTERS)
def upload(request):
    """GET: the upload form. POST: the preview of the uploaded file."""
    if request.method != "POST":
        return _render(request, {"form": OrderImportForm()})
    form = OrderImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render(request, {"form": form})
    channel, upload = form.cleaned_data["channel"], form.cleaned_data["file"]
    content = upload.read(MAX_BYTES + 1)
    sheet = _read(content, channel)
    request.session.pop(SESSION_KEY, None)
    token = ""
    if sheet.is_clean:
        text = decode(content)
        token = file_hash(text)
        request.session[SESSION_KEY] = {
            "hash": token,
            "text": text,
            "channel": channel.pk,
            "filename": upload.name,
        }
    context = {
        "sheet": sheet,
        "channel": channel,
        "filename": upload.name,
        "token": token,
        "imported": _already_imported(sheet, channel),
    }
    return _render(request, context)


@require_POST
@role_required(*IMPORTERS)
def apply(request):
    pending = request.session.get(SESSION_KEY) or {}
    token = request.POST.get("token", "")
    channel = SalesChannel.objects.filter(pk=pending.get("channel"), is_active=True).first()
    if (
        channel is None
        or not secrets.compare_digest(pending.get("hash", ""), token)
        or file_hash(pending["text"]) != token
    ):
        return _render(request, {"stale": True})
    sheet = _read(pending["text"], channel)
    context = {
        "sheet": sheet,
        "channel": channel,
        "filename": pending["filename"],
        "imported": _already_imported(sheet, channel),
    }
    if not sheet.is_clean:
        request.session.pop(SESSION_KEY, None)
        return _render(request, {**context, "recheck_failed": True})
    results = [_capture(channel, capture, request.user) for capture in sheet.requests]
    request.session.pop(SESSION_KEY, None)
    return _render(request, {**context, "results": results})
