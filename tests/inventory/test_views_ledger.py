"""The stock ledger page: filters, keyset pages, a fixed query count, and the CSV export."""

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from inventory import services
from inventory.models import MovementKind, StockMovement
from tests.inventory.factories import ProductFactory, WarehouseFactory, give_stock

pytestmark = pytest.mark.django_db

URL = "/inventory/ledger/"
EXPORT_URL = "/inventory/ledger/export.csv"


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
def staff(client, support_user):
    client.force_login(support_user)
    return support_user


def movement_ids(response) -> list[int]:
    return [movement.pk for movement in response.context["page"].items]


def test_urls_are_stable():
    assert reverse("inventory:ledger") == URL
    assert reverse("inventory:ledger_export") == EXPORT_URL


def test_ledger_lists_movements_newest_first(client, staff, east, tee, fulfillment_user):
    give_stock(tee, east, 10, reference="PO-1", actor=fulfillment_user)
    services.stock_adjust(
        product=tee, warehouse=east, delta=-2, note="broken", actor=fulfillment_user
    )
    response = client.get(URL)
    kinds = [movement.kind for movement in response.context["page"].items]
    assert kinds == [MovementKind.ADJUSTMENT, MovementKind.RECEIPT]
    html = response.content.decode()
    assert "PO-1" in html and "broken" in html and "fran" in html


def test_filters_by_sku_warehouse_kind_reference_and_dates(client, staff, east, west, tee, mug):
    give_stock(tee, east, 10, reference="PO-1")
    give_stock(tee, west, 4, reference="PO-2")
    give_stock(mug, east, 3, reference="PO-3")
    services.stock_count(product=tee, warehouse=east, counted=9)

    def skus_and_kinds(**params):
        response = client.get(URL, params)
        assert response.status_code == 200
        return [(m.product.sku, m.warehouse.code, m.kind) for m in response.context["page"].items]

    assert skus_and_kinds(sku="MUG-WHT") == [("MUG-WHT", "EAST", "receipt")]
    assert skus_and_kinds(warehouse="WEST") == [("TEE-BLK-M", "WEST", "receipt")]
    assert skus_and_kinds(kind="count") == [("TEE-BLK-M", "EAST", "count")]
    assert skus_and_kinds(reference="PO-2") == [("TEE-BLK-M", "WEST", "receipt")]
    today = timezone.localdate()
    assert len(skus_and_kinds(date_from=today.isoformat(), date_to=today.isoformat())) == 4
    assert skus_and_kinds(date_from=(today + timedelta(days=1)).isoformat()) == []


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"sku": "NOPE"}, "No product has the SKU “NOPE”."),
        (
            {"date_from": "2026-02-10", "date_to": "2026-02-01"},
            "The end date is before the start date.",
        ),
        ({"date_from": "yesterday"}, "Enter a day as YYYY-MM-DD, e.g. 2025-01-15."),
        ({"kind": "teleport"}, "Select a valid choice."),
    ],
)
def test_bad_filters_are_explained(client, staff, params, message):
    response = client.get(URL, params)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert response.context["page"] is None


def test_keyset_pages_walk_the_whole_ledger_without_overlap(client, staff, east, tee):
    for number in range(60):
        services.stock_receive(product=tee, warehouse=east, quantity=1, reference=f"R{number}")
    everything = list(
        StockMovement.objects.order_by("-created_at", "-id").values_list("pk", flat=True)
    )

    first = client.get(URL, {"per_page": 25})
    second = client.get(URL + first.context["next_url"])
    third = client.get(URL + second.context["next_url"])
    assert movement_ids(first) == everything[:25]
    assert movement_ids(second) == everything[25:50]
    assert movement_ids(third) == everything[50:]
    assert third.context["next_url"] == ""

    back = client.get(URL + third.context["previous_url"])
    assert movement_ids(back) == everything[25:50]


def test_keyset_handles_movements_written_in_the_same_instant(client, staff, east, tee, mug):
    # One receipt of many lines: rows can share a timestamp, the id breaks the tie.
    products = [ProductFactory(sku=f"BULK-{number:02d}") for number in range(30)]
    services.stock_receive_lines(
        warehouse=east, lines=[(p, 1) for p in products], reference="PO-BULK"
    )
    first = client.get(URL, {"per_page": 25})
    second = client.get(URL + first.context["next_url"])
    seen = movement_ids(first) + movement_ids(second)
    assert len(seen) == len(set(seen)) == 30


def _count_queries(client, params) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL, params).status_code == 200
    return len(queries)


@pytest.mark.parametrize("params", [{}, {"sku": "TEE-BLK-M", "kind": "receipt"}])
def test_ledger_runs_a_fixed_number_of_queries_whatever_the_page_size(
    client, staff, east, tee, fulfillment_user, params, django_assert_num_queries
):
    for number in range(5):
        give_stock(tee, east, 1, reference=f"PO-{number}", actor=fulfillment_user)
    few = _count_queries(client, {**params, "per_page": 50})
    for number in range(35):
        give_stock(tee, east, 1, reference=f"PO-B{number}", actor=fulfillment_user)
    with django_assert_num_queries(few):
        response = client.get(URL, {**params, "per_page": 50})
    assert len(response.context["page"].items) == 40


def test_htmx_filter_returns_only_the_results(client, staff, east, tee):
    give_stock(tee, east, 1)
    response = client.get(URL, {"kind": "receipt"}, HTTP_HX_REQUEST="true")
    assert response.content.decode().lstrip().startswith('<div id="ledger-results">')


# --- CSV ---------------------------------------------------------------------------------


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="stock-ledger-')
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


def test_csv_export_streams_the_filtered_ledger(
    client, staff, east, west, tee, mug, fulfillment_user
):
    give_stock(tee, east, 10, reference="PO-1", actor=fulfillment_user)
    give_stock(mug, west, 3, reference="PO-2")
    services.stock_adjust(product=tee, warehouse=east, delta=-2, note="=cmd|' /C calc'!A0")
    response = client.get(EXPORT_URL, {"sku": "TEE-BLK-M"})
    assert response.streaming
    header, *rows = read_csv(response)
    assert header == [
        "created_at",
        "sku",
        "warehouse",
        "kind",
        "on_hand_delta",
        "allocated_delta",
        "on_hand_after",
        "allocated_after",
        "reference",
        "note",
        "actor",
    ]
    assert [row[1:] for row in rows] == [
        ["TEE-BLK-M", "EAST", "adjustment", "-2", "0", "8", "0", "", "'=cmd|' /C calc'!A0", ""],
        ["TEE-BLK-M", "EAST", "receipt", "10", "0", "10", "0", "PO-1", "", "fran"],
    ]


def test_csv_export_is_not_paged(client, staff, east, tee):
    for number in range(120):
        services.stock_receive(product=tee, warehouse=east, quantity=1, reference=f"R{number}")
    _, *rows = read_csv(client.get(EXPORT_URL, {"per_page": 25}))
    assert len(rows) == 120


def test_csv_export_refuses_bad_filters(client, staff):
    response = client.get(EXPORT_URL, {"sku": "NOPE"})
    assert response.status_code == 400
    assert "No product has the SKU" in response.content.decode()


def test_export_link_carries_the_filters(client, staff, east, tee):
    give_stock(tee, east, 1)
    html = client.get(URL, {"kind": "receipt", "warehouse": "EAST"}).content.decode()
    assert f'href="{EXPORT_URL}?kind=receipt&amp;warehouse=EAST"' in html
