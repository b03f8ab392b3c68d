"""What staff do on the order page, each through one `orders.services` call.

Success: a flash message and the order (or the timeline) again — swapped in place for htmx, a
redirect for a plain post. Bad input shows the form again with the reason; a refusal by the
service (wrong state, not enough stock) is flashed; either way nothing changes. An action the
person's role may not run is refused with 403, even when posted by hand.

`order_action` is that answer in one place; the apps above orders use it for the actions of
their order-page panels (`orders.panels`), whose bound forms `detail_context` puts in place.
"""

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST
from django_htmx.http import reswap, retarget

from oms.rendering import form_action, is_partial_request, render_screen
from oms.roles import role_required
from orders import services
from orders.forms import (
    AddressForm,
    CancelForm,
    DomainErrorForm,
    HoldForm,
    InquiryForm,
    LineAddForm,
    LineQuantityForm,
    NoteForm,
)
from orders.models import (
    Order,
    OrderHold,
    OrderLine,
    may_cancel,
    staff_may_hold,
    staff_may_release,
)
from orders.views.common import ORDER_EDITORS, ORDER_VIEWERS, order_or_404
from orders.views.detail import detail_context, timeline_context


def order_action(
    request,
    order: Order,
    form: DomainErrorForm,
    run: Callable[[dict], str],
    *,
    key: str,
    partial: str = "order",
):
    """Validate `form`, run the service through `run`, and answer as the module docstring says.

    `key` is the name `detail_context` knows the bound form by; `run` returns the success
    message.
    """

    def rerender(bound):
        fresh = order_or_404(order.number)
        forms = {key: bound} if bound is not None else {}
        if partial == "timeline":
            context = timeline_context(fresh, **forms)
        else:
            context = detail_context(request, fresh, **forms)
        return render_screen(request, "orders/detail.html", partial, context)

    return form_action(
        request,
        form,
        run,
        on_success=lambda: redirect("orders:detail", number=order.number),
        rerender=rerender,
    )


def panel_action(request, order: Order, form: DomainErrorForm, run, *, key: str):
    """`order_action` for a panel of another app (payments, shipping): whatever element posted,
    the order as a whole changed (badges, panels, timeline), so an htmx swap replaces `#order`."""
    response = order_action(request, order, form, run, key=key)
    if is_partial_request(request) and response.status_code == 200:
        response = reswap(retarget(response, "#order"), "outerHTML")
    return response


def _line(order: Order, line_id: int) -> OrderLine:
    return get_object_or_404(OrderLine, pk=line_id, order=order)


# --- holds and cancellation ------------------------------------------------------------------


@require_POST
@role_required(*ORDER_VIEWERS)
def hold_add(request, number: str):
    order = order_or_404(number)
    if not staff_may_hold(order, request.user):
        raise PermissionDenied("Your role may not put orders on hold.")

    def run(data):
        hold = services.order_hold(
            order=order, reason=data["reason"], note=data["note"], actor=request.user
        )
        return f"{order.number} put on hold ({hold.get_reason_display()})."

    return order_action(request, order, HoldForm(request.POST, auto_id="hold_%s"), run, key="hold")


@require_POST
@role_required(*ORDER_VIEWERS)
def hold_release(request, number: str, hold_id: int):
    order = order_or_404(number)
    if not staff_may_release(order, request.user):
        raise PermissionDenied("Your role may not release holds.")
    hold = get_object_or_404(OrderHold, pk=hold_id, order=order)

    def run(data):
        released = services.order_hold_release(order=order, hold=hold, actor=request.user)
        status = released.get_status_display().lower()
        return f"Hold “{hold.get_reason_display()}” released; {order.number} is {status}."

    return order_action(request, order, DomainErrorForm(request.POST), run, key="release")


@require_POST
@role_required(*ORDER_VIEWERS)
def cancel(request, number: str):
    order = order_or_404(number)
    if not may_cancel(order, request.user):
        raise PermissionDenied("Your role may not cancel orders.")

    def run(data):
        services.order_cancel(order=order, reason=data["reason"].strip(), actor=request.user)
        return f"{order.number} cancelled."

    return order_action(
        request, order, CancelForm(request.POST, auto_id="cancel_%s"), run, key="cancel"
    )


# --- edits -----------------------------------------------------------------------------------


@require_POST
@role_required(*ORDER_EDITORS)
def address_update(request, number: str):
    order = order_or_404(number)

    def run(data):
        services.order_address_update(order=order, values=data, actor=request.user)
        return f"Shipping address of {order.number} saved."

    form = AddressForm(request.POST, auto_id="address_%s")
    return order_action(request, order, form, run, key="address")


@require_POST
@role_required(*ORDER_EDITORS)
def line_quantity(request, number: str, line_id: int):
    order = order_or_404(number)
    line = _line(order, line_id)

    def run(data):
        services.order_line_set_quantity(
            order=order, line=line, quantity=data["quantity"], actor=request.user
        )
        return f"{line.sku}: quantity set to {data['quantity']}."

    form = LineQuantityForm(request.POST, auto_id=f"line{line.pk}_%s")
    return order_action(request, order, form, run, key=f"line-{line.pk}")


@require_POST
@role_required(*ORDER_EDITORS)
def line_cancel(request, number: str, line_id: int):
    order = order_or_404(number)
    line = _line(order, line_id)

    def run(data):
        services.order_line_cancel(order=order, line=line, actor=request.user)
        return f"{line.sku}: the remaining {line.quantity_open} cancelled."

    return order_action(request, order, DomainErrorForm(request.POST), run, key="line-cancel")


@require_POST
@role_required(*ORDER_EDITORS)
def line_remove(request, number: str, line_id: int):
    order = order_or_404(number)
    line = _line(order, line_id)

    def run(data):
        services.order_line_remove(order=order, line=line, actor=request.user)
        return f"{line.sku} removed from {order.number}."

    return order_action(request, order, DomainErrorForm(request.POST), run, key="line-remove")


@require_POST
@role_required(*ORDER_EDITORS)
def line_add(request, number: str):
    order = order_or_404(number)
    form = LineAddForm(request.POST, auto_id="add_line_%s")

    def run(data):
        line = services.order_line_add(
            order=order,
            product=form.product,
            quantity=data["quantity"],
            unit_price=data["unit_price"],
            actor=request.user,
        )
        return f"Added {line.quantity} × {line.sku} to {order.number}."

    return order_action(request, order, form, run, key="add_line")


# --- the timeline ----------------------------------------------------------------------------


@require_POST
@role_required(*ORDER_VIEWERS)
def note_add(request, number: str):
    order = order_or_404(number)

    def run(data):
        services.order_note_add(order=order, text=data["text"], actor=request.user)
        return "Note added."

    form = NoteForm(request.POST, auto_id="note_%s")
    return order_action(request, order, form, run, key="note", partial="timeline")


@require_POST
@role_required(*ORDER_VIEWERS)
def inquiry_log(request, number: str):
    order = order_or_404(number)

    def run(data):
        services.order_inquiry_log(
            order=order, channel=data["channel"], summary=data["summary"], actor=request.user
        )
        return f"Inquiry by {data['channel']} logged."

    form = InquiryForm(request.POST, auto_id="inquiry_%s")
    return order_action(request, order, form, run, key="inquiry", partial="timeline")
