"""`/api/v1/` for shipping: parcels for an order, a shipment, shipping it, its label, and the
carriers' signed tracking webhook (hostile bodies included); one test with a real worker."""

import io
import json
import re
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pypdf import PdfReader
from rest_framework.test import APIClient

from inventory.models import StockLevel, StockMovement
from oms.celery import app as celery_app
from oms.models import IdempotencyKey
from oms.webhooks.signing import sign_payload
from orders.models import HoldReason, Order, OrderStatus
from orders.services import order_hold
from payments.models import PaymentTransaction
from shipping.models import (
    Carrier,
    CarrierEventReceipt,
    Shipment,
    ShipmentStatus,
    TrackingEvent,
)
from shipping.services import (
    WantedUnits,
    shipment_cancel,
    shipment_label_make,
    shipment_pack,
    shipment_ship,
    shipments_create,
)
from tests.concurrency import wait_for
from tests.orders.factories import SalesChannelFactory, address, capture
from tests.orders.test_api import channel_api, staff_api
from tests.payments.factories import card, run_owed
from tests.shipping.factories import CarrierFactory

pytestmark = pytest.mark.django_db
S = ShipmentStatus
R = CarrierEventReceipt.Outcome
SECRET = "test-carrier-secret"  # CarrierFactory's


@pytest.fixture(autouse=True)
def _labels_in_a_temporary_media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def order(catalog, methods, web):
    """2 MUG + 1 TEE, paid by card (authorized), all allocated at EAST."""
    order = capture(
        web, [("MUG", 2, "10.00"), ("TEE", 1, "20.00")], payment=card(), shipping_total=5
    )
    run_owed()
    return order


@pytest.fixture
def split_order(catalog, methods, web):
    """1 MUG from EAST and 2 TEE from WEST (EAST keeps its TEEs as safety stock)."""
    StockLevel.objects.filter(product__sku="TEE", warehouse__code="EAST").update(safety_stock=20)
    return capture(web, [("MUG", 1, "10.00"), ("TEE", 2, "20.00")])


def _create_url(order) -> str:
    return f"/api/v1/orders/{order.number}/shipments/"


def _url(shipment, what="") -> str:
    return f"/api/v1/shipments/{shipment.pk}/{what}"


def _lines(shipment_json) -> list[tuple[str, int]]:
    return [(line["sku"], line["quantity"]) for line in shipment_json["lines"]]


def _error(response) -> dict:
    return response.json()["error"]


# --- creating parcels -----------------------------------------------------------------------


def test_a_split_order_gets_a_packed_parcel_per_warehouse_with_its_label_queued(
    split_order, fulfillment_user
):
    response = staff_api(fulfillment_user).post(_create_url(split_order), {}, format="json")
    assert response.status_code == 201, response.json()
    east, west = response.json()["results"]
    assert (east["warehouse"], _lines(east)) == ("EAST", [("MUG", 1)])
    assert (west["warehouse"], _lines(west)) == ("WEST", [("TEE", 2)])
    for parcel in (east, west):
        assert parcel["order"] == split_order.number
        assert parcel["number"] == f"SH-{parcel['id']:06d}"
        assert (parcel["status"], parcel["shipping_method"], parcel["carrier"]) == (
            "label_pending",
            "ground",
            "sbx",
        )
        assert (parcel["cost"], parcel["currency"]) == ("5.00", "USD")
        assert parcel["label_url"] is None and parcel["tracking_url"] is None
        assert parcel["tracking_number"] == "" and parcel["events"] == []
        assert parcel["promised_at"] and parcel["shipped_at"] is None
    assert (east["weight_grams"], west["weight_grams"]) == (400, 400)
    rows = Shipment.objects.filter(order=split_order).order_by("id")
    assert [(s.status, s.label_requested_at is not None) for s in rows] == [
        (S.LABEL_PENDING, True),
        (S.LABEL_PENDING, True),
    ]
    assert all(
        line.quantity_packed == line.quantity for s in rows for line in s.lines.all()
    )  # packed without a scan station
    assert Order.objects.get(pk=split_order.pk).status == OrderStatus.FULFILLING


