"""Who may open each orders screen and who may run each action.

Fulfillment, Support and Managers (and admins, who hold every role) see the queues and the order
page, search, hold, write notes and use saved views. Changing lines or the address, cancelling
and releasing holds is for Support and Managers. Anonymous visitors go to the login page; staff
without a role get 403; a refused action changes nothing.
"""

import pytest
from django.urls import reverse

from orders.models import Order, OrderEvent, OrderHold, OrderStatus, SavedView
from orders.services import order_hold
from tests.inventory.factories import ProductFactory, WarehouseFactory, give_stock
from tests.orders.factories import SalesChannelFactory, capture

pytestmark = pytest.mark.django_db

ALL_STAFF = ["fulfillment", "support", "manager", "admin"]
EDITORS = ["support", "manager", "admin"]


@pytest.fixture
def order():
    give_stock(ProductFactory(sku="TEE"), WarehouseFactory(code="EAST"), 50)
    give_stock(ProductFactory(sku="MUG"), WarehouseFactory(code="EAST"), 50)
    order = capture(SalesChannelFactory(code="web"), [("TEE", 2), ("MUG", 1)])
    order_hold(order=order, reason="fraud_review", note="check", actor=None)
    return order


@pytest.fixture
def login_as(client, request):
    def login(role: str):
        user = request.getfixturevalue(f"{role}_user")
        client.force_login(user)
        return user

    return login


def pages(order) -> list[str]:
    number = order.number
    return [
        reverse("orders:queue"),
        reverse("orders:queue") + "?queue=attention",
        reverse("orders:search") + "?q=ada@example.com",
        reverse("orders:detail", args=[number]),
        reverse("orders:address", args=[number]),
    ]


def actions(order) -> dict[str, tuple[str, dict]]:
    """Every POST on the orders screens with valid input: name → (url, data)."""
    number = order.number
    line = order.lines.order_by("id").first()
    hold = order.holds.get()
    return {
        "bulk_export": (reverse("orders:bulk"), {"action": "export", "orders": [number]}),
        "bulk_hold": (
            reverse("orders:bulk"),
            {"action": "hold", "orders": [number], "hold_reason": "manual"},
        ),
        "bulk_release": (reverse("orders:bulk"), {"action": "release", "orders": [number]}),
        "bulk_cancel": (
            reverse("orders:bulk"),
            {"action": "cancel", "orders": [number], "reason": "customer asked"},
        ),
        "saved_view_save": (reverse("orders:saved_view_save"), {"name": "Mine", "query": ""}),
        "hold_add": (reverse("orders:hold_add", args=[number]), {"reason": "manual"}),
        "hold_release": (reverse("orders:hold_release", args=[number, hold.pk]), {}),
        "cancel": (reverse("orders:cancel", args=[number]), {"reason": "customer asked"}),
        "note_add": (reverse("orders:note_add", args=[number]), {"text": "Called back"}),
        "inquiry_log": (
            reverse("orders:inquiry_log", args=[number]),
            {"channel": "phone", "summary": "Where is it?"},
        ),
        "address_update": (
            reverse("orders:address_update", args=[number]),
            {"name": "Ada", "line1": "1 Main St", "city": "Newark", "postal_code": "07114"}
            | {"country": "US"},
        ),
        "line_quantity": (
            reverse("orders:line_quantity", args=[number, line.pk]),
            {"quantity": 3},
        ),
        "line_cancel": (reverse("orders:line_cancel", args=[number, line.pk]), {}),
        "line_remove": (reverse("orders:line_remove", args=[number, line.pk]), {}),
        "line_add": (reverse("orders:line_add", args=[number]), {"sku": "MUG", "quantity": 1}),
    }


FULFILLMENT_MAY = {"bulk_export", "bulk_hold", "saved_view_save", "hold_add"}
FULFILLMENT_MAY |= {"note_add", "inquiry_log"}
ACTION_NAMES = [
    *("bulk_export", "bulk_hold", "bulk_release", "bulk_cancel", "saved_view_save"),
    *("hold_add", "hold_release", "cancel", "note_add", "inquiry_log", "address_update"),
    *("line_quantity", "line_cancel", "line_remove", "line_add"),
]


