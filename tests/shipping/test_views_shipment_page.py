"""The shipment page: the parcel, its lines, its label (PDF and ZPL), what the carrier said, and
the actions the person's role and the parcel's state allow — ship, cancel with a reason."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from orders.models import Order, OrderStatus
from orders.services import order_hold
from shipping.errors import ShippingError
from shipping.models import CarrierEventReceipt, ShipmentStatus, TrackingEvent
from shipping.services import carrier_event_receive, shipment_label_make, shipment_pack
from tests.shipping.factories import ShippingRateFactory
from tests.shipping.shipment_screens import (
    HTMX,
    fresh,
    labelled,
    parcel,
    shipment_url,
    shipped,
    text_of,
    tracked,
)

pytestmark = pytest.mark.django_db
S = ShipmentStatus


@pytest.fixture
def fulfillment(client, fulfillment_user):
    client.force_login(fulfillment_user)
    return client


@pytest.fixture
def stock(catalog, methods, web):
    return web


def section(html: str, title_id: str) -> str:
    start = html.index(f'id="{title_id}"')
    return html[start : html.index("</section>", start)]


def test_the_page_shows_the_parcel_its_order_method_cost_weight_and_promise(fulfillment, stock):
    shipment = parcel(stock, [("MUG", 2), ("TEE", 1)])
    html = fulfillment.get(shipment_url(shipment)).content.decode()
    facts = text_of(html[html.index('<dl class="facts">') : html.index("</dl>")])
    order = shipment.order
    assert f"Order {order.number} Warehouse EAST" in facts
    assert "Method Sandbox Parcel Ground Cost 5.00 USD Weight 1.00 kg" in facts
    assert f"Promised {shipment.promised_at:%Y-%m-%d}" in facts
    assert f'<a href="/orders/{order.number}/">{order.number}</a>' in html
    assert '<span class="badge shipment-pending">Pending</span>' in html
    lines = text_of(section(html, "lines-title"))
    assert "SKU Name Quantity Packed MUG" in lines
    assert re.search(r"MUG .+ 2 0 TEE .+ 1 0", lines)


def test_lines_show_what_was_packed(fulfillment, stock, fulfillment_user):
    shipment = labelled(parcel(stock, [("MUG", 2)]), fulfillment_user)
    lines = text_of(
        section(fulfillment.get(shipment_url(shipment)).content.decode(), "lines-title")
    )
    assert re.search(r"MUG .+ 2 2", lines)


def test_a_labelled_parcel_offers_its_label_as_pdf_and_zpl(fulfillment, stock, fulfillment_user):
    shipment = labelled(parcel(stock), fulfillment_user)
    html = fulfillment.get(shipment_url(shipment)).content.decode()
    label = section(html, "label-title")
    assert f'href="{shipment_url(shipment, "label_zpl")}" download>Download ZPL</a>' in label
    pdf_url = reverse("shipping:label_pdf", args=[shipment.pk])
    assert f'href="{pdf_url}">Download label (PDF)</a>' in label
    tracking = f'href="https://track.example.com/?n={shipment.tracking_number}"'
    assert tracking in html


def test_the_zpl_is_downloaded_as_text(fulfillment, stock, fulfillment_user):
    shipment = labelled(parcel(stock), fulfillment_user)
    response = fulfillment.get(shipment_url(shipment, "label_zpl"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{shipment.number}.zpl"'
    body = response.content.decode()
    assert body == shipment.label_zpl
    assert body.startswith("^XA") and shipment.tracking_number in body


def test_no_label_yet_means_no_downloads_and_no_zpl(fulfillment, stock):
    shipment = parcel(stock)
    label = section(fulfillment.get(shipment_url(shipment)).content.decode(), "label-title")
    assert "No label: it is made once the parcel is packed." in label
    assert "Download" not in label
    assert fulfillment.get(shipment_url(shipment, "label_zpl")).status_code == 404


def test_a_label_the_carrier_refused_says_why(fulfillment, stock, fulfillment_user):
    shipment = parcel(stock)
    # Our rates go to 40 kg; the carrier takes 30 kg at most.
    ShippingRateFactory(method=shipment.method, up_to_grams=40_000, base=Decimal("30.00"))
    shipment_pack(shipment=shipment, actor=fulfillment_user, unscanned=True, weight_grams=31_000)
    shipment_label_make(shipment_id=shipment.pk)
    html = fulfillment.get(shipment_url(shipment)).content.decode()
    assert '<span class="badge shipment-packed">Packed</span>' in html
    assert re.search(r'<p class="label-error" role="alert">[^<]*heavy', html)


def test_tracking_history_is_newest_first_with_the_carrier_receipts(
    fulfillment, stock, fulfillment_user
):
    shipment = shipped(parcel(stock), fulfillment_user)
    tracked(shipment, "in_transit", minutes=10, description="Left the depot")
    tracked(shipment, "out_for_delivery", minutes=20, description="On the van")
    tracked(shipment, "in_transit", minutes=10, description="Left the depot")  # a repeat
    assert TrackingEvent.objects.filter(shipment=shipment).count() == 2
    html = fulfillment.get(shipment_url(shipment)).content.decode()
    history = [
        text_of(row) for row in re.findall(r'<tr class="tracking-event">.*?</tr>', html, re.S)
    ]
    assert [row.split(" ", 2)[2] for row in history] == [
        "Out for delivery Newark, NJ On the van",
        "In transit Newark, NJ Left the depot",
    ]
    receipts = [text_of(row) for row in re.findall(r'<tr class="receipt-row">.*?</tr>', html, re.S)]
    assert receipts == [
        f"{receipt:%Y-%m-%d %H:%M:%S} Sandbox Parcel {event} {outcome}"
        for receipt, event, outcome in zip(
            received_at(shipment),
            (
                "in_transit Left the depot",
                "out_for_delivery On the van",
                "in_transit Left the depot",
            ),
            ("Duplicate (already recorded)", "Recorded", "Recorded"),
            strict=True,
        )
    ]


def received_at(shipment) -> list:
    return [
        timezone.localtime(at)
        for at in CarrierEventReceipt.objects.filter(shipment=shipment)
        .order_by("-received_at", "-id")
        .values_list("received_at", flat=True)
    ]


def test_an_unreadable_carrier_delivery_with_its_tracking_number_is_listed_too(
    fulfillment, stock, fulfillment_user
):
    shipment = shipped(parcel(stock), fulfillment_user)
    with pytest.raises(ShippingError):
        carrier_event_receive(
            carrier=shipment.method.carrier,
            payload={"tracking_number": shipment.tracking_number, "status": "teleported"},
        )
    receipt = CarrierEventReceipt.objects.get(tracking_number=shipment.tracking_number)
    assert receipt.shipment is None
    html = fulfillment.get(shipment_url(shipment)).content.decode()
    (row,) = re.findall(r'<tr class="receipt-row">.*?</tr>', html, re.S)
    assert "teleported" in row and "Invalid event" in row
    assert "Nothing from the carrier yet." in html


# --- actions --------------------------------------------------------------------------------


def test_fulfillment_marks_a_labelled_parcel_shipped_from_the_page(
    fulfillment, stock, fulfillment_user
):
    shipment = labelled(parcel(stock), fulfillment_user)
    page = fulfillment.get(shipment_url(shipment)).content.decode()
    assert "Tracking number (if the carrier or 3PL gave one)" not in page  # it has one
    response = fulfillment.post(shipment_url(shipment, "shipment_ship"), headers=HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="shipment"')
    assert f"{shipment.number} shipped, tracking {shipment.tracking_number}." in html
    assert '<span class="badge shipment-shipped">Shipped</span>' in html
    assert ">Mark shipped</button>" not in html and "Cancel shipment" not in html
    assert fresh(shipment).status == S.SHIPPED
    assert Order.objects.get(pk=shipment.order_id).status == OrderStatus.SHIPPED


def test_a_3pl_tracking_number_can_be_given_when_shipping_by_hand(fulfillment, stock):
    shipment = parcel(stock)
    url = shipment_url(shipment, "shipment_ship")
    response = fulfillment.post(url, {"tracking_number": " 3PL-778899 "})
    assert (response.status_code, response["Location"]) == (302, shipment_url(shipment))
    assert (fresh(shipment).status, fresh(shipment).tracking_number) == (S.SHIPPED, "3PL-778899")


def test_shipping_is_refused_with_the_reason_while_the_order_is_on_hold(
    fulfillment, stock, support_user
):
    shipment = parcel(stock)
    order_hold(order=shipment.order, reason="customer_request", actor=support_user)
    response = fulfillment.post(shipment_url(shipment, "shipment_ship"), headers=HTMX)
    html = response.content.decode()
    assert f"Order {shipment.order.number} is on hold: it cannot ship now." in html
    assert 'class="flash flash-error"' in html
    assert fresh(shipment).status == S.PENDING


def test_a_tracking_number_of_another_parcel_is_refused_beside_the_field(
    fulfillment, stock, fulfillment_user
):
    other = labelled(parcel(stock), fulfillment_user)
    shipment = parcel(stock)
    response = fulfillment.post(
        shipment_url(shipment, "shipment_ship"),
        {"tracking_number": other.tracking_number},
        headers=HTMX,
    )
    html = response.content.decode()
    assert f"Tracking number {other.tracking_number} belongs to another parcel." in html
    assert '<small class="error" role="alert">Already used.</small>' in html
    assert f'value="{other.tracking_number}"' in html  # what was typed stays
    assert fresh(shipment).status == S.PENDING


def test_cancel_with_a_reason(client, support_user, stock):
    shipment = parcel(stock)
    client.force_login(support_user)
    response = client.post(
        shipment_url(shipment, "shipment_cancel"), {"reason": "customer moved"}, headers=HTMX
    )
    html = response.content.decode()
    assert (
        f"{shipment.number} cancelled; its units stay allocated to {shipment.order.number}." in html
    )
    assert '<span class="badge shipment-cancelled">Cancelled</span>' in html
    assert fresh(shipment).status == S.CANCELLED
    event = shipment.order.events.get(type="shipment_cancelled")
    assert "customer moved" in event.message and event.actor == support_user


def test_cancel_needs_a_reason_and_changes_nothing_without_one(fulfillment, stock):
    shipment = parcel(stock)
    response = fulfillment.post(
        shipment_url(shipment, "shipment_cancel"), {"reason": "  "}, headers=HTMX
    )
    assert "Say why the shipment is cancelled." in response.content.decode()
    assert fresh(shipment).status == S.PENDING


def test_a_shipped_parcel_cannot_be_cancelled(fulfillment, stock, fulfillment_user):
    shipment = shipped(parcel(stock), fulfillment_user)
    page = fulfillment.get(shipment_url(shipment)).content.decode()
    assert "Cancel shipment" not in page
    response = fulfillment.post(
        shipment_url(shipment, "shipment_cancel"), {"reason": "oops"}, headers=HTMX
    )
    assert "only a parcel that has not shipped can be cancelled" in response.content.decode()
    assert fresh(shipment).status == S.SHIPPED


def test_support_may_cancel_but_not_ship(client, support_user, stock):
    shipment = parcel(stock)
    client.force_login(support_user)
    html = client.get(shipment_url(shipment)).content.decode()
    assert "Cancel shipment" in html
    assert ">Mark shipped</button>" not in html


def test_an_unknown_shipment_is_404(fulfillment, stock):
    assert fulfillment.get(reverse("shipping:shipment", args=[999_999])).status_code == 404


def test_htmx_gets_the_shipment_partial_and_a_history_restore_the_page(fulfillment, stock):
    shipment = parcel(stock)
    partial = fulfillment.get(shipment_url(shipment), headers=HTMX).content.decode()
    assert partial.lstrip().startswith('<div id="shipment"')
    restore = fulfillment.get(
        shipment_url(shipment), headers={**HTMX, "HX-History-Restore-Request": "true"}
    ).content.decode()
    assert restore.lstrip().startswith("<!doctype html>")
