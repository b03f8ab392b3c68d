"""The manager dashboard: one page, its period and channel in the URL.

The filter form swaps `#board` with htmx and the address bar follows (the canonical URL of what
is shown, so it can be shared); `#board` asks for itself again every 30 seconds with the same
filters. A full request, or an htmx history restore, gets the whole page.
"""

from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from dashboard.filters import CUSTOM, BoardFilters
from dashboard.periods import PRESETS
from dashboard.screen import screen_context
from dashboard.selectors import dashboard
from dashboard.views.common import DASHBOARD_VIEWERS, board_filters
from oms.rendering import is_partial_request, render_screen
from oms.roles import role_required

FILTER_FORM_ID = "dashboard-filters"
REFRESH_SECONDS = 30


def _filter_form(filters: BoardFilters, channels) -> dict:
    period = filters.period
    return {
        "form_id": FILTER_FORM_ID,
        "period_choices": [(key, label) for key, (label, _) in PRESETS.items()]
        + [(CUSTOM, "Custom dates")],
        "period_choice": period.key or CUSTOM,
        "first_day": period.first_day.isoformat(),
        "last_day": period.last_day.isoformat(),
        "channels": channels,
        "refresh_seconds": REFRESH_SECONDS,
    }


@require_GET
@never_cache
@vary_on_headers("HX-Request")
@role_required(*DASHBOARD_VIEWERS)
def board(request):
    filters, channels = board_filters(request)
    summary = dashboard(period=filters.period, channel=filters.channel)
    context = {**screen_context(summary, filters, channels), **_filter_form(filters, channels)}
    response = render_screen(request, "dashboard/board.html", "board", context)
    if is_partial_request(request) and request.htmx.trigger == FILTER_FORM_ID:
        # The address bar shows what is on screen; a URL that could not be shown as asked
        # stays as typed, so reloading it explains again.
        shown = f"{reverse('dashboard:board')}?{filters.query()}"
        response["HX-Push-Url"] = request.get_full_path() if filters.problems else shown
    return response
