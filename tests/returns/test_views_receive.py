"""The receiving desk: a scanned RMA opens the lines still expected (all units, sellable, by
default); one submit records them — sellable units back in stock, damaged ones not — and the
scan field is ready for the next parcel. Refusals stay beside the field they are about."""

import re

import pytest
from django.urls import reverse

from inventory.models import StockLevel, StockMovement
from returns.models import ReturnRequest, ReturnStatus
from tests.inventory.factories import WarehouseFactory
from tests.returns.screens import HTMX, RECEIVE, approved, fresh, opened, text_of

pytestmark = pytest.mark.django_db
S = ReturnStatus


@pytest.fixture
def desk(client, fulfillment_user):
    client.force_login(fulfillment_user)
    return client


def on_hand(sku: str, warehouse: str = "EAST") -> int:
    return StockLevel.objects.get(product__sku=sku, warehouse__code=warehouse).on_hand


def scan(client, code: str):
    return client.post(RECEIVE, {"rma": code}, headers=HTMX)


def row_of(html: str, sku: str) -> str:
    return re.search(rf'<tr data-sku="{sku}">.*?</tr>', html, re.S)[0]


def receipt(rma: ReturnRequest, *lines, **extra) -> dict:
    """The desk's form as posted: [(sku, quantity, condition)] for the return's lines."""
    data = {"intent": "receive", "open": rma.number, **extra}
    for sku, quantity, condition in lines:
        line = rma.lines.get(order_line__sku=sku)
        data[f"quantity_{line.pk}"] = quantity
        data[f"condition_{line.pk}"] = condition
    return data


def scan_field(html: str) -> str:
    return re.search(r'<input type="text" id="receive-rma"[^>]*>', html)[0]


# --- opening a return -----------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["number", "lower case", "digits only"])
def test_a_scanned_rma_opens_what_is_still_expected(desk, order, support_user, typed):
    rma = approved(order, support_user, ("MUG", 2), ("TEE", 1, "wrong_item"))
    code = {"number": rma.number, "lower case": rma.number.lower(), "digits only": str(rma.pk)}
    response = scan(desk, code[typed])
    html = response.content.decode()
    assert response["HX-Replace-Url"] == f"{RECEIVE}?rma={rma.number}"
    assert f'<input type="hidden" name="open" value="{rma.number}">' in html
    mug = rma.lines.get(order_line__sku="MUG")
    assert f'name="quantity_{mug.pk}" value="2"' in row_of(html, "MUG")
    assert '<option value="sellable" selected>' in row_of(html, "MUG")
    assert text_of(row_of(html, "TEE")).startswith("TEE Product")
    assert "Wrong item sent 1 0" in text_of(row_of(html, "TEE"))
    # The scan field is empty and keeps the focus for the next parcel.
    assert 'value=""' in scan_field(html) and "autofocus" in scan_field(html)


def test_a_link_from_the_return_page_opens_it_too(desk, order, support_user):
    rma = approved(order, support_user, ("MUG", 1))
    html = desk.get(f"{RECEIVE}?rma={rma.number}").content.decode()
    assert f'value="{rma.number}"' in html and 'data-sku="MUG"' in html


@pytest.mark.parametrize(
    ("state", "error"),
    [
        ("unknown", "No return has the number RMA-999999."),
        ("requested", "is requested: approve it first."),
        ("arrived", "Everything on {number} has arrived."),
    ],
)
def test_a_return_that_cannot_be_received_is_said_beside_the_scan_field(
    desk, order, support_user, fulfillment_user, state, error
):
    from returns.services import ReceivedUnits, return_receive

    if state == "requested":
        rma = opened(order, support_user, ("MUG", 1))
    else:
        rma = approved(order, support_user, ("MUG", 1))
        return_receive(rma=rma, lines=[ReceivedUnits("MUG", 1, "sellable")], actor=None)
    code = "RMA-999999" if state == "unknown" else rma.number
    html = scan(desk, code).content.decode()
    field = html[html.index('id="receive-rma"') : html.index("</button>")]
    assert error.format(number=rma.number) in field
    assert 'aria-invalid="true"' in field
    assert 'name="open"' not in html


# --- receiving ------------------------------------------------------------------------------


