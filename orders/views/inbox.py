"""The channel inbox: marketplace deliveries that did not become an order, and their Replay.

Support and managers see each failed (or never finished) Shopify and WooCommerce delivery with
the reason and the start of its body as received, fix the cause (create the product, say) and
replay it: the same capture path runs again and the row shows what became of it.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from oms.errors import DomainError
from oms.paging import cursor_param, datetime_cursor, page_links, parse_datetime_cursor
from oms.rendering import is_partial_request, render_screen
from oms.roles import Role, role_required
from orders.channels.inbox import InboxResult, channel_receipt_replay
from orders.models import ChannelWebhookReceipt
from orders.selectors_inbox import inbox_receipt, unsettled_receipt_count, unsettled_receipts_page

TEMPLATE = "orders/inbox.html"
INBOX_USERS = (Role.SUPPORT, Role.MANAGER)
PAGE_SIZE = 25


def _outcome_message(result: InboxResult) -> tuple[int, str]:
    receipt = result.receipt
    if result.captured:
        status = receipt.order.get_status_display().lower()
        return messages.SUCCESS, f"Replayed: captured as {receipt.order.number} ({status})."
    if receipt.outcome == ChannelWebhookReceipt.Outcome.DUPLICATE:
        number = receipt.order.number if receipt.order else "an order captured before"
        return messages.SUCCESS, f"Replayed: the channel had already sent this order, {number}."
    return messages.ERROR, f"Replayed, and it failed again: {receipt.error}"


@require_GET
@vary_on_headers("HX-Request")
@role_required(*INBOX_USERS)
def inbox(request):
    after = parse_datetime_cursor(cursor_param(request, "after"))
    before = None if after else parse_datetime_cursor(cursor_param(request, "before"))
    page = unsettled_receipts_page(size=PAGE_SIZE, after=after, before=before)
    context = {
        "page": page,
        "waiting": unsettled_receipt_count(),
        **page_links(request, page, datetime_cursor),
    }
    return render_screen(request, TEMPLATE, "receipts", context)


@require_POST
@role_required(*INBOX_USERS)
def replay(request, pk: int):
    try:
        receipt = inbox_receipt(pk=pk)
    except ChannelWebhookReceipt.DoesNotExist:
        raise Http404(f"No channel delivery has the id {pk}.") from None
    try:
        result = channel_receipt_replay(receipt=receipt, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.add_message(request, *_outcome_message(result))
    if not is_partial_request(request):
        return redirect("orders_inbox:list")
    return render_screen(request, TEMPLATE, "receipt", {"receipt": inbox_receipt(pk=pk)})
