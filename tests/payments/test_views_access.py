"""Who may open each payments screen and run each payments action.

Everyone who works orders sees the payments panel; recording money, refunds, retries and the
failed queue are for Support and Managers (and admins, who hold every role). Anonymous visitors
go to the login page; a role that may not act gets 403 even when it posts by hand, and nothing
changes.
"""

import pytest
from django.urls import reverse

from orders.models import OrderEvent
from payments.models import Payment, PaymentTransaction
from tests.payments.screens import HTMX, captured_order, declined_order, order_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def orders(stock, web):
    return {"paid": captured_order(), "failed": declined_order()}


@pytest.fixture
def login_as(client, request):
    def login(role: str):
        user = request.getfixturevalue(f"{role}_user")
        client.force_login(user)
        return user

    return login


def actions(orders) -> dict[str, tuple[str, dict]]:
    """Every payments POST with valid input: name → (url, data)."""
    paid, failed = orders["paid"], orders["failed"]
    failed_payment = Payment.objects.get(order=failed)
    return {
        "record": (
            reverse("payments:record", args=[paid.number]),
            {"amount": "1.00", "method": "cash"},
        ),
        "refund": (
            reverse("payments:refund", args=[paid.number]),
            {"amount": "1.00", "reason": "goodwill"},
        ),
        "refund_check": (reverse("payments:refund_check", args=[paid.number]), {"amount": "1"}),
        "retry": (reverse("payments:retry", args=[failed.number, failed_payment.pk]), {}),
        "failed_retry": (reverse("payments:failed_retry", args=[failed_payment.pk]), {}),
    }


def snapshot() -> tuple:
    return (
        list(Payment.objects.order_by("id").values_list("status", "amount_refunded")),
        PaymentTransaction.objects.count(),
        OrderEvent.objects.filter(type__startswith="payment_").count(),
    )


def test_anonymous_is_sent_to_login_from_every_screen_and_action(client, orders):
    paid = orders["paid"]
    responses = [
        client.get(reverse("payments:failed")),
        client.get(reverse("payments:panel", args=[paid.number]), headers=HTMX),
    ]
    responses += [client.post(url, data) for url, data in actions(orders).values()]
    for response in responses:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_staff_without_a_role_get_403_everywhere(client, login_as, orders):
    login_as("no_role")
    assert client.get(reverse("payments:failed")).status_code == 403
    panel = reverse("payments:panel", args=[orders["paid"].number])
    assert client.get(panel, headers=HTMX).status_code == 403
    for name, (url, data) in actions(orders).items():
        assert client.post(url, data).status_code == 403, name


def test_fulfillment_sees_the_panel_but_may_not_act_or_open_the_queue(client, login_as, orders):
    login_as("fulfillment")
    paid = orders["paid"]
    assert "Payments" in client.get(order_url(paid)).content.decode()
    panel = reverse("payments:panel", args=[paid.number])
    assert client.get(panel, headers=HTMX).status_code == 200
    assert client.get(reverse("payments:failed")).status_code == 403
    before = snapshot()
    for name, (url, data) in actions(orders).items():
        assert client.post(url, data, headers=HTMX).status_code == 403, name
    assert snapshot() == before


@pytest.mark.parametrize("role", ["support", "manager", "admin"])
def test_support_managers_and_admins_may_use_every_screen(client, login_as, orders, role):
    login_as(role)
    assert client.get(reverse("payments:failed")).status_code == 200
    panel = reverse("payments:panel", args=[orders["paid"].number])
    assert client.get(panel, headers=HTMX).status_code == 200


@pytest.mark.parametrize("role", ["support", "manager", "admin"])
@pytest.mark.parametrize("name", ["record", "refund", "refund_check", "retry", "failed_retry"])
def test_support_managers_and_admins_may_run_every_action(client, login_as, orders, role, name):
    login_as(role)
    url, data = actions(orders)[name]
    calls = PaymentTransaction.objects.count()
    response = client.post(url, data)
    assert response.status_code in (200, 302), (role, name)
    # Each action but the amount check asks the gateway for something.
    assert PaymentTransaction.objects.count() == calls + (name != "refund_check")


@pytest.mark.parametrize("name", ["record", "refund", "refund_check", "retry", "failed_retry"])
def test_every_action_refuses_get(client, login_as, orders, name):
    login_as("manager")
    url, _ = actions(orders)[name]
    assert client.get(url).status_code == 405


def test_csrf_is_checked_on_every_action(orders, manager_user):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(manager_user)
    before = snapshot()
    for name, (url, data) in actions(orders).items():
        assert client.post(url, data).status_code == 403, name
    assert snapshot() == before


def test_the_admin_shows_payments_read_only(client, admin_user, stock, web):
    from tests.payments.factories import card, order_paid_by, run_owed

    order = order_paid_by(card())
    run_owed()
    client.force_login(admin_user)
    listing = client.get("/admin/payments/payment/")
    assert listing.status_code == 200
    assert order.number in listing.content.decode()
    payment = order.payments.get()
    page = client.get(f"/admin/payments/payment/{payment.pk}/change/")
    assert page.status_code == 200
    assert b'name="amount_captured"' not in page.content  # shown, not editable
    assert client.get("/admin/payments/payment/add/").status_code == 403
