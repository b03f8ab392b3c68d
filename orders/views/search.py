"""The header's global search: whatever a customer quotes — order number, the channel's order
id or name, email, phone in any format, name (whole or in part), SKU, tracking or RMA number
(`orders.selectors_search`).

An exact email of a customer opens their customer page (everything about them, one place). Else
one order found opens it (unless the text names several customers); several are listed, newest
first, under the customers the text matches.
"""

from urllib.parse import urlencode

from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from oms.roles import role_required
from orders.search_sources import registered
from orders.selectors_backoffice import SearchResults, search_results
from orders.selectors_customers import customers_matching
from orders.views.common import ORDER_VIEWERS
from orders.views.queues import queue_url


@require_GET
@role_required(*ORDER_VIEWERS)
def search(request):
    text = request.GET.get("q", "").strip()[:200]
    customers = customers_matching(text) if text else []
    by_email = [customer for customer in customers if customer.email == text.lower()]
    if len(by_email) == 1:
        return redirect("orders:customer", pk=by_email[0].pk)
    results = search_results(text) if text else SearchResults(orders=[], found=0)
    if results.found == 1 and len(customers) <= 1:
        return redirect("orders:detail", number=results.orders[0].number)
    context = {
        "text": text,
        # What the apps above orders let the search find ("a tracking number").
        "more_ways": [source.label for source in registered()],
        "customers": customers,
        "results": results,
        "queue_url": queue_url(urlencode({"q": text})) if text else "",
    }
    return render(request, "orders/search.html", context)
