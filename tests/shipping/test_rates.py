"""Rates: weight bands, free shipping, where a method goes, pickup cutoffs, rate shopping and
the delivery date promised to the customer."""

from datetime import datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from shipping.models import Destination, ShippingMethod
from shipping.rates import promise_for, quote, rate_shop
from tests.shipping.factories import ShippingMethodFactory, ShippingRateFactory

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
UTC = ZoneInfo("UTC")
MONDAY_10 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
MONDAY_18 = datetime(2026, 11, 23, 18, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _shop_in_utc(settings):
    """Days and cutoffs are the shop's (`TIME_ZONE`); these tests read them in UTC unless a test
    moves the shop to Berlin."""
    settings.TIME_ZONE = "UTC"


def at(text: str, zone=UTC) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=zone)


def method_with_bands(*bands, destination=Destination.DOMESTIC, **fields) -> ShippingMethod:
    """A method priced by `bands`: (up_to_grams, base, per_kg) each."""
    method = ShippingMethodFactory(**fields)
    for up_to_grams, base, per_kg in bands:
        ShippingRateFactory(
            method=method,
            destination=destination,
            up_to_grams=up_to_grams,
            base=Decimal(base),
            per_kg=Decimal(per_kg),
        )
    return method


def quote_for(method, *, weight_grams=500, to="US", subtotal="20.00", ship_from=MONDAY_10):
    return quote(
        method,
        weight_grams=weight_grams,
        origin_country="US",
        destination_country=to,
        subtotal=Decimal(subtotal),
        currency="USD",
        ship_from=ship_from,
    )


# --- cost ---------------------------------------------------------------------------------


def test_cost_is_base_plus_per_kg_of_the_first_band_the_parcel_fits():
    method = method_with_bands((5000, "8.00", "1.50"), (1000, "5.00", "0"))
    assert quote_for(method, weight_grams=2500).cost == Decimal("11.75")
    assert quote_for(method, weight_grams=1000).cost == Decimal("5.00")
    assert quote_for(method, weight_grams=1001).cost == Decimal("9.50")


def test_cost_rounds_half_up_to_cents():
    method = method_with_bands((5000, "0.00", "1.00"))
    assert quote_for(method, weight_grams=1005).cost == Decimal("1.01")


def test_orders_reaching_free_over_ship_free():
    method = method_with_bands((5000, "6.00", "0"), free_over=Decimal("50.00"))
    assert quote_for(method, subtotal="50.00").cost == Decimal("0.00")
    assert quote_for(method, subtotal="49.99").cost == Decimal("6.00")


def test_the_quote_carries_the_orders_currency_and_method():
    method = method_with_bands((5000, "6.00", "0"))
    found = quote_for(method)
    assert found.method == method
    assert found.currency == "USD"


# --- what a method can take ---------------------------------------------------------------


def test_a_domestic_only_method_does_not_ship_abroad():
    method = method_with_bands((5000, "6.00", "0"), domestic=True, international=False)
    assert quote_for(method, to="us") is not None
    assert quote_for(method, to="DE") is None


def test_an_international_method_uses_its_international_bands_and_transit():
    method = method_with_bands(
        (5000, "25.00", "2.00"),
        destination=Destination.INTERNATIONAL,
        domestic=False,
        international=True,
        transit_days_international=6,
    )
    ShippingRateFactory(method=method, destination=Destination.DOMESTIC, base=Decimal("1.00"))
    abroad = quote_for(method, to="DE", weight_grams=2000)
    assert abroad.cost == Decimal("29.00")
    assert abroad.transit_days == 6
    assert quote_for(method, to="US") is None


def test_a_method_without_bands_for_the_destination_cannot_quote():
    method = method_with_bands((5000, "6.00", "0"), domestic=True, international=True)
    assert quote_for(method, to="DE") is None


def test_a_parcel_over_the_methods_max_weight_cannot_go():
    method = method_with_bands((30000, "6.00", "0"), max_weight_grams=2000)
    assert quote_for(method, weight_grams=2000) is not None
    assert quote_for(method, weight_grams=2001) is None


