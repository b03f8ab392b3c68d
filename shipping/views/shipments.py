"""The shipments list and the shipment page.

The list: filters in the URL, newest first, keyset pages (page 400 costs what page 1 costs).
Filters and pages swap `#shipments` with htmx and push the URL. Ticked parcels are marked
shipped in one go (`shipments_ship`, each parcel on its own) and the outcome is one summary
message, with the parcels that could not ship and why folded under it; a selection that does
not validate is shown again, still ticked.

The shipment page: the parcel, its lines, its label (PDF and ZPL), what the carrier said, and
the actions this person's role and the parcel's state allow. Actions answer like the order
page's: a flash message and the page again (swapped in place for htmx, a redirect for a plain
post); a refusal keeps the form with the reason beside the field and flashes it.
"""

from collections.abc import Callable

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers
from django_fsm import can_proceed, has_transition_perm

from oms.bulk import bulk_summary as oms_bulk_summary
from oms.paging import cursor_param, page_links
from oms.rendering import form_action, is_partial_request, render_screen
from oms.roles import Role, role_required, user_has_role
from orders.forms import DomainErrorForm
from orders.views.common import refusal
from shipping.forms import BulkShipForm, ShipForm, ShipmentCancelForm, ShipmentFilterForm
from shipping.models import Shipment
from shipping.selectors import (
    carrier_choices,
    parse_shipment_cursor,
    shipment_cursor,
    shipment_detail,
    shipment_receipts,
    shipments_for_bulk,
    shipments_page,
    warehouse_choices,
)
from shipping.services import ShipOutcome, shipment_cancel, shipment_ship, shipments_ship

# Everyone who works orders may look; shipping a parcel is for fulfillment and managers, and
# cancelling one for anyone who may look (the transitions' `permission=` say the same).
SHIPMENT_VIEWERS = (Role.FULFILLMENT, Role.SUPPORT, Role.MANAGER)
SHIPPERS = (Role.FULFILLMENT, Role.MANAGER)
CANCELLERS = (Role.FULFILLMENT, Role.SUPPORT, Role.MANAGER)
PAGE_SIZE = 50


def shipment_or_404(pk: int) -> Shipment:
    try:
        return shipment_detail(pk=pk)
    except Shipment.DoesNotExist:
        raise Http404(f"No shipment has the id {pk}.") from None


def shipped_message(shipment: Shipment) -> str:
    tracking = f", tracking {shipment.tracking_number}" if shipment.tracking_number else ""
    return f"{shipment.number} shipped{tracking}."


def cancelled_message(shipment: Shipment, order_number: str) -> str:
    return f"{shipment.number} cancelled; its units stay allocated to {order_number}."


# --- the list -------------------------------------------------------------------------------


def list_url(query: str = "") -> str:
    url = reverse("shipping:shipments")
    return f"{url}?{query}" if query else url


def list_context(request, *, ticked: frozenset[int] | set[int] = frozenset()) -> dict:
    """Everything the list shows for the request's filters and cursor (a fixed number of
    queries: the two pickers and the page)."""
    form = ShipmentFilterForm(
        request.GET, carriers=carrier_choices(), warehouses=warehouse_choices()
    )
    form.is_valid()
    after = parse_shipment_cursor(cursor_param(request, "after"))
    before = None if after else parse_shipment_cursor(cursor_param(request, "before"))
    page = shipments_page(form.filters(), size=PAGE_SIZE, after=after, before=before)
    # Absolute: the list is also drawn in answer to the bulk form's post, at another URL.
    links = {
        name: f"{list_url()}{url}" if url else ""
        for name, url in page_links(request, page, shipment_cursor).items()
        if name.endswith("_url")
    }
    return {
        "form": form,
        "page": page,
        # Where the bulk form posts back to, so the list comes back as it was.
        "here": request.GET.urlencode(),
        "may_ship": user_has_role(request.user, *SHIPPERS),
        "ticked": ticked,
        **links,
    }


@require_GET
@vary_on_headers("HX-Request")
@role_required(*SHIPMENT_VIEWERS)
def shipment_list(request):
    return render_screen(request, "shipping/shipments.html", "shipments", list_context(request))


def bulk_summary(outcomes: list[ShipOutcome], missing: list[int]) -> tuple[int, str]:
    """One message for the whole batch: how many shipped, and each refusal with its reason."""
    refusals = [
        refusal(outcome.shipment, outcome.message) for outcome in outcomes if not outcome.done
    ]
    refusals += [f"Shipment #{pk} no longer exists." for pk in missing]
    done = sum(1 for outcome in outcomes if outcome.done)
    return oms_bulk_summary(
        done=done, refusals=refusals, did="Shipped", not_done="could not be shipped"
    )


