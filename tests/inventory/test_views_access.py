"""Who may open each back-office screen and who may change stock.

Fulfillment, Manager and Support may look; only Fulfillment and Manager (and admins, who hold
every role) may act. Anonymous visitors go to the login page; staff without a role get 403.
"""

import pytest
from django.urls import reverse

from inventory.models import StockMovement
from tests.inventory.factories import ProductFactory, WarehouseFactory

pytestmark = pytest.mark.django_db

SKU = "TEE-BLK-M"

VIEW_PAGES = [
    ("inventory:product_list", {}),
    ("inventory:product_detail", {"sku": SKU}),
    ("inventory:ledger", {}),
    ("inventory:ledger_export", {}),
    ("inventory:low_stock", {}),
    ("inventory:low_stock_export", {}),
    ("inventory:warehouse_list", {}),
    ("inventory:warehouse_detail", {"code": "EAST"}),
]

ACTION_PAGES = [
    ("get", "inventory:receive", {}),
    ("post", "inventory:receive", {}),
    ("get", "inventory:count_import", {}),
    ("post", "inventory:count_import", {}),
    ("post", "inventory:count_import_apply", {}),
    ("get", "inventory:product_settings_form", {"sku": SKU}),
    *(
        ("post", f"inventory:product_{action}", {"sku": SKU})
        for action in ("receive", "adjust", "count", "transfer", "settings")
    ),
]


@pytest.fixture(autouse=True)
def catalog():
    ProductFactory(sku=SKU)
    WarehouseFactory(code="EAST")


@pytest.fixture
def login_as(client, request):
    """Sign the test client in as the shared fixture user of a role ("support", "no_role"…)."""

    def login(role: str):
        user = request.getfixturevalue(f"{role}_user")
        client.force_login(user)
        return user

    return login


@pytest.mark.parametrize(("url_name", "kwargs"), VIEW_PAGES)
def test_anonymous_is_sent_to_login_from_every_page(client, url_name, kwargs):
    url = reverse(url_name, kwargs=kwargs)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(("method", "url_name", "kwargs"), ACTION_PAGES)
def test_anonymous_is_sent_to_login_from_every_action(client, method, url_name, kwargs):
    response = getattr(client, method)(reverse(url_name, kwargs=kwargs))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", ["fulfillment", "support", "manager", "admin"])
@pytest.mark.parametrize(("url_name", "kwargs"), VIEW_PAGES)
def test_every_stock_role_may_view(client, login_as, role, url_name, kwargs):
    login_as(role)
    assert client.get(reverse(url_name, kwargs=kwargs)).status_code == 200


@pytest.mark.parametrize(("url_name", "kwargs"), VIEW_PAGES)
def test_user_without_a_role_may_not_view(client, login_as, url_name, kwargs):
    login_as("no_role")
    assert client.get(reverse(url_name, kwargs=kwargs)).status_code == 403


@pytest.mark.parametrize("role", ["support", "no_role"])
@pytest.mark.parametrize(("method", "url_name", "kwargs"), ACTION_PAGES)
def test_support_and_no_role_may_not_act(client, login_as, role, method, url_name, kwargs):
    login_as(role)
    response = getattr(client, method)(
        reverse(url_name, kwargs=kwargs), {"warehouse": "EAST", "quantity": "5"}
    )
    assert response.status_code == 403
    assert not StockMovement.objects.exists()


@pytest.mark.parametrize("role", ["fulfillment", "manager", "admin"])
@pytest.mark.parametrize(("method", "url_name", "kwargs"), ACTION_PAGES)
def test_fulfillment_manager_and_admin_may_act(client, login_as, role, method, url_name, kwargs):
    login_as(role)
    response = getattr(client, method)(reverse(url_name, kwargs=kwargs))
    # A form (possibly showing what is missing), or the count import's "preview expired" redirect.
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        assert url_name == "inventory:count_import_apply"


def test_support_sees_stock_but_no_action_forms(client, login_as):
    login_as("support")
    html = client.get(reverse("inventory:product_detail", kwargs={"sku": SKU})).content.decode()
    assert "Stock by warehouse" in html
    assert "Change stock" not in html
    assert 'id="receive-form"' not in html


def test_fulfillment_sees_every_action_form(client, login_as):
    login_as("fulfillment")
    html = client.get(reverse("inventory:product_detail", kwargs={"sku": SKU})).content.decode()
    for action in ("receive", "adjust", "count", "transfer", "settings"):
        assert f'id="{action}-form"' in html


@pytest.mark.parametrize(
    ("role", "visible", "hidden"),
    [
        (
            "support",
            ["Products", "Stock ledger", "Low stock", "Warehouses"],
            ["Receive stock", "Count import"],
        ),
        ("fulfillment", ["Products", "Receive stock", "Stock ledger", "Count import"], []),
        ("manager", ["Products", "Receive stock", "Low stock", "Count import"], []),
        ("no_role", [], ["Products", "Receive stock", "Stock ledger"]),
    ],
)
def test_home_shows_the_inventory_cards_each_role_may_use(client, login_as, role, visible, hidden):
    login_as(role)
    html = client.get(reverse("home")).content.decode()
    for label in visible:
        assert f">{label}</a>" in html
    for label in hidden:
        assert f">{label}</a>" not in html


def test_navigation_marks_products_current_on_a_product_page(client, login_as):
    login_as("support")
    html = client.get(reverse("inventory:product_detail", kwargs={"sku": SKU})).content.decode()
    products_link = (
        f'<a href="{reverse("inventory:product_list")}" aria-current="page">Products</a>'
    )
    assert products_link in html
