"""Bulk actions on the orders ticked in a queue: each order's outcome (from
`orders_bulk_apply`) is reported as a flash message, and the queue is shown again."""

import csv
from io import StringIO

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, QueryDict
from django.utils import timezone
from django.views.decorators.http import require_POST

from oms.roles import role_required
from orders.forms import BULK_ACTIONS, BulkActionForm
from orders.models import Order
from orders.selectors_backoffice import orders_for_bulk
from orders.services import orders_bulk_apply
from orders.views.common import ORDER_VIEWERS, refusal
from orders.views.queues import bulk_actions_for, render_queue


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
    outcomes = orders_bulk_apply(
        orders=orders,
        action=action,
        actor=request.user,
        hold_reason=form.cleaned_data.get("hold_reason") or "",
        note=form.cleaned_data.get("note") or "",
        reason=form.cleaned_data.get("reason") or "",
    )
    results += [
        (
            outcome.done,
            outcome.message if outcome.done else refusal(outcome.number, outcome.message),
        )
        for outcome in outcomes
    ]
    done = sum(1 for ok, _ in results if ok)
    messages.info(request, f"{BULK_ACTIONS[action]}: {done} of {len(numbers)} orders done.")
    for ok, text in results:
        (messages.success if ok else messages.error)(request, text)
    return render_queue(request, params)
