"""The receive screen: scan items into a list, then book them all in one transaction."""

from django.contrib import messages
from django.shortcuts import redirect
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils.http import urlencode

from inventory.backorders import stock_receive_releasing
from inventory.forms import ScanReceiptForm
from inventory.models import Warehouse
from inventory.views.common import STOCK_KEEPERS, released_sentence, units
from oms.errors import DomainError
from oms.rendering import is_partial_request, render_screen
from oms.roles import role_required

TEMPLATE = "inventory/receive.html"


@role_required(*STOCK_KEEPERS)
def receive(request):
    """GET: an empty receipt. POST: `intent=scan` (the default, so Enter in the scan field adds
    the item), `remove_line=<sku>`, or `intent=receive`, which books every line under the
    reference."""
    warehouses = list(Warehouse.objects.active().order_by("priority", "code"))
    if request.method != "POST":
        form = ScanReceiptForm(
            warehouses=warehouses, initial={"warehouse": request.GET.get("warehouse", "")}
        )
        return render_screen(request, TEMPLATE, "receipt-form", {"form": form})

    form = ScanReceiptForm(request.POST, warehouses=warehouses)
    if request.POST.get("remove_line"):
        form.remove(request.POST["remove_line"])
    elif request.POST.get("intent") == "receive":
        receipt = form.receipt()
        if receipt is not None:
            warehouse, lines, reference = receipt
            try:
                receipt = stock_receive_releasing(
                    warehouse=warehouse, lines=lines, actor=request.user, reference=reference
                )
            except DomainError as error:
                form.add_domain_error(error)
            else:
                total = sum(quantity for _, quantity in lines)
                released = released_sentence(receipt.released)
                messages.success(
                    request,
                    f"Received {units(total)} on {len(lines)} line{pluralize(len(lines))} "
                    f"at {warehouse.code} under {reference}.{released}",
                )
                if not is_partial_request(request):
                    url = reverse("inventory:receive")
                    return redirect(f"{url}?{urlencode({'warehouse': warehouse.code})}")
                form = ScanReceiptForm(warehouses=warehouses, initial={"warehouse": warehouse.code})
    else:
        form.scan()
    return render_screen(request, TEMPLATE, "receipt-form", {"form": form})
