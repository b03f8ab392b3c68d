"""The order queues: tabs with counts, filters and search in the URL, keyset pages.

Filters, tabs and pages swap `#queue` with htmx and push the URL, so a reload or the back button
shows the same list; a full request (or an htmx history restore) gets the whole page.
"""

from django.http import QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from oms.rendering import is_partial_request, render_screen
from oms.roles import role_required
from orders.forms import (
    BULK_ACTIONS,
    BULK_LIMIT,
    BulkActionForm,
    filter_query,
    queue_filter_form,
)
from orders.models import HoldReason, may_cancel, staff_may_hold, staff_may_release
from orders.queue_actions import actions_for
from orders.selectors import QUEUES, attention_by_reason, order_list, queue_counts
from orders.selectors_backoffice import matching_count, order_page, saved_views_of
from orders.views.common import ORDER_VIEWERS

# Links that switch queue keep the sort and the page size, not the filters of the last queue.
CARRIED_BY_TABS = ("sort", "per_page")


def queue_url(query: str = "") -> str:
    url = reverse("orders:queue")
    return f"{url}?{query}" if query else url


def _with(params: QueryDict, **values) -> str:
    query = QueryDict(mutable=True)
    for name in CARRIED_BY_TABS:
        if params.get(name):
            query[name] = params[name]
    query.update(values)
    return query.urlencode()


def _tabs(params: QueryDict, current: str, counts: dict[str, int]) -> list[dict]:
    return [
        {
            "key": key,
            "label": label,
            "count": counts.get(key),
            "url": queue_url(_with(params, queue=key)),
            "current": key == current,
        }
        for key, label in QUEUES.items()
    ]


def _reason_links(params: QueryDict, current: str) -> list[dict]:
    """Holds by reason (orders on hold for each), each a link to that slice of the queue."""
    labels = dict(HoldReason.choices)
    return [
        {
            "label": labels[reason],
            "count": count,
            "url": queue_url(_with(params, queue="attention", hold_reason=reason)),
            "current": reason == current,
        }
        for reason, count in attention_by_reason().items()
        if count
    ]


def _page_links(query: str, page) -> dict:
    def link(**cursor) -> str:
        params = QueryDict(query, mutable=True)
        params.update(cursor)
        return queue_url(params.urlencode())

    return {
        "next_url": link(after=page.next_cursor) if page.next_cursor else "",
        "previous_url": link(before=page.previous_cursor) if page.previous_cursor else "",
    }


def bulk_actions_for(user) -> dict[str, str]:
    """The bulk actions this person's role allows (the transitions' own permission rules)."""
    allowed = {"hold": staff_may_hold, "release": staff_may_release, "cancel": may_cancel}
    return {
        action: label
        for action, label in BULK_ACTIONS.items()
        if action not in allowed or allowed[action](None, user)
    }


def _page_query(query: str, params: QueryDict) -> str:
    """The filters and the cursor of the page on screen: a bulk action answers with this same
    page, so a selection it refuses is shown again, still ticked."""
    page = QueryDict(query, mutable=True)
    for name in ("after", "before"):
        if params.get(name):
            page[name] = params[name]
    return page.urlencode()


def _matching(orders, page) -> dict | None:
    """The bulk bar's "all N orders matching these filters", offered when they reach beyond the
    page on screen: how many (counted up to the limit), and whether one action may take them."""
    if not (page.next_cursor or page.previous_cursor):
        return None
    count = matching_count(orders, limit=BULK_LIMIT)
    return {"count": count, "too_many": count > BULK_LIMIT}


def queue_context(request, params: QueryDict, *, bulk_form: BulkActionForm | None = None) -> dict:
    """Everything the queue screen shows for these query parameters; `bulk_form`, a bulk action
    refused, comes back with its choices and the orders it had ticked."""
    form = queue_filter_form(params)
    filters = form.filters()
    query = filter_query(params)
    orders = order_list(filters)
    page = order_page(
        orders,
        sort=filters.sort,
        size=form.page_size(),
        after=params.get("after"),
        before=params.get("before"),
    )
    paged = bool(params.get("after") or params.get("before"))
    attention = filters.queue == "attention"
    bulk_form = bulk_form or BulkActionForm()
    return {
        "form": form,
        "filters": filters,
        "active_filters": form.active_count(),
        "page": page,
        "query": query,
        "page_query": _page_query(query, params),
        "first_url": queue_url(query) if paged else "",
        **_page_links(query, page),
        "tabs": _tabs(params, filters.queue, queue_counts()),
        "reasons": _reason_links(params, filters.hold_reason) if attention else [],
        "saved_views": list(saved_views_of(request.user)),
        "bulk_actions": bulk_actions_for(request.user),
        # The actions the apps above orders add (`orders.queue_actions`).
        "queue_actions": actions_for(request.user, filters.queue),
        "bulk_form": bulk_form,
        "ticked": bulk_form.ticked(),
        "matching": _matching(orders, page),
        "bulk_limit": f"{BULK_LIMIT:,}",
    }


def render_queue(request, params: QueryDict):
    """After a POST: the `#queue` partial for these filters (htmx), else a redirect to them."""
    if is_partial_request(request):
        return render(request, "orders/queue.html#queue", queue_context(request, params))
    return redirect(queue_url(filter_query(params)))


def render_queue_refused(request, params: QueryDict, bulk_form: BulkActionForm):
    """A bulk action that did not validate: the same page of the queue, its orders still ticked
    and its choices kept (the `#queue` partial for htmx, else the whole page)."""
    context = queue_context(request, params, bulk_form=bulk_form)
    return render_screen(request, "orders/queue.html", "queue", context)


@require_GET
@vary_on_headers("HX-Request")
@role_required(*ORDER_VIEWERS)
def queue(request):
    return render_screen(request, "orders/queue.html", "queue", queue_context(request, request.GET))