def test_named_lines_make_a_partial_parcel_and_the_rest_stays_for_later(order, fulfillment_user):
    api = staff_api(fulfillment_user)
    response = api.post(
        _create_url(order),
        {"lines": [{"sku": "MUG", "quantity": 1}], "shipping_method": "express"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    (parcel,) = response.json()["results"]
    assert (_lines(parcel), parcel["shipping_method"], parcel["cost"]) == (
        [("MUG", 1)],
        "express",
        "15.00",
    )
    rest = api.post(_create_url(order), {"warehouse": "EAST"}, format="json")
    assert rest.status_code == 201, rest.json()
    assert _lines(rest.json()["results"][0]) == [("MUG", 1), ("TEE", 1)]


def test_more_units_than_are_free_is_a_400_naming_the_line_and_creates_nothing(
    order, fulfillment_user
):
    api = staff_api(fulfillment_user)
    response = api.post(_create_url(order), {"lines": [{"sku": "MUG", "quantity": 3}]})
    assert response.status_code == 400
    error = _error(response)
    assert error["code"] == "shipping_error"
    assert error["fields"] == {
        "lines.0.quantity": ["Only 2 of MUG are allocated and not in a parcel yet."]
    }
    second = api.post(
        _create_url(order),
        {"lines": [{"sku": "TEE", "quantity": 1}, {"sku": "MUG", "quantity": 3}]},
        format="json",
    )
    assert list(_error(second)["fields"]) == ["lines.1.quantity"]
    assert not Shipment.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"shipping_method": "teleport"}, "shipping_method"),
        ({"warehouse": "MOON"}, "warehouse"),
        ({"lines": []}, "lines.non_field_errors"),
        ({"lines": [{"sku": "MUG", "quantity": 0}]}, "lines.0.quantity"),
        ({"lines": [{"sku": "MUG", "quantity": 10**30}]}, "lines.0.quantity"),
        ({"lines": [{"sku": "MUG\x00", "quantity": 1}]}, "lines.0.sku"),
        ({"lines": [{"sku": ["MUG"], "quantity": 1}]}, "lines.0.sku"),
        ({"lines": "MUG"}, "lines.non_field_errors"),
        ({"label": "maybe"}, "label"),
        ([{"sku": "MUG"}], "non_field_errors"),
    ],
)
def test_an_invalid_create_body_is_a_400_naming_the_field(order, fulfillment_user, body, field):
    response = staff_api(fulfillment_user).post(_create_url(order), body, format="json")
    assert response.status_code == 400
    error = _error(response)
    assert error["code"] == "validation_error"
    assert field in error["fields"], error
    assert not Shipment.objects.exists()


@pytest.mark.parametrize(
    "raw",
    [b"[" * 5000 + b"]" * 5000, b'{"label": NaN}', b'{"label": true', b"\xff\xfe", b"\x00"],
    ids=["deep nesting", "NaN", "truncated", "not utf-8", "nul byte"],
)
def test_a_malformed_body_is_a_400_on_create_and_ship(order, fulfillment_user, raw):
    (shipment,) = shipments_create(order=order, wanted=[WantedUnits("MUG", 1)])
    api = staff_api(fulfillment_user)
    for url in (_create_url(order), _url(shipment, "ship/")):
        response = api.post(
            url, data=raw, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1"
        )
        assert response.status_code == 400, url
        assert _error(response)["code"] == "validation_error"
    assert Shipment.objects.get().status == S.PENDING