def test_a_parcel_heavier_than_the_last_band_cannot_go():
    method = method_with_bands((1000, "5.00", "0"), (5000, "8.00", "0"))
    assert quote_for(method, weight_grams=5001) is None


def test_an_inactive_method_cannot_quote():
    method = method_with_bands((5000, "6.00", "0"), is_active=False)
    assert quote_for(method) is None


# --- when it leaves and arrives -----------------------------------------------------------


@pytest.fixture
def berlin(settings):
    settings.TIME_ZONE = "Europe/Berlin"


def test_ready_before_the_cutoff_it_leaves_the_same_day(berlin):
    method = method_with_bands((5000, "6.00", "0"), pickup_cutoff=time(15, 0))
    # 13:30 UTC is 14:30 in Berlin: before the cutoff in the shop's time zone.
    found = quote_for(method, ship_from=at("2026-11-23T13:30"))
    assert found.ships_at == at("2026-11-23T14:30", BERLIN)


def test_ready_at_or_after_the_cutoff_it_leaves_the_next_weekday(berlin):
    method = method_with_bands((5000, "6.00", "0"), pickup_cutoff=time(15, 0))
    # 14:30 UTC is before 15:00 in UTC, but 15:30 in Berlin: the truck has gone.
    assert quote_for(method, ship_from=at("2026-11-23T14:30")).ships_at == at(
        "2026-11-24T00:00", BERLIN
    )
    assert quote_for(method, ship_from=at("2026-11-23T15:00", BERLIN)).ships_at == at(
        "2026-11-24T00:00", BERLIN
    )


def test_after_the_cutoff_on_friday_it_leaves_on_monday():
    method = method_with_bands(
        (5000, "6.00", "0"), pickup_cutoff=time(15, 0), transit_days_domestic=2
    )
    found = quote_for(method, ship_from=at("2026-11-27T16:00"))
    assert found.ships_at == at("2026-11-30T00:00")
    assert found.promised_at == at("2026-12-02T00:00")


def test_without_a_cutoff_a_weekday_parcel_leaves_at_once_and_a_weekend_one_on_monday():
    method = method_with_bands((5000, "6.00", "0"))
    assert quote_for(method, ship_from=at("2026-11-27T23:30")).ships_at == at("2026-11-27T23:30")
    assert quote_for(method, ship_from=at("2026-11-28T09:00")).ships_at == at("2026-11-30T00:00")


def test_the_promise_counts_transit_days_on_weekdays_only():
    method = method_with_bands((5000, "6.00", "0"), transit_days_domestic=3)
    found = quote_for(method, ship_from=at("2026-11-26T10:00"))  # Thursday
    assert found.transit_days == 3
    assert found.promised_at == at("2026-12-01T10:00")  # Tuesday


# --- rate shopping ------------------------------------------------------------------------


@pytest.fixture
def services():
    """Three ways to send a parcel on Monday 10:00: cheap and slow to dear and fast."""
    ground = method_with_bands(
        (5000, "5.00", "0"), code="ground", name="Ground", transit_days_domestic=5
    )
    standard = method_with_bands(
        (5000, "8.00", "0"), code="standard", name="Standard", transit_days_domestic=3
    )
    express = method_with_bands(
        (5000, "20.00", "0"), code="express", name="Express", transit_days_domestic=1
    )
    return ground, standard, express


def shop(methods, *, promise_by=None, ship_by=MONDAY_18, **overrides):
    arguments = {
        "weight_grams": 800,
        "origin_country": "US",
        "destination_country": "US",
        "subtotal": Decimal("30.00"),
        "currency": "USD",
        "ship_from": MONDAY_10,
        "ship_by": ship_by,
        "promise_by": promise_by,
    }
    arguments.update(overrides)
    return rate_shop(methods, **arguments)


