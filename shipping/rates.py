"""What a parcel costs with each shipping method, when it leaves and when it arrives.

Pure functions over `ShippingMethod` rows and plain values; nothing here writes. A method's
price is a set of weight bands per destination (`ShippingRate`: `base + per_kg × kg` up to
`up_to_grams`); the parcel takes the first band it fits in. Time is counted like ship-by
(`orders.sla`): in the shop's time zone, on weekdays only.

Every function reads a method's bands through `method.rates.all()`, so a caller quoting many
methods passes them with `prefetch_related("rates")` and no further query runs. Nothing here
reads `method.carrier`: leaving out methods of an inactive carrier is the caller's filter.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from oms.money import ZERO, to_money
from orders.sla import WEEKEND, add_business_hours
from shipping.models import Destination, ShippingMethod

GRAMS_PER_KG = Decimal(1000)


@dataclass(frozen=True)
class RateQuote:
    method: ShippingMethod
    cost: Decimal
    currency: str
    transit_days: int
    # When the carrier collects the parcel …
    ships_at: datetime
    # … and when its transit time says it arrives.
    promised_at: datetime


@dataclass(frozen=True)
class RateOption:
    """One quote of a rate shopping, and whether it makes the order's dates."""

    quote: RateQuote
    meets_ship_by: bool
    meets_promise: bool

    @property
    def meets_all(self) -> bool:
        return self.meets_ship_by and self.meets_promise


@dataclass(frozen=True)
class RateShopping:
    # Every method that can take the parcel, cheapest first (then soonest, then by name).
    options: tuple[RateOption, ...]
    # The cheapest that makes both dates; else the one that arrives soonest; None: no method.
    chosen: RateQuote | None
    # False when `chosen` misses the ship-by or the promise (or nothing can ship): warn.
    meets_all: bool


def destination_of(origin_country: str, destination_country: str) -> Destination:
    same = origin_country.strip().upper() == destination_country.strip().upper()
    return Destination.DOMESTIC if same else Destination.INTERNATIONAL


def _next_weekday_start(moment: datetime) -> datetime:
    day = moment.date() + timedelta(days=1)
    while day.weekday() in WEEKEND:
        day += timedelta(days=1)
    return datetime.combine(day, time.min, tzinfo=moment.tzinfo)


def pickup_at(method: ShippingMethod, ship_from: datetime) -> datetime:
    """When the carrier collects a parcel ready at `ship_from` (shop time zone).

    Before the method's pickup cutoff on a weekday it goes the same day (at `ship_from`); at or
    after the cutoff, or on a weekend, at the start of the next weekday. Without a cutoff the
    carrier collects any weekday time.
    """
    local = timezone.localtime(ship_from)
    if local.weekday() in WEEKEND:
        return _next_weekday_start(local)
    if method.pickup_cutoff is not None and local.time() >= method.pickup_cutoff:
        return _next_weekday_start(local)
    return local


def _band_cost(method: ShippingMethod, destination: Destination, weight_grams: int):
    """`base + per_kg × kg` of the first band the weight fits in; None when none fits."""
    bands = sorted(
        (rate for rate in method.rates.all() if rate.destination == destination),
        key=lambda rate: rate.up_to_grams,
    )
    for band in bands:
        if weight_grams <= band.up_to_grams:
            return to_money(band.base + band.per_kg * Decimal(weight_grams) / GRAMS_PER_KG)
    return None


def quote(
    method: ShippingMethod,
    *,
    weight_grams: int,
    origin_country: str,
    destination_country: str,
    subtotal: Decimal,
    currency: str,
    ship_from: datetime | None = None,
) -> RateQuote | None:
    """The method's price and dates for one parcel; None when the method cannot take it.

    Reads `method.rates.all()`: pass methods with `prefetch_related("rates")` to quote without
    queries. The cost is in the order's `currency` (rates carry none of their own).
    """
    if weight_grams < 0:
        raise ValueError("A parcel cannot weigh less than nothing.")
    if not method.is_active:
        return None
    destination = destination_of(origin_country, destination_country)
    domestic = destination == Destination.DOMESTIC
    if not (method.domestic if domestic else method.international):
        return None
    if method.max_weight_grams is not None and weight_grams > method.max_weight_grams:
        return None
    cost = _band_cost(method, destination, weight_grams)
    if cost is None:
        return None
    if method.free_over is not None and to_money(subtotal) >= method.free_over:
        cost = ZERO
    transit_days = method.transit_days_domestic if domestic else method.transit_days_international
    ships_at = pickup_at(method, ship_from or timezone.now())
    return RateQuote(
        method=method,
        cost=cost,
        currency=currency,
        transit_days=transit_days,
        ships_at=ships_at,
        promised_at=add_business_hours(ships_at, transit_days * 24),
    )


def rate_shop(
    methods: Iterable[ShippingMethod],
    *,
    weight_grams: int,
    origin_country: str,
    destination_country: str,
    subtotal: Decimal,
    currency: str,
    ship_from: datetime,
    ship_by: datetime | None,
    promise_by: datetime | None = None,
) -> RateShopping:
    """Quote every method and choose the cheapest that ships by `ship_by` and arrives by
    `promise_by` (None: any time will do); when none makes both, the one arriving soonest.

    Reads each `method.rates.all()`: pass methods with `prefetch_related("rates")` to shop
    without queries.
    """
    options = []
    for method in methods:
        found = quote(
            method,
            weight_grams=weight_grams,
            origin_country=origin_country,
            destination_country=destination_country,
            subtotal=subtotal,
            currency=currency,
            ship_from=ship_from,
        )
        if found is not None:
            options.append(
                RateOption(
                    quote=found,
                    meets_ship_by=ship_by is None or found.ships_at <= ship_by,
                    meets_promise=promise_by is None or found.promised_at <= promise_by,
                )
            )
    options.sort(
        key=lambda option: (
            option.quote.cost,
            option.quote.promised_at,
            option.quote.method.name,
            option.quote.method.code,
        )
    )
    if not options:
        return RateShopping(options=(), chosen=None, meets_all=False)
    # Sorted cheapest first, so the first that makes both dates is the cheapest that does.
    best = next((option for option in options if option.meets_all), None)
    if best is None:
        # min() keeps the first of equals: among the soonest, still the cheapest.
        best = min(options, key=lambda option: option.quote.promised_at)
    return RateShopping(options=tuple(options), chosen=best.quote, meets_all=best.meets_all)


def _normalized(text: str) -> str:
    return " ".join(text.split()).casefold()


def method_named(name: str, methods: Iterable[ShippingMethod]) -> ShippingMethod | None:
    """The method an order's free-text `shipping_method` means: the one with that code, else
    the first (in the order given) with that name — "Express", "standard" — case ignored."""
    wanted = _normalized(name or "")
    if not wanted:
        return None
    methods = list(methods)
    for method in methods:
        if method.code.casefold() == wanted:
            return method
    for method in methods:
        if _normalized(method.name) == wanted:
            return method
    return None


def promise_for(
    order_shipping_method: str,
    methods: Iterable[ShippingMethod],
    *,
    ship_by: datetime | None,
    international: bool = False,
) -> datetime | None:
    """The delivery the customer was promised: the order's ship-by plus the transit days of
    the method it names (domestic unless `international`); None when no method matches."""
    method = method_named(order_shipping_method, methods)
    if method is None or ship_by is None:
        return None
    days = method.transit_days_international if international else method.transit_days_domestic
    return add_business_hours(ship_by, days * 24)
