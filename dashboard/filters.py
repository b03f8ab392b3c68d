"""What the dashboard is asked for: the period and the channel, from the URL.

`?period=today|7d|30d`, or `?from=YYYY-MM-DD&to=YYYY-MM-DD` (with `period=custom`, or no
period); `&channel=<code>`. A preset named in `period` wins over dates sent with it (the filter
form sends both). Whatever the URL holds, the dashboard shows something: what cannot be shown
falls back (the default period, every channel) with a sentence saying why.
"""

from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from dashboard.periods import DEFAULT_PRESET, PRESETS, Period, period_from
from orders.models import SalesChannel

CUSTOM = "custom"
# An unknown value is quoted back only when it is short, printable text.
QUOTED_MAX = 40


@dataclass(frozen=True)
class BoardFilters:
    period: Period
    channel: SalesChannel | None
    problems: tuple[str, ...] = ()

    @property
    def channel_code(self) -> str:
        return self.channel.code if self.channel else ""

    def query(self) -> str:
        """The URL parameters that name what is shown (shared links, refresh, downloads)."""
        params = self.period.query()
        if self.channel:
            params["channel"] = self.channel.code
        return urlencode(params)


def _quoted(value: str) -> str:
    return f" “{value}”" if value.isprintable() and len(value) <= QUOTED_MAX else ""


def _period(params, today: date | None) -> tuple[Period, str]:
    key = params.get("period", "").strip()
    first, last = params.get("from", "").strip(), params.get("to", "").strip()
    if key in PRESETS:
        return period_from({"period": key}, today=today)
    if key == CUSTOM and not (first or last):
        period, _ = period_from({}, today=today)
        return period, "Choose the first and the last day of the custom period."
    if first or last:
        return period_from({"from": first, "to": last}, today=today)
    period, _ = period_from({}, today=today)
    if key:
        default = PRESETS[DEFAULT_PRESET][0].lower()
        return period, f"There is no period{_quoted(key)}: showing the {default}."
    return period, ""


def _channel(code: str, channels: list[SalesChannel]) -> tuple[SalesChannel | None, str]:
    if not code:
        return None, ""
    for channel in channels:
        if channel.code == code:
            return channel, ""
    return None, f"There is no channel{_quoted(code)}: showing all channels."


def filters_from(
    params, *, channels: list[SalesChannel], today: date | None = None
) -> BoardFilters:
    """The period and channel the URL asks for, with the problems to show (never an error:
    the channel is looked up among `channels`, so no odd text reaches the database)."""
    period, period_problem = _period(params, today)
    channel, channel_problem = _channel(params.get("channel", "").strip(), channels)
    problems = tuple(problem for problem in (period_problem, channel_problem) if problem)
    return BoardFilters(period=period, channel=channel, problems=problems)
