"""The packing station: scanning a pick list or an order opens its next parcel, each item
scanned ticks its line, a wrong or extra item is refused loudly and changes nothing, the last
unit completes the parcel and asks for its label, the station follows the label until it can be
printed, and the batch's next parcel opens by itself."""

import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from shipping.carriers.base import declined
from shipping.models import Shipment, ShipmentLine, ShipmentStatus
from shipping.services import (
    pick_list_create,
    shipment_label_make,
    shipment_pack,
    shipment_scan,
    shipments_create,
)
from tests.inventory.factories import ProductFactory, give_stock
from tests.shipping.pick_pack import HTMX, PACK, ready_order, scan, section, text_of

pytestmark = pytest.mark.django_db
S = ShipmentStatus
MUG, TEE = "4006381000001", "4006381000002"


@pytest.fixture(autouse=True)
def _labels_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def orders(catalog, methods, web):
    """Three ready orders at EAST: 2 MUG + 1 TEE, then 1 MUG, then 1 TEE; due in a week or so,
    so that Ground makes the ship-by whatever day the test runs (and is pre-selected)."""
    return [
        ready_order(web, [("MUG", 2), ("TEE", 1)], due_in_hours=200),
        ready_order(web, [("MUG", 1)], due_in_hours=210),
        ready_order(web, [("TEE", 1)], due_in_hours=220),
    ]


@pytest.fixture
def pick_list(orders, warehouses, fulfillment_user):
    return pick_list_create(
        warehouse=warehouses["EAST"], orders=orders, actor=fulfillment_user
    ).pick_list


@pytest.fixture
def parcels(pick_list) -> list[Shipment]:
    return list(pick_list.shipments.order_by("id"))


@pytest.fixture
def packer(client, fulfillment_user):
    client.force_login(fulfillment_user)
    return client


def station(response) -> str:
    return response.content.decode()


def open_parcel(html: str) -> str:
    """The number of the parcel the station shows (the hidden `parcel` field)."""
    return re.search(r'name="parcel" value="([^"]*)"', html).group(1)


