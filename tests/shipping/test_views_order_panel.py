"""The shipments panel on the order page: each parcel with where it leaves from, how, where it
is and what it carries; creating, shipping and cancelling parcels from there; and an order
page whose cost does not grow with its parcels."""

import re

import pytest
from django.urls import reverse

from orders.models import Order, OrderStatus
from orders.services import order_hold
from shipping.models import Shipment, ShipmentStatus
from shipping.services import WantedUnits, shipment_cancel, shipments_create
from tests.inventory.factories import ProductFactory, give_stock
from tests.orders.factories import capture
from tests.shipping.shipment_screens import (
    HTMX,
    fresh,
    labelled,
    shipped,
    text_of,
    tracked,
)

pytestmark = pytest.mark.django_db
S = ShipmentStatus


@pytest.fixture
def stock(catalog, warehouses, methods, web):
    """MUG and TEE at EAST (plenty), CAP only at WEST."""
    give_stock(catalog["MUG"], warehouses["EAST"], 100)
    give_stock(catalog["TEE"], warehouses["EAST"], 100)
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


def order_url(order: Order) -> str:
    return reverse("orders:detail", args=[order.number])


def panel_of(html: str) -> str:
    start = html.index('<section class="card shipments-panel" id="order-shipments"')
    return html[start : html.index("</section>", start)]


def rows_of(panel: str) -> dict[str, str]:
    """Each parcel's row as text, by shipment number."""
    rows = re.findall(r'<tr class="order-shipment".*?</tr>', panel, re.S)
    return {re.search(r"SH-\d+", row)[0]: text_of(row) for row in rows}


def page_panel(client, order: Order) -> str:
    return panel_of(client.get(order_url(order)).content.decode())


def test_each_parcel_shows_where_from_how_where_it_is_and_what_it_carries(
    fulfillment, stock, fulfillment_user
):
    order = capture(stock, [("MUG", 2), ("TEE", 1), ("CAP", 1)])
    east, west = sorted(shipments_create(order=order), key=lambda s: s.warehouse.code)
    east = labelled(east, fulfillment_user)
    panel = page_panel(fulfillment, order)
    assert f'<a href="/shipping/shipments/{east.pk}/">{east.number}</a>' in panel
    assert f'href="https://track.example.com/?n={east.tracking_number}"' in panel
    rows = rows_of(panel)
    assert list(rows) == [east.number, west.number]
    assert rows[east.number].startswith(
        f"{east.number} EAST Label ready Sandbox Parcel Ground {east.tracking_number} "
        "2 × MUG, 1 × TEE"
    )
    assert rows[west.number].startswith(
        f"{west.number} WEST Pending Sandbox Parcel Ground — 1 × CAP"
    )


def test_an_order_without_parcels_says_so_and_offers_to_create_one(fulfillment, stock):
    order = capture(stock, [("MUG", 1)])
    panel = page_panel(fulfillment, order)
    assert "No shipments yet." in panel
    assert ">Create shipment</button>" in panel


def test_create_shipment_is_offered_only_while_something_is_free_to_ship(
    fulfillment, stock, support_user
):
    order = capture(stock, [("MUG", 2)])
    (first,) = shipments_create(order=order, wanted=[WantedUnits("MUG", 1)])
    assert ">Create shipment</button>" in page_panel(fulfillment, order)  # one MUG is free
    shipments_create(order=order)
    assert ">Create shipment</button>" not in page_panel(fulfillment, order)
    shipment_cancel(shipment=first, reason="redo", actor=support_user)
    assert ">Create shipment</button>" in page_panel(fulfillment, order)
    order_hold(order=order, reason="customer_request", actor=support_user)
    assert ">Create shipment</button>" not in page_panel(fulfillment, order)  # on hold


def test_support_sees_the_parcels_and_may_cancel_but_not_create_or_ship(
    client, support_user, stock
):
    order = capture(stock, [("MUG", 1), ("TEE", 1)])
    (shipment,) = shipments_create(order=order, wanted=[WantedUnits("MUG", 1)])
    client.force_login(support_user)
    panel = page_panel(client, order)
    assert shipment.number in panel
    assert ">Create shipment</button>" not in panel
    assert ">Mark shipped</button>" not in panel
    assert f'aria-label="Cancel {shipment.number}">Cancel</button>' in panel


def test_create_shipment_parcels_everything_free_and_swaps_the_whole_order(fulfillment, stock):
    order = capture(stock, [("MUG", 1), ("CAP", 2)])
    url = reverse("shipping:order_shipments_create", args=[order.number])
    response = fulfillment.post(url, headers=HTMX)
    assert response.status_code == 200
    assert (response["HX-Retarget"], response["HX-Reswap"]) == ("#order", "outerHTML")
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="order"')
    east, west = Shipment.objects.filter(order=order).order_by("warehouse__code")
    assert f"{order.number}: created {east.number} from EAST, {west.number} from WEST." in html
    assert list(rows_of(panel_of(html))) == [east.number, west.number]
    assert Order.objects.get(pk=order.pk).status == OrderStatus.FULFILLING
    assert [(line.order_line.sku, line.quantity) for line in west.lines.all()] == [("CAP", 2)]