@require_POST
@role_required(*SHIPPERS)
def bulk_ship(request):
    """Mark the ticked parcels shipped; the list (its filters and page ride in the query
    string) comes back with one summary message."""
    form = BulkShipForm(request.POST)
    if not form.is_valid():
        for message in form.error_messages_list():
            messages.error(request, message)
        context = list_context(request, ticked=BulkShipForm.ticked(request.POST))
        return render_screen(request, "shipping/shipments.html", "shipments", context)
    ids = form.cleaned_data["shipments"]
    shipments = shipments_for_bulk(ids)
    found = {shipment.pk for shipment in shipments}
    outcomes = shipments_ship(shipments=shipments, actor=request.user)
    level, message = bulk_summary(outcomes, [pk for pk in ids if pk not in found])
    messages.add_message(request, level, message)
    if not is_partial_request(request):
        return redirect(list_url(request.GET.urlencode()))
    return render_screen(request, "shipping/shipments.html", "shipments", list_context(request))


# --- one shipment ---------------------------------------------------------------------------


def shipment_context(request, shipment: Shipment, **forms) -> dict:
    """Everything the shipment page shows; `forms` puts a bound form (with its errors) back."""
    user = request.user
    return {
        "shipment": shipment,
        "lines": list(shipment.lines.all()),
        "history": shipment.history,
        "receipts": shipment_receipts(shipment),
        "may_ship": can_proceed(shipment.ship) and has_transition_perm(shipment.ship, user),
        "may_cancel": can_proceed(shipment.cancel) and has_transition_perm(shipment.cancel, user),
        "ship_form": forms.get("ship") or ShipForm(auto_id="ship_%s"),
        "cancel_form": forms.get("cancel") or ShipmentCancelForm(auto_id="cancel_%s"),
    }


@require_GET
@vary_on_headers("HX-Request")
@role_required(*SHIPMENT_VIEWERS)
def shipment_page(request, pk: int):
    shipment = shipment_or_404(pk)
    context = shipment_context(request, shipment)
    return render_screen(request, "shipping/shipment.html", "shipment", context)


def shipment_action(
    request, shipment: Shipment, form: DomainErrorForm, run: Callable[[dict], str], *, key: str
):
    """Validate `form`, run the service through `run` (it returns the success message), and
    answer as the module docstring says; `key` is the name the page knows the form by."""

    def rerender(bound):
        forms = {key: bound} if bound is not None else {}
        context = shipment_context(request, shipment_or_404(shipment.pk), **forms)
        return render_screen(request, "shipping/shipment.html", "shipment", context)

    return form_action(
        request,
        form,
        run,
        on_success=lambda: redirect("shipping:shipment", pk=shipment.pk),
        rerender=rerender,
    )


@require_POST
@role_required(*SHIPPERS)
def ship(request, pk: int):
    shipment = shipment_or_404(pk)

    def run(data):
        # Without its own label a parcel ships only with the tracking number it went out with.
        shipped = shipment_ship(
            shipment=shipment,
            actor=request.user,
            tracking_number=data["tracking_number"],
            require_label=not data["tracking_number"],
        )
        return shipped_message(shipped)

    form = ShipForm(request.POST, auto_id="ship_%s")
    return shipment_action(request, shipment, form, run, key="ship")


@require_POST
@role_required(*CANCELLERS)
def cancel(request, pk: int):
    shipment = shipment_or_404(pk)

    def run(data):
        cancelled = shipment_cancel(shipment=shipment, reason=data["reason"], actor=request.user)
        return cancelled_message(cancelled, shipment.order.number)

    form = ShipmentCancelForm(request.POST, auto_id="cancel_%s")
    return shipment_action(request, shipment, form, run, key="cancel")


@require_GET
@role_required(*SHIPMENT_VIEWERS)
def label_zpl(request, pk: int):
    """The label as ZPL II, for a thermal printer (a download, as text)."""
    shipment = get_object_or_404(Shipment.objects.only("number", "label_zpl"), pk=pk)
    if not shipment.label_zpl:
        raise Http404(f"{shipment.number} has no label yet.")
    response = HttpResponse(shipment.label_zpl, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{shipment.number}.zpl"'
    return response


urlpatterns = [
    path("shipments/", shipment_list, name="shipments"),
    path("shipments/ship/", bulk_ship, name="shipments_bulk_ship"),
    path("shipments/<int:pk>/", shipment_page, name="shipment"),
    path("shipments/<int:pk>/ship/", ship, name="shipment_ship"),
    path("shipments/<int:pk>/cancel/", cancel, name="shipment_cancel"),
    path("shipments/<int:pk>/label.zpl", label_zpl, name="label_zpl"),
]