def test_sellable_units_go_back_in_stock_and_damaged_ones_do_not(
    desk, order, support_user, fulfillment_user
):
    rma = approved(order, support_user, ("MUG", 2), ("TEE", 1))
    mug, tee = on_hand("MUG"), on_hand("TEE")
    response = desk.post(
        RECEIVE, receipt(rma, ("MUG", 2, "sellable"), ("TEE", 1, "damaged")), headers=HTMX
    )
    html = response.content.decode()
    assert (
        f"{rma.number}: received 3 units — 2 × MUG sellable (restocked), 1 × TEE damaged." in html
    )
    assert (on_hand("MUG"), on_hand("TEE")) == (mug + 2, tee)
    restock = StockMovement.objects.get(kind="restock")
    assert (restock.on_hand_delta, restock.reference, restock.actor) == (
        2,
        f"return:{rma.number}",
        fulfillment_user,
    )
    rma = fresh(rma)
    assert rma.status == S.RECEIVED
    assert [(line.quantity_sellable, line.quantity_damaged) for line in rma.lines.all()] == [
        (2, 0),
        (0, 1),
    ]
    # Ready for the next parcel: nothing open, the scan field empty with the focus.
    assert response["HX-Replace-Url"] == RECEIVE
    assert 'name="open"' not in html and "autofocus" in scan_field(html)
    # The restock shows on the product's stock levels.
    product = desk.get(reverse("inventory:product_detail", args=["MUG"])).content.decode()
    levels = product[product.index('id="stock-levels"') :]
    assert f'<td class="num">{mug + 2}</td>' in levels


def test_a_partial_receipt_leaves_the_rest_expected(desk, order, support_user):
    rma = approved(order, support_user, ("MUG", 2))
    desk.post(RECEIVE, receipt(rma, ("MUG", 1, "sellable")), headers=HTMX)
    assert fresh(rma).status == S.RECEIVED
    html = scan(desk, rma.number).content.decode()
    line = rma.lines.get()
    assert f'name="quantity_{line.pk}" value="1"' in row_of(html, "MUG")
    assert "Defective 2 1" in text_of(row_of(html, "MUG"))
    desk.post(RECEIVE, receipt(rma, ("MUG", 1, "damaged")), headers=HTMX)
    line.refresh_from_db()
    assert (line.quantity_sellable, line.quantity_damaged) == (1, 1)
    assert order.lines.get(sku="MUG").quantity_returned == 2


def test_a_chosen_warehouse_takes_the_sellable_units(desk, order, support_user, setup):
    WarehouseFactory(code="WEST", priority=2, country="US")
    rma = approved(order, support_user, ("MUG", 1))
    desk.post(RECEIVE, receipt(rma, ("MUG", 1, "sellable"), warehouse="WEST"), headers=HTMX)
    assert on_hand("MUG", "WEST") == 1


def test_more_than_expected_is_refused_beside_the_line_and_nothing_changes(
    desk, order, support_user
):
    rma = approved(order, support_user, ("MUG", 2), ("TEE", 1))
    before = on_hand("MUG")
    response = desk.post(
        RECEIVE, receipt(rma, ("MUG", 3, "sellable"), ("TEE", 1, "sellable")), headers=HTMX
    )
    html = response.content.decode()
    assert "Only 2 of MUG are still expected." in text_of(row_of(html, "MUG"))
    assert "Only" not in row_of(html, "TEE")
    assert f'<input type="hidden" name="open" value="{rma.number}">' in html
    assert 'value="3"' in row_of(html, "MUG")
    assert on_hand("MUG") == before
    assert fresh(rma).status == S.APPROVED


def test_nothing_received_is_refused(desk, order, support_user):
    rma = approved(order, support_user, ("MUG", 2))
    html = desk.post(RECEIVE, receipt(rma, ("MUG", 0, "sellable")), headers=HTMX).content
    assert "Enter how many units arrived." in html.decode()
    assert fresh(rma).status == S.APPROVED


def test_enter_in_a_quantity_field_keeps_the_return_open_as_typed(desk, order, support_user):
    rma = approved(order, support_user, ("MUG", 2))
    data = receipt(rma, ("MUG", 1, "damaged"))
    data.pop("intent")
    html = desk.post(RECEIVE, {**data, "rma": ""}, headers=HTMX).content.decode()
    assert 'value="1"' in row_of(html, "MUG")
    assert '<option value="damaged" selected>' in row_of(html, "MUG")
    assert fresh(rma).status == S.APPROVED


def test_a_plain_post_flashes_and_redirects(desk, order, support_user):
    rma = approved(order, support_user, ("MUG", 2))
    response = desk.post(RECEIVE, receipt(rma, ("MUG", 5, "sellable")), follow=True)
    assert response.redirect_chain == [(f"{RECEIVE}?rma={rma.number}", 302)]
    assert "Only 2 of MUG are still expected." in response.content.decode()
    response = desk.post(RECEIVE, receipt(rma, ("MUG", 2, "sellable")))
    assert response["Location"] == RECEIVE
    assert fresh(rma).status == S.RECEIVED