def packed_counts(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-testid="packed-(\w+)">([^<]*)<', html))


def alert(html: str) -> str:
    return text_of(re.search(r'<div[^>]* role="alert">(.*?)</div>', html, re.S).group(1))


def packed(shipment: Shipment) -> list[int]:
    return list(shipment.lines.order_by("id").values_list("quantity_packed", flat=True))


# --- opening a parcel ----------------------------------------------------------------------


def test_scanning_a_pick_list_opens_its_first_parcel_to_pack(packer, pick_list, parcels, orders):
    html = station(scan(packer, pick_list.number.lower()))
    assert open_parcel(html) == parcels[0].number
    assert f"Packing {parcels[0].number} for {orders[0].number}: scan its items." in html
    assert f"Parcel 1 of 3 in {pick_list.number}" in text_of(html)
    assert packed_counts(html) == {"MUG": "0 of 2", "TEE": "0 of 1"}
    assert 'name="code"' not in section(html, 'name="batch"', 'id="pack-batch"')


def test_the_station_opens_a_pick_list_from_its_link_too(packer, pick_list, parcels):
    response = packer.get(PACK, {"batch": pick_list.number})
    assert response.status_code == 200
    html = station(response)
    assert open_parcel(html) == parcels[0].number
    # A whole page, its scan field focused for the scanner.
    assert re.search(r'<input type="text" id="pack-code" name="code"[^>]* autofocus', html)


def test_scanning_an_order_number_opens_its_parcel(packer, pick_list, parcels, orders):
    html = station(scan(packer, orders[2].number))
    assert open_parcel(html) == parcels[2].number
    # The parcel belongs to the list: the station goes on with the list's parcels.
    assert f'name="batch" value="{pick_list.number}"' in html


def test_an_order_packed_on_its_own_is_its_own_batch(
    packer, catalog, methods, web, django_capture_on_commit_callbacks
):
    order = ready_order(web, [("TEE", 1)], due_in_hours=200)
    (parcel,) = shipments_create(order=order)
    html = station(scan(packer, order.number))
    assert open_parcel(html) == parcel.number
    assert f'name="batch" value="{order.number}"' in html
    assert f'Order <a href="{reverse("orders:detail", args=[order.number])}">' in html
    with django_capture_on_commit_callbacks(execute=True):
        html = station(scan(packer, TEE, batch=order.number, parcel=parcel.number))
    assert "label requested. Nothing left to pack in this batch." in html
    # A pick list's ship button is not offered for an order.
    assert "labelled parcel" not in html


def test_an_unknown_number_or_an_item_without_a_parcel_is_refused(packer, pick_list):
    html = station(scan(packer, "PL-999999"))
    assert alert(html) == "Refused No pick list or order has the number PL-999999."
    html = station(scan(packer, MUG))
    assert alert(html) == "Refused No parcel is open: scan a pick list or an order number first."
    assert not ShipmentLine.objects.filter(quantity_packed__gt=0).exists()


# --- scanning items ------------------------------------------------------------------------


def test_each_scan_ticks_one_unit_of_its_line(packer, pick_list, parcels):
    first = parcels[0]
    html = station(scan(packer, MUG, batch=pick_list.number, parcel=first.number))
    assert packed_counts(html) == {"MUG": "1 of 2", "TEE": "0 of 1"}
    assert 'role="status">MUG: 1 of 2 packed.</div>' in html
    assert re.search(r'<tr class="pack-line is-latest" data-sku="MUG">', html)
    html = station(scan(packer, "tee", batch=pick_list.number, parcel=first.number))
    assert packed_counts(html)["TEE"] == "1 of 1"
    assert re.search(r'<tr class="pack-line is-done is-latest" data-sku="TEE">', html)
    assert 'aria-label="all packed">✓' in html
    assert packed(first) == [1, 1]
    assert Shipment.objects.get(pk=first.pk).status == S.PENDING


def test_a_wrong_item_is_refused_loudly_and_changes_nothing(packer, pick_list, parcels):
    first = parcels[0]
    scan(packer, MUG, batch=pick_list.number, parcel=first.number)
    response = scan(packer, "0000000000000", batch=pick_list.number, parcel=first.number)
    html = station(response)
    assert response.status_code == 200
    assert alert(html) == (
        f"Refused “0000000000000” is not in shipment {first.number}: it holds MUG, TEE."
    )
    assert '<div class="scan-outcome scan-refused" role="alert">' in html
    # The same parcel stays open with what it had.
    assert open_parcel(html) == first.number
    assert packed_counts(html) == {"MUG": "1 of 2", "TEE": "0 of 1"}
    assert packed(first) == [1, 0]


def test_an_extra_unit_is_refused(packer, pick_list, parcels):
    first = parcels[0]
    scan(packer, TEE, batch=pick_list.number, parcel=first.number)
    html = station(scan(packer, TEE, batch=pick_list.number, parcel=first.number))
    assert alert(html) == "Refused All 1 × TEE are packed already: this one is extra."
    assert packed(first) == [0, 1]


def test_a_scan_never_goes_into_a_parcel_the_worker_does_not_see(
    packer, pick_list, parcels, fulfillment_user, django_capture_on_commit_callbacks
):
    second = parcels[1]
    # Someone packed the second parcel at another bench meanwhile.
    with django_capture_on_commit_callbacks(execute=True):
        scan(packer, MUG, batch=pick_list.number, parcel=second.number)
    html = station(scan(packer, MUG, batch=pick_list.number, parcel=second.number))
    assert alert(html) == (
        f"Refused {second.number} is not waiting to be packed any more: "
        f"{parcels[0].number} is open now."
    )
    assert packed(parcels[0]) == [0, 0]


# --- completing the parcel -----------------------------------------------------------------


def test_the_last_unit_completes_the_parcel_and_the_next_one_opens(
    packer, pick_list, parcels, orders, django_capture_on_commit_callbacks
):
    first, second = parcels[0], parcels[1]
    for code in (MUG, MUG):
        scan(packer, code, batch=pick_list.number, parcel=first.number)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = scan(packer, TEE, batch=pick_list.number, parcel=first.number)
    html = station(response)
    assert len(callbacks) == 1  # the label is queued after commit
    first.refresh_from_db()
    assert first.status == S.LABEL_READY and first.packed_at and first.tracking_number
    assert (first.weight_grams, first.method.code) == (1000, "ground")
    assert (
        f"{first.number} packed for {orders[0].number}: label requested. "
        f"Next: {second.number} for {orders[1].number}."
    ) in html
    assert open_parcel(html) == second.number
    assert packed_counts(html) == {"MUG": "0 of 1"}
    assert response["HX-Replace-Url"] == f"{PACK}?batch={pick_list.number}&parcel={second.number}"
    # The finished parcel's label is one click away in the batch panel (the label was made at
    # commit, after this test's answer was drawn: ask the panel again).
    poll = reverse("shipping:pack_batch", args=[pick_list.number])
    batch = station(packer.get(poll, headers=HTMX))
    label = reverse("shipping:label_pdf", args=[first.pk])
    assert f'href="{label}" target="_blank"' in batch


def test_after_the_last_parcel_the_batch_waits_to_be_shipped(
    packer, pick_list, parcels, django_capture_on_commit_callbacks
):
    for code, parcel in ((MUG, 0), (MUG, 0), (TEE, 0), (MUG, 1), (TEE, 2)):
        with django_capture_on_commit_callbacks(execute=True):
            response = scan(packer, code, batch=pick_list.number, parcel=parcels[parcel].number)
    assert "Nothing left to pack in this batch." in station(response)
    html = station(packer.get(response["HX-Replace-Url"]))
    assert open_parcel(html) == ""
    assert f"Nothing left to pack in {pick_list.number}." in html
    ship = reverse("shipping:pick_list_ship", args=[pick_list.number])
    assert f'formaction="{ship}">Mark 3 labelled parcels shipped</button>' in html
    assert html.count(">Print label<") == 3
    # Shipping from the station goes on to the pick list page.
    response = packer.post(ship, {"batch": pick_list.number}, headers=HTMX)
    assert response["HX-Redirect"] == reverse("shipping:pick_list", args=[pick_list.number])
    assert set(pick_list.shipments.values_list("status", flat=True)) == {S.SHIPPED}


def test_weight_and_method_can_be_changed_before_the_last_scan(
    packer, pick_list, parcels, methods, django_capture_on_commit_callbacks
):
    second = parcels[1]
    html = station(packer.get(PACK, {"batch": pick_list.number, "parcel": second.number}))
    # Ground is pre-selected; Express is offered with its price and date.
    choices = section(html, '<fieldset class="pack-choices">', "</fieldset>")
    assert 'value="400"' in choices
    ground, express = methods["ground"], methods["express"]
    assert f'value="{ground.pk}" checked' in choices
    assert "Sandbox Parcel Express 15.00 USD" in text_of(choices)
    with django_capture_on_commit_callbacks(execute=True):
        scan(
            packer,
            MUG,
            batch=pick_list.number,
            parcel=second.number,
            weight_grams=650,
            method=express.pk,
        )
    second.refresh_from_db()
    assert (second.weight_grams, second.method, second.cost) == (650, express, 15)
    assert second.status == S.LABEL_READY


def test_a_warning_shows_when_no_method_makes_the_ship_by(packer, catalog, methods, web):
    late = ready_order(web, [("MUG", 1)], due_in_hours=-2)
    (parcel,) = shipments_create(order=late)
    html = station(packer.get(PACK, {"parcel": parcel.number}))
    choices = text_of(section(html, '<fieldset class="pack-choices">', "</fieldset>"))
    assert (
        "No method gets this parcel out by its ship-by date and to the customer by the "
        "promised day: the soonest is pre-selected."
    ) in choices
    assert choices.count("misses ship-by") == 2
    # The soonest (Express) is pre-selected, as rate shopping chose it.
    assert f'value="{methods["express"].pk}" checked' in html


def test_a_worker_may_stop_before_completing_to_weigh_the_parcel(
    packer, pick_list, parcels, django_capture_on_commit_callbacks
):
    second = parcels[1]
    html = station(scan(packer, MUG, batch=pick_list.number, parcel=second.number, review="on"))
    assert "Every unit is in: check weight and method, then complete." in html
    assert Shipment.objects.get(pk=second.pk).status == S.PENDING
    assert 'name="review" value="on" checked' in html
    with django_capture_on_commit_callbacks(execute=True):
        html = station(
            packer.post(
                PACK,
                {
                    "batch": pick_list.number,
                    "parcel": second.number,
                    "weight_grams": 520,
                    "intent": "complete",
                    "review": "on",
                },
                headers=HTMX,
            )
        )
    second.refresh_from_db()
    assert (second.status, second.weight_grams) == (S.LABEL_READY, 520)
    # The next parcel after it opens (the first one, skipped, waits its turn).
    assert open_parcel(html) == parcels[2].number


def test_a_parcel_cannot_be_completed_with_units_missing_unless_asked(
    packer, pick_list, parcels, django_capture_on_commit_callbacks
):
    first = parcels[0]
    scan(packer, MUG, batch=pick_list.number, parcel=first.number)
    data = {"batch": pick_list.number, "parcel": first.number, "intent": "complete"}
    html = station(packer.post(PACK, data, headers=HTMX))
    assert alert(html).startswith(f"Refused {first.number} is not packed: 2 unit(s)")
    assert Shipment.objects.get(pk=first.pk).status == S.PENDING
    with django_capture_on_commit_callbacks(execute=True):
        packer.post(PACK, {**data, "intent": "complete_partial"}, headers=HTMX)
    first.refresh_from_db()
    assert first.status == S.LABEL_READY
    assert [(line.order_line.sku, line.quantity) for line in first.lines.all()] == [("MUG", 1)]


# --- the label -----------------------------------------------------------------------------


def test_the_station_follows_the_label_until_it_can_be_printed(
    packer, pick_list, parcels, monkeypatch, django_capture_on_commit_callbacks
):
    # No worker makes the label until the test says so.
    monkeypatch.setattr("shipping.services.packing.enqueue_label", lambda pk: None)
    third = parcels[2]
    with django_capture_on_commit_callbacks(execute=True):
        html = station(scan(packer, TEE, batch=pick_list.number, parcel=third.number))
    assert Shipment.objects.get(pk=third.pk).status == S.LABEL_PENDING
    poll = reverse("shipping:pack_batch", args=[pick_list.number])
    assert f'hx-get="{poll}?parcel={parcels[0].number}" hx-trigger="every 1s"' in html
    batch = station(packer.get(poll, headers=HTMX))
    assert "A label is being made; this updates by itself." in batch
    assert 'hx-trigger="every 1s"' in batch and ">Print label<" not in batch

    shipment_label_make(shipment_id=third.pk)

    batch = station(packer.get(poll, headers=HTMX))
    assert ">Print label<" in batch
    assert 'hx-trigger="every 1s"' not in batch
    label = packer.get(reverse("shipping:label_pdf", args=[third.pk]))
    assert label.status_code == 200
    assert label["Content-Type"] == "application/pdf"
    assert b"".join(label.streaming_content).startswith(b"%PDF")


def test_a_refused_label_can_be_asked_for_again(
    packer, pick_list, parcels, monkeypatch, django_capture_on_commit_callbacks
):
    third = parcels[2]
    refused = declined("no_postal_code", "Postal code unknown")
    monkeypatch.setattr(
        "shipping.carriers.sandbox.SandboxCarrier.create_label", lambda self, request: refused
    )
    with django_capture_on_commit_callbacks(execute=True):
        scan(packer, TEE, batch=pick_list.number, parcel=third.number)
    html = station(packer.get(PACK, {"batch": pick_list.number}))
    assert "Postal code unknown" in section(html, 'id="pack-batch"', "</section>")
    assert f'name="label_retry" value="{third.pk}"' in html
    monkeypatch.undo()
    monkeypatch.setattr("shipping.services.packing.enqueue_label", lambda pk: None)
    with django_capture_on_commit_callbacks(execute=True):
        html = station(
            packer.post(PACK, {"batch": pick_list.number, "label_retry": third.pk}, headers=HTMX)
        )
    assert f"Asked the carrier again for the label of {third.number}." in html
    assert Shipment.objects.get(pk=third.pk).status == S.LABEL_PENDING


def test_the_label_is_for_staff_who_see_shipments(
    client, pick_list, parcels, support_user, no_role_user, django_capture_on_commit_callbacks
):
    third = parcels[2]
    url = reverse("shipping:label_pdf", args=[third.pk])
    client.force_login(support_user)
    assert client.get(url).status_code == 404  # no label yet
    shipment_scan(shipment=third, code=TEE, actor=None)
    shipment_pack(shipment=third, actor=None)
    shipment_label_make(shipment_id=third.pk)
    assert client.get(url).status_code == 200
    client.force_login(no_role_user)
    assert client.get(url).status_code == 403
    client.logout()
    assert client.get(url)["Location"].startswith(reverse("login"))


def test_a_label_whose_file_is_gone_from_storage_is_a_404(client, pick_list, parcels, support_user):
    third = parcels[2]
    shipment_scan(shipment=third, code=TEE, actor=None)
    shipment_pack(shipment=third, actor=None)
    shipment_label_make(shipment_id=third.pk)
    shipment = Shipment.objects.get(pk=third.pk)
    shipment.label_pdf.storage.delete(shipment.label_pdf.name)
    client.force_login(support_user)

    assert client.get(reverse("shipping:label_pdf", args=[third.pk])).status_code == 404


# --- without htmx, and what it costs -------------------------------------------------------


def test_a_plain_post_flashes_the_outcome_and_redirects(packer, pick_list, parcels):
    first = parcels[0]
    response = packer.post(
        PACK, {"code": "nope", "batch": pick_list.number, "parcel": first.number}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{PACK}?batch={pick_list.number}&parcel={first.number}"
    (message,) = get_messages(response.wsgi_request)
    assert message.level_tag == "error" and "is not in shipment" in str(message)
    html = station(packer.get(response["Location"]))
    assert 'class="flash flash-error" role="alert"' in html


def test_the_station_costs_the_same_however_many_lines_and_parcels(
    packer, catalog, methods, web, warehouses, fulfillment_user, django_assert_max_num_queries
):
    east = warehouses["EAST"]
    products = [
        ProductFactory(sku=f"BIG{index}", barcode=f"777000000010{index}") for index in range(6)
    ]
    for product in products:
        give_stock(product, east, 10)
    many_lines = [(product.sku, 2) for product in products]
    small = pick_list_create(
        warehouse=east, orders=[ready_order(web, [("MUG", 2)])], actor=fulfillment_user
    )
    big = pick_list_create(
        warehouse=east,
        orders=[ready_order(web, many_lines) for _ in range(4)],
        actor=fulfillment_user,
    )
    packer.get(PACK, {"batch": small.pick_list.number})  # the session is read once
    with django_assert_max_num_queries(10) as few:
        packer.get(PACK, {"batch": small.pick_list.number})
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = station(packer.get(PACK, {"batch": big.pick_list.number}))
    assert len(packed_counts(html)) == 6
    # A scan that ticks a unit (and is not the last) costs the same too.
    small_parcel, big_parcel = small.shipments[0], big.shipments[0]
    with django_assert_max_num_queries(18) as one_line:
        scan(packer, MUG, batch=small.pick_list.number, parcel=small_parcel.number)
    with django_assert_max_num_queries(len(one_line.captured_queries)):
        html = station(
            scan(
                packer,
                products[0].barcode,
                batch=big.pick_list.number,
                parcel=big_parcel.number,
            )
        )
    assert packed_counts(html)["BIG0"] == "1 of 2"
