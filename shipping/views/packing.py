"""The packing station: one field for a keyboard-wedge scanner (it types the code, then Enter).

As few actions as possible, each a scan:
- a pick list (PL-…) or an order (SO-…) opens its next parcel to pack (a list's in tote order);
- an item (barcode or SKU) ticks one unit of its line; a wrong item or an extra unit is refused
  loudly and nothing changes;
- the last unit completes the parcel — weight from its products and the pre-selected method,
  both changeable on screen before — which asks for its label, and the batch's next parcel
  opens at once;
- the batch's parcels stay in view: while a label is being made the panel asks again every
  second, then offers "Print label"; once labelled, the list's parcels ship in one go.

The scan field sits outside the part htmx swaps and is emptied as each request leaves, so it
keeps the focus and a code scanned while the last answer is on its way is never lost. A plain
post (no htmx) flashes the outcome and redirects, so a reload never scans twice.
"""

import copy
from dataclasses import dataclass

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import replace_url

from oms.errors import DomainError
from oms.files import pdf_response
from oms.rendering import is_partial_request, render_screen
from oms.roles import Role, role_required
from shipping.documents import weight_text
from shipping.forms_picking import PackScanForm
from shipping.models import Shipment, ShipmentStatus
from shipping.navigation import PICKERS
from shipping.rates import RateOption, RateShopping
from shipping.selectors_picking import (
    PackBatch,
    batch_of,
    batch_parcels,
    next_parcel_to_pack,
    pack_batch,
    parcel_to_pack,
    shipment_with_label,
)
from shipping.services import shipment_label_request, shipment_pack, shipment_scan
from shipping.services.rating import shop_rates

TEMPLATE = "shipping/pack_station.html"
# Everyone who may look at a shipment may read its label (as its ZPL and the API allow).
LABEL_READERS = (Role.FULFILLMENT, Role.SUPPORT, Role.MANAGER)


@dataclass(frozen=True)
class Outcome:
    """What the last scan did, shown beside the scan field."""

    kind: str  # "refused" (loud), "done", "info"
    message: str
    line_id: int | None = None

    @property
    def level(self) -> int:
        return {"refused": messages.ERROR, "done": messages.SUCCESS}.get(self.kind, messages.INFO)


@dataclass(frozen=True)
class Station:
    """What the station has open: a batch (pick list or order) and its parcel being packed."""

    batch: PackBatch | None = None
    parcel: Shipment | None = None

    @property
    def url(self) -> str:
        query = {}
        if self.batch is not None:
            query["batch"] = self.batch.number
        if self.parcel is not None:
            query["parcel"] = self.parcel.number
        url = reverse("shipping:pack")
        return f"{url}?{urlencode(query)}" if query else url


def open_station(batch_number: str, parcel_number: str = "") -> Station:
    """The parcel asked for while it is still to pack; else the batch's next one."""
    parcel = parcel_to_pack(parcel_number) if parcel_number else None
    if parcel is not None and parcel.status != ShipmentStatus.PENDING:
        parcel = None
    batch = pack_batch(batch_number) if batch_number else None
    if batch is None and parcel is not None:
        batch = batch_of(parcel)
    if batch is not None and parcel is None:
        parcel = _next_parcel(batch)
    return Station(batch=batch, parcel=parcel)


def _next_parcel(batch: PackBatch, *, after: Shipment | None = None) -> Shipment | None:
    number = next_parcel_to_pack(batch, after=after)
    return parcel_to_pack(number) if number else None


# --- weight and method -----------------------------------------------------------------------


@dataclass(frozen=True)
class PackChoices:
    """The open parcel's weight and the methods that can carry it at that weight."""

    weight_grams: int
    shopping: RateShopping
    method_id: int | None

    @property
    def selected(self) -> RateOption | None:
        return next(
            (
                option
                for option in self.shopping.options
                if option.quote.method.pk == self.method_id
            ),
            None,
        )