def test_label_false_leaves_the_parcels_pending_for_a_3pl(split_order, fulfillment_user):
    response = staff_api(fulfillment_user).post(
        _create_url(split_order), {"label": False}, format="json"
    )
    assert response.status_code == 201
    assert [parcel["status"] for parcel in response.json()["results"]] == ["pending", "pending"]
    assert list(Shipment.objects.values_list("status", "label_requested_at")) == [
        (S.PENDING, None),
        (S.PENDING, None),
    ]


def test_a_parcel_no_method_can_carry_is_refused_whole(order, fulfillment_user, methods):
    methods["ground"].rates.update(up_to_grams=100)
    methods["express"].rates.update(up_to_grams=100)
    response = staff_api(fulfillment_user).post(_create_url(order), {}, format="json")
    assert response.status_code == 400
    assert _error(response)["fields"] == {"shipping_method": ["Required for a label."]}
    assert not Shipment.objects.exists()  # created and refused in one transaction


def test_the_same_idempotency_key_replays_the_parcels_and_another_body_is_422(
    split_order, fulfillment_user
):
    api = staff_api(fulfillment_user)
    key = {"HTTP_IDEMPOTENCY_KEY": "ship-split-1"}
    first = api.post(_create_url(split_order), {}, format="json", **key)
    again = api.post(_create_url(split_order), {}, format="json", **key)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert Shipment.objects.count() == 2
    other = api.post(_create_url(split_order), {"label": False}, format="json", **key)
    assert other.status_code == 422
    assert _error(other)["code"] == "idempotency_key_reused"
    assert Shipment.objects.count() == 2


def test_a_held_order_gets_no_parcels(order, support_user, fulfillment_user):
    order_hold(order=order, reason=HoldReason.CUSTOMER_REQUEST, actor=support_user)
    response = staff_api(fulfillment_user).post(_create_url(order), {}, format="json")
    assert response.status_code == 409
    assert _error(response)["code"] == "invalid_transition"


def test_a_channel_key_makes_parcels_for_its_own_orders_only(order, web):
    assert channel_api(web).post(_create_url(order), {}, format="json").status_code == 201
    other = channel_api(SalesChannelFactory(code="other"))
    response = other.post(_create_url(order), {}, format="json")
    assert response.status_code == 404
    assert _error(response)["code"] == "not_found"
    assert Shipment.objects.count() == 1
    event = order.events.get(type="shipment_created")
    assert event.actor_label == "api:web storefront"


def test_only_fulfillment_and_managers_make_parcels(order, support_user, manager_user):
    response = staff_api(support_user).post(_create_url(order), {}, format="json")
    assert response.status_code == 403
    assert _error(response)["code"] == "permission_denied"
    assert APIClient().post(_create_url(order), {}, format="json").status_code == 401
    assert staff_api(manager_user).post(_create_url(order), {}, format="json").status_code == 201


# --- reading a shipment ---------------------------------------------------------------------


def test_staff_and_the_orders_channel_read_a_shipment_others_get_404(order, web, support_user):
    (shipment,) = shipments_create(order=order)
    body = staff_api(support_user).get(_url(shipment)).json()
    assert list(body) == [
        *("id", "number", "order", "warehouse", "status", "shipping_method", "carrier"),
        *("tracking_number", "tracking_url", "label_url", "weight_grams", "cost", "currency"),
        *("promised_at", "shipped_at", "delivered_at", "lines", "events"),
    ]
    assert (body["id"], body["number"], body["order"], body["status"]) == (
        shipment.pk,
        shipment.number,
        order.number,
        "pending",
    )
    assert channel_api(web).get(_url(shipment)).json() == body
    stranger = channel_api(SalesChannelFactory(code="other"))
    other = stranger.get(_url(shipment))
    assert other.status_code == 404 and _error(other)["code"] == "not_found"
    assert stranger.get(_url(shipment, "label.pdf")).status_code == 404
    assert stranger.post(_url(shipment, "ship/"), {}, format="json").status_code == 404
    assert Shipment.objects.get(pk=shipment.pk).status == S.PENDING
    missing = staff_api(support_user).get(f"/api/v1/shipments/{shipment.pk + 1000}/")
    assert missing.status_code == 404


