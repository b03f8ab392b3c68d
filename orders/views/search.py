"""The header's global search: whatever a customer quotes — order number, external id, email,
phone, name, SKU. One order found opens it; several are listed, newest first."""

from urllib.parse import urlencode

from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from oms.roles import role_required
from orders.selectors_backoffice import SearchResults, search_results
from orders.views.common import ORDER_VIEWERS
from orders.views.queues import queue_url


@require_GET
@role_required(*ORDER_VIEWERS)
def search(request):
    text = request.GET.get("q", "").strip()[:200]
    results = search_results(text) if text else SearchResults(orders=[], found=0)
    if results.found == 1:
        return redirect("orders:detail", number=results.orders[0].number)
    context = {
        "text": text,
        "results": results,
        "queue_url": queue_url(urlencode({"q": text})) if text else "",
    }
    return render(request, "orders/search.html", context)