def pack_choices(parcel: Shipment, data: dict) -> PackChoices:
    """Weight and method as the worker left them on screen for this parcel (else the parcel's
    own); the method falls back to the one rate shopping pre-selects when it cannot carry
    the parcel at that weight."""
    own = data.get("parcel", "").upper() == parcel.number
    weight = (data.get("weight_grams") if own else None) or parcel.weight_grams
    weighed = copy.copy(parcel)
    weighed.weight_grams = weight
    shopping = shop_rates(parcel.order, weighed)
    offered = {option.quote.method.pk for option in shopping.options}
    chosen = shopping.chosen.method.pk if shopping.chosen else None
    wanted = (data.get("method") if own else None, parcel.method_id, chosen)
    method_id = next((pk for pk in wanted if pk in offered), None)
    return PackChoices(weight_grams=weight, shopping=shopping, method_id=method_id)


# --- what a scan does ------------------------------------------------------------------------


def _scan(request, parcel: Shipment, code: str, data: dict) -> tuple[Outcome, bool]:
    """Tick one unit; (what happened, whether the parcel is complete and should be packed)."""
    try:
        result = shipment_scan(shipment=parcel, code=code, actor=request.user)
    except DomainError as error:
        return Outcome("refused", error.message), False
    if result.complete and data.get("review"):
        message = f"{result.message} Every unit is in: check weight and method, then complete."
        return Outcome("done", message, line_id=result.line.pk), False
    return Outcome("done", result.message, line_id=result.line.pk), result.complete


def _pack(request, parcel: Shipment, data: dict, *, partial: bool) -> Outcome | None:
    """Close the parcel with the weight and method on screen and ask for its label; None when
    it was packed, else the refusal."""
    choices = pack_choices(parcel, data)
    option = choices.selected
    if option is None:
        return Outcome(
            "refused",
            f"{parcel.number} is not packed: no shipping method can carry "
            f"{weight_text(choices.weight_grams)} from {parcel.warehouse.code} to "
            f"{parcel.order.shipping_address.country}. Check the weight.",
        )
    method = option.quote.method
    try:
        shipment_pack(
            shipment=parcel,
            actor=request.user,
            # Only what the worker changed: the defaults need no re-quote.
            weight_grams=choices.weight_grams
            if choices.weight_grams != parcel.weight_grams
            else None,
            method=method if method.pk != parcel.method_id else None,
            partial_ok=partial,
        )
    except DomainError as error:
        return Outcome("refused", f"{parcel.number} is not packed: {error.message}")
    return None


def _packed_message(parcel: Shipment, following: Shipment | None) -> str:
    then = (
        f" Next: {following.number} for {following.order.number}."
        if following is not None
        else " Nothing left to pack in this batch."
    )
    return f"{parcel.number} packed for {parcel.order.number}: label requested.{then}"


def _open_batch(number: str) -> tuple[Station, Outcome]:
    batch = pack_batch(number)
    if batch is None:
        return Station(), Outcome("refused", f"No pick list or order has the number {number}.")
    parcel = _next_parcel(batch)
    if parcel is None:
        return Station(batch=batch), Outcome("info", f"Nothing left to pack in {number}.")
    # An order's parcel on a pick list: the station goes on with the list.
    return Station(batch=batch_of(parcel), parcel=parcel), Outcome(
        "info", f"Packing {parcel.number} for {parcel.order.number}: scan its items."
    )


def _retry_label(request, pk: int) -> Outcome:
    shipment = Shipment.objects.filter(pk=pk).first()
    if shipment is None:
        return Outcome("refused", "That parcel no longer exists.")
    try:
        shipment_label_request(shipment=shipment, actor=request.user)
    except DomainError as error:
        return Outcome("refused", error.message)
    return Outcome("info", f"Asked the carrier again for the label of {shipment.number}.")


