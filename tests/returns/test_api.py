"""`/api/v1/` for returns: opening a return (staff or the order's channel key), reading it, each
step of its lifecycle with its roles and states, its label, and hostile bodies."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader
from rest_framework.test import APIClient

from inventory.models import StockLevel, StockMovement
from oms.models import IdempotencyKey
from orders.models import Order, OrderStatus
from payments.models import PaymentTransaction
from returns.models import ReturnRequest, ReturnStatus
from returns.services import (
    ReceivedUnits,
    ReturnLineData,
    return_approve,
    return_create,
    return_receive,
    return_refund,
    return_reject,
)
from tests.orders.factories import SalesChannelFactory
from tests.orders.test_api import channel_api, staff_api
from tests.payments.factories import run_owed
from tests.returns.factories import money, shipped_order

pytestmark = pytest.mark.django_db
S = ReturnStatus
RETURN_FIELDS = [
    *("number", "order", "status", "resolution", "note", "lines", "exchange_lines"),
    *("decided_at", "rejection_reason", "label_status", "tracking_number", "label_url"),
    *("refund_amount", "refund_quote", "replacement_order"),
    *("created_at", "received_at", "refunded_at", "closed_at"),
]


def _create_url(order) -> str:
    return f"/api/v1/orders/{order.number}/returns/"


def _url(rma, what="") -> str:
    number = rma if isinstance(rma, str) else rma.number
    return f"/api/v1/returns/{number}/{what}"


def _error(response) -> dict:
    return response.json()["error"]


def _body(*lines, resolution="refund", **extra) -> dict:
    lines = lines or (("MUG", 1, "defective"),)
    return {
        "lines": [
            {"sku": sku, "quantity": quantity, "reason": why} for sku, quantity, why in lines
        ],
        "resolution": resolution,
        **extra,
    }


def on_hand(sku: str) -> int:
    return StockLevel.objects.get(product__sku=sku, warehouse__code="EAST").on_hand


# States made through the services (the API's own steps are tested one by one below).


def requested(order, support_user, *lines, resolution="refund"):
    lines = lines or (("MUG", 2, "defective"),)
    return return_create(
        order=order,
        lines=[ReturnLineData(*line) for line in lines],
        resolution=resolution,
        actor=support_user,
    )


def approved(order, support_user, *lines, resolution="refund"):
    rma = requested(order, support_user, *lines, resolution=resolution)
    return return_approve(rma=rma, actor=support_user)


def received(order, support_user, fulfillment_user, *units, resolution="refund"):
    """Approved for what arrives, which is `units` [(sku, quantity, condition)]."""
    units = units or (("MUG", 1, "sellable"),)
    rma = approved(
        order,
        support_user,
        *[(sku, quantity, "defective") for sku, quantity, _ in units],
        resolution=resolution,
    )
    return return_receive(
        rma=rma, lines=[ReceivedUnits(*unit) for unit in units], actor=fulfillment_user
    )


def refunded(order, support_user, fulfillment_user):
    rma = received(order, support_user, fulfillment_user)
    return return_refund(rma=rma, actor=support_user)


# --- opening a return -----------------------------------------------------------------------


def test_support_opens_a_return_and_gets_it_back_requested(order, support_user):
    response = staff_api(support_user).post(
        _create_url(order),
        _body(("MUG", 2, "defective"), ("TEE", 1, "changed_mind"), note="Handle came off"),
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert list(body) == RETURN_FIELDS
    rma = ReturnRequest.objects.get()
    assert (body["number"], body["order"], body["status"], body["resolution"]) == (
        rma.number,
        order.number,
        "requested",
        "refund",
    )
    assert body["note"] == "Handle came off"
    assert body["lines"] == [
        {
            "sku": "MUG",
            "quantity": 2,
            "reason": "defective",
            "quantity_received": 0,
            "quantity_sellable": 0,
            "quantity_damaged": 0,
        },
        {
            "sku": "TEE",
            "quantity": 1,
            "reason": "changed_mind",
            "quantity_received": 0,
            "quantity_sellable": 0,
            "quantity_damaged": 0,
        },
    ]
    assert body["exchange_lines"] == [] and body["label_status"] == "none"
    for empty in ("decided_at", "label_url", "refund_amount", "refund_quote"):
        assert body[empty] is None, empty
    assert (body["replacement_order"], body["received_at"], body["closed_at"]) == (None,) * 3
    event = order.events.get(type="return_requested")
    assert event.actor == support_user and event.data["rma"] == rma.number


def test_an_exchange_names_what_to_send_instead(order, support_user):
    response = staff_api(support_user).post(
        _create_url(order),
        _body(
            ("TEE", 1, "wrong_item"),
            resolution="exchange",
            exchange_lines=[{"sku": "CAP", "quantity": 1}],
        ),
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["resolution"], body["exchange_lines"]) == (
        "exchange",
        [{"sku": "CAP", "quantity": 1}],
    )


def test_a_channel_key_opens_returns_for_its_own_orders_only(order, setup):
    response = channel_api(setup["web"]).post(_create_url(order), _body(), format="json")
    assert response.status_code == 201, response.json()
    event = order.events.get(type="return_requested")
    assert (event.actor, event.actor_label) == (None, "api:web storefront")
    stranger = channel_api(SalesChannelFactory(code="other"))
    refused = stranger.post(_create_url(order), _body(), format="json")
    assert refused.status_code == 404 and _error(refused)["code"] == "not_found"
    assert ReturnRequest.objects.count() == 1


def test_fulfillment_may_not_open_a_return_and_strangers_must_sign_in(order, fulfillment_user):
    response = staff_api(fulfillment_user).post(_create_url(order), _body(), format="json")
    assert response.status_code == 403 and _error(response)["code"] == "permission_denied"
    assert APIClient().post(_create_url(order), _body(), format="json").status_code == 401
    assert not ReturnRequest.objects.exists()


def test_more_units_than_shipped_is_a_409_naming_the_line(order, support_user):
    api = staff_api(support_user)
    response = api.post(_create_url(order), _body(("MUG", 3, "defective")), format="json")
    assert response.status_code == 409
    error = _error(response)
    assert error["code"] == "return_exceeds_shipped"
    assert list(error["fields"]) == ["lines.0.quantity"]
    assert "At most 2 of MUG" in error["fields"]["lines.0.quantity"][0]
    assert not ReturnRequest.objects.exists()
    # Units on an open return are not returnable twice either.
    assert api.post(_create_url(order), _body(("MUG", 2, "defective"))).status_code == 201
    again = api.post(_create_url(order), _body(("MUG", 1, "defective")), format="json")
    assert (again.status_code, _error(again)["code"]) == (409, "return_exceeds_shipped")


def test_an_unshipped_order_has_nothing_to_return(setup, support_user):
    from tests.orders.factories import capture

    unshipped = capture(setup["web"], [("MUG", 1, "10.00")])
    response = staff_api(support_user).post(_create_url(unshipped), _body(), format="json")
    assert (response.status_code, _error(response)["code"]) == (409, "return_exceeds_shipped")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (_body(("HAT", 1, "defective")), "lines.0.sku"),
        (_body(("MUG\x00", 1, "defective")), "lines.0.sku"),
        (_body((["MUG"], 1, "defective")), "lines.0.sku"),
        (_body(("MUG", 1, "defective"), ("mug", 1, "other")), "lines.1.sku"),
        (_body(("MUG", 0, "defective")), "lines.0.quantity"),
        (_body(("MUG", -1, "defective")), "lines.0.quantity"),
        (_body(("MUG", 10**30, "defective")), "lines.0.quantity"),
        (_body(("MUG", "two", "defective")), "lines.0.quantity"),
        (_body(("MUG", 1, "bored")), "lines.0.reason"),
        ({"lines": [], "resolution": "refund"}, "lines.non_field_errors"),
        ({"lines": "MUG", "resolution": "refund"}, "lines.non_field_errors"),
        ({"resolution": "refund"}, "lines"),
        (_body(resolution="store_credit"), "resolution"),
        (_body(exchange_lines=[{"sku": "CAP", "quantity": 1}]), "exchange_lines"),
        (
            _body(resolution="exchange", exchange_lines=[{"sku": "NOPE", "quantity": 1}]),
            "exchange_lines.0.sku",
        ),
        (
            _body(resolution="exchange", exchange_lines=[{"sku": "CAP", "quantity": 10**9}]),
            "exchange_lines.0.quantity",
        ),
        (_body(note="x" * 1001), "note"),
        (_body(note="nul\x00byte"), "note"),
        ([_body()], "non_field_errors"),
        ("refund", "non_field_errors"),
    ],
)
def test_an_invalid_return_is_a_400_naming_the_field_and_stores_nothing(
    order, support_user, body, field
):
    response = staff_api(support_user).post(_create_url(order), body, format="json")
    assert response.status_code == 400, response.json()
    error = _error(response)
    assert error["code"] == "validation_error" and error["message"]
    assert field in error["fields"], error
    assert not ReturnRequest.objects.exists()


MALFORMED = [b"[" * 5000 + b"]" * 5000, b'{"amount": NaN}', b'{"lines": [', b"\xff\xfe", b"\x00"]


@pytest.mark.parametrize(
    "raw", MALFORMED, ids=["deep nesting", "NaN", "truncated", "not utf-8", "nul byte"]
)
def test_a_malformed_body_is_a_400_and_changes_nothing(order, support_user, fulfillment_user, raw):
    rma = received(order, support_user, fulfillment_user)
    api = staff_api(support_user)
    for url in (_create_url(order), _url(rma, "refund/"), _url(rma, "reject/")):
        response = api.post(
            url, data=raw, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1"
        )
        assert response.status_code == 400, url
        assert _error(response)["code"] == "validation_error"
    assert ReturnRequest.objects.get().status == S.RECEIVED
    assert not PaymentTransaction.objects.filter(kind="refund").exists()


def test_the_same_idempotency_key_replays_the_return_and_another_body_is_422(order, support_user):
    api = staff_api(support_user)
    key = {"HTTP_IDEMPOTENCY_KEY": "return-1"}
    first = api.post(_create_url(order), _body(), format="json", **key)
    again = api.post(_create_url(order), _body(), format="json", **key)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert ReturnRequest.objects.count() == 1
    other = api.post(_create_url(order), _body(("TEE", 1, "other")), format="json", **key)
    assert other.status_code == 422
    assert _error(other)["code"] == "idempotency_key_reused"
    assert ReturnRequest.objects.count() == 1


# --- reading a return -----------------------------------------------------------------------


def test_staff_and_the_orders_channel_read_a_return_others_get_404(
    order, setup, fulfillment_user, support_user
):
    rma = requested(order, support_user)
    body = staff_api(fulfillment_user).get(_url(rma)).json()
    assert list(body) == RETURN_FIELDS
    assert (body["number"], body["order"], body["status"]) == (
        rma.number,
        order.number,
        "requested",
    )
    assert channel_api(setup["web"]).get(_url(rma)).json() == body
    stranger = channel_api(SalesChannelFactory(code="other"))
    other = stranger.get(_url(rma))
    assert other.status_code == 404 and _error(other)["code"] == "not_found"
    assert stranger.get(_url(rma, "label.pdf")).status_code == 404
    api = staff_api(support_user)
    assert api.get(_url("RMA-999999")).status_code == 404
    assert api.get(_url("RMA%00")).status_code == 404
    assert api.post("/api/v1/orders/SO%00/returns/", _body(), format="json").status_code == 404
    assert APIClient().get(_url(rma)).status_code == 401


def test_reading_a_return_costs_the_same_however_many_lines(setup, support_user, fulfillment_user):
    small = shipped_order(setup["web"], [("MUG", 1, "10.00")], packer=fulfillment_user)
    big = shipped_order(
        setup["web"],
        [("MUG", 3, "10.00"), ("TEE", 2, "20.00"), ("CAP", 2, "15.00")],
        packer=fulfillment_user,
    )
    one = requested(small, support_user, ("MUG", 1, "defective"))
    three = requested(
        big,
        support_user,
        ("MUG", 3, "defective"),
        ("TEE", 2, "other"),
        ("CAP", 2, "changed_mind"),
    )
    api = staff_api(support_user)
    api.get(_url(one))  # warm the key's last-used stamp

    def queries(rma) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = api.get(_url(rma))
        assert response.status_code == 200
        return len(captured)

    # The key with its channel link, the user's groups; the return, its lines.
    assert queries(one) == queries(three) == 4
    for rma, units in ((one, [("MUG", 1)]), (three, [("MUG", 3), ("TEE", 2), ("CAP", 2)])):
        return_approve(rma=rma, actor=support_user)
        return_receive(
            rma=rma,
            lines=[ReceivedUnits(sku, quantity, "sellable") for sku, quantity in units],
            actor=fulfillment_user,
        )
    # While received, the refund quote: its lines, whether another return refunded the
    # shipping, the order's payments and what is being refunded of its (one) payment.
    assert queries(one) == queries(three) == 8
    assert api.get(_url(three)).json()["refund_quote"]["lines_value"] == "100.00"


# --- approving and the label ----------------------------------------------------------------


def test_approving_with_a_label_serves_the_pdf_once_the_worker_made_it(
    order, support_user, django_capture_on_commit_callbacks
):
    rma = requested(order, support_user)
    api = staff_api(support_user)
    assert api.get(_url(rma, "label.pdf")).status_code == 404
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = api.post(_url(rma, "approve/"), {"label": True}, format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["status"], response.json()["label_status"]) == ("approved", "pending")
    assert response.json()["decided_at"] and response.json()["label_url"] is None
    assert len(callbacks) == 2  # the label and the approval email, run in-process here
    body = api.get(_url(rma)).json()
    assert body["label_status"] == "ready" and body["tracking_number"].startswith("SBX")
    assert body["label_url"] == f"http://testserver/api/v1/returns/{rma.number}/label.pdf"
    label = api.get(_url(rma, "label.pdf"), HTTP_ACCEPT="application/pdf")
    assert label.status_code == 200
    assert label.headers["Content-Type"] == "application/pdf"
    assert f'filename="{rma.number}.pdf"' in label.headers["Content-Disposition"]
    pdf = b"".join(label.streaming_content)
    assert pdf.startswith(b"%PDF")
    assert body["tracking_number"] in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()


def test_the_label_is_a_json_404_while_there_is_none(order, setup, support_user):
    rma = requested(order, support_user)
    response = staff_api(support_user).post(
        _url(rma, "approve/"), {"warehouse": "EAST"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["label_status"] == "none"
    assert ReturnRequest.objects.get().warehouse == setup["east"]
    missing = channel_api(setup["web"]).get(_url(rma, "label.pdf"))
    assert missing.status_code == 404
    assert missing.headers["Content-Type"] == "application/json"
    assert _error(missing) == {
        "code": "not_found",
        "message": f"Return {rma.number} has no label yet.",
        "fields": {},
    }


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"label": "maybe"}, "label"),
        ({"warehouse": "MOON"}, "warehouse"),
        ([1], "non_field_errors"),
    ],
)
def test_an_invalid_approval_is_a_400_and_leaves_the_return_requested(
    order, support_user, body, field
):
    rma = requested(order, support_user)
    response = staff_api(support_user).post(_url(rma, "approve/"), body, format="json")
    assert response.status_code == 400
    assert field in _error(response)["fields"]
    assert ReturnRequest.objects.get().status == S.REQUESTED


# --- rejecting ------------------------------------------------------------------------------


def test_rejecting_needs_a_reason(order, support_user):
    rma = requested(order, support_user)
    api = staff_api(support_user)
    for body in ({}, {"reason": "  "}, {"reason": "x" * 501}, {"reason": "a\x00b"}):
        response = api.post(_url(rma, "reject/"), body, format="json")
        assert response.status_code == 400, body
        assert list(_error(response)["fields"]) == ["reason"]
    assert ReturnRequest.objects.get().status == S.REQUESTED
    response = api.post(_url(rma, "reject/"), {"reason": "Outside the 30 days"}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["rejection_reason"]) == ("rejected", "Outside the 30 days")
    assert body["decided_at"]


# --- receiving ------------------------------------------------------------------------------


def test_receiving_restocks_sellable_units_and_records_damaged_ones(
    order, support_user, fulfillment_user
):
    rma = approved(order, support_user, ("MUG", 2, "defective"), ("TEE", 1, "other"))
    mug, tee = on_hand("MUG"), on_hand("TEE")
    api = staff_api(fulfillment_user)
    response = api.post(
        _url(rma, "receive/"),
        {"lines": [{"sku": "MUG", "quantity": 1, "condition": "sellable"}]},
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], bool(body["received_at"])) == ("received", True)
    # The rest may follow while the return is received.
    response = api.post(
        _url(rma, "receive/"),
        {
            "lines": [
                {"sku": "mug", "quantity": 1, "condition": "damaged"},
                {"sku": "TEE", "quantity": 1, "condition": "sellable"},
            ],
            "warehouse": "EAST",
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    lines = {line["sku"]: line for line in response.json()["lines"]}
    assert [
        (line["quantity_received"], line["quantity_sellable"], line["quantity_damaged"])
        for line in (lines["MUG"], lines["TEE"])
    ] == [(2, 1, 1), (1, 1, 0)]
    assert (on_hand("MUG"), on_hand("TEE")) == (mug + 1, tee + 1)
    restocks = StockMovement.objects.filter(kind="restock", reference=f"return:{rma.number}")
    assert sorted(restocks.values_list("product__sku", "on_hand_delta")) == [("MUG", 1), ("TEE", 1)]
    assert [line.quantity_returned for line in order.lines.order_by("sku")] == [2, 1]
    quote = response.json()["refund_quote"]
    # 40.00 of a 40.00 subtotal back: all the 4.00 tax and the 8.00 discount.
    assert quote == {
        "lines_value": "40.00",
        "tax_share": "4.00",
        "discount_share": "8.00",
        "shipping": "0.00",
        "restocking_fee": "0.00",
        "refundable": "41.00",
        "total": "36.00",
        "shipping_refundable": "5.00",
    }


@pytest.mark.parametrize(
    ("lines", "status", "field"),
    [
        ([{"sku": "CAP", "quantity": 1, "condition": "sellable"}], 400, "lines.0.sku"),
        ([{"sku": "MUG", "quantity": 1, "condition": "mint"}], 400, "lines.0.condition"),
        ([{"sku": "MUG", "quantity": 0, "condition": "sellable"}], 400, "lines.0.quantity"),
        ([{"sku": "MUG", "quantity": 2**63, "condition": "sellable"}], 400, "lines.0.quantity"),
        ([{"sku": "MUG\x00", "quantity": 1, "condition": "sellable"}], 400, "lines.0.sku"),
        ([], 400, "lines.non_field_errors"),
        ({"sku": "MUG"}, 400, "lines.non_field_errors"),
        ([{"sku": "MUG", "quantity": 3, "condition": "sellable"}], 409, "lines.0.quantity"),
        (
            [
                {"sku": "MUG", "quantity": 2, "condition": "sellable"},
                {"sku": "MUG", "quantity": 1, "condition": "damaged"},
            ],
            409,
            "lines.1.quantity",
        ),
    ],
)
def test_an_impossible_receipt_is_refused_naming_the_line_and_restocks_nothing(
    order, support_user, fulfillment_user, lines, status, field
):
    rma = approved(order, support_user)
    before = on_hand("MUG")
    response = staff_api(fulfillment_user).post(
        _url(rma, "receive/"), {"lines": lines}, format="json"
    )
    assert response.status_code == status
    assert field in _error(response)["fields"], _error(response)
    assert ReturnRequest.objects.get().status == S.APPROVED
    assert on_hand("MUG") == before and not StockMovement.objects.filter(kind="restock").exists()


def test_receiving_into_an_unknown_warehouse_is_a_400(order, support_user, fulfillment_user):
    rma = approved(order, support_user)
    response = staff_api(fulfillment_user).post(
        _url(rma, "receive/"),
        {"lines": [{"sku": "MUG", "quantity": 1, "condition": "sellable"}], "warehouse": "MOON"},
        format="json",
    )
    assert response.status_code == 400 and list(_error(response)["fields"]) == ["warehouse"]
    assert ReturnRequest.objects.get().status == S.APPROVED


# --- refunding ------------------------------------------------------------------------------


def test_refunding_refunds_the_payment_and_the_order_follows(order, support_user, fulfillment_user):
    rma = received(order, support_user, fulfillment_user, ("TEE", 1, "damaged"))
    response = staff_api(support_user).post(_url(rma, "refund/"), {}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["refund_amount"], body["refund_quote"]) == (
        "refunded",
        "18.00",
        None,
    )
    assert body["refunded_at"]
    run_owed()
    refund = PaymentTransaction.objects.get(kind="refund")
    assert (refund.amount, refund.status, refund.reason) == (
        money("18.00"),
        "succeeded",
        f"Return {rma.number}",
    )
    order.refresh_from_db()
    assert (order.payment_status, order.amount_paid) == ("partially_refunded", money("23.00"))


def test_a_refund_with_shipping_and_a_restocking_fee(order, support_user, fulfillment_user):
    rma = received(order, support_user, fulfillment_user, ("MUG", 1, "sellable"))
    response = staff_api(support_user).post(
        _url(rma, "refund/"),
        {"include_shipping": True, "restocking_fee": "1.50"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    # 9.00 for the mug with its shares, 5.00 shipping, 1.50 fee.
    assert response.json()["refund_amount"] == "12.50"
    assert ReturnRequest.objects.get().shipping_refunded


def test_staff_may_refund_less_but_never_more(order, support_user, fulfillment_user):
    rma = received(order, support_user, fulfillment_user, ("TEE", 1, "sellable"))
    api = staff_api(support_user)
    above = api.post(_url(rma, "refund/"), {"amount": "18.01"}, format="json")
    assert above.status_code == 409
    error = _error(above)
    assert (error["code"], error["quote"]) == ("refund_above_quote", "18.00")
    assert error["fields"] == {"amount": ["At most 18.00."]}
    assert not PaymentTransaction.objects.filter(kind="refund").exists()
    less = api.post(_url(rma, "refund/"), {"amount": "15.00"}, format="json")
    assert (less.status_code, less.json()["refund_amount"]) == (200, "15.00")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"amount": "-1.00"}, "amount"),
        ({"amount": "1e30"}, "amount"),
        ({"amount": 10**20}, "amount"),
        ({"amount": "Infinity"}, "amount"),
        ({"amount": "ten"}, "amount"),
        ({"amount": "1.001"}, "amount"),
        ({"restocking_fee": "-2"}, "restocking_fee"),
        ({"restocking_fee": "99999999999"}, "restocking_fee"),
        ({"include_shipping": "perhaps"}, "include_shipping"),
        (["amount"], "non_field_errors"),
    ],
)
def test_an_invalid_refund_is_a_400_and_refunds_nothing(
    order, support_user, fulfillment_user, body, field
):
    rma = received(order, support_user, fulfillment_user)
    response = staff_api(support_user).post(_url(rma, "refund/"), body, format="json")
    assert response.status_code == 400
    assert field in _error(response)["fields"], _error(response)
    assert ReturnRequest.objects.get().status == S.RECEIVED
    assert not PaymentTransaction.objects.filter(kind="refund").exists()


def test_a_refund_above_supports_limit_needs_a_manager(
    order, support_user, manager_user, fulfillment_user, settings
):
    settings.PAYMENTS_SUPPORT_REFUND_LIMIT = "10.00"
    rma = received(order, support_user, fulfillment_user, ("TEE", 1, "sellable"))
    response = staff_api(support_user).post(_url(rma, "refund/"), {}, format="json")
    assert response.status_code == 403
    assert (_error(response)["code"], _error(response)["limit"]) == (
        "refund_limit_exceeded",
        "10.00",
    )
    assert ReturnRequest.objects.get().status == S.RECEIVED
    response = staff_api(manager_user).post(_url(rma, "refund/"), {}, format="json")
    assert (response.status_code, response.json()["status"]) == (200, "refunded")


def test_a_refund_with_an_idempotency_key_refunds_once(order, support_user, fulfillment_user):
    rma = received(order, support_user, fulfillment_user)
    api = staff_api(support_user)
    key = {"HTTP_IDEMPOTENCY_KEY": f"refund-{rma.number}"}
    first = api.post(_url(rma, "refund/"), {}, format="json", **key)
    again = api.post(_url(rma, "refund/"), {}, format="json", **key)
    assert (first.status_code, again.status_code) == (200, 200)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert PaymentTransaction.objects.filter(kind="refund").count() == 1
    assert IdempotencyKey.objects.filter(key=key["HTTP_IDEMPOTENCY_KEY"]).count() == 1
    # Without the key a second refund is a state refusal, and still nothing more is refunded.
    third = api.post(_url(rma, "refund/"), {}, format="json")
    assert (third.status_code, _error(third)["code"]) == (409, "invalid_transition")
    assert PaymentTransaction.objects.filter(kind="refund").count() == 1


# --- exchanging and closing -----------------------------------------------------------------


def test_an_exchange_makes_a_processed_replacement_order(order, support_user, fulfillment_user):
    rma = received(
        order, support_user, fulfillment_user, ("TEE", 1, "sellable"), resolution="exchange"
    )
    response = staff_api(support_user).post(_url(rma, "exchange/"), {}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    replacement = Order.objects.get(number=body["replacement_order"])
    assert body["status"] == "exchanged"
    assert (replacement.origin, replacement.original_order) == (Order.Origin.EXCHANGE, order)
    assert replacement.status == OrderStatus.READY
    assert [(line.sku, line.quantity) for line in replacement.lines.all()] == [("TEE", 1)]
    assert not PaymentTransaction.objects.filter(kind="refund").exists()


def test_closing_a_settled_return(order, support_user, fulfillment_user):
    rma = refunded(order, support_user, fulfillment_user)
    response = staff_api(support_user).post(_url(rma, "close/"), format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["status"], bool(response.json()["closed_at"])) == ("closed", True)
    rejected = return_reject(
        rma=requested(order, support_user, ("TEE", 1, "other")), reason="No", actor=support_user
    )
    response = staff_api(support_user).post(_url(rejected, "close/"), {}, format="json")
    assert response.json()["status"] == "closed"


# --- who may do what, and when --------------------------------------------------------------

ACTIONS = {
    "approve/": {},
    "reject/": {"reason": "no"},
    "receive/": {"lines": [{"sku": "MUG", "quantity": 1, "condition": "sellable"}]},
    "refund/": {},
    "exchange/": {},
    "close/": {},
}


def _state(rma) -> tuple:
    rma = ReturnRequest.objects.get(pk=rma.pk)
    return rma.status, rma.decided_at, rma.received_at, rma.refund_amount, rma.closed_at


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_a_channel_key_may_not_decide_receive_or_settle_even_its_own_returns(
    order, setup, support_user, action
):
    rma = requested(order, support_user)
    before = _state(rma)
    response = channel_api(setup["web"]).post(_url(rma, action), ACTIONS[action], format="json")
    assert response.status_code == 403
    assert _error(response)["code"] == "permission_denied"
    assert "staff" in _error(response)["message"]
    assert _state(rma) == before


@pytest.mark.parametrize(
    ("role", "action"),
    [
        ("fulfillment", "approve/"),
        ("fulfillment", "reject/"),
        ("fulfillment", "refund/"),
        ("fulfillment", "exchange/"),
        ("fulfillment", "close/"),
        ("support", "receive/"),
        ("no_role", "approve/"),
        ("no_role", "receive/"),
    ],
)
def test_each_action_is_for_its_roles(request, order, support_user, role, action):
    rma = requested(order, support_user)
    before = _state(rma)
    user = request.getfixturevalue(f"{role}_user")
    response = staff_api(user).post(_url(rma, action), ACTIONS[action], format="json")
    assert response.status_code == 403
    assert _error(response)["code"] == "permission_denied"
    assert _state(rma) == before


def test_managers_do_everything(order, manager_user):
    api = staff_api(manager_user)
    created = api.post(_create_url(order), _body(), format="json").json()["number"]
    assert api.post(_url(created, "approve/"), {}, format="json").status_code == 200
    receive = api.post(_url(created, "receive/"), ACTIONS["receive/"], format="json")
    assert receive.status_code == 200
    assert api.post(_url(created, "refund/"), {}, format="json").status_code == 200
    assert api.post(_url(created, "close/"), {}, format="json").json()["status"] == "closed"


STATES = {
    "requested": requested,
    "approved": approved,
    "rejected": lambda order, support, fulfillment: return_reject(
        rma=requested(order, support), reason="No", actor=support
    ),
    "received": received,
    "refunded": refunded,
}
ALLOWED_FROM = {
    "approve/": {"requested"},
    "reject/": {"requested"},
    "receive/": {"approved", "received"},
    "refund/": {"received"},
    "exchange/": {"received"},
    "close/": {"rejected", "refunded"},
}


@pytest.mark.parametrize(
    ("action", "state"),
    [
        (action, state)
        for action in sorted(ACTIONS)
        for state in sorted(STATES)
        if state not in ALLOWED_FROM[action]
    ],
)
def test_an_action_its_state_forbids_is_a_409_and_changes_nothing(
    order, manager_user, support_user, fulfillment_user, action, state
):
    make = STATES[state]
    rma = (
        make(order, support_user)
        if state in ("requested", "approved")
        else make(order, support_user, fulfillment_user)
    )
    before = _state(rma)
    stock = on_hand("MUG")
    response = staff_api(manager_user).post(_url(rma, action), ACTIONS[action], format="json")
    assert response.status_code == 409, response.json()
    assert _error(response)["code"] == "invalid_transition"
    assert rma.number in _error(response)["message"]
    assert _state(rma) == before and on_hand("MUG") == stock


def test_an_unknown_return_is_a_404_for_every_action(manager_user):
    for action in ACTIONS:
        response = staff_api(manager_user).post(_url("RMA-404404", action), {}, format="json")
        assert response.status_code == 404 and _error(response)["code"] == "not_found"