def test_create_shipment_without_htmx_goes_back_to_the_order(fulfillment, stock):
    order = capture(stock, [("MUG", 1)])
    url = reverse("shipping:order_shipments_create", args=[order.number])
    response = fulfillment.post(url)
    assert (response.status_code, response["Location"]) == (302, order_url(order))
    assert Shipment.objects.filter(order=order).count() == 1


def test_creating_when_nothing_is_free_is_refused_and_changes_nothing(fulfillment, stock):
    order = capture(stock, [("MUG", 1)])
    shipments_create(order=order)
    url = reverse("shipping:order_shipments_create", args=[order.number])
    html = fulfillment.post(url, headers=HTMX).content.decode()
    assert f"Order {order.number} has nothing allocated that is not in a parcel already." in html
    assert Shipment.objects.filter(order=order).count() == 1


def test_mark_shipped_from_the_panel(fulfillment, stock, fulfillment_user):
    order = capture(stock, [("MUG", 1)])
    (shipment,) = shipments_create(order=order)
    shipment = labelled(shipment, fulfillment_user)
    url = reverse("shipping:order_shipment_ship", args=[order.number, shipment.pk])
    response = fulfillment.post(url, headers=HTMX)
    html = response.content.decode()
    assert response["HX-Retarget"] == "#order"
    assert f"{shipment.number} shipped, tracking {shipment.tracking_number}." in html
    assert fresh(shipment).status == S.SHIPPED
    assert Order.objects.get(pk=order.pk).status == OrderStatus.SHIPPED
    row = rows_of(panel_of(html))[shipment.number]
    assert "Shipped" in row and "Mark shipped" not in row and "Cancel" not in row


def test_cancel_from_the_panel_with_a_reason(fulfillment, stock, fulfillment_user):
    order = capture(stock, [("MUG", 1)])
    (shipment,) = shipments_create(order=order)
    url = reverse("shipping:order_shipment_cancel", args=[order.number, shipment.pk])
    html = fulfillment.post(url, {"reason": "wrong box"}, headers=HTMX).content.decode()
    assert f"{shipment.number} cancelled; its units stay allocated to {order.number}." in html
    assert fresh(shipment).status == S.CANCELLED
    event = order.events.get(type="shipment_cancelled")
    assert "wrong box" in event.message and event.actor == fulfillment_user
    # Its units are free again: another parcel may be made.
    assert ">Create shipment</button>" in panel_of(html)


def test_cancel_without_a_reason_shows_why_beside_that_parcel_only(fulfillment, stock):
    order = capture(stock, [("MUG", 1), ("CAP", 1)])
    east, west = sorted(shipments_create(order=order), key=lambda s: s.warehouse.code)
    url = reverse("shipping:order_shipment_cancel", args=[order.number, west.pk])
    html = fulfillment.post(url, {"reason": ""}, headers=HTMX).content.decode()
    rows = re.findall(r'<tr class="order-shipment".*?</tr>', panel_of(html), re.S)
    east_row, west_row = rows
    assert "Say why the shipment is cancelled." in west_row
    assert 'aria-invalid="true"' in west_row
    assert "Say why the shipment is cancelled." not in east_row
    assert {fresh(east).status, fresh(west).status} == {S.PENDING}


def test_a_shipped_parcel_cannot_be_cancelled_from_the_panel(fulfillment, stock, fulfillment_user):
    order = capture(stock, [("MUG", 1), ("TEE", 1)])
    (shipment,) = shipments_create(order=order, wanted=[WantedUnits("MUG", 1)])
    shipment = shipped(shipment, fulfillment_user)
    url = reverse("shipping:order_shipment_cancel", args=[order.number, shipment.pk])
    html = fulfillment.post(url, {"reason": "too late"}, headers=HTMX).content.decode()
    assert "only a parcel that has not shipped can be cancelled" in html
    assert fresh(shipment).status == S.SHIPPED


# --- cost ------------------------------------------------------------------------------------


def test_the_order_page_query_count_does_not_grow_with_parcels_lines_or_tracking(
    client, stock, manager_user, fulfillment_user, django_assert_max_num_queries
):
    client.force_login(manager_user)
    one = capture(stock, [("MUG", 1)])
    shipments_create(order=one)
    # Up to 3 of them for the returns panel (its returns, their lines, what open returns hold).
    with django_assert_max_num_queries(16) as few:
        assert client.get(order_url(one)).status_code == 200

    many = capture(stock, [("MUG", 8), ("TEE", 8), ("CAP", 3)])
    parcels = [
        shipments_create(order=many, wanted=[WantedUnits("MUG", 1), WantedUnits("TEE", 1)])[0]
        for _ in range(6)
    ]
    for index, parcel_ in enumerate(parcels[:3]):
        sent = shipped(parcel_, fulfillment_user)
        for minutes in range(1, 4):
            tracked(sent, "in_transit", minutes=minutes * (index + 1), description=f"hop {minutes}")
    shipment_cancel(shipment=parcels[3], reason="redo", actor=manager_user)
    labelled(parcels[4], fulfillment_user)
    shipments_create(order=many)  # the rest, from both warehouses
    assert Shipment.objects.filter(order=many).count() == 8
    with django_assert_max_num_queries(16) as lots:
        response = client.get(order_url(many))
    assert len(rows_of(panel_of(response.content.decode()))) == 8
    assert len(lots) == len(few)