def test_reading_a_shipment_costs_the_same_however_many_lines_and_events(
    catalog, methods, web, fulfillment_user, support_user
):
    small = _shipped(capture(web, [("MUG", 1)]), fulfillment_user)
    assert _post_event(_event(small, "in_transit")).status_code == 200
    big = _shipped(capture(web, [("MUG", 3), ("TEE", 2)]), fulfillment_user)
    for minute in range(8):
        hub = _event(big, "in_transit", minutes=minute, description=f"hub {minute}")
        assert _post_event(hub).status_code == 200
    api = staff_api(support_user)
    api.get(_url(small))  # warm the key's last-used stamp
    with CaptureQueriesContext(connection) as few:
        assert api.get(_url(small)).status_code == 200
    with CaptureQueriesContext(connection) as many:
        response = api.get(_url(big))
    assert (len(response.json()["lines"]), len(response.json()["events"])) == (2, 8)
    # The key with its channel link, the user's groups; the parcel, its lines, its events.
    assert len(many) == len(few) == 5


# --- shipping -------------------------------------------------------------------------------


def test_a_3pl_confirms_a_parcel_with_its_own_tracking_number(order, fulfillment_user):
    api = staff_api(fulfillment_user)
    (created,) = api.post(_create_url(order), {"label": False}, format="json").json()["results"]
    shipment = Shipment.objects.get(pk=created["id"])
    response = api.post(_url(shipment, "ship/"), {"tracking_number": "3PL-778899"}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["tracking_number"]) == ("shipped", "3PL-778899")
    assert body["tracking_url"] == "https://track.example.com/?n=3PL-778899"
    assert body["shipped_at"] and body["label_url"] is None
    order.refresh_from_db()
    assert (order.status, order.fulfillment_status) == (OrderStatus.SHIPPED, "shipped")
    moves = StockMovement.objects.filter(kind="ship", reference=f"shipment:{shipment.number}")
    assert sorted(moves.values_list("product__sku", "on_hand_delta", "allocated_delta")) == [
        ("MUG", -2, -2),
        ("TEE", -1, -1),
    ]
    level = StockLevel.objects.get(product__sku="MUG", warehouse__code="EAST")
    assert (level.on_hand, level.allocated) == (18, 0)
    captures = PaymentTransaction.objects.filter(kind="capture")
    assert list(captures.values_list("reference", flat=True)) == [f"shipment:{shipment.number}"]

    again = api.post(_url(shipment, "ship/"), {"tracking_number": "3PL-778899"}, format="json")
    assert again.status_code == 409
    assert _error(again)["code"] == "invalid_transition"
    assert captures.count() == 1


def test_shipping_with_an_idempotency_key_captures_once(order, fulfillment_user):
    (shipment,) = shipments_create(order=order)
    api = staff_api(fulfillment_user)
    key = {"HTTP_IDEMPOTENCY_KEY": f"ship-{shipment.number}"}
    first = api.post(_url(shipment, "ship/"), {}, format="json", **key)
    again = api.post(_url(shipment, "ship/"), {}, format="json", **key)
    assert (first.status_code, again.status_code) == (200, 200)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert PaymentTransaction.objects.filter(kind="capture").count() == 1
    assert IdempotencyKey.objects.filter(key=key["HTTP_IDEMPOTENCY_KEY"]).count() == 1


