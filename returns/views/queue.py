"""The returns queue: tabs per status with their counts, filters and search in the URL, keyset
pages. The open returns come first, oldest first (the work to do); settled ones newest first.

Tabs, filters and pages swap `#returns` with htmx and push the URL, so a reload or the back
button shows the same list; a full request (or an htmx history restore) gets the whole page.
"""

from django.http import QueryDict
from django.urls import reverse
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from oms.paging import cursor_param, datetime_cursor, page_links, parse_datetime_cursor
from oms.rendering import render_screen
from oms.roles import role_required
from returns.forms import ReturnFilterForm
from returns.selectors_backoffice import TABS, returns_page, status_counts
from returns.views.common import RETURN_VIEWERS

PAGE_SIZE = 50
# Switching tab keeps what narrows the list, never the page it was on.
CARRIED_BY_TABS = ("q", "reason", "older_than")


def queue_url(query: str = "") -> str:
    url = reverse("returns:queue")
    return f"{url}?{query}" if query else url


def _tabs(params: QueryDict, current: str) -> list[dict]:
    counts = status_counts()
    kept = QueryDict(mutable=True)
    for name in CARRIED_BY_TABS:
        if params.get(name, "").strip():
            kept[name] = params[name]
    tabs = []
    for key, label in TABS.items():
        query = kept.copy()
        query["status"] = key
        tabs.append(
            {
                "key": key,
                "label": label,
                "count": counts[key],
                "url": queue_url(query.urlencode()),
                "current": key == current,
            }
        )
    return tabs


def queue_context(request) -> dict:
    """Everything the queue shows for the request's filters and cursor (a fixed number of
    queries: the counts, the page and its lines)."""
    form = ReturnFilterForm(request.GET)
    form.is_valid()
    filters = form.filters()
    after = parse_datetime_cursor(cursor_param(request, "after"))
    before = None if after else parse_datetime_cursor(cursor_param(request, "before"))
    page = returns_page(filters, size=PAGE_SIZE, after=after, before=before)
    return {
        "form": form,
        "filters": filters,
        "page": page,
        "tabs": _tabs(request.GET, filters.status),
        **page_links(request, page, datetime_cursor),
    }


@require_GET
@vary_on_headers("HX-Request")
@role_required(*RETURN_VIEWERS)
def queue(request):
    return render_screen(request, "returns/queue.html", "returns", queue_context(request))