def test_rate_shop_picks_the_cheapest_that_makes_both_dates(services):
    ground, standard, express = services
    # Ground arrives Monday next week: too late for a Thursday promise.
    shopping = shop(services, promise_by=at("2026-11-26T12:00"))
    assert [option.quote.method for option in shopping.options] == [ground, standard, express]
    assert [option.meets_promise for option in shopping.options] == [False, True, True]
    assert all(option.meets_ship_by for option in shopping.options)
    assert shopping.chosen.method == standard
    assert shopping.chosen.cost == Decimal("8.00")
    assert shopping.meets_all is True


def test_without_a_promise_the_cheapest_that_ships_in_time_wins(services):
    ground, _, _ = services
    shopping = shop(services)
    assert shopping.chosen.method == ground
    assert shopping.meets_all is True


def test_a_method_whose_pickup_has_gone_misses_the_ship_by(services):
    ground, standard, _ = services
    ground.pickup_cutoff = time(9, 0)
    ground.save()
    shopping = shop(services)
    missed = next(option for option in shopping.options if option.quote.method == ground)
    assert missed.meets_ship_by is False
    assert missed.quote.ships_at == at("2026-11-24T00:00")
    assert shopping.chosen.method == standard


def test_when_nothing_makes_the_dates_the_fastest_is_chosen_and_flagged(services):
    _, _, express = services
    shopping = shop(services, promise_by=at("2026-11-23T20:00"))
    assert not any(option.meets_all for option in shopping.options)
    assert shopping.chosen.method == express
    assert shopping.meets_all is False


def test_equal_prices_sort_by_the_sooner_arrival_then_by_name():
    slow = method_with_bands((5000, "7.00", "0"), name="A slow", transit_days_domestic=4)
    fast = method_with_bands((5000, "7.00", "0"), name="B fast", transit_days_domestic=2)
    twin = method_with_bands((5000, "7.00", "0"), name="A fast", transit_days_domestic=2)
    shopping = shop([slow, fast, twin])
    assert [option.quote.method for option in shopping.options] == [twin, fast, slow]
    assert shopping.chosen.method == twin


def test_methods_that_cannot_take_the_parcel_are_left_out(services):
    ground, _, _ = services
    heavy_only = method_with_bands((500, "1.00", "0"))
    shopping = shop([heavy_only, ground])
    assert [option.quote.method for option in shopping.options] == [ground]


def test_no_methods_means_nothing_chosen():
    shopping = shop([])
    assert shopping.options == ()
    assert shopping.chosen is None
    assert shopping.meets_all is False


def test_rate_shopping_prefetched_methods_runs_no_queries(services, django_assert_num_queries):
    methods = list(ShippingMethod.objects.prefetch_related("rates"))
    with django_assert_num_queries(0):
        shopping = shop(methods, promise_by=at("2026-11-26T12:00"))
        promise_for("Express", methods, ship_by=MONDAY_18)
    assert shopping.chosen.method.code == "standard"


# --- the promise to the customer ----------------------------------------------------------


def test_the_promise_is_ship_by_plus_the_named_methods_transit(services):
    # Ship by Friday 12:00; Standard takes 3 business days: Wednesday 12:00.
    ship_by = at("2026-11-27T12:00")
    assert promise_for("Standard", services, ship_by=ship_by) == at("2026-12-02T12:00")
    assert promise_for("  EXPRESS ", services, ship_by=ship_by) == at("2026-11-30T12:00")


def test_the_promise_matches_a_method_code_before_a_name(services):
    ground, standard, _ = services
    ground.name = "standard"  # a confusing name; the code still decides
    ground.save()
    ship_by = at("2026-11-23T12:00")
    assert promise_for("standard", [ground, standard], ship_by=ship_by) == at("2026-11-26T12:00")


def test_the_promise_abroad_uses_international_transit(services):
    _, standard, _ = services
    standard.transit_days_international = 6
    promised = promise_for("standard", [standard], ship_by=MONDAY_10, international=True)
    assert promised == at("2026-12-01T10:00")


def test_no_promise_for_an_unknown_or_empty_method(services):
    assert promise_for("Overnight by pigeon", services, ship_by=MONDAY_10) is None
    assert promise_for("", services, ship_by=MONDAY_10) is None
    assert promise_for("standard", services, ship_by=None) is None
