"""Bulk actions on the orders ticked in a queue.

Each order runs in its own transaction through the same services as the order page, so one
refusal ("SO-000013 is shipped: it cannot be cancelled now") never undoes the others; every
order's outcome is reported as a flash message, and the queue is shown again.
"""

import csv
from io import StringIO

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponse, QueryDict
from django.utils import timezone
from django.views.decorators.http import require_POST

from oms.errors import DomainError, InvalidTransition
from oms.roles import role_required
from orders.forms import BULK_ACTIONS, BulkActionForm
from orders.models import Order
from orders.selectors_backoffice import orders_for_bulk
from orders.services import order_cancel, order_hold, order_hold_release
from orders.views.common import ORDER_VIEWERS, refusal
from orders.views.queues import bulk_actions_for, render_queue


def _hold(order: Order, actor, data: dict) -> str:
    hold = order_hold(order=order, reason=data["hold_reason"], note=data["note"], actor=actor)
    return f"{order.number} put on hold ({hold.get_reason_display()})."


def _release(order: Order, actor, data: dict) -> str:
    if not order.active_holds:
        raise InvalidTransition("it has no active hold to release.")
    for hold in order.active_holds:
        order = order_hold_release(order=order, hold=hold, actor=actor)
    return f"{order.number} released: now {order.get_status_display().lower()}."


def _cancel(order: Order, actor, data: dict) -> str:
    order_cancel(order=order, reason=data["reason"].strip(), actor=actor)
    return f"{order.number} cancelled."


RUNNERS = {"hold": _hold, "release": _release, "cancel": _cancel}


def _spreadsheet_safe(value):
    """Text a spreadsheet would run as a formula gets a leading apostrophe (CSV injection)."""
    text = "" if value is None else str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


CSV_HEADER = (
    *("number", "external_id", "channel", "status", "payment_status", "fulfillment_status"),
    *("placed_at", "ship_by", "customer", "email", "currency", "grand_total", "active_holds"),
)


def orders_csv(orders: list[Order]) -> HttpResponse:
    buffer = StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    for order in orders:
        row = (
            order.number,
            order.external_id,
            order.channel.code,
            order.status,
            order.payment_status,
            order.fulfillment_status,
            order.placed_at.isoformat() if order.placed_at else "",
            order.ship_by.isoformat() if order.ship_by else "",
            order.customer.full_name,
            order.email,
            order.currency,
            order.grand_total,
            " ".join(hold.reason for hold in order.active_holds),
        )
        writer.writerow([_spreadsheet_safe(value) for value in row])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="orders-{stamp}.csv"'
    return response


@require_POST
@role_required(*ORDER_VIEWERS)
def bulk_action(request):
    params = QueryDict(request.POST.get("query", ""))
    action = request.POST.get("action", "")
    if action in BULK_ACTIONS and action not in bulk_actions_for(request.user):
        raise PermissionDenied(f"Your role may not {BULK_ACTIONS[action].lower()} orders.")
    form = BulkActionForm(request.POST)
    if not form.is_valid():
        for message in form.error_messages_list():
            messages.error(request, message)
        return render_queue(request, params)
    numbers = form.cleaned_data["orders"]
    orders = orders_for_bulk(numbers)
    if action == "export":
        return orders_csv(orders)

    results: list[tuple[bool, str]] = []
    found = {order.number for order in orders}
    results += [(False, f"{number}: no such order.") for number in numbers if number not in found]
    for order in orders:
        try:
            with transaction.atomic():
                results.append((True, RUNNERS[action](order, request.user, form.cleaned_data)))
        except DomainError as error:
            results.append((False, refusal(order.number, error.message)))
    done = sum(1 for ok, _ in results if ok)
    messages.info(request, f"{BULK_ACTIONS[action]}: {done} of {len(numbers)} orders done.")
    for ok, text in results:
        (messages.success if ok else messages.error)(request, text)
    return render_queue(request, params)
