"""Ship-by times: a channel's SLA counts business hours — Monday to Friday, weekends skipped —
in the shop's time zone (`TIME_ZONE`). An order is at risk in the last hours before it."""

from datetime import datetime, timedelta

from django.utils import timezone

WEEKEND = (5, 6)  # Saturday, Sunday
# An open order due to ship within this window is at risk of turning late.
AT_RISK_WINDOW = timedelta(hours=4)


def _next_midnight(moment: datetime) -> datetime:
    day = (moment + timedelta(days=1)).date()
    return datetime.combine(day, datetime.min.time(), tzinfo=moment.tzinfo)


def add_business_hours(start: datetime, hours: float) -> datetime:
    """The moment `hours` of weekday time after `start` (time on a weekend does not count)."""
    moment = timezone.localtime(start)
    remaining = timedelta(hours=hours)
    while True:
        if moment.weekday() in WEEKEND:
            moment = _next_midnight(moment)
            continue
        day_left = _next_midnight(moment) - moment
        if remaining < day_left or (remaining == day_left and remaining):
            return moment + remaining
        if not remaining:
            return moment
        remaining -= day_left
        moment = _next_midnight(moment)
