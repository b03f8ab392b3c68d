"""Count import screen: upload → preview with reasons → apply a clean file in one go."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from inventory import services
from inventory.models import MovementKind, StockLevel, StockMovement
from tests.inventory.factories import ProductFactory, WarehouseFactory, give_stock

pytestmark = pytest.mark.django_db

URL = "/inventory/count-import/"
APPLY_URL = "/inventory/count-import/apply/"


@pytest.fixture
def east():
    return WarehouseFactory(code="EAST", priority=1)


@pytest.fixture
def west():
    return WarehouseFactory(code="WEST", priority=2)


@pytest.fixture
def tee():
    return ProductFactory(sku="TEE-BLK-M")


@pytest.fixture
def mug():
    return ProductFactory(sku="MUG-WHT")


@pytest.fixture
def staff(client, manager_user):
    client.force_login(manager_user)
    return manager_user


def upload(client, text: str, *, reference: str = "", name: str = "counts.csv"):
    file = SimpleUploadedFile(name, text.encode(), content_type="text/csv")
    return client.post(URL, {"file": file, "reference": reference})


def snapshot():
    return (
        list(StockLevel.objects.order_by("id").values_list("on_hand", "allocated")),
        StockMovement.objects.count(),
    )


def test_preview_marks_each_bad_row_and_offers_no_apply(client, staff, east, tee, mug):
    give_stock(tee, east, 10, allocated=4)
    before = snapshot()
    response = upload(
        client,
        "sku,warehouse,counted\n"
        "TEE-BLK-M,EAST,2\n"
        "NOPE,EAST,1\n"
        "MUG-WHT,NORTH,1\n"
        "MUG-WHT,EAST,3\n"
        "MUG-WHT,EAST,4\n"
        "BOTTLE,EAST,1.5\n",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Counted 2 is below the 4 units allocated to orders." in html
    assert "Unknown SKU “NOPE”." in html
    assert "Unknown warehouse “NORTH”." in html
    assert "Counted must be a whole number of 0 or more (got “1.5”)." in html
    assert "Duplicate row: line 5 counts this SKU here." in html
    assert "5 of 6 rows cannot be applied." in html
    assert APPLY_URL not in html
    assert "inventory.count_import" not in client.session
    assert snapshot() == before


def test_preview_of_a_clean_file_shows_the_change_and_an_apply_button(client, staff, east, tee):
    give_stock(tee, east, 10)
    response = upload(client, "sku,warehouse,counted,note\nTEE-BLK-M,EAST,7,aisle 3\n")
    html = response.content.decode()
    assert "All 1 row pass." in html
    assert APPLY_URL in html
    assert "Apply 1 count" in html
    assert "-3" in html
    # Nothing is applied by the preview.
    assert StockLevel.objects.get(product=tee).on_hand == 10


def test_clean_file_applies_as_count_movements_in_one_go(client, staff, east, west, tee, mug):
    give_stock(tee, east, 10)
    give_stock(mug, west, 2)
    preview = upload(
        client,
        "sku,warehouse,counted,note\n"
        "TEE-BLK-M,EAST,7,aisle 3\n"
        "MUG-WHT,WEST,5,\n"
        "MUG-WHT,EAST,1,aisle 3\n",
        reference="Cycle count A",
    )
    token = preview.context["token"]
    response = client.post(APPLY_URL, {"token": token}, follow=True)
    assert response.redirect_chain[-1][0].startswith("/inventory/ledger/?reference=Cycle+count+A")
    assert "Applied 3 counts from counts.csv under “Cycle count A”." in response.content.decode()
    on_hand = {
        (level.product.sku, level.warehouse.code): level.on_hand
        for level in StockLevel.objects.select_related("product", "warehouse")
    }
    assert on_hand == {("TEE-BLK-M", "EAST"): 7, ("MUG-WHT", "WEST"): 5, ("MUG-WHT", "EAST"): 1}
    counts = StockMovement.objects.filter(kind=MovementKind.COUNT)
    assert sorted(
        counts.values_list("product__sku", "warehouse__code", "on_hand_delta", "note")
    ) == [
        ("MUG-WHT", "EAST", 1, "aisle 3"),
        ("MUG-WHT", "WEST", 3, ""),
        ("TEE-BLK-M", "EAST", -3, "aisle 3"),
    ]
    assert set(counts.values_list("reference", "actor")) == {("Cycle count A", staff.pk)}
    # The preview is used up.
    assert client.post(APPLY_URL, {"token": token}).status_code == 302
    assert StockMovement.objects.filter(kind=MovementKind.COUNT).count() == 3


def test_reference_defaults_to_the_file_name(client, staff, east, tee):
    preview = upload(client, "sku,warehouse,counted\nTEE-BLK-M,EAST,1\n", name="aisle-4.csv")
    client.post(APPLY_URL, {"token": preview.context["token"]})
    assert (
        StockMovement.objects.get(kind=MovementKind.COUNT).reference == "count import aisle-4.csv"
    )


def test_apply_re_validates_against_the_stock_as_it_is_now(client, staff, east, tee):
    give_stock(tee, east, 10)
    preview = upload(client, "sku,warehouse,counted\nTEE-BLK-M,EAST,3\n")
    assert preview.context["sheet"].is_clean
    # While the preview is read, an order takes 5 units.
    services.stock_reserve(
        lines=[services.StockLine(product=tee, warehouse=east, quantity=5)], reference="order:SO-1"
    )
    before = snapshot()
    response = client.post(APPLY_URL, {"token": preview.context["token"]})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nothing was applied" in html
    assert "Counted 3 is below the 5 units allocated to orders." in html
    assert snapshot() == before
    assert not StockMovement.objects.filter(kind=MovementKind.COUNT).exists()


def test_apply_with_a_wrong_or_missing_token_applies_nothing(client, staff, east, tee):
    upload(client, "sku,warehouse,counted\nTEE-BLK-M,EAST,3\n")
    response = client.post(APPLY_URL, {"token": "forged"}, follow=True)
    assert "That preview is no longer current; upload the file again." in response.content.decode()
    assert not StockMovement.objects.exists()


def test_a_new_upload_replaces_the_pending_preview(client, staff, east, tee):
    first = upload(client, "sku,warehouse,counted\nTEE-BLK-M,EAST,3\n")
    upload(client, "sku,warehouse,counted\nNOPE,EAST,3\n")
    client.post(APPLY_URL, {"token": first.context["token"]})
    assert not StockMovement.objects.exists()


def test_upload_without_a_file_asks_for_one(client, staff):
    response = client.post(URL, {"reference": "x"})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()


def test_a_file_that_is_not_a_counts_file_is_explained(client, staff):
    response = upload(client, "name,qty\nTee,1\n")
    html = response.content.decode()
    assert "The first row must name the columns sku, warehouse, counted" in html
    assert APPLY_URL not in html
