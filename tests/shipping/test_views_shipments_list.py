"""The shipments list: newest first, every filter in the URL, keyset pages at a fixed number of
queries, and bulk "Mark shipped" answered with one summary message."""

import re
from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from orders.models import Order
from orders.services import order_hold
from shipping.forms import ShipmentIdsField
from shipping.models import Shipment, ShipmentStatus
from shipping.services import shipments_create
from shipping.views import shipments as shipment_views
from tests.inventory.factories import ProductFactory, give_stock
from tests.orders.factories import capture
from tests.shipping.factories import CarrierFactory, ShippingMethodFactory, ShippingRateFactory
from tests.shipping.shipment_screens import (
    HTMX,
    LIST,
    created,
    fresh,
    labelled,
    listed,
    parcel,
    shipment_url,
    shipped,
    text_of,
    tracked,
)

pytestmark = pytest.mark.django_db
S = ShipmentStatus
BULK = "/shipping/shipments/ship/"


@pytest.fixture
def stock(catalog, warehouses, methods, web):
    """Plenty of MUG at EAST; CAP only at WEST (its parcels leave from WEST)."""
    give_stock(catalog["MUG"], warehouses["EAST"], 500)
    give_stock(
        ProductFactory(sku="CAP", barcode="4006381000095", weight_grams=150),
        warehouses["WEST"],
        100,
    )
    return web


@pytest.fixture
def fulfillment(client, fulfillment_user):
    client.force_login(fulfillment_user)
    return client


def midday(days_ago: int) -> datetime:
    """Noon, `days_ago` days before today in the shop's time zone."""
    day = timezone.localdate() - timedelta(days=days_ago)
    return timezone.make_aware(datetime.combine(day, time(12)))


def day(days_ago: int) -> str:
    return (timezone.localdate() - timedelta(days=days_ago)).isoformat()


# --- rows -----------------------------------------------------------------------------------


def test_rows_are_newest_first_and_say_what_where_how_and_when(
    fulfillment, stock, fulfillment_user
):
    oldest = created(parcel(stock), midday(3))
    newest = parcel(stock, [("MUG", 2)])
    middle = created(shipped(parcel(stock), fulfillment_user), midday(1))
    html = fulfillment.get(LIST).content.decode()
    assert listed(html) == [newest.number, middle.number, oldest.number]
    row = re.search(rf"<tr>\s*<td class=\"select\">.*?{middle.number}.*?</tr>", html, re.S)[0]
    for shown in (
        f'<a href="{shipment_url(middle)}">{middle.number}</a>',
        f'<a href="/orders/{middle.order.number}/">{middle.order.number}</a>',
        "<td>EAST</td>",
        'Ground<small class="sub">Sandbox Parcel</small>',
        '<span class="badge shipment-shipped">Shipped</span>',
        f'href="https://track.example.com/?n={middle.tracking_number}"',
        f">{middle.tracking_number}</a>",
        f"{timezone.localtime(middle.created_at):%Y-%m-%d %H:%M}",
        f"{timezone.localtime(middle.shipped_at):%Y-%m-%d %H:%M}",
        "0.40 kg",
    ):
        assert shown in row, shown
    new_row = text_of(
        re.search(rf"<tr>\s*<td class=\"select\">.*?{newest.number}.*?</tr>", html, re.S)[0]
    )
    # No tracking number yet, not shipped yet.
    assert "Pending — " in new_row and new_row.endswith(" — 0.80 kg")


def test_an_empty_list_says_so(fulfillment, stock):
    assert "No shipments match." in fulfillment.get(LIST).content.decode()


# --- filters --------------------------------------------------------------------------------


@pytest.fixture
def world(stock, fulfillment_user):
    """One parcel of each kind the filters tell apart."""
    courier = ShippingMethodFactory(
        carrier=CarrierFactory(code="swift", name="Swift Couriers"), code="courier", name="Courier"
    )
    ShippingRateFactory(method=courier, up_to_grams=5000, base=Decimal("9.00"))
    pending = created(parcel(stock), midday(20))
    west = created(parcel(stock, [("CAP", 1)]), midday(15))
    by_courier = created(
        shipments_create(order=capture(stock, [("MUG", 1)]), method=courier)[0], midday(12)
    )
    shipped_early = shipped(parcel(stock), fulfillment_user)
    shipped_early = created(shipped_early, midday(10), shipped_at=midday(9))
    shipped_late = shipped(parcel(stock), fulfillment_user)
    shipped_late = created(shipped_late, midday(5), shipped_at=midday(2))
    stuck = shipped(parcel(stock), fulfillment_user)
    tracked(stuck, "exception", minutes=1, description="Address not found")
    stuck = created(stuck, midday(1), shipped_at=midday(1))
    return {
        "pending": pending,
        "west": west,
        "courier": by_courier,
        "shipped_early": shipped_early,
        "shipped_late": shipped_late,
        "stuck": stuck,
    }


