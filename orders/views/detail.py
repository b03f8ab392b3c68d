"""The order page: status, customer and address, lines and where they are allocated, holds,
the panels the apps above orders add (`orders.panels`: payments …), the actions this person may
take now, and the timeline.

An action is offered only when the order's state allows it and the person's role may run it
(the `permission=` of the transition); `orders.views.actions` refuses it otherwise.
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers
from django_fsm import can_proceed, has_transition_perm

from oms.rendering import is_partial_request, render_screen
from oms.roles import role_required, user_has_role
from orders.forms import (
    AddressForm,
    CancelForm,
    HoldForm,
    InquiryForm,
    LineAddForm,
    LineQuantityForm,
    NoteForm,
)
from orders.models import Order, OrderStatus, staff_may_hold
from orders.panels import panels_for
from orders.selectors import line_allocations, order_timeline
from orders.services.edits import EDITABLE
from orders.views.common import ORDER_EDITORS, ORDER_VIEWERS, order_or_404


def order_permissions(order: Order, user) -> dict[str, bool]:
    """What this person may do to this order now."""
    on_hold = order.status == OrderStatus.ON_HOLD
    return {
        "may_edit": order.status in EDITABLE and user_has_role(user, *ORDER_EDITORS),
        "may_cancel": can_proceed(order.cancel) and has_transition_perm(order.cancel, user),
        # Holds stack: an order already on hold takes another one without a transition.
        "may_hold": (can_proceed(order.hold) and has_transition_perm(order.hold, user))
        or (on_hold and staff_may_hold(order, user)),
        "may_release": on_hold and has_transition_perm(order.release, user),
    }


# How each kind of timeline entry is tagged on the page.
EVENT_LABELS = {
    "captured": "Captured",
    "status_changed": "Status",
    "allocated": "Allocation",
    "hold_placed": "Hold",
    "hold_released": "Release",
    "cancelled": "Cancelled",
    "line_cancelled": "Line cancelled",
    "edited": "Edit",
    "note": "Note",
    "inquiry": "Inquiry",
    "email_sent": "Email",
}
# Entries the apps above orders write share a prefix per app; orders cannot import them.
EVENT_PREFIX_LABELS = {
    "payment_": "Payment",
    "shipment_": "Shipment",
    "return_": "Return",
}


def event_label(event_type: str) -> str:
    """How one kind of timeline entry is tagged: by name, else by its app's prefix."""
    if event_type in EVENT_LABELS:
        return EVENT_LABELS[event_type]
    for prefix, label in EVENT_PREFIX_LABELS.items():
        if event_type.startswith(prefix):
            return label
    return event_type.replace("_", " ").capitalize()


def timeline_context(order: Order, **forms) -> dict:
    """The timeline, newest first, with the note and inquiry forms (bound ones kept)."""
    events = list(order_timeline(order=order))
    for event in events:
        event.label = event_label(event.type)
    return {
        "order": order,
        "events": events,
        "note_form": forms.get("note") or NoteForm(auto_id="note_%s"),
        "inquiry_form": forms.get("inquiry") or InquiryForm(auto_id="inquiry_%s"),
    }


def _line_rows(order: Order, forms: dict) -> list[dict]:
    allocations = line_allocations(order=order)
    rows = []
    for line in order.lines.all():
        form = forms.get(f"line-{line.pk}") or LineQuantityForm(
            initial={"quantity": line.quantity}, auto_id=f"line{line.pk}_%s"
        )
        rows.append({"line": line, "allocations": allocations.get(line.pk, []), "form": form})
    return rows


def detail_context(request, order: Order, *, editing_address: bool = False, **forms) -> dict:
    """Everything the order page shows; `forms` puts a bound form (with its errors) in place,
    its own or a panel's."""
    permissions = order_permissions(order, request.user)
    rows = _line_rows(order, forms)
    holds = list(order.holds.all())
    address_form = forms.get("address") or AddressForm.for_address(
        order.shipping_address, auto_id="address_%s"
    )
    return {
        **permissions,
        **timeline_context(order, **forms),
        "editable": order.status in EDITABLE,
        "line_rows": rows,
        "open_line_count": sum(1 for row in rows if row["line"].quantity_open),
        "holds": holds,
        "active_holds": [hold for hold in holds if hold.is_active],
        "editing_address": editing_address or "address" in forms,
        "address_form": address_form,
        "hold_form": forms.get("hold") or HoldForm(auto_id="hold_%s"),
        "cancel_form": forms.get("cancel") or CancelForm(auto_id="cancel_%s"),
        "add_line_form": forms.get("add_line") or LineAddForm(auto_id="add_line_%s"),
        "order_panels": panels_for(request, order, forms),
    }


@require_GET
@vary_on_headers("HX-Request")
@role_required(*ORDER_VIEWERS)
def order_detail(request, number: str):
    order = order_or_404(number)
    return render_screen(request, "orders/detail.html", "order", detail_context(request, order))


@require_GET
@role_required(*ORDER_VIEWERS)
def address_card(request, number: str):
    """The shipping address as shown (what "Cancel" on the inline edit swaps back in)."""
    order = order_or_404(number)
    if not is_partial_request(request):
        return redirect("orders:detail", number=order.number)
    return render_screen(request, "orders/detail.html", "address", detail_context(request, order))


@require_GET
@role_required(*ORDER_VIEWERS)
def address_edit(request, number: str):
    """The inline address form (or, without htmx, the order page with the form open)."""
    order = order_or_404(number)
    if not user_has_role(request.user, *ORDER_EDITORS):
        raise PermissionDenied("Your role may not change orders.")
    context = detail_context(request, order, editing_address=True)
    return render_screen(request, "orders/detail.html", "address", context)
