"""The shipments panel on the order page: each parcel of the order (where from, how, where it
is, what it carries), and what this person may do with them — create a parcel of everything
allocated and not in one yet, mark one shipped, cancel one that has not shipped.

Registered with `orders.panels` in `ShippingConfig.ready`. Its actions run through
`orders.views.actions.order_action`, so they answer like every order-page action; on success
the whole order is swapped in, since its status, lines and timeline change with the parcel.
"""

from django.shortcuts import get_object_or_404
from django.urls import path
from django.views.decorators.http import require_POST

from oms.roles import role_required, user_has_role
from orders.forms import DomainErrorForm
from orders.models import Order
from orders.panels import OrderPanel, register
from orders.views.actions import panel_action
from orders.views.common import order_or_404
from shipping.forms import ShipmentCancelForm
from shipping.models import UNSHIPPED_STATUSES, Shipment
from shipping.selectors import order_shipments
from shipping.services import free_units, shipment_cancel, shipment_ship, shipments_create
from shipping.services.creation import SHIPPABLE
from shipping.views.shipments import CANCELLERS, SHIPPERS, cancelled_message, shipped_message

PANEL_KEY = "shipments"
CANCEL_FORM = "shipment_cancel"


def cancel_form(shipment_id: int, data=None) -> ShipmentCancelForm:
    return ShipmentCancelForm(
        data, auto_id=f"shipment{shipment_id}_cancel_%s", shipment_id=shipment_id
    )


def panel_context(request, order: Order, forms: dict) -> dict:
    """What the panel shows this person for this order (a fixed number of queries: the
    parcels, their lines, and — for those who may create one — the units still free)."""
    may_ship = user_has_role(request.user, *SHIPPERS)
    may_cancel = user_has_role(request.user, *CANCELLERS)
    refused = forms.get(CANCEL_FORM)
    rows = []
    for shipment in order_shipments(order=order):
        unshipped = shipment.status in UNSHIPPED_STATUSES
        bound = refused is not None and refused.shipment_id == shipment.pk
        rows.append(
            {
                "shipment": shipment,
                "lines": list(shipment.lines.all()),
                "may_ship": may_ship and unshipped,
                "may_cancel": may_cancel and unshipped,
                "cancel_form": refused if bound else cancel_form(shipment.pk),
            }
        )
    return {
        "rows": rows,
        "may_create": may_ship and order.status in SHIPPABLE and bool(free_units(order)),
    }


def register_panel() -> None:
    register(
        OrderPanel(
            key=PANEL_KEY,
            template="shipping/_panel.html",
            context=panel_context,
            order=200,
            forms=(CANCEL_FORM,),
        )
    )


def _shipment_of(order: Order, shipment_id: int) -> Shipment:
    return get_object_or_404(Shipment, pk=shipment_id, order=order)


@require_POST
@role_required(*SHIPPERS)
def create(request, number: str):
    """Parcels for everything allocated and not in one yet: one per warehouse."""
    order = order_or_404(number)

    def run(data):
        created = shipments_create(order=order, actor=request.user)
        parcels = ", ".join(
            f"{shipment.number} from {shipment.warehouse.code}" for shipment in created
        )
        return f"{order.number}: created {parcels}."

    return panel_action(request, order, DomainErrorForm(request.POST), run, key="shipment_create")


@require_POST
@role_required(*SHIPPERS)
def ship(request, number: str, shipment_id: int):
    order = order_or_404(number)
    shipment = _shipment_of(order, shipment_id)

    def run(data):
        return shipped_message(
            shipment_ship(shipment=shipment, actor=request.user, require_label=True)
        )

    return panel_action(request, order, DomainErrorForm(request.POST), run, key="shipment_ship")


@require_POST
@role_required(*CANCELLERS)
def cancel(request, number: str, shipment_id: int):
    order = order_or_404(number)
    shipment = _shipment_of(order, shipment_id)

    def run(data):
        cancelled = shipment_cancel(shipment=shipment, reason=data["reason"], actor=request.user)
        return cancelled_message(cancelled, order.number)

    form = cancel_form(shipment.pk, request.POST)
    return panel_action(request, order, form, run, key=CANCEL_FORM)


urlpatterns = [
    path("orders/<str:number>/shipments/", create, name="order_shipments_create"),
    path(
        "orders/<str:number>/shipments/<int:shipment_id>/ship/",
        ship,
        name="order_shipment_ship",
    ),
    path(
        "orders/<str:number>/shipments/<int:shipment_id>/cancel/",
        cancel,
        name="order_shipment_cancel",
    ),
]
