"""Each table of the dashboard as CSV, for the same period and channel as the page."""

import re

from django.http import Http404
from django.views.decorators.http import require_GET

from dashboard.exports import TABLES
from dashboard.selectors import dashboard
from dashboard.views.common import DASHBOARD_VIEWERS, board_filters
from oms.csvfiles import stream_csv
from oms.roles import role_required

SAFE_NAME = re.compile(r"[^A-Za-z0-9_-]+")


@require_GET
@role_required(*DASHBOARD_VIEWERS)
def export(request, table: str):
    found = TABLES.get(table)
    if found is None:
        raise Http404("No such dashboard table.")
    filters, _ = board_filters(request)
    summary = dashboard(period=filters.period, channel=filters.channel)
    period = filters.period
    channel = SAFE_NAME.sub("", filters.channel_code)
    filename = (
        f"dashboard-{table}-{period.first_day:%Y%m%d}-{period.last_day:%Y%m%d}"
        f"{f'-{channel}' if channel else ''}.csv"
    )
    return stream_csv(filename, found.header, found.rows(summary))
