"""The order queues' payment filter, on orders whose payment status the payments app set by
taking, failing and giving back real money."""

import pytest
from django.urls import reverse

from payments.services import payment_record, payment_refund
from tests.payments.factories import card, order_paid_by, run_owed
from tests.payments.screens import captured_order, declined_order, fresh

pytestmark = pytest.mark.django_db


@pytest.fixture
def orders(stock, web, manager_user):
    paid_in_cash = order_paid_by({})
    payment_record(order=paid_in_cash, amount="20.00", method="cash", actor=manager_user)
    part_refunded = captured_order()
    payment_refund(order=part_refunded, amount="5.00", reason="dent", actor=manager_user)
    all_refunded = captured_order()
    payment_refund(order=all_refunded, amount="20.00", reason="lost", actor=manager_user)
    authorized = order_paid_by(card())
    run_owed()
    made = {
        "paid": [captured_order(), paid_in_cash],
        "failed": [declined_order(), declined_order()],
        "partially_refunded": [part_refunded],
        "refunded": [all_refunded],
        "authorized": [authorized],
        "none": [order_paid_by({})],
    }
    for status, orders in made.items():
        assert [fresh(order).payment_status for order in orders] == [status] * len(orders)
    return made


@pytest.mark.parametrize(
    "status", ["paid", "failed", "partially_refunded", "refunded", "authorized", "none"]
)
def test_filtering_by_payment_status_returns_exactly_those_orders(
    client, support_user, orders, status
):
    client.force_login(support_user)
    response = client.get(reverse("orders:queue"), {"payment_status": status})
    assert response.status_code == 200
    found = {order.number for order in response.context["page"].orders}
    assert found == {order.number for order in orders[status]}
    assert f'<option value="{status}" selected>' in response.content.decode()
