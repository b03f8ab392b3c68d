"""The failed-payments queue: payments whose authorization or capture finally failed, on orders
still open, oldest failure first, each with a Retry button. Keyset pages: page 40 costs what
page 1 costs, in a fixed number of queries."""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from oms.errors import DomainError
from oms.paging import cursor_param, page_links
from oms.rendering import is_partial_request, render_screen
from oms.roles import role_required
from orders.views.common import refusal
from payments.selectors import failed_cursor, failed_payments_page, parse_failed_cursor
from payments.services import payment_retry
from payments.views.common import MONEY_HANDLERS, payment_or_404

PAGE_SIZE = 50


def _queue_context(request) -> dict:
    after = parse_failed_cursor(cursor_param(request, "after"))
    before = None if after else parse_failed_cursor(cursor_param(request, "before"))
    page = failed_payments_page(size=PAGE_SIZE, after=after, before=before)
    return {
        "page": page,
        # Where a retry posts back to, so the queue comes back on the page it was on.
        "here": request.GET.urlencode(),
        **page_links(request, page, failed_cursor),
    }


@require_GET
@role_required(*MONEY_HANDLERS)
def failed_queue(request):
    return render_screen(request, "payments/failed.html", "results", _queue_context(request))


@require_POST
@role_required(*MONEY_HANDLERS)
def failed_retry(request, payment_id: int):
    payment = payment_or_404(payment_id)
    order = payment.order
    try:
        payment_retry(payment=payment, actor=request.user)
    except DomainError as error:
        messages.error(request, refusal(order.number, error.message))
    else:
        messages.success(
            request,
            f"{order.number}: retrying the failed payment of {payment.amount} {order.currency}.",
        )
    if not is_partial_request(request):
        query = request.GET.urlencode()
        return redirect(reverse("payments:failed") + (f"?{query}" if query else ""))
    return render_screen(request, "payments/failed.html", "results", _queue_context(request))