def test_anonymous_is_sent_to_login_from_every_page_and_action(client, order):
    responses = [client.get(url) for url in pages(order)]
    responses.append(client.get(reverse("orders:address_edit", args=[order.number])))
    responses += [client.post(url, data) for url, data in actions(order).values()]
    responses.append(client.post(reverse("orders:saved_view_delete", args=[1])))
    for response in responses:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_staff_without_a_role_get_403_everywhere(client, login_as, order):
    login_as("no_role")
    for url in [*pages(order), reverse("orders:address_edit", args=[order.number])]:
        assert client.get(url).status_code == 403, url
    for name, (url, data) in actions(order).items():
        assert client.post(url, data).status_code == 403, name


@pytest.mark.parametrize("role", ALL_STAFF)
def test_every_order_role_may_open_the_screens(client, login_as, role, order):
    login_as(role)
    for url in pages(order):
        response = client.get(url)
        # The address card alone exists for htmx; a plain request goes to the order page.
        assert response.status_code in (200, 302), url
    assert client.get(reverse("orders:detail", args=[order.number])).status_code == 200


@pytest.mark.parametrize("name", ACTION_NAMES)
def test_fulfillment_may_hold_note_and_export_but_not_change_cancel_or_release(
    client, login_as, order, name
):
    login_as("fulfillment")
    url, data = actions(order)[name]
    before = _snapshot(order)
    response = client.post(url, data)
    if name in FULFILLMENT_MAY:
        assert response.status_code in (200, 302), name
    else:
        assert response.status_code == 403, name
        assert _snapshot(order) == before


@pytest.mark.parametrize("role", EDITORS)
@pytest.mark.parametrize("name", ACTION_NAMES)
def test_support_managers_and_admins_may_run_every_action(client, login_as, order, role, name):
    login_as(role)
    url, data = actions(order)[name]
    response = client.post(url, data)
    assert response.status_code in (200, 302), (role, name)


def test_fulfillment_cannot_open_the_address_form(client, login_as, order):
    login_as("fulfillment")
    url = reverse("orders:address_edit", args=[order.number])
    assert client.get(url, headers={"HX-Request": "true"}).status_code == 403


def test_fulfillment_sees_no_cancel_release_or_edit_controls(client, login_as, order):
    login_as("fulfillment")
    html = client.get(reverse("orders:detail", args=[order.number])).content.decode()
    assert "Put on hold" in html
    assert "Add note" in html
    for hidden in ("Cancel order", ">Release<", "Add line", "Save address", ">Edit<"):
        assert hidden not in html, hidden
    queue = client.get(reverse("orders:queue")).content.decode()
    assert 'value="hold"' in queue
    assert 'value="cancel"' not in queue
    assert 'value="release"' not in queue


def test_support_sees_every_control_the_state_allows(client, login_as, order):
    login_as("support")
    html = client.get(reverse("orders:detail", args=[order.number])).content.decode()
    for shown in ("Put on hold", "Cancel order", ">Release<", "Add line", ">Edit<"):
        assert shown in html, shown


def _snapshot(order) -> tuple:
    order = Order.objects.get(pk=order.pk)
    return (
        order.status,
        OrderHold.objects.filter(order=order, released_at__isnull=True).count(),
        list(order.lines.order_by("id").values_list("sku", "quantity", "quantity_cancelled")),
        OrderEvent.objects.filter(order=order).count(),
        SavedView.objects.count(),
        order.shipping_address.line1,
    )


def test_a_refused_cancel_leaves_the_order_on_hold(client, login_as, order):
    login_as("fulfillment")
    client.post(reverse("orders:cancel", args=[order.number]), {"reason": "x"})
    assert Order.objects.get(pk=order.pk).status == OrderStatus.ON_HOLD
