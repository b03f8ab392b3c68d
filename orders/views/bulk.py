"""Bulk actions on the orders ticked in a queue, or on every order its filters match: one
summary message ("Held 47 of 50; 3 could not be held.") with the refusals and their reasons
folded under it, and the queue again. A request that does not validate changes nothing and
shows the same page with the same orders still ticked."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import QueryDict
from django.utils import timezone
from django.views.decorators.http import require_POST

from oms.bulk import bulk_summary
from oms.csvfiles import stream_csv
from oms.roles import role_required
from orders.forms import BULK_ACTIONS, BulkActionForm
from orders.models import Order
from orders.selectors_backoffice import orders_for_bulk
from orders.services import orders_bulk_apply
from orders.views.common import ORDER_VIEWERS, refusal
from orders.views.queues import bulk_actions_for, render_queue, render_queue_refused

CSV_HEADER = (
    *("number", "external_id", "channel", "status", "payment_status", "fulfillment_status"),
    *("placed_at", "ship_by", "customer", "email", "currency", "grand_total", "active_holds"),
)
# How the summary says what was done, and what a refusal was not.
DONE = {
    "hold": ("Held", "could not be held"),
    "release": ("Released", "could not be released"),
    "cancel": ("Cancelled", "could not be cancelled"),
}


def orders_csv(orders: list[Order]):
    rows = (
        (
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
        for order in orders
    )
    return stream_csv(f"orders-{timezone.now():%Y%m%d-%H%M}.csv", CSV_HEADER, rows)


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
        return render_queue_refused(request, params, form)
    numbers = form.cleaned_data["orders"]
    orders = orders_for_bulk(numbers)
    if action == "export":
        return orders_csv(orders)

    found = {order.number for order in orders}
    refusals = [f"{number}: no such order." for number in numbers if number not in found]
    outcomes = orders_bulk_apply(
        orders=orders,
        action=action,
        actor=request.user,
        hold_reason=form.cleaned_data.get("hold_reason") or "",
        note=form.cleaned_data.get("note") or "",
        reason=form.cleaned_data.get("reason") or "",
    )
    refusals += [
        refusal(outcome.number, outcome.reason) for outcome in outcomes if not outcome.done
    ]
    did, not_done = DONE[action]
    done = sum(1 for outcome in outcomes if outcome.done)
    level, summary = bulk_summary(done=done, refusals=refusals, did=did, not_done=not_done)
    messages.add_message(request, level, summary)
    return render_queue(request, params)
