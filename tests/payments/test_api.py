"""`/api/v1/orders/{number}/payments/` and `/refunds/`: roles, errors, idempotency, query counts."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from orders.services import order_cancel
from payments.models import Payment, PaymentStatus, PaymentTransaction
from payments.services import payment_record, payment_request_capture
from tests.orders.factories import SalesChannelFactory
from tests.orders.test_api import channel_api, order_body, staff_api
from tests.payments.factories import card, order_paid_by, run_owed

pytestmark = pytest.mark.django_db
T = PaymentTransaction


def _captured(amount="20.00", **kwargs):
    order = order_paid_by(card(), **kwargs)
    run_owed()
    payment_request_capture(order=order, amount=Decimal(amount), reference="shipment:1")
    run_owed()
    return order


def _url(order, what="payments") -> str:
    return f"/api/v1/orders/{order.number}/{what}/"


# --- reading --------------------------------------------------------------------------------


def test_payments_of_an_order_with_their_transactions(stock, web, fulfillment_user):
    order = _captured("15.00")
    response = staff_api(fulfillment_user).get(_url(order))
    assert response.status_code == 200
    body = response.json()
    assert (body["order"], body["payment_status"], body["amount_paid"], body["balance_due"]) == (
        order.number,
        "partially_paid",
        "15.00",
        "5.00",
    )
    (payment,) = body["results"]
    assert (payment["gateway"], payment["method"], payment["status"], payment["currency"]) == (
        "sandbox",
        "card",
        "partially_captured",
        "USD",
    )
    assert (payment["amount_authorized"], payment["amount_captured"]) == ("20.00", "15.00")
    assert payment["amount_refunded"] == "0.00"
    kinds = [(t["kind"], t["status"], t["success"], t["amount"]) for t in payment["transactions"]]
    assert kinds == [
        ("authorize", "succeeded", True, "20.00"),
        ("capture", "succeeded", True, "15.00"),
    ]
    assert payment["transactions"][1]["reference"] == "shipment:1"
    assert payment["transactions"][1]["gateway_reference"].startswith("sbx_cap_")


def test_the_order_json_shows_the_real_payment_summary(stock, web, support_user):
    order = _captured("20.00")
    body = staff_api(support_user).get(f"/api/v1/orders/{order.number}/").json()
    assert (body["payment_status"], body["amount_paid"], body["balance_due"]) == (
        "paid",
        "20.00",
        "0.00",
    )


def test_reading_payments_costs_the_same_however_many_transactions(stock, web, support_user):
    order = _captured("1.00")
    api = staff_api(support_user)
    api.get(_url(order))  # warm the key's last-used stamp
    with CaptureQueriesContext(connection) as few:
        api.get(_url(order))
    for index in range(2, 12):
        payment_request_capture(order=order, amount=Decimal("1.00"), reference=f"shipment:{index}")
    payment_record(order=order, amount="3.00", method="cash", actor=support_user)
    run_owed()
    assert T.objects.filter(payment__order=order).count() > 12
    with CaptureQueriesContext(connection) as many:
        response = api.get(_url(order))
    assert len(response.json()["results"]) == 2
    assert len(many) == len(few)


def test_a_channel_key_sees_only_its_own_orders_payments(stock, web):
    order = _captured()
    other = SalesChannelFactory(code="other")
    assert channel_api(web).get(_url(order)).status_code == 200
    response = channel_api(other).get(_url(order))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


# --- recording and authorizing --------------------------------------------------------------


def test_support_records_a_bank_transfer(stock, web, support_user):
    order = order_paid_by({"gateway": "manual", "method": "bank_transfer"})
    response = staff_api(support_user).post(
        _url(order),
        {"gateway": "manual", "method": "bank_transfer", "amount": "20.00", "reference": "B-1"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["amount_captured"], body["reference"]) == (
        "captured",
        "20.00",
        "B-1",
    )
    order.refresh_from_db()
    assert (order.payment_status, order.balance_due) == ("paid", 0)


def test_money_received_needs_an_amount(stock, web, support_user):
    order = order_paid_by({})
    response = staff_api(support_user).post(
        _url(order), {"gateway": "manual", "method": "cash"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"amount": ["Say how much was received."]}
    assert not Payment.objects.exists()


def test_fulfillment_may_read_but_not_record_payments(stock, web, fulfillment_user):
    order = order_paid_by({})
    response = staff_api(fulfillment_user).post(
        _url(order), {"gateway": "manual", "method": "cash", "amount": "5.00"}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert not Payment.objects.exists()


def test_a_channel_key_may_say_the_channel_took_the_money_but_not_record_cash(stock, web):
    order = order_paid_by({})
    api = channel_api(web)
    cash = api.post(
        _url(order), {"gateway": "manual", "method": "cash", "amount": "5"}, format="json"
    )
    assert cash.status_code == 403
    paid = api.post(
        _url(order),
        {"gateway": "marketplace", "method": "shopify", "amount": "20.00", "reference": "#1042"},
        format="json",
    )
    assert paid.status_code == 201, paid.json()
    order.refresh_from_db()
    assert order.payment_status == "paid"


def test_a_card_token_is_authorized_for_the_balance_due(
    stock, web, support_user, django_capture_on_commit_callbacks
):
    order = order_paid_by({})
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_api(support_user).post(
            _url(order), {"gateway": "sandbox", "token": "tok_visa"}, format="json"
        )
    assert response.status_code == 201, response.json()
    assert (response.json()["amount"], response.json()["status"]) == ("20.00", "pending")
    payment = Payment.objects.get(order=order)
    assert (payment.status, payment.amount_authorized) == ("authorized", Decimal("20.00"))


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"gateway": "sandbox"}, "token"),
        ({"gateway": "stripe", "token": "tok_visa"}, "gateway"),
        ({"gateway": "sandbox", "token": "tok_visa", "amount": "-1"}, "amount"),
        ({"gateway": "sandbox", "token": "tok_visa", "amount": "1e99"}, "amount"),
        ({"gateway": "sandbox", "token": "tok_\u0000visa"}, "token"),
    ],
)
def test_a_bad_payment_is_a_400_and_stores_nothing(stock, web, support_user, body, field):
    order = order_paid_by({})
    response = staff_api(support_user).post(_url(order), body, format="json")
    assert response.status_code == 400, response.json()
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert field in error["fields"]
    assert not Payment.objects.exists()


def test_a_cancelled_order_takes_no_payment(stock, web, support_user):
    order = order_paid_by({})
    order_cancel(order=order, reason="test", actor=support_user)
    response = staff_api(support_user).post(
        _url(order), {"gateway": "manual", "method": "cash", "amount": "5"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "invalid_transition"


# --- refunds --------------------------------------------------------------------------------


def test_support_refunds_part_of_a_captured_payment(stock, web, support_user):
    order = _captured()
    response = staff_api(support_user).post(
        _url(order, "refunds"), {"amount": "5.00", "reason": "late delivery"}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["order"], body["amount"], body["reason"]) == (
        order.number,
        "5.00",
        "late delivery",
    )
    # The refund is owed to the gateway; a worker makes it after commit.
    (refund,) = body["refunds"]
    assert (refund["kind"], refund["status"], refund["amount"]) == ("refund", "requested", "5.00")
    run_owed()
    body = staff_api(support_user).get(_url(order)).json()
    assert (body["payment_status"], body["amount_paid"], body["balance_due"]) == (
        "partially_refunded",
        "15.00",
        "5.00",
    )
    assert body["results"][0]["transactions"][-1]["status"] == "succeeded"


def test_a_refund_beyond_what_was_captured_is_a_409(stock, web, manager_user):
    order = _captured("12.00")
    response = staff_api(manager_user).post(
        _url(order, "refunds"), {"amount": "12.50", "reason": "x"}, format="json"
    )
    assert response.status_code == 409
    error = response.json()["error"]
    assert (error["code"], error["refundable"]) == ("refund_exceeds_captured", "12.00")
    assert not T.objects.filter(kind=T.Kind.REFUND).exists()


def test_support_above_the_refund_limit_gets_a_403_saying_a_manager_can(
    stock, web, support_user, manager_user, settings
):
    settings.PAYMENTS_SUPPORT_REFUND_LIMIT = "10.00"
    order = _captured()
    body = {"amount": "15.00", "reason": "broken on arrival"}
    refused = staff_api(support_user).post(_url(order, "refunds"), body, format="json")
    assert refused.status_code == 403
    error = refused.json()["error"]
    assert (error["code"], error["limit"]) == ("refund_limit_exceeded", "10.00")
    assert "need a manager" in error["message"]
    allowed = staff_api(manager_user).post(_url(order, "refunds"), body, format="json")
    assert allowed.status_code == 201
    run_owed()
    assert Payment.objects.get(order=order).amount_refunded == Decimal("15.00")


def test_refunds_are_for_staff_not_channel_keys(stock, web):
    order = _captured()
    response = channel_api(web).post(
        _url(order, "refunds"), {"amount": "1.00", "reason": "x"}, format="json"
    )
    assert response.status_code == 403
    assert not T.objects.filter(kind=T.Kind.REFUND).exists()


@pytest.mark.parametrize(
    "body",
    [{"amount": "1.00"}, {"amount": "0", "reason": "x"}, {"reason": "x"}, [1], "s", None],
)
def test_a_malformed_refund_is_a_400(stock, web, manager_user, body):
    order = _captured()
    response = staff_api(manager_user).post(_url(order, "refunds"), body, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "validation_error"


def test_a_refund_retried_with_its_idempotency_key_refunds_once(stock, web, manager_user):
    order = _captured()
    api = staff_api(manager_user)
    body = {"amount": "4.00", "reason": "retry me"}
    first = api.post(_url(order, "refunds"), body, format="json", HTTP_IDEMPOTENCY_KEY="r-1")
    again = api.post(_url(order, "refunds"), body, format="json", HTTP_IDEMPOTENCY_KEY="r-1")
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert T.objects.filter(kind=T.Kind.REFUND).count() == 1
    other = api.post(
        _url(order, "refunds"),
        {"amount": "5.00", "reason": "retry me"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="r-1",
    )
    assert other.status_code == 422
    assert other.json()["error"]["code"] == "idempotency_key_reused"


def test_a_manual_payment_retried_with_its_idempotency_key_is_recorded_once(
    stock, web, support_user
):
    order = order_paid_by({})
    api = staff_api(support_user)
    body = {"gateway": "manual", "method": "cash", "amount": "7.00"}
    for _ in range(2):
        response = api.post(_url(order), body, format="json", HTTP_IDEMPOTENCY_KEY="cash-1")
        assert response.status_code == 201
    assert Payment.objects.get(order=order).amount_captured == Decimal("7.00")


def test_capture_with_a_payment_block_answers_with_the_payment_status(stock, web):
    response = channel_api(web).post(
        "/api/v1/orders/",
        order_body(lines=[{"sku": "MUG", "quantity": 1, "unit_price": "10.00"}]),
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["payment_status"] == "pending"  # authorized after commit
    assert Payment.objects.get().status == PaymentStatus.PENDING