def station_act(request, form: PackScanForm) -> tuple[Station, Outcome | None]:
    """Whatever the post asks: open a batch, tick an item, complete the parcel, retry a label."""
    data = form.cleaned_data
    posted = (data.get("parcel") or "").upper()
    station = open_station(data.get("batch") or "", posted)
    parcel = station.parcel
    # A scan only ever goes into the parcel the worker sees on screen.
    on_screen = parcel is not None and parcel.number == posted
    if form.errors:
        errors = "; ".join(error for errors in form.errors.values() for error in errors)
        return station, Outcome("refused", f"Nothing done: {errors}")
    if data.get("label_retry"):
        return station, _retry_label(request, data["label_retry"])
    if form.batch_number:
        return _open_batch(form.batch_number)
    intent = data.get("intent") or "scan"
    code = data.get("code", "")
    if not code and intent == "scan":
        return station, None
    if not on_screen:
        if posted and parcel is None:
            message = f"{posted} is not waiting to be packed any more: nothing scanned."
        elif posted:
            message = f"{posted} is not waiting to be packed any more: {parcel.number} is open now."
        else:
            message = "No parcel is open: scan a pick list or an order number first."
        return station, Outcome("refused", message)
    outcome, complete = (None, True) if not code else _scan(request, parcel, code, data)
    if complete or intent in ("complete", "complete_partial"):
        refusal = _pack(request, parcel, data, partial=intent == "complete_partial")
        if refusal is not None:
            return Station(station.batch, parcel_to_pack(parcel.number)), refusal
        following = _next_parcel(station.batch, after=parcel)
        return Station(station.batch, following), Outcome(
            "done", _packed_message(parcel, following)
        )
    # The parcel again, with the tick it just got.
    return Station(station.batch, parcel_to_pack(parcel.number)), outcome


# --- the screens -----------------------------------------------------------------------------


def station_context(station: Station, data: dict, outcome: Outcome | None) -> dict:
    parcels = batch_parcels(station.batch) if station.batch else []
    parcel = station.parcel
    return {
        "station": station,
        "parcel": parcel,
        "lines": list(parcel.lines.all()) if parcel else [],
        "position": next(
            (item.position for item in parcels if parcel and item.shipment.pk == parcel.pk), None
        ),
        "choices": pack_choices(parcel, data) if parcel else None,
        "review": bool(data.get("review")),
        "outcome": outcome,
        **batch_context(station.batch, parcels),
    }


def batch_context(batch: PackBatch | None, parcels: list) -> dict:
    return {
        "batch": batch,
        "parcels": parcels,
        "labelled": [
            item for item in parcels if item.shipment.status == ShipmentStatus.LABEL_READY
        ],
        "labels_owed": any(
            item.shipment.status == ShipmentStatus.LABEL_PENDING for item in parcels
        ),
    }


@require_http_methods(["GET", "POST"])
@role_required(*PICKERS)
def pack(request):
    """GET: the station, with `?batch=PL-…` (and `parcel=SH-…`) open. POST: one scan."""
    if request.method == "GET":
        station = open_station(request.GET.get("batch", ""), request.GET.get("parcel", ""))
        context = station_context(station, {}, None)
        return render_screen(request, TEMPLATE, "station", context)
    form = PackScanForm(request.POST)
    form.is_valid()
    station, outcome = station_act(request, form)
    if not is_partial_request(request):
        if outcome is not None:
            messages.add_message(request, outcome.level, outcome.message)
        return redirect(station.url)
    context = station_context(station, form.cleaned_data, outcome)
    # A reload shows the same parcel (and never repeats the scan).
    return replace_url(render_screen(request, TEMPLATE, "station", context), station.url)


@require_GET
@role_required(*PICKERS)
def pack_batch_panel(request, number: str):
    """The batch's parcels again (the station asks every second while a label is owed)."""
    batch = pack_batch(number)
    if batch is None:
        raise Http404(f"No pick list or order has the number {number}.")
    if not is_partial_request(request):
        return redirect(Station(batch=batch).url)
    context = {**batch_context(batch, batch_parcels(batch)), "current": request.GET.get("parcel")}
    return render(request, f"{TEMPLATE}#batch", context)


@require_GET
@role_required(*LABEL_READERS)
def label_pdf(request, pk: int):
    """The parcel's 4×6 label as the worker made it, to print (shown in the browser)."""
    shipment = shipment_with_label(pk)
    response = (
        pdf_response(shipment.label_pdf, filename=f"{shipment.number}.pdf") if shipment else None
    )
    if response is None:
        raise Http404("This parcel has no label yet.")
    return response


urlpatterns = [
    path("pack/", pack, name="pack"),
    path("pack/batches/<str:number>/", pack_batch_panel, name="pack_batch"),
    path("shipments/<int:pk>/label.pdf", label_pdf, name="label_pdf"),
]
