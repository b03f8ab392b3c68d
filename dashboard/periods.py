"""The dashboard's period: `?period=today|7d|30d`, or `?from=YYYY-MM-DD&to=YYYY-MM-DD`.

Days are the shop's (`TIME_ZONE`): "today" runs from its midnight to the next; "7d" is the last
seven days including today. A period is `[start, end)`.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.dateparse import parse_date

PRESETS = {"today": ("Today", 1), "7d": ("Last 7 days", 7), "30d": ("Last 30 days", 30)}
DEFAULT_PRESET = "7d"
# A custom range may span at most this many days (a year and a little).
MAX_DAYS = 400
# The days a custom range may name: beyond them a period's end cannot even be computed
# (9999-12-31 has no next day) and nothing was ever sold.
EARLIEST_DAY, LATEST_DAY = date(1900, 1, 1), date(2999, 12, 31)


@dataclass(frozen=True)
class Period:
    first_day: date
    last_day: date
    key: str  # the preset, or "" for a custom range
    label: str

    @property
    def start(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.first_day, time.min))

    @property
    def end(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.last_day + timedelta(days=1), time.min))

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    def query(self) -> dict[str, str]:
        """The URL parameters that name this period."""
        if self.key:
            return {"period": self.key}
        return {"from": self.first_day.isoformat(), "to": self.last_day.isoformat()}


def _preset(key: str, today: date) -> Period:
    label, days = PRESETS[key]
    return Period(today - timedelta(days=days - 1), today, key, label)


def period_from(params, *, today: date | None = None) -> tuple[Period, str]:
    """The period the parameters ask for, and a problem to show ("" when none): an invalid
    custom range falls back to the default preset, saying why."""
    today = today or timezone.localdate()
    first, last = params.get("from", "").strip(), params.get("to", "").strip()
    if first or last:
        try:
            start, end = parse_date(first), parse_date(last)
        except ValueError:
            start = end = None
        if start is None or end is None:
            return _preset(DEFAULT_PRESET, today), "Give both dates as YYYY-MM-DD."
        if start < EARLIEST_DAY or end > LATEST_DAY:
            return _preset(DEFAULT_PRESET, today), (
                f"Give dates from {EARLIEST_DAY.isoformat()} to {LATEST_DAY.isoformat()}."
            )
        if start > end:
            return _preset(DEFAULT_PRESET, today), "The start date is after the end date."
        if (end - start).days + 1 > MAX_DAYS:
            return _preset(DEFAULT_PRESET, today), f"A period may span at most {MAX_DAYS} days."
        return Period(start, end, "", f"{start:%Y-%m-%d} to {end:%Y-%m-%d}"), ""
    key = params.get("period", DEFAULT_PRESET)
    if key not in PRESETS:
        return _preset(DEFAULT_PRESET, today), ""
    return _preset(key, today), ""
