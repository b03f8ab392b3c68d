"""Who may open each shipping screen and run each shipping action.

Everyone who works orders (Fulfillment, Support, Managers; admins hold every role) sees the
shipments list, a shipment and its ZPL label; marking shipped — from the list, the page or the
order's panel — and creating parcels are for Fulfillment and Managers; cancelling a parcel is
for all three. Anonymous visitors go to the login page; a role that may not act gets 403 even
when it posts by hand, and nothing changes.
"""

import pytest
from django.test import Client
from django.urls import reverse

from shipping.models import Shipment
from tests.orders.factories import capture
from tests.shipping.shipment_screens import LIST, labelled, parcel, shipment_url

pytestmark = pytest.mark.django_db
ROLES = ("fulfillment", "support", "manager", "admin")
SHIPPING_ROLES = {"fulfillment", "manager", "admin"}


@pytest.fixture
def parcels(catalog, methods, web, fulfillment_user):
    """A labelled parcel, a pending one, and an order with nothing in a parcel yet."""
    return {
        "labelled": labelled(parcel(web), fulfillment_user),
        "pending": parcel(web),
        "unparcelled": capture(web, [("MUG", 1)]),
    }


@pytest.fixture
def login_as(client, request):
    def login(role: str):
        user = request.getfixturevalue(f"{role}_user")
        client.force_login(user)
        return user

    return login


def screens(parcels) -> dict[str, str]:
    labelled_parcel = parcels["labelled"]
    return {
        "list": LIST,
        "page": shipment_url(labelled_parcel),
        "zpl": shipment_url(labelled_parcel, "label_zpl"),
    }


def actions(parcels) -> dict[str, tuple[str, dict]]:
    """Every shipping POST with valid input: name → (url, data). The back office ships
    labelled parcels; cancelling takes the pending one."""
    pending = parcels["pending"]
    labelled_parcel = parcels["labelled"]
    order = pending.order.number
    return {
        "bulk_ship": (
            reverse("shipping:shipments_bulk_ship"),
            {"shipments": [labelled_parcel.pk]},
        ),
        "ship": (shipment_url(labelled_parcel, "shipment_ship"), {}),
        "cancel": (shipment_url(pending, "shipment_cancel"), {"reason": "box damaged"}),
        "panel_create": (
            reverse("shipping:order_shipments_create", args=[parcels["unparcelled"].number]),
            {},
        ),
        "panel_ship": (
            reverse(
                "shipping:order_shipment_ship",
                args=[labelled_parcel.order.number, labelled_parcel.pk],
            ),
            {},
        ),
        "panel_cancel": (
            reverse("shipping:order_shipment_cancel", args=[order, pending.pk]),
            {"reason": "box damaged"},
        ),
    }


MAY = {
    "bulk_ship": SHIPPING_ROLES,
    "ship": SHIPPING_ROLES,
    "panel_create": SHIPPING_ROLES,
    "panel_ship": SHIPPING_ROLES,
    "cancel": set(ROLES),
    "panel_cancel": set(ROLES),
}


def snapshot() -> list:
    return list(Shipment.objects.order_by("id").values_list("pk", "status"))


def test_anonymous_is_sent_to_login_from_every_screen_and_action(client, parcels):
    before = snapshot()
    responses = [client.get(url) for url in screens(parcels).values()]
    responses += [client.post(url, data) for url, data in actions(parcels).values()]
    for response in responses:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    assert snapshot() == before


def test_staff_without_a_role_get_403_everywhere(client, login_as, parcels):
    login_as("no_role")
    before = snapshot()
    for name, url in screens(parcels).items():
        assert client.get(url).status_code == 403, name
    for name, (url, data) in actions(parcels).items():
        assert client.post(url, data).status_code == 403, name
    assert snapshot() == before


@pytest.mark.parametrize("role", ROLES)
def test_everyone_who_works_orders_may_see_every_screen(client, login_as, parcels, role):
    login_as(role)
    for name, url in screens(parcels).items():
        assert client.get(url).status_code == 200, name


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(MAY))
def test_each_action_is_for_the_roles_it_names(client, login_as, parcels, role, name):
    login_as(role)
    url, data = actions(parcels)[name]
    before = snapshot()
    response = client.post(url, data)
    if role in MAY[name]:
        assert response.status_code == 302, (role, name)
        assert snapshot() != before, (role, name)
    else:
        assert response.status_code == 403, (role, name)
        assert snapshot() == before, (role, name)


@pytest.mark.parametrize("name", sorted(MAY))
def test_every_action_refuses_get(client, login_as, parcels, name):
    login_as("manager")
    url, _ = actions(parcels)[name]
    assert client.get(url).status_code == 405


def test_csrf_is_checked_on_every_action(parcels, manager_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(manager_user)
    before = snapshot()
    for name, (url, data) in actions(parcels).items():
        assert client.post(url, data).status_code == 403, name
    assert snapshot() == before


def test_a_parcel_of_another_order_is_404_on_the_order_page_actions(client, login_as, parcels):
    login_as("manager")
    other = parcels["unparcelled"].number
    pending = parcels["pending"]
    for name in ("order_shipment_ship", "order_shipment_cancel"):
        url = reverse(f"shipping:{name}", args=[other, pending.pk])
        assert client.post(url, {"reason": "x"}).status_code == 404, name
