"""The products list, a product's page, and the stock actions on it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from inventory.models import MovementKind, StockLevel, StockMovement
from tests.inventory.factories import ProductFactory, WarehouseFactory, give_stock

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def east():
    return WarehouseFactory(code="EAST", name="East coast", priority=1)


@pytest.fixture
def west():
    return WarehouseFactory(code="WEST", name="West coast", priority=2)


@pytest.fixture
def tee():
    return ProductFactory(sku="TEE-BLK-M", name="Tee black M", barcode="4006381333931")


@pytest.fixture
def staff(client, fulfillment_user):
    client.force_login(fulfillment_user)
    return fulfillment_user


def products_url(**params) -> str:
    url = reverse("inventory:product_list")
    if params:
        from urllib.parse import urlencode

        url += "?" + urlencode(params)
    return url


def listed_skus(response) -> list[str]:
    return [product.sku for product in response.context["page"].items]


def stock_snapshot():
    """Everything an action may change: every level and the number of ledger rows."""
    levels = list(
        StockLevel.objects.order_by("id").values_list(
            "product_id", "warehouse_id", "on_hand", "allocated", "safety_stock", "bin_location"
        )
    )
    return levels, StockMovement.objects.count()


# --- list ------------------------------------------------------------------------------------


def test_list_shows_each_product_with_its_stock_totals(client, staff, east, west, tee):
    give_stock(tee, east, 10, allocated=3)
    give_stock(tee, west, 5)
    response = client.get(products_url())
    assert response.status_code == 200
    row = response.context["page"].items[0]
    assert (row.total_on_hand, row.total_allocated, row.total_available) == (15, 3, 12)
    html = response.content.decode()
    assert "TEE-BLK-M" in html
    assert "Tee black M" in html


@pytest.mark.parametrize("query", ["TEE-BLK", "tee-blk-m", "black", "4006381333931"])
def test_search_finds_by_sku_prefix_name_or_barcode(client, staff, tee, query):
    ProductFactory(sku="MUG-WHT", name="Mug white")
    assert listed_skus(client.get(products_url(q=query))) == ["TEE-BLK-M"]


def test_filters_active_low_out_and_warehouse(client, staff, east, west):
    stocked = ProductFactory(sku="A-STOCKED", reorder_point=2)
    give_stock(stocked, east, 10)
    low = ProductFactory(sku="B-LOW", reorder_point=5)
    give_stock(low, west, 3)
    ProductFactory(sku="C-OUT")
    ProductFactory(sku="D-RETIRED", is_active=False)

    assert listed_skus(client.get(products_url(active="no"))) == ["D-RETIRED"]
    assert listed_skus(client.get(products_url(active="yes", stock="out"))) == ["C-OUT"]
    assert listed_skus(client.get(products_url(stock="low"))) == ["B-LOW"]
    assert listed_skus(client.get(products_url(stock="in_stock"))) == ["A-STOCKED", "B-LOW"]
    assert listed_skus(client.get(products_url(warehouse="WEST"))) == ["B-LOW"]


def test_htmx_filtering_returns_only_the_results(client, staff, tee):
    response = client.get(products_url(q="TEE"), **HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="product-results">')
    assert "<html" not in html
    assert "TEE-BLK-M" in html


def test_history_restore_gets_the_whole_page(client, staff, tee):
    response = client.get(
        products_url(), HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )
    assert "<html" in response.content.decode()


def test_keyset_pages_are_in_order_disjoint_and_lead_back(client, staff):
    skus = [f"P-{number:03d}" for number in range(60)]
    for sku in skus:
        ProductFactory(sku=sku)

    first = client.get(products_url(per_page=25))
    assert listed_skus(first) == skus[:25]
    assert first.context["previous_url"] == ""
    second = client.get(reverse("inventory:product_list") + first.context["next_url"])
    assert listed_skus(second) == skus[25:50]
    third = client.get(reverse("inventory:product_list") + second.context["next_url"])
    assert listed_skus(third) == skus[50:]
    assert third.context["next_url"] == ""

    back = client.get(reverse("inventory:product_list") + third.context["previous_url"])
    assert listed_skus(back) == skus[25:50]
    back_again = client.get(reverse("inventory:product_list") + back.context["previous_url"])
    assert listed_skus(back_again) == skus[:25]
    assert back_again.context["previous_url"] == ""
    assert back_again.context["first_url"] == ""
    assert second.context["first_url"] == products_url(per_page=25).removeprefix(
        reverse("inventory:product_list")
    )
    # Page links keep the filters.
    assert "per_page=25" in second.context["next_url"]


def test_keyset_paging_keeps_the_search(client, staff):
    for number in range(30):
        ProductFactory(sku=f"TEE-{number:02d}")
        ProductFactory(sku=f"MUG-{number:02d}")
    first = client.get(products_url(q="TEE", per_page=25))
    second = client.get(reverse("inventory:product_list") + first.context["next_url"])
    assert listed_skus(second) == [f"TEE-{number:02d}" for number in range(25, 30)]


def _count_list_queries(client, params) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(products_url(**params))
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("params", [{}, {"q": "P-", "stock": "in_stock", "warehouse": "EAST"}])
def test_list_runs_a_fixed_number_of_queries_whatever_the_page_size(
    client, staff, east, west, params, django_assert_num_queries
):
    def add_products(count, start):
        for number in range(start, start + count):
            product = ProductFactory(sku=f"P-{number:03d}")
            give_stock(product, east, 5)
            give_stock(product, west, 2)

    add_products(5, 0)
    few = _count_list_queries(client, {**params, "per_page": 50})
    add_products(35, 5)
    with django_assert_num_queries(few):
        response = client.get(products_url(**params, per_page=50))
    assert len(response.context["page"].items) == 40


# --- product page ----------------------------------------------------------------------------


def test_product_page_shows_levels_per_warehouse_and_recent_ledger(client, staff, east, west, tee):
    give_stock(tee, east, 10, allocated=4, reference="PO-77")
    give_stock(tee, west, 2)
    response = client.get(reverse("inventory:product_detail", kwargs={"sku": tee.sku}))
    assert response.status_code == 200
    levels = {level.warehouse.code: level for level in response.context["levels"]}
    assert (levels["EAST"].on_hand, levels["EAST"].allocated, levels["EAST"].available) == (
        10,
        4,
        6,
    )
    assert response.context["totals"] == {
        "on_hand": 12,
        "allocated": 4,
        "safety_stock": 0,
        "available": 8,
    }
    html = response.content.decode()
    assert "PO-77" in html
    assert "Receipt" in html and "Allocate" in html


def test_unknown_sku_is_404(client, staff):
    response = client.get(reverse("inventory:product_detail", kwargs={"sku": "NOPE"}))
    assert response.status_code == 404


def test_sku_with_slashes_has_a_page_and_actions(client, staff, east):
    cable = ProductFactory(sku="CABLE/USB-C/1M")
    url = reverse("inventory:product_detail", kwargs={"sku": cable.sku})
    assert url.endswith("/products/CABLE/USB-C/1M/")
    assert client.get(url).status_code == 200
    client.post(
        reverse("inventory:product_receive", kwargs={"sku": cable.sku}),
        {"warehouse": "EAST", "quantity": "4"},
    )
    assert StockLevel.objects.get(product=cable).on_hand == 4


# --- actions: success ------------------------------------------------------------------------


def action_url(action: str, product) -> str:
    return reverse(f"inventory:product_{action}", kwargs={"sku": product.sku})


def test_receive_adds_stock_writes_ledger_and_swaps_the_tables(client, staff, east, tee):
    response = client.post(
        action_url("receive", tee),
        {"warehouse": "EAST", "quantity": "7", "reference": "PO-9", "note": "pallet 2"},
        **HTMX,
    )
    assert response.status_code == 200
    level = StockLevel.objects.get(product=tee, warehouse=east)
    assert level.on_hand == 7
    movement = StockMovement.objects.get()
    assert (movement.kind, movement.on_hand_delta, movement.reference, movement.note) == (
        MovementKind.RECEIPT,
        7,
        "PO-9",
        "pallet 2",
    )
    assert movement.actor == staff
    html = response.content.decode()
    # A blank form in place of the one sent, and the levels and ledger swapped out of band.
    assert html.lstrip().startswith('<form id="receive-form"')
    assert '<div id="stock-levels" hx-swap-oob="true">' in html
    assert '<div id="recent-movements" hx-swap-oob="true">' in html
    assert "Received 7 units of TEE-BLK-M at EAST; 7 on hand." in html
    assert 'hx-swap-oob="true"' in html.split('id="messages"')[1][:80]


def test_plain_post_redirects_to_the_product_with_a_message(client, staff, east, tee):
    response = client.post(
        action_url("receive", tee), {"warehouse": "EAST", "quantity": "3"}, follow=True
    )
    assert response.redirect_chain == [
        (reverse("inventory:product_detail", kwargs={"sku": tee.sku}), 302)
    ]
    assert "Received 3 units of TEE-BLK-M at EAST; 3 on hand." in response.content.decode()


def test_adjust_adds_or_removes_units_with_the_note(client, staff, east, tee):
    give_stock(tee, east, 10)
    client.post(
        action_url("adjust", tee),
        {"warehouse": "EAST", "delta": "-4", "reason": "adjustment", "note": "miscounted"},
        **HTMX,
    )
    assert StockLevel.objects.get(product=tee).on_hand == 6
    movement = StockMovement.objects.latest("id")
    assert (movement.kind, movement.on_hand_delta, movement.note, movement.actor) == (
        MovementKind.ADJUSTMENT,
        -4,
        "miscounted",
        staff,
    )


def test_adjust_with_damage_writes_the_units_off(client, staff, east, tee):
    give_stock(tee, east, 10)
    response = client.post(
        action_url("adjust", tee),
        {"warehouse": "EAST", "delta": "2", "reason": "damage", "note": "crushed box"},
        **HTMX,
    )
    assert "Wrote off 2 units of TEE-BLK-M at EAST; 8 on hand." in response.content.decode()
    movement = StockMovement.objects.latest("id")
    assert (movement.kind, movement.on_hand_delta, movement.actor) == (
        MovementKind.DAMAGE,
        -2,
        staff,
    )


def test_count_sets_on_hand_and_records_the_variance(client, staff, east, tee):
    give_stock(tee, east, 10)
    client.post(action_url("count", tee), {"warehouse": "EAST", "counted": "7"}, **HTMX)
    assert StockLevel.objects.get(product=tee).on_hand == 7
    movement = StockMovement.objects.latest("id")
    assert (movement.kind, movement.on_hand_delta, movement.on_hand_after, movement.actor) == (
        MovementKind.COUNT,
        -3,
        7,
        staff,
    )


def test_transfer_moves_units_between_warehouses(client, staff, east, west, tee):
    give_stock(tee, east, 10)
    response = client.post(
        action_url("transfer", tee),
        {"source": "EAST", "destination": "WEST", "quantity": "4"},
        **HTMX,
    )
    assert "Moved 4 units of TEE-BLK-M from EAST to WEST." in response.content.decode()
    assert StockLevel.objects.get(product=tee, warehouse=east).on_hand == 6
    assert StockLevel.objects.get(product=tee, warehouse=west).on_hand == 4
    kinds = set(StockMovement.objects.filter(actor=staff).values_list("kind", "on_hand_delta"))
    assert kinds == {(MovementKind.TRANSFER_OUT, -4), (MovementKind.TRANSFER_IN, 4)}


def test_settings_set_safety_stock_and_bin(client, staff, east, tee):
    give_stock(tee, east, 10)
    response = client.post(
        action_url("settings", tee),
        {"warehouse": "EAST", "safety_stock": "3", "bin_location": "A-03-2"},
        **HTMX,
    )
    level = StockLevel.objects.get(product=tee)
    assert (level.safety_stock, level.bin_location, level.available) == (3, "A-03-2", 7)
    html = response.content.decode()
    # The form comes back showing what was saved.
    assert 'value="A-03-2"' in html.split("</form>")[0]


def test_settings_form_prefills_the_chosen_warehouse(client, staff, east, tee):
    give_stock(tee, east, 10)
    client.post(
        action_url("settings", tee),
        {"warehouse": "EAST", "safety_stock": "4", "bin_location": "B-1"},
    )
    response = client.get(
        reverse("inventory:product_settings_form", kwargs={"sku": tee.sku}),
        {"warehouse": "EAST"},
        **HTMX,
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<form id="settings-form"')
    assert 'value="4"' in html
    assert 'value="B-1"' in html


# --- actions: refusals -----------------------------------------------------------------------

BAD_INPUT = [
    pytest.param(
        "receive",
        {"warehouse": "EAST", "quantity": "0"},
        "Enter a quantity above zero.",
        id="receive-zero",
    ),
    pytest.param(
        "receive",
        {"warehouse": "EAST", "quantity": "-2"},
        "Enter a quantity above zero.",
        id="receive-negative",
    ),
    pytest.param(
        "receive",
        {"warehouse": "EAST", "quantity": "lots"},
        "Enter a whole number.",
        id="receive-not-a-number",
    ),
    pytest.param(
        "receive",
        {"warehouse": "EAST", "quantity": "1.5"},
        "Enter a whole number.",
        id="receive-fraction",
    ),
    pytest.param(
        "receive",
        {"warehouse": "EAST", "quantity": "99999999999"},
        "Enter at most 1,000,000.",
        id="receive-absurdly-many",
    ),
    pytest.param(
        "receive",
        {"warehouse": "", "quantity": "3"},
        "This field is required.",
        id="receive-no-warehouse",
    ),
    pytest.param(
        "receive",
        {"warehouse": "NOWHERE", "quantity": "3"},
        "Select a valid choice.",
        id="receive-unknown-warehouse",
    ),
    pytest.param(
        "adjust",
        {"warehouse": "EAST", "delta": "0", "reason": "adjustment", "note": "x"},
        "Enter a change other than zero.",
        id="adjust-zero",
    ),
    pytest.param(
        "adjust",
        {"warehouse": "EAST", "delta": "-3", "reason": "adjustment", "note": ""},
        "This field is required.",
        id="adjust-without-note",
    ),
    pytest.param(
        "adjust",
        {"warehouse": "EAST", "delta": "-20", "reason": "adjustment", "note": "x"},
        "Only 10 on hand.",
        id="adjust-below-zero",
    ),
    pytest.param(
        "adjust",
        {"warehouse": "EAST", "delta": "-8", "reason": "adjustment", "note": "x"},
        "4 units are allocated to orders.",
        id="adjust-into-allocated",
    ),
    pytest.param(
        "adjust",
        {"warehouse": "EAST", "delta": "-11", "reason": "damage", "note": "x"},
        "Only 10 on hand.",
        id="write-off-more-than-on-hand",
    ),
    pytest.param(
        "adjust",
        {"warehouse": "WEST", "delta": "-1", "reason": "damage", "note": "x"},
        "Only 0 on hand.",
        id="write-off-where-nothing-is",
    ),
    pytest.param(
        "count",
        {"warehouse": "EAST", "counted": "3"},
        "4 units are allocated to orders.",
        id="count-below-allocated",
    ),
    pytest.param(
        "count", {"warehouse": "EAST", "counted": "-1"}, "Enter 0 or more.", id="count-negative"
    ),
    pytest.param(
        "transfer",
        {"source": "EAST", "destination": "EAST", "quantity": "1"},
        "Must differ from the source.",
        id="transfer-same-warehouse",
    ),
    pytest.param(
        "transfer",
        {"source": "EAST", "destination": "WEST", "quantity": "0"},
        "Enter a quantity above zero.",
        id="transfer-zero",
    ),
    pytest.param(
        "transfer",
        {"source": "EAST", "destination": "WEST", "quantity": "7"},
        "4 units are allocated to orders.",
        id="transfer-allocated-units",
    ),
    pytest.param(
        "settings",
        {"warehouse": "EAST", "safety_stock": "-1"},
        "Enter 0 or more.",
        id="settings-negative-safety",
    ),
]


@pytest.mark.parametrize(("action", "data", "message"), BAD_INPUT)
def test_bad_input_shows_the_reason_and_changes_nothing(
    client, staff, east, west, tee, action, data, message
):
    give_stock(tee, east, 10, allocated=4)
    before = stock_snapshot()
    response = client.post(action_url(action, tee), data, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith(f'<form id="{action}-form"')
    assert message in html
    assert 'role="alert"' in html
    # Only the form changes: no stock panel is swapped, and no banner is left standing.
    assert 'id="stock-levels"' not in html and 'id="recent-movements"' not in html
    assert 'class="flash' not in html
    assert stock_snapshot() == before


def test_service_refusal_shows_its_message_above_the_form(client, staff, east, tee):
    give_stock(tee, east, 10, allocated=4)
    response = client.post(action_url("count", tee), {"warehouse": "EAST", "counted": "3"}, **HTMX)
    html = response.content.decode()
    assert "4 of TEE-BLK-M at EAST are allocated to orders; on hand cannot drop to 3." in html
    # Beside the field too.
    field_html = html.split('id="count-counted"')[1]
    assert "4 units are allocated to orders." in field_html


def test_plain_post_with_bad_input_renders_the_page_with_the_error(client, staff, east, west, tee):
    give_stock(tee, east, 10)
    response = client.post(
        action_url("transfer", tee), {"source": "EAST", "destination": "EAST", "quantity": "1"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" in html
    assert "Must differ from the source." in html
    assert "Stock by warehouse" in html


def test_actions_only_accept_post(client, staff, east, tee):
    assert client.get(action_url("receive", tee)).status_code == 405


def test_a_sku_ending_like_an_action_still_has_its_page(client, fulfillment_user):
    from django.urls import reverse

    ProductFactory(sku="KIT/count")
    client.force_login(fulfillment_user)
    response = client.get(reverse("inventory:product_detail", args=["KIT/count"]))
    assert response.status_code == 200
    assert "KIT/count" in response.content.decode()