def names_listed(client, world, params: dict) -> list[str]:
    by_number = {shipment.number: name for name, shipment in world.items()}
    html = client.get(LIST, params).content.decode()
    return [by_number[number] for number in listed(html)]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["stuck", "shipped_late", "shipped_early", "courier", "west", "pending"]),
        ({"status": "pending"}, ["courier", "west", "pending"]),
        ({"status": "shipped"}, ["shipped_late", "shipped_early"]),
        ({"exceptions": "on"}, ["stuck"]),
        ({"exceptions": "on", "status": "pending"}, []),
        ({"carrier": "swift"}, ["courier"]),
        ({"carrier": "sbx"}, ["stuck", "shipped_late", "shipped_early", "west", "pending"]),
        ({"warehouse": "WEST"}, ["west"]),
        ({"created_from": day(15), "created_to": day(10)}, ["shipped_early", "courier", "west"]),
        ({"created_from": day(5)}, ["stuck", "shipped_late"]),
        ({"created_to": day(20)}, ["pending"]),
        ({"shipped_from": day(9), "shipped_to": day(2)}, ["shipped_late", "shipped_early"]),
        ({"shipped_from": day(2)}, ["stuck", "shipped_late"]),
        ({"shipped_to": day(9)}, ["shipped_early"]),
        ({"status": "pending", "warehouse": "EAST"}, ["courier", "pending"]),
    ],
)
def test_each_filter_lists_exactly_its_shipments(fulfillment, world, params, expected):
    assert names_listed(fulfillment, world, params) == expected


@pytest.mark.parametrize("how", ["number", "bare digits", "lower case", "tracking", "order"])
def test_search_finds_a_shipment_by_its_tracking_shipment_or_order_number(fulfillment, world, how):
    stuck = world["stuck"]
    digits = str(int(stuck.number.removeprefix("SH-")))
    query = {
        "number": stuck.number,
        "bare digits": digits,
        "lower case": stuck.number.lower(),
        "tracking": stuck.tracking_number,
        "order": stuck.order.number,
    }[how]
    listed_names = names_listed(fulfillment, world, {"q": query})
    if how == "bare digits":
        # Digits alone are a shipment number or an order number.
        order_with_those_digits = Order.objects.filter(number=f"SO-{int(digits):06d}").first()
        also = [
            name
            for name, shipment in world.items()
            if order_with_those_digits and shipment.order_id == order_with_those_digits.pk
        ]
        assert "stuck" in listed_names
        assert set(listed_names) <= {"stuck", *also}
    else:
        assert listed_names == ["stuck"]


def test_a_search_that_matches_nothing_lists_nothing(fulfillment, world):
    assert names_listed(fulfillment, world, {"q": "SBX0000000000"}) == []


def test_filters_combine_with_search_and_a_second_order_parcel_is_found_by_order_number(
    fulfillment, stock, fulfillment_user
):
    order = capture(stock, [("MUG", 1), ("CAP", 1)])
    east, west = sorted(shipments_create(order=order), key=lambda s: s.warehouse.code)
    parcel(stock)  # another order's
    html = fulfillment.get(LIST, {"q": order.number}).content.decode()
    assert sorted(listed(html)) == sorted([east.number, west.number])
    html = fulfillment.get(LIST, {"q": order.number, "warehouse": "WEST"}).content.decode()
    assert listed(html) == [west.number]


def test_dates_in_the_wrong_order_are_refused_beside_the_field(fulfillment, world):
    response = fulfillment.get(LIST, {"shipped_from": day(1), "shipped_to": day(9)})
    html = response.content.decode()
    assert "Must be on or after the start date." in html
    # The refused end filters nothing; the start alone still does.
    assert listed(html) == [world["stuck"].number]


