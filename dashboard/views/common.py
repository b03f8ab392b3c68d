"""Who sees the dashboard: managers (and admins, who hold every role). Revenue is on it, so
fulfillment and support get a 403."""

from dashboard.filters import filters_from
from dashboard.selectors_screen import sales_channels
from oms.roles import Role

DASHBOARD_VIEWERS = (Role.MANAGER,)


def board_filters(request):
    """The period and channel the request asks for, and every channel (to choose from)."""
    channels = sales_channels()
    return filters_from(request.GET, channels=channels), channels
