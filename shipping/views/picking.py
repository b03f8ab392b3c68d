"""Pick lists: made from orders ticked in the Ready queue (or typed in), or from the next N
ready orders of a warehouse by ship-by; shown bin by bin to print or download as a PDF; and
their labelled parcels handed to the carrier in one go.

The Ready queue's bulk bar posts its ticked orders here (`orders.queue_actions`, registered in
`ShippingConfig.ready`), so the orders app never imports shipping; with "all orders matching
these filters" chosen (`scope=matching`) the queue's filters are evaluated again here instead.
An order that cannot be picked is skipped with the reason, in one message for all of them; the
rest are not undone.
"""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from oms.rendering import is_partial_request
from oms.roles import role_required
from orders.forms import MATCHING, matching_order_numbers
from orders.views.common import refusal
from shipping.documents import render_pick_list_pdf
from shipping.forms_picking import PickNextForm, PickOrdersForm
from shipping.models import PickList
from shipping.navigation import PICKERS
from shipping.selectors_picking import (
    labelled_parcels,
    orders_by_numbers,
    pick_list_by_number,
    pick_plan,
    pick_sheet,
    recent_pick_lists,
)
from shipping.services import next_orders_to_pick, pick_list_create, shipments_ship
from shipping.views.shipments import bulk_summary

SKIPPED_TEMPLATE = "shipping/pick_skipped.html"


def pick_list_or_404(number: str) -> PickList:
    try:
        return pick_list_by_number(number)
    except PickList.DoesNotExist:
        raise Http404(f"No pick list has the number {number}.") from None


def pick_list_url(pick_list: PickList) -> str:
    return reverse("shipping:pick_list", args=[pick_list.number])


# --- the pick page ---------------------------------------------------------------------------


def _pick_page(request, *, orders_form=None, next_form=None):
    return render(
        request,
        "shipping/pick.html",
        {
            "orders_form": orders_form or PickOrdersForm(),
            "next_form": next_form or PickNextForm(),
            "pick_lists": recent_pick_lists(),
        },
    )


def _report(request, results, skipped: list[tuple[str, str]], *, retry_page):
    """A message for each list made and one for every order skipped, with why; then the new
    list (or, with several, the pick page). Nothing made: the pick page again with the
    reasons."""
    made = [result.pick_list for result in results if result.pick_list is not None]
    for result in results:
        if result.pick_list is not None:
            orders = len({shipment.order_id for shipment in result.shipments})
            parcels = len(result.shipments)
            messages.success(
                request,
                f"{result.pick_list.number}: {parcels} parcel{pluralize(parcels)} "
                f"for {orders} order{pluralize(orders)} at {result.pick_list.warehouse.code}.",
            )
    if skipped:
        title = (
            f"Skipped {len(skipped)} order{pluralize(len(skipped))}:"
            if made
            else "No pick list made: none of these orders can be picked now."
        )
        reasons = [refusal(number, why) for number, why in skipped]
        messages.add_message(
            request,
            messages.WARNING if made else messages.ERROR,
            render_to_string(SKIPPED_TEMPLATE, {"title": title, "items": reasons}),
        )
    if not made:
        return retry_page()
    if len(made) == 1:
        return redirect(pick_list_url(made[0]))
    return redirect("shipping:picking")


@require_http_methods(["GET", "POST"])
@role_required(*PICKERS)
def picking(request):
    """GET: the pick page. POST: a pick list for the posted order numbers, typed here or
    ticked in the Ready queue; orders allocated in several warehouses get a list in each."""
    if request.method == "GET":
        return _pick_page(request)
    data = request.POST
    if data.get("scope") == MATCHING:
        data = data.copy()
        data.setlist("orders", matching_order_numbers(data.get("query", "")))
    form = PickOrdersForm(data)
    if not form.is_valid():
        return _pick_page(request, orders_form=form)
    orders, unknown = orders_by_numbers(form.cleaned_data["orders"])
    plan = pick_plan(orders, warehouse=form.cleaned_data["warehouse"])
    results = [
        pick_list_create(warehouse=warehouse, orders=walk, actor=request.user)
        for warehouse, walk in plan
    ]
    skipped = [(number, "No order has this number.") for number in unknown]
    skipped += [reason for result in results for reason in result.skipped]
    return _report(
        request, results, skipped, retry_page=lambda: _pick_page(request, orders_form=form)
    )


@require_POST
@role_required(*PICKERS)
def pick_next(request):
    """A pick list for the next N ready orders at a warehouse, soonest ship-by first."""
    form = PickNextForm(request.POST)
    if not form.is_valid():
        return _pick_page(request, next_form=form)
    warehouse = form.cleaned_data["warehouse"]
    orders = next_orders_to_pick(warehouse=warehouse, count=form.cleaned_data["count"])
    if not orders:
        messages.info(request, f"No ready orders wait to be picked at {warehouse.code}.")
        return redirect("shipping:picking")
    result = pick_list_create(warehouse=warehouse, orders=orders, actor=request.user)
    return _report(
        request, [result], result.skipped, retry_page=lambda: redirect("shipping:picking")
    )


# --- one pick list ---------------------------------------------------------------------------


@require_GET
@role_required(*PICKERS)
def pick_list(request, number: str):
    """What to pick, bin by bin (printable), and the list's parcels as far as they got."""
    sheet = pick_sheet(pick_list_or_404(number))
    return render(request, "shipping/pick_list.html", {"sheet": sheet})


@require_GET
@role_required(*PICKERS)
def pick_list_pdf(request, number: str):
    sheet = pick_sheet(pick_list_or_404(number))
    response = HttpResponse(render_pick_list_pdf(sheet.document()), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{sheet.pick_list.number}.pdf"'
    return response


@require_POST
@role_required(*PICKERS)
def pick_list_ship(request, number: str):
    """Hand every labelled parcel of the list to the carrier; one summary message."""
    found = pick_list_or_404(number)
    parcels = labelled_parcels(found)
    if parcels:
        outcomes = shipments_ship(shipments=parcels, actor=request.user)
        level, message = bulk_summary(outcomes, [])
        messages.add_message(request, level, message)
    else:
        messages.info(request, f"No parcel of {found.number} has its label ready: none shipped.")
    if is_partial_request(request):
        # Posted from the packing station: the pick list page shows how the batch stands.
        return HttpResponseClientRedirect(pick_list_url(found))
    return redirect(pick_list_url(found))


urlpatterns = [
    path("pick/", picking, name="picking"),
    path("pick/next/", pick_next, name="pick_next"),
    path("pick-lists/<str:number>/", pick_list, name="pick_list"),
    path("pick-lists/<str:number>.pdf", pick_list_pdf, name="pick_list_pdf"),
    path("pick-lists/<str:number>/ship/", pick_list_ship, name="pick_list_ship"),
]