def test_filters_swap_the_list_for_htmx(fulfillment, world):
    response = fulfillment.get(LIST, {"warehouse": "WEST"}, headers=HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="shipments"')
    assert "<html" not in html
    assert listed(html) == [world["west"].number]


# --- pages ----------------------------------------------------------------------------------


def test_a_long_list_is_paged_newest_first_keeping_the_filters(fulfillment, stock, monkeypatch):
    monkeypatch.setattr(shipment_views, "PAGE_SIZE", 2)
    parcels = [created(parcel(stock), midday(days)) for days in (1, 2, 3, 4, 5)]
    created(parcel(stock, [("CAP", 1)]), midday(1))  # WEST: filtered out
    numbers = [shipment.number for shipment in parcels]
    first = fulfillment.get(LIST, {"warehouse": "EAST"})
    assert listed(first.content.decode()) == numbers[:2]
    assert first.context["previous_url"] == ""
    assert "warehouse=EAST" in first.context["next_url"]
    second = fulfillment.get(first.context["next_url"])
    assert listed(second.content.decode()) == numbers[2:4]
    third = fulfillment.get(second.context["next_url"], headers=HTMX)
    assert listed(third.content.decode()) == numbers[4:]
    assert third.context["next_url"] == ""
    back = fulfillment.get(third.context["previous_url"])
    assert listed(back.content.decode()) == numbers[2:4]
    assert back.context["first_url"].endswith("?warehouse=EAST")


def test_a_cursor_that_is_not_one_shows_the_first_page(fulfillment, stock):
    shipment = parcel(stock)
    for cursor in ("nonsense", "12:not-a-date", ":", "x:2024-01-01"):
        assert listed(fulfillment.get(LIST, {"after": cursor}).content.decode()) == [
            shipment.number
        ]


def test_the_query_count_is_the_same_for_a_page_of_5_and_of_50(
    fulfillment, stock, fulfillment_user, django_assert_max_num_queries
):
    swift = ShippingMethodFactory(carrier=CarrierFactory(code="swift"), code="courier")
    ShippingRateFactory(method=swift, up_to_grams=5000)

    def make(count: int) -> None:
        for index in range(count):
            shipment = parcel(stock, [("CAP" if index % 3 == 0 else "MUG", 1)])
            if index % 4 == 0:
                shipped(shipment, fulfillment_user)
            elif index % 4 == 1:
                shipments_create(order=capture(stock, [("MUG", 1)]), method=swift)

    make(4)
    assert Shipment.objects.count() == 5
    with django_assert_max_num_queries(6) as few:
        assert len(listed(fulfillment.get(LIST).content.decode())) == 5
    make(37)
    assert Shipment.objects.count() == 51
    with django_assert_max_num_queries(6) as many:
        response = fulfillment.get(LIST)
    assert len(listed(response.content.decode())) == 50
    assert response.context["next_url"]
    assert len(many) == len(few)


# --- bulk "Mark shipped" --------------------------------------------------------------------


def bulk_messages(response) -> list:
    return list(get_messages(response.wsgi_request))


def test_bulk_ship_ships_what_it_can_and_says_so_in_one_message(
    fulfillment, stock, fulfillment_user, support_user
):
    ready = [labelled(parcel(stock), fulfillment_user) for _ in range(3)]
    unpacked = parcel(stock)  # the back office ships only packed, labelled parcels
    held = labelled(parcel(stock), fulfillment_user)
    order_hold(order=held.order, reason="customer_request", actor=support_user)
    ticked = [*ready, unpacked, held]
    response = fulfillment.post(
        BULK + "?warehouse=EAST",
        {"shipments": [shipment.pk for shipment in ticked]},
        headers=HTMX,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="shipments"')
    flashes = re.findall(r'<div class="flash flash-(\w+)"', html)
    assert flashes == ["warning"]  # one message for the batch, never one per parcel
    summary = re.search(r'<details class="bulk-failures">.*?</details>', html, re.S)[0]
    assert "<summary>Shipped 3 of 5; 2 could not be shipped.</summary>" in summary
    assert re.findall(r"<li>(.*?)</li>", summary) == [
        f"Shipment {unpacked.number} has no label yet (pending): pack it and print its label "
        "first.",
        f"{held.number}: Order {held.order.number} is on hold: it cannot ship now.",
    ]
    assert [fresh(shipment).status for shipment in ticked] == [S.SHIPPED] * 3 + [
        S.PENDING,
        S.LABEL_READY,
    ]
    # The list comes back with its filters: the shipped parcels show as shipped.
    assert '<span class="badge shipment-shipped">Shipped</span>' in html
    assert 'name="warehouse"' in html and 'value="EAST" selected' in html


def test_bulk_ship_of_everything_shippable_is_a_plain_success(fulfillment, stock, fulfillment_user):
    ticked = [labelled(parcel(stock), fulfillment_user) for _ in range(3)]
    response = fulfillment.post(BULK, {"shipments": [s.pk for s in ticked]}, headers=HTMX)
    html = response.content.decode()
    assert re.findall(r'<div class="flash flash-(\w+)"[^>]*>([^<]*)', html) == [
        ("success", "Shipped 3 of 3.")
    ]


def test_bulk_ship_when_nothing_could_ship_is_an_error_listing_each_reason(
    fulfillment, stock, fulfillment_user
):
    gone = shipped(parcel(stock), fulfillment_user)
    response = fulfillment.post(BULK, {"shipments": [gone.pk, 999_999]}, headers=HTMX)
    html = response.content.decode()
    assert re.findall(r'<div class="flash flash-(\w+)"', html) == ["error"]
    assert "<summary>Shipped 0 of 2; 2 could not be shipped.</summary>" in html
    assert re.findall(r"<li>(.*?)</li>", html) == [
        f"Shipment {gone.number} cannot be shipped: it is shipped.",
        "Shipment #999999 no longer exists.",
    ]


def test_bulk_ship_without_htmx_comes_back_to_the_list_it_was_on(
    fulfillment, stock, fulfillment_user
):
    shipment = labelled(parcel(stock), fulfillment_user)
    response = fulfillment.post(
        BULK + "?status=label_ready&after=7:2024-01-01T00:00:00%2B00:00",
        {"shipments": [shipment.pk]},
    )
    assert response.status_code == 302
    assert (
        response["Location"]
        == LIST + "?status=label_ready&after=7%3A2024-01-01T00%3A00%3A00%2B00%3A00"
    )
    assert fresh(shipment).status == S.SHIPPED
    assert [str(m) for m in bulk_messages(response)] == ["Shipped 1 of 1."]


def test_the_summary_survives_the_redirect_of_a_plain_post(
    fulfillment, stock, support_user, fulfillment_user
):
    shipment, held = (labelled(parcel(stock), fulfillment_user) for _ in range(2))
    order_hold(order=held.order, reason="customer_request", actor=support_user)
    response = fulfillment.post(BULK, {"shipments": [shipment.pk, held.pk]}, follow=True)
    html = response.content.decode()
    assert re.findall(r'<div class="flash flash-(\w+)"', html) == ["warning"]
    assert "<summary>Shipped 1 of 2; 1 could not be shipped.</summary>" in html
    assert f"<li>{held.number}: Order {held.order.number} is on hold" in html


def test_a_selection_that_does_not_validate_is_kept_ticked_and_nothing_ships(
    fulfillment, stock, monkeypatch
):
    monkeypatch.setattr(ShipmentIdsField, "MAX", 2)
    ticked = [parcel(stock) for _ in range(3)]
    untouched = parcel(stock)
    response = fulfillment.post(
        BULK + "?status=pending", {"shipments": [s.pk for s in ticked]}, headers=HTMX
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Select at most 2 shipments at a time." in html
    checked = re.findall(
        r'<input type="checkbox" name="shipments" value="(\d+)"[^>]*checked>', html
    )
    assert sorted(map(int, checked)) == sorted(s.pk for s in ticked)
    assert f'value="{untouched.pk}" aria-label="Select {untouched.number}">' in html
    assert {fresh(s).status for s in [*ticked, untouched]} == {S.PENDING}


def test_nothing_ticked_asks_for_a_selection(fulfillment, stock):
    shipment = parcel(stock)
    response = fulfillment.post(BULK, {}, headers=HTMX)
    assert "Select at least one shipment." in response.content.decode()
    assert fresh(shipment).status == S.PENDING


def test_support_sees_no_selection_or_mark_shipped(client, support_user, stock):
    parcel(stock)
    client.force_login(support_user)
    html = client.get(LIST).content.decode()
    assert 'type="checkbox" name="shipments"' not in html
    assert ">Mark shipped</button>" not in html


# --- navigation -----------------------------------------------------------------------------


def test_the_navigation_offers_shipments_to_fulfillment_support_and_managers(
    client, fulfillment_user, support_user, manager_user, no_role_user, stock
):
    link = f'<a href="{LIST}">Shipments</a>'
    for user in (fulfillment_user, support_user, manager_user):
        client.force_login(user)
        assert link in client.get("/").content.decode(), user
    client.force_login(no_role_user)
    assert link not in client.get("/").content.decode()
    client.force_login(fulfillment_user)
    current = f'<a href="{LIST}" aria-current="page">Shipments</a>'
    assert current in client.get(LIST).content.decode()
    assert current in client.get(shipment_url(parcel(stock))).content.decode()