def test_a_cancelled_parcel_or_a_held_order_does_not_ship(order, fulfillment_user, support_user):
    first, second = (
        shipments_create(order=order, wanted=[WantedUnits("MUG", 1)])[0],
        shipments_create(order=order, wanted=[WantedUnits("TEE", 1)])[0],
    )
    api = staff_api(fulfillment_user)
    shipment_cancel(shipment=first, actor=fulfillment_user)
    cancelled = api.post(_url(first, "ship/"), {}, format="json")
    assert cancelled.status_code == 409 and _error(cancelled)["code"] == "invalid_transition"
    order_hold(order=order, reason=HoldReason.CUSTOMER_REQUEST, actor=support_user)
    held = api.post(_url(second, "ship/"), {}, format="json")
    assert held.status_code == 409 and _error(held)["code"] == "invalid_transition"
    assert "on hold" in _error(held)["message"]
    assert Shipment.objects.get(pk=second.pk).status == S.PENDING
    assert not PaymentTransaction.objects.filter(kind="capture").exists()


@pytest.mark.parametrize(
    "tracking_number", ["has space", "nul\x00", "x" * 65, "-leading-dash", ["3PL-1"], {}]
)
def test_an_unusable_tracking_number_is_a_400(order, fulfillment_user, tracking_number):
    (shipment,) = shipments_create(order=order)
    response = staff_api(fulfillment_user).post(
        _url(shipment, "ship/"), {"tracking_number": tracking_number}, format="json"
    )
    assert response.status_code == 400
    assert list(_error(response)["fields"]) == ["tracking_number"]
    assert Shipment.objects.get(pk=shipment.pk).status == S.PENDING


def test_a_channel_key_ships_a_parcel_of_its_own_order(order, web):
    (shipment,) = shipments_create(order=order)
    response = channel_api(web).post(_url(shipment, "ship/"), {"tracking_number": "OWN-1"})
    assert (response.status_code, response.json()["status"]) == (200, "shipped")
    event = order.events.get(type="shipment_shipped")
    assert event.actor_label == "api:web storefront"


def test_support_may_read_but_not_ship(order, support_user):
    (shipment,) = shipments_create(order=order)
    response = staff_api(support_user).post(_url(shipment, "ship/"), {}, format="json")
    assert response.status_code == 403


# --- the label ------------------------------------------------------------------------------


def test_the_label_pdf_is_a_404_until_the_worker_made_it(order, fulfillment_user):
    api = staff_api(fulfillment_user)
    (created,) = api.post(_create_url(order), {}, format="json").json()["results"]
    shipment = Shipment.objects.get(pk=created["id"])
    before = api.get(_url(shipment, "label.pdf"))
    assert before.status_code == 404
    assert before.headers["Content-Type"] == "application/json"
    assert _error(before) == {
        "code": "not_found",
        "message": f"Shipment {shipment.number} has no label yet.",
        "fields": {},
    }
    shipment_label_make(shipment_id=shipment.pk)
    body = api.get(_url(shipment)).json()
    assert body["status"] == "label_ready"
    assert body["label_url"] == f"http://testserver/api/v1/shipments/{shipment.pk}/label.pdf"
    assert body["tracking_number"].startswith("SBX")
    response = api.get(_url(shipment, "label.pdf"), HTTP_ACCEPT="application/pdf")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert f'filename="{shipment.number}.pdf"' in response.headers["Content-Disposition"]
    pdf = b"".join(response.streaming_content)
    assert pdf.startswith(b"%PDF")
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert body["tracking_number"] in text


