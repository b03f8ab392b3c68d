"""Pick lists on screen: who may use them, making one from ticked orders or from the next
orders by ship-by, what to pick bin by bin (page and PDF), and handing the labelled parcels to
the carrier with one summary message."""

import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from inventory.models import Product, StockLevel
from orders.models import HoldReason, Order
from orders.services import order_hold
from shipping.models import PickList, Shipment, ShipmentStatus
from shipping.services import (
    pick_list_create,
    shipment_label_make,
    shipment_pack,
    shipment_scan,
)
from tests.inventory.factories import ProductFactory, give_stock
from tests.shipping.pick_pack import (
    HTMX,
    PICK_NEXT,
    PICKING,
    pick_list_url,
    put_in_bin,
    ready_order,
    section,
    text_of,
)

pytestmark = pytest.mark.django_db
S = ShipmentStatus


def flashed(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def pick_list_of(order) -> PickList:
    return Shipment.objects.get(order=order).pick_list


def made_list(warehouse, orders, actor) -> PickList:
    return pick_list_create(warehouse=warehouse, orders=orders, actor=actor).pick_list


def labelled(pick_list: PickList, actor) -> list[Shipment]:
    """Scan, pack and label every parcel of the list (the worker's part done in-process)."""
    for shipment in pick_list.shipments.order_by("id"):
        for line in shipment.lines.select_related("order_line__product"):
            for _ in range(line.quantity):
                shipment_scan(shipment=shipment, code=line.order_line.product.barcode, actor=actor)
        shipment_pack(shipment=shipment, actor=actor)
        shipment_label_make(shipment_id=shipment.pk)
    return list(pick_list.shipments.order_by("id"))


@pytest.fixture(autouse=True)
def _labels_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


# --- who may use them ----------------------------------------------------------------------


def screens(pick_list: PickList) -> list[str]:
    return [
        PICKING,
        pick_list_url(pick_list.number),
        reverse("shipping:pick_list_pdf", args=[pick_list.number]),
        reverse("shipping:pack"),
        reverse("shipping:pack_batch", args=[pick_list.number]),
    ]


def test_the_pick_and_pack_screens_are_for_fulfillment_and_managers(
    client, catalog, methods, web, warehouses, fulfillment_user, manager_user, support_user,
    no_role_user,
):  # fmt: skip
    pick_list = made_list(warehouses["EAST"], [ready_order(web)], fulfillment_user)
    for url in screens(pick_list):
        client.logout()
        assert client.get(url, headers=HTMX)["Location"].startswith(reverse("login")), url
        for user in (support_user, no_role_user):
            client.force_login(user)
            assert client.get(url, headers=HTMX).status_code == 403, (url, user)
        for user in (fulfillment_user, manager_user):
            client.force_login(user)
            assert client.get(url, headers=HTMX).status_code == 200, (url, user)


def test_the_pick_and_pack_actions_refuse_other_roles_and_change_nothing(
    client, catalog, methods, web, warehouses, fulfillment_user, support_user
):
    order = ready_order(web)
    pick_list = made_list(warehouses["EAST"], [ready_order(web)], fulfillment_user)
    posts = {
        PICKING: {"orders": order.number},
        PICK_NEXT: {"warehouse": "EAST", "count": 5},
        reverse("shipping:pick_list_ship", args=[pick_list.number]): {},
        reverse("shipping:pack"): {"code": pick_list.number},
    }
    client.force_login(support_user)
    for url, data in posts.items():
        assert client.post(url, data).status_code == 403, url
    client.logout()
    for url, data in posts.items():
        assert client.post(url, data)["Location"].startswith(reverse("login")), url
    assert PickList.objects.count() == 1
    assert not Shipment.objects.filter(order=order).exists()


def test_pick_and_pack_is_in_the_navigation_of_fulfillment_and_managers(
    client, fulfillment_user, manager_user, support_user
):
    link = f'<a href="{PICKING}"'
    for user, shown in ((fulfillment_user, True), (manager_user, True), (support_user, False)):
        client.force_login(user)
        assert (link in client.get(reverse("home")).content.decode()) is shown, user


# --- making a pick list --------------------------------------------------------------------


def test_the_ready_queue_posts_its_ticked_orders_to_the_pick_list(
    client, fulfillment_user, support_user
):
    client.force_login(fulfillment_user)
    ready = client.get(reverse("orders:queue"), {"queue": "ready"}).content.decode()
    bar = section(ready, 'class="bulk-bar"', "</div>")
    assert f'formaction="{PICKING}"' in bar and ">Pick list</button>" in bar
    # Only the Ready queue offers it, and only to those who pick.
    everything = client.get(reverse("orders:queue"), {"queue": "all"}).content.decode()
    assert f'formaction="{PICKING}"' not in everything
    client.force_login(support_user)
    ready = client.get(reverse("orders:queue"), {"queue": "ready"}).content.decode()
    assert f'formaction="{PICKING}"' not in ready


def test_a_pick_list_is_made_for_the_orders_ticked_in_the_queue(
    client, catalog, methods, web, fulfillment_user
):
    first, second, not_ticked = (ready_order(web) for _ in range(3))
    client.force_login(fulfillment_user)
    # What the Ready queue's bulk form posts: each ticked order, plus the queue's own fields.
    response = client.post(
        PICKING,
        {"orders": [first.number, second.number], "query": "queue=ready", "hold_reason": ""},
    )
    pick_list = PickList.objects.get()
    assert response.status_code == 302
    assert response["Location"] == pick_list_url(pick_list.number)
    shipments = list(pick_list.shipments.order_by("id"))
    assert [shipment.order for shipment in shipments] == [first, second]
    assert pick_list.warehouse.code == "EAST" and pick_list.created_by == fulfillment_user
    assert not Shipment.objects.filter(order=not_ticked).exists()
    assert flashed(response) == [f"{pick_list.number}: 2 parcels for 2 orders at EAST."]


def test_all_orders_matching_the_queue_filters_make_one_pick_list(
    client, catalog, methods, web, fulfillment_user
):
    ready = [ready_order(web) for _ in range(3)]
    held = ready_order(web)
    order_hold(order=held, reason=HoldReason.MANUAL, actor=fulfillment_user)
    client.force_login(fulfillment_user)
    # "All 3 orders matching these filters" ticked in the Ready queue: none of the rows is.
    response = client.post(
        PICKING, {"scope": "matching", "query": "queue=ready&per_page=10", "hold_reason": ""}
    )
    pick_list = PickList.objects.get()
    assert response["Location"] == pick_list_url(pick_list.number)
    assert [shipment.order for shipment in pick_list.shipments.order_by("order_id")] == ready


def test_typed_order_numbers_make_a_pick_list_too(client, catalog, methods, web, manager_user):
    orders = [ready_order(web) for _ in range(2)]
    client.force_login(manager_user)
    typed = f"{orders[0].number.lower()}, {orders[1].number}\n"
    response = client.post(PICKING, {"orders": typed, "warehouse": "EAST"})
    pick_list = PickList.objects.get()
    assert response["Location"] == pick_list_url(pick_list.number)
    assert {shipment.order for shipment in pick_list.shipments.all()} == set(orders)


def test_orders_that_cannot_be_picked_are_skipped_with_the_reason(
    client, catalog, methods, web, fulfillment_user
):
    good, held = ready_order(web), ready_order(web)
    order_hold(order=held, reason=HoldReason.CUSTOMER_REQUEST, actor=fulfillment_user)
    client.force_login(fulfillment_user)
    response = client.post(PICKING, {"orders": [good.number, held.number, "SO-999999"]})
    pick_list = PickList.objects.get()
    assert [shipment.order for shipment in pick_list.shipments.all()] == [good]
    made, skipped = flashed(response)
    assert made == f"{pick_list.number}: 1 parcel for 1 order at EAST."
    assert text_of(skipped) == (
        f"Skipped 2 orders: SO-999999: No order has this number. "
        f"Order {held.number} is on hold: it cannot be shipped now."
    )


def test_when_no_order_can_be_picked_the_page_says_why_and_nothing_is_made(
    client, catalog, methods, web, fulfillment_user
):
    held = ready_order(web)
    order_hold(order=held, reason=HoldReason.FRAUD_REVIEW, actor=fulfillment_user)
    client.force_login(fulfillment_user)
    response = client.post(PICKING, {"orders": held.number})
    assert response.status_code == 200
    html = text_of(response.content.decode())
    assert "No pick list made: none of these orders can be picked now." in html
    assert f"Order {held.number} is on hold: it cannot be shipped now." in html
    assert not PickList.objects.exists() and not Shipment.objects.exists()


def test_no_orders_ticked_is_explained(client, fulfillment_user):
    client.force_login(fulfillment_user)
    response = client.post(PICKING, {"query": "queue=ready"})
    assert response.status_code == 200
    assert "Select at least one order." in response.content.decode()
    assert not PickList.objects.exists()


def test_an_order_split_over_two_warehouses_gets_a_pick_list_in_each(
    client, catalog, methods, web, fulfillment_user
):
    # All TEE at EAST is held back, so the order's tee is allocated at WEST.
    StockLevel.objects.filter(product__sku="TEE", warehouse__code="EAST").update(safety_stock=20)
    order = ready_order(web, [("MUG", 1), ("TEE", 1)])
    client.force_login(fulfillment_user)
    response = client.post(PICKING, {"orders": order.number})
    lists = list(PickList.objects.order_by("id"))
    assert [(found.warehouse.code, found.shipments.count()) for found in lists] == [
        ("EAST", 1),
        ("WEST", 1),
    ]
    assert response["Location"] == PICKING
    assert flashed(response) == [
        f"{lists[0].number}: 1 parcel for 1 order at EAST.",
        f"{lists[1].number}: 1 parcel for 1 order at WEST.",
    ]


def test_next_orders_by_ship_by_takes_the_soonest_due_first(
    client, catalog, methods, web, fulfillment_user
):
    later = ready_order(web, due_in_hours=30)
    soonest = ready_order(web, due_in_hours=2)
    latest = ready_order(web, due_in_hours=50)
    soon = ready_order(web, due_in_hours=5)
    client.force_login(fulfillment_user)
    response = client.post(PICK_NEXT, {"warehouse": "EAST", "count": 3})
    pick_list = PickList.objects.get()
    assert response["Location"] == pick_list_url(pick_list.number)
    # Tote order is ship-by order.
    assert [shipment.order for shipment in pick_list.shipments.order_by("id")] == [
        soonest,
        soon,
        later,
    ]
    assert not Shipment.objects.filter(order=latest).exists()
    # Those three are on a list now: the next walk takes the one left.
    client.post(PICK_NEXT, {"warehouse": "EAST", "count": 3})
    newest = PickList.objects.order_by("-id").first()
    assert [shipment.order for shipment in newest.shipments.all()] == [latest]
    response = client.post(PICK_NEXT, {"warehouse": "EAST", "count": 3})
    assert flashed(response)[-1] == "No ready orders wait to be picked at EAST."
    assert PickList.objects.count() == 2


def test_the_pick_page_lists_the_pick_lists_with_how_far_they_got(
    client, catalog, methods, web, warehouses, fulfillment_user
):
    pick_list = made_list(
        warehouses["EAST"], [ready_order(web) for _ in range(3)], fulfillment_user
    )
    first = pick_list.shipments.order_by("id").first()
    shipment_scan(shipment=first, code=first.lines.get().order_line.product.barcode, actor=None)
    shipment_pack(shipment=first, actor=None)
    shipment_label_make(shipment_id=first.pk)
    client.force_login(fulfillment_user)
    html = client.get(PICKING).content.decode()
    table = section(html, '<table class="table pick-lists-table"', "</table>")
    row = text_of(section(table, "<tbody>", "</tbody>"))
    # Parcels, packed, labels ready, shipped; and a way to pack the rest.
    assert row.startswith(f"{pick_list.number} EAST") and row.endswith(
        f"3 1 1 0 Pack {pick_list.number}"
    )
    # Next N: the first warehouse by priority comes first, ten orders.
    picker = section(html, 'name="warehouse"', "</select>")
    assert re.findall(r'<option value="(\w*)"', picker) == ["EAST", "WEST"]
    assert 'name="count" value="10"' in html


def test_next_orders_needs_a_warehouse_and_a_sensible_count(client, warehouses, fulfillment_user):
    client.force_login(fulfillment_user)
    response = client.post(PICK_NEXT, {"warehouse": "EAST", "count": 0})
    assert response.status_code == 200
    assert "Ensure this value is greater than or equal to 1." in response.content.decode()
    assert not PickList.objects.exists()


# --- the pick list -------------------------------------------------------------------------


@pytest.fixture
def binned(catalog, warehouses):
    """MUG in bin A-10, TEE in A-2, a CAP (also at EAST) in no bin."""
    east = warehouses["EAST"]
    cap = ProductFactory(sku="CAP", name="Cap", barcode="7770000000003", weight_grams=100)
    give_stock(cap, east, 20)
    Product.objects.filter(sku="MUG").update(name="Mug")
    Product.objects.filter(sku="TEE").update(name="Tee")
    put_in_bin(catalog["MUG"], east, "A-10")
    put_in_bin(catalog["TEE"], east, "A-2")
    return {**catalog, "CAP": cap}


def pick_rows(html: str) -> list[str]:
    table = section(html, '<table class="table pick-table">', "</table>")
    return [text_of(row) for row in re.findall(r"<tr data-sku=.*?</tr>", table, flags=re.S)]


def test_the_pick_list_walks_the_bins_in_order_with_no_bin_last(
    client, binned, methods, web, warehouses, fulfillment_user
):
    first = ready_order(web, [("CAP", 1), ("MUG", 2)])
    second = ready_order(web, [("TEE", 1), ("MUG", 1)])
    pick_list = made_list(warehouses["EAST"], [first, second], fulfillment_user)
    client.force_login(fulfillment_user)
    html = client.get(pick_list_url(pick_list.number)).content.decode()
    assert pick_rows(html) == [
        f"A-2 1 TEE Tee 4006381000002 {second.number}",
        f"A-10 3 MUG Mug 4006381000001 {first.number} ×2, {second.number}",
        f"(no bin) 1 CAP Cap 7770000000003 {first.number}",
    ]
    assert "3 lines, 5 units, 2 parcels" in text_of(html)
    # Its number as a barcode to scan at the packing station, and the way to pack it.
    assert f'aria-label="Barcode {pick_list.number}"' in html
    assert f'href="{reverse("shipping:pack")}?batch={pick_list.number}"' in html
    parcels = section(html, '<table class="table pick-parcels"', "</table>")
    rows = [text_of(row) for row in re.findall(r"<tr data-parcel=.*?</tr>", parcels, re.S)]
    first_parcel, second_parcel = (Shipment.objects.get(order=order) for order in (first, second))
    assert rows[0].startswith(f"1 {first.number} {first_parcel.number} 3 Pending")
    assert rows[1].startswith(f"2 {second.number} {second_parcel.number} 2 Pending")


def test_the_pick_list_prints_clean_and_downloads_as_a_pdf(
    client, binned, methods, web, warehouses, fulfillment_user
):
    pick_list = made_list(warehouses["EAST"], [ready_order(web)], fulfillment_user)
    client.force_login(fulfillment_user)
    html = client.get(pick_list_url(pick_list.number)).content.decode()
    # The actions are not printed; the page has a print button.
    assert 'class="pick-actions no-print"' in html
    assert '<button type="button" class="button" data-print>Print</button>' in html
    response = client.get(reverse("shipping:pick_list_pdf", args=[pick_list.number]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{pick_list.number}.pdf"'
    assert response.content.startswith(b"%PDF")
    assert client.get(pick_list_url("PL-999999")).status_code == 404


def test_the_pick_list_page_costs_the_same_however_many_orders_it_holds(
    client, binned, methods, web, warehouses, fulfillment_user, django_assert_max_num_queries
):
    east = warehouses["EAST"]
    small = made_list(east, [ready_order(web)], fulfillment_user)
    mixed = [("MUG", 1), ("TEE", 2), ("CAP", 1)]
    large = made_list(east, [ready_order(web, mixed) for _ in range(6)], fulfillment_user)
    labelled(small, fulfillment_user)
    client.force_login(fulfillment_user)
    client.get(pick_list_url(small.number))  # warm the session and the user's roles
    with django_assert_max_num_queries(7) as few:
        client.get(pick_list_url(small.number))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(pick_list_url(large.number)).status_code == 200
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("shipping:pick_list_pdf", args=[large.number]))


# --- handing the parcels over --------------------------------------------------------------


def test_the_labelled_parcels_ship_in_one_go_with_one_message(
    client, catalog, methods, web, warehouses, fulfillment_user
):
    orders = [ready_order(web) for _ in range(3)]
    pick_list = made_list(warehouses["EAST"], orders, fulfillment_user)
    labelled(pick_list, fulfillment_user)
    client.force_login(fulfillment_user)
    html = client.get(pick_list_url(pick_list.number)).content.decode()
    assert "Mark 3 labelled parcels shipped" in html
    response = client.post(reverse("shipping:pick_list_ship", args=[pick_list.number]))
    assert response["Location"] == pick_list_url(pick_list.number)
    assert flashed(response) == ["Shipped 3 of 3."]
    assert set(pick_list.shipments.values_list("status", flat=True)) == {S.SHIPPED}
    assert set(
        Order.objects.filter(pk__in=[o.pk for o in orders]).values_list("status", flat=True)
    ) == {"shipped"}
    html = client.get(response["Location"]).content.decode()
    assert "labelled parcel" not in html


def test_a_parcel_that_cannot_ship_is_explained_in_the_same_single_message(
    client, catalog, methods, web, warehouses, fulfillment_user
):
    orders = [ready_order(web) for _ in range(3)]
    pick_list = made_list(warehouses["EAST"], orders, fulfillment_user)
    shipments = labelled(pick_list, fulfillment_user)
    order_hold(order=orders[1], reason=HoldReason.CUSTOMER_REQUEST, actor=fulfillment_user)
    client.force_login(fulfillment_user)
    response = client.post(reverse("shipping:pick_list_ship", args=[pick_list.number]))
    (message,) = flashed(response)
    assert text_of(message) == (
        f"Shipped 2 of 3; 1 could not be shipped. {shipments[1].number}: "
        f"Order {orders[1].number} is on hold: it cannot ship now."
    )
    assert '<details class="bulk-failures">' in message
    assert list(pick_list.shipments.order_by("id").values_list("status", flat=True)) == [
        S.SHIPPED,
        S.LABEL_READY,
        S.SHIPPED,
    ]


def test_shipping_a_list_without_labelled_parcels_ships_nothing(
    client, catalog, methods, web, warehouses, fulfillment_user
):
    pick_list = made_list(warehouses["EAST"], [ready_order(web)], fulfillment_user)
    client.force_login(fulfillment_user)
    response = client.post(reverse("shipping:pick_list_ship", args=[pick_list.number]))
    assert flashed(response) == [
        f"No parcel of {pick_list.number} has its label ready: none shipped."
    ]
    assert pick_list.shipments.get().status == S.PENDING