def test_creating_parcels_queues_their_labels_after_commit(
    order, fulfillment_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = staff_api(fulfillment_user).post(_create_url(order), {}, format="json")
    assert response.json()["results"][0]["status"] == "label_pending"
    assert len(callbacks) == 1  # one label task for the one parcel (run in-process here)
    assert Shipment.objects.get().status == S.LABEL_READY


# --- the carriers' tracking webhook ---------------------------------------------------------


def _shipped(order, actor) -> Shipment:
    """Every parcel of the order packed, labelled and shipped; the last one."""
    shipments = shipments_create(order=order)
    for shipment in shipments:
        shipment_pack(shipment=shipment, actor=actor, unscanned=True)
        shipment_label_make(shipment_id=shipment.pk)
        shipment_ship(shipment=Shipment.objects.get(pk=shipment.pk), actor=actor)
    return Shipment.objects.get(pk=shipments[-1].pk)


@pytest.fixture
def shipped(order, fulfillment_user) -> Shipment:
    return _shipped(order, fulfillment_user)


def _event(shipment, status, *, minutes=0, description="") -> dict:
    return {
        "tracking_number": shipment.tracking_number,
        "status": status,
        "occurred_at": (timezone.now() + timezone.timedelta(minutes=minutes)).isoformat(),
        "location": "Newark, NJ",
        "description": description,
    }


def _post_event(body, *, carrier="sbx", secret=SECRET, timestamp=None, header=None):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    signature = sign_payload(secret=secret, body=raw, timestamp=timestamp or int(time.time()))
    return APIClient().post(
        f"/api/v1/carriers/{carrier}/tracking/",
        data=raw,
        content_type="application/json",
        HTTP_X_OMS_SIGNATURE=signature if header is None else header,
    )


def test_signed_events_move_the_parcels_and_the_order_is_delivered_with_its_last(
    split_order, fulfillment_user
):
    _shipped(split_order, fulfillment_user)
    east, west = Shipment.objects.filter(order=split_order).order_by("id")
    response = _post_event(_event(east, "in_transit", description="Departed Newark hub"))
    assert response.status_code == 200
    receipt = CarrierEventReceipt.objects.get()
    assert response.json() == {
        "outcome": "recorded",
        "receipt": receipt.pk,
        "tracking_number": east.tracking_number,
        "shipment": east.number,
    }
    assert _post_event(_event(east, "delivered", minutes=5)).json()["outcome"] == "recorded"
    east.refresh_from_db()
    assert east.status == S.DELIVERED and east.delivered_at
    assert Order.objects.get(pk=split_order.pk).status == OrderStatus.SHIPPED  # WEST is on its way
    _post_event(_event(west, "delivered", minutes=7))
    order = Order.objects.get(pk=split_order.pk)
    assert (order.status, order.fulfillment_status) == (OrderStatus.DELIVERED, "delivered")
    body = staff_api(fulfillment_user).get(_url(east)).json()
    assert body["status"] == "delivered" and body["delivered_at"]
    assert [(e["status"], e["location"], e["description"]) for e in body["events"]] == [
        ("in_transit", "Newark, NJ", "Departed Newark hub"),
        ("delivered", "Newark, NJ", ""),
    ]


def test_a_carrier_exception_puts_the_order_in_needs_attention(shipped):
    response = _post_event(_event(shipped, "exception", description="Address not found"))
    assert response.status_code == 200
    assert Shipment.objects.get(pk=shipped.pk).status == S.EXCEPTION
    order = Order.objects.get(pk=shipped.order_id)
    assert order.shipment_exception
    assert order in Order.objects.needs_attention()


def test_a_repeated_event_is_answered_duplicate_and_recorded_once(shipped):
    payload = _event(shipped, "in_transit")
    assert _post_event(payload).json()["outcome"] == "recorded"
    again = _post_event(payload)
    assert (again.status_code, again.json()["outcome"]) == (200, "duplicate")
    assert TrackingEvent.objects.count() == 1
    assert CarrierEventReceipt.objects.count() == 2


def test_an_event_for_an_unknown_tracking_number_is_kept_unmatched(shipped):
    payload = {**_event(shipped, "in_transit"), "tracking_number": "SBX99999999999"}
    response = _post_event(payload)
    assert response.status_code == 202
    assert (response.json()["outcome"], response.json()["shipment"]) == ("unmatched", None)
    receipt = CarrierEventReceipt.objects.get()
    assert (receipt.outcome, receipt.payload) == (R.UNMATCHED, payload)
    assert Shipment.objects.get(pk=shipped.pk).status == S.SHIPPED


@pytest.mark.parametrize(
    "how",
    ["forged", "wrong secret", "stale", "from the future", "missing", "garbled", "no secret"],
)
def test_an_unverified_delivery_is_a_401_and_nothing_is_kept(shipped, how):
    payload = _event(shipped, "delivered")
    now = int(time.time())
    if how == "forged":
        raw = json.dumps(payload).encode()
        header = sign_payload(secret=SECRET, body=raw, timestamp=now)
        response = _post_event({**payload, "status": "exception"}, header=header)
    elif how == "wrong secret":
        response = _post_event(payload, secret="not-the-secret")
    elif how == "stale":
        response = _post_event(payload, timestamp=now - 3600)
    elif how == "from the future":
        response = _post_event(payload, timestamp=now + 3600)
    elif how == "missing":
        response = _post_event(payload, header="")
    elif how == "garbled":
        response = _post_event(payload, header="t=abc,v1=\u00e9\u00e9")
    else:
        Carrier.objects.filter(code="sbx").update(webhook_secret="")
        response = _post_event(payload)
    assert response.status_code == 401
    assert _error(response)["code"] == "authentication_failed"
    assert not CarrierEventReceipt.objects.exists()
    assert Shipment.objects.get(pk=shipped.pk).status == S.SHIPPED


def test_an_unknown_or_inactive_carrier_is_a_404(shipped):
    assert _post_event(_event(shipped, "delivered"), carrier="nobody").status_code == 404
    CarrierFactory(code="retired", is_active=False)
    response = _post_event(_event(shipped, "delivered"), carrier="retired")
    assert response.status_code == 404 and _error(response)["code"] == "not_found"
    assert not CarrierEventReceipt.objects.exists()


def test_a_body_too_large_for_an_event_is_a_413_and_not_kept(shipped):
    payload = {**_event(shipped, "in_transit"), "padding": "x" * 70_000}
    response = _post_event(payload)
    assert response.status_code == 413
    assert _error(response)["code"] == "payload_too_large"
    assert not CarrierEventReceipt.objects.exists()


def _hostile(shipped) -> dict:
    """Signed bodies that are not a valid event: each a 400 naming why, kept as invalid."""
    number = shipped.tracking_number
    valid = json.dumps(_event(shipped, "in_transit"))
    return {
        "empty": (b"", None),
        "not json": (b"{tracking_number: 1", None),
        "not utf-8": (b'{"tracking_number": "\xff\xfe"}', None),
        "raw nul byte": (valid.replace("Newark", "New\x00ark").encode(), None),
        "escaped nul": (valid.replace("Newark", "New\\u0000ark").encode(), "location"),
        "lone surrogate": (valid.replace("Newark", "New\\ud800ark").encode(), None),
        "a list": (b"[1, 2]", None),
        "a string": (b'"in_transit"', None),
        "null": (b"null", None),
        "a number": (b"42", None),
        "deep nesting": (b"[" * 30_000 + b"]" * 30_000, None),
        "nesting past the limit": (b'{"a":' * 40 + b"1" + b"}" * 40, None),
        "huge float": (valid.replace('"location"', '"x": 1e999, "location"').encode(), None),
        "NaN": (valid.replace('"location"', '"x": NaN, "location"').encode(), None),
        "huge integer": (b'{"tracking_number": ' + b"9" * 5000 + b"}", None),
        "numeric tracking number": (
            json.dumps({**json.loads(valid), "tracking_number": 10**40}).encode(),
            "tracking_number",
        ),
        "unknown status": (valid.replace("in_transit", "teleported").encode(), "status"),
        "31 february": (_with_time(valid, "2026-02-31T10:00:00Z"), "occurred_at"),
        "offset of a day": (_with_time(valid, "2026-02-01T10:00:00+24:00"), "occurred_at"),
        "not a date": (_with_time(valid, "yesterday"), "occurred_at"),
        "long location": (valid.replace("Newark, NJ", "N" * 201).encode(), "location"),
        "number": (valid.replace(number, number * 6).encode(), "tracking_number"),
    }


def _with_time(valid: str, occurred_at: str) -> bytes:
    return json.dumps({**json.loads(valid), "occurred_at": occurred_at}).encode()


HOSTILE = [
    *("empty", "not json", "not utf-8", "raw nul byte", "escaped nul", "lone surrogate"),
    *("a list", "a string", "null", "a number", "deep nesting", "nesting past the limit"),
    *("huge float", "NaN"),
    *("huge integer", "numeric tracking number", "unknown status"),
    *("31 february", "offset of a day", "not a date", "long location", "number"),
]


@pytest.mark.parametrize("case", HOSTILE)
def test_a_signed_but_invalid_body_is_a_400_and_the_delivery_is_kept(shipped, support_user, case):
    raw, field = _hostile(shipped)[case]
    response = _post_event(raw)
    assert response.status_code == 400, response.content
    error = _error(response)
    assert error["code"] in ("validation_error", "shipping_error") and error["message"]
    if field:
        assert field in error["fields"], error
    receipt = CarrierEventReceipt.objects.get()
    assert receipt.outcome == R.INVALID and receipt.error
    assert not TrackingEvent.objects.exists()
    assert staff_api(support_user).get(_url(shipped)).status_code == 200  # nothing poisoned


@pytest.mark.parametrize(
    "occurred_at",
    [
        "9999-12-31T23:59:59-05:00",  # year 10000 in UTC: stored, then unreadable
        "0001-01-01T00:00:00+05:00",  # year 0 in UTC
        "2999-01-01T00:00:00Z",
        "1970-01-01T00:00:00Z",
    ],
)
def test_an_event_dated_out_of_range_is_a_400_and_changes_nothing(
    shipped, support_user, occurred_at
):
    response = _post_event({**_event(shipped, "delivered"), "occurred_at": occurred_at})
    assert response.status_code == 400
    assert _error(response)["fields"] == {"occurred_at": ["A date-time between 2000 and tomorrow."]}
    assert not TrackingEvent.objects.exists()
    assert Shipment.objects.get(pk=shipped.pk).status == S.SHIPPED
    assert staff_api(support_user).get(_url(shipped)).status_code == 200


def test_a_body_nested_past_the_size_limit_is_refused_before_it_is_parsed(shipped):
    response = _post_event(b"[" * 100_000 + b"]" * 100_000)
    assert response.status_code == 413
    assert not CarrierEventReceipt.objects.exists()


# --- a real worker --------------------------------------------------------------------------


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_worker_makes_the_labels_of_parcels_created_through_the_api(
    own_queue, catalog, methods, web, fulfillment_user
):
    order = capture(
        web,
        [("MUG", 1, "10.00")],
        shipping_address=address(
            name="Grace Hopper", city="Arlington", region="VA", postal_code="22201"
        ),
    )
    api = staff_api(fulfillment_user)
    celery_app.conf.task_always_eager = False
    with start_worker(
        celery_app, pool="solo", perform_ping_check=False, queues=[own_queue], shutdown_timeout=20
    ):
        response = api.post(_create_url(order), {}, format="json")
        assert response.status_code == 201, response.json()
        (created,) = response.json()["results"]
        assert created["status"] == "label_pending"
        shipment = wait_for(
            lambda: Shipment.objects.filter(pk=created["id"], status=S.LABEL_READY).first(),
            timeout=30,
        )
    tracking = shipment.tracking_number
    assert tracking.startswith("SBX")
    label = api.get(_url(shipment, "label.pdf"))
    assert label.status_code == 200
    text = PdfReader(io.BytesIO(b"".join(label.streaming_content))).pages[0].extract_text()
    for expected in (tracking, "Grace Hopper", "Arlington"):
        assert expected in text
    assert re.search(rf"\^BC[^\^]*\^FD{re.escape(tracking)}\^FS", shipment.label_zpl)
