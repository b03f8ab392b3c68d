"""The returns panel on the order page: the order's returns, and "Start a return" — each shipped
line with what it may still return, a quantity and a reason, refund or exchange, a note. Starting
swaps in the whole order; a refusal stays beside the line it names and creates nothing."""

import re

import pytest

from returns.models import ReturnRequest, ReturnStatus
from returns.services import return_refund, return_reject
from tests.orders.factories import capture
from tests.payments.factories import run_owed
from tests.returns.factories import shipped_order
from tests.returns.screens import (
    HTMX,
    opened,
    order_url,
    received,
    section,
    start_url,
    text_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def support(client, support_user):
    client.force_login(support_user)
    return client


def panel_of(html: str) -> str:
    return section(html, "returns")


def line_row(html: str, sku: str) -> str:
    return re.search(rf'<tr class="start-return-line" data-sku="{sku}">.*?</tr>', html, re.S)[0]


def start_data(order, *lines, resolution="refund", **extra) -> dict:
    """The form as posted: [(sku, quantity, reason)]; every other line left at 0."""
    data = {"resolution": resolution, **extra}
    for line in order.lines.all():
        data[f"quantity_{line.pk}"] = 0
        data[f"reason_{line.pk}"] = ""
    for sku, quantity, reason in lines:
        line = order.lines.get(sku=sku)
        data[f"quantity_{line.pk}"] = quantity
        data[f"reason_{line.pk}"] = reason
    return data


# --- what the panel shows -------------------------------------------------------------------


def test_the_panel_lists_the_returns_with_status_lines_and_settlement(
    support, order, support_user, fulfillment_user
):
    refunded = received(order, support_user, fulfillment_user, ("TEE", 1))
    return_refund(rma=refunded, actor=support_user)
    run_owed()
    rejected = opened(order, support_user, ("MUG", 2, "changed_mind"))
    return_reject(rma=rejected, reason="Outside the window", actor=support_user)
    panel = panel_of(support.get(order_url(order)).content.decode())
    rows = re.findall(r'<tr class="order-return" data-rma="(RMA-\d+)">', panel)
    assert rows == [rejected.number, refunded.number]
    text = text_of(panel)
    assert f"{refunded.number} Refunded Refund 1 × TEE Defective TEE: 1 sellable" in text
    assert "Refunded 18.00 USD" in text
    assert f"{rejected.number} Rejected Refund 2 × MUG Changed mind" in text
    assert f'href="/returns/{refunded.number}/"' in panel


def test_support_is_offered_each_shipped_line_with_what_it_may_still_return(
    support, order, support_user
):
    opened(order, support_user, ("MUG", 1))
    panel = panel_of(support.get(order_url(order)).content.decode())
    assert "Start a return" in panel
    assert text_of(line_row(panel, "MUG")).startswith("MUG Product")
    assert 'data-testid="returnable-MUG">1<' in panel
    assert 'data-testid="returnable-TEE">1<' in panel
    # Closed until asked for: the page stays short.
    assert '<details class="start-return" id="start-return">' in panel


def test_fulfillment_sees_the_returns_but_not_the_form(client, order, fulfillment_user):
    client.force_login(fulfillment_user)
    panel = panel_of(client.get(order_url(order)).content.decode())
    assert "No returns." in panel
    assert "Start a return" not in panel


def test_the_form_is_offered_only_while_something_may_be_returned(
    support, setup, order, support_user
):
    unshipped = capture(setup["web"], [("MUG", 1)])
    assert "Start a return" not in panel_of(support.get(order_url(unshipped)).content.decode())
    opened(order, support_user, ("MUG", 2), ("TEE", 1))
    panel = panel_of(support.get(order_url(order)).content.decode())
    assert "Start a return" not in panel
    assert "No returns." not in panel


def test_a_line_chosen_on_the_customer_page_opens_the_form_with_one_unit_of_it(support, order):
    mug = order.lines.get(sku="MUG")
    panel = panel_of(support.get(f"{order_url(order)}?return={mug.pk}").content.decode())
    assert '<details class="start-return" id="start-return" open>' in panel
    row = line_row(panel, "MUG")
    assert f'name="quantity_{mug.pk}" value="1"' in row
    assert "autofocus" in row
    assert 'value="0"' in line_row(panel, "TEE")


# --- starting a return ----------------------------------------------------------------------


def test_starting_a_return_swaps_in_the_whole_order_with_it(support, order, support_user):
    data = start_data(order, ("MUG", 1, "defective"), note="Handle snapped off")
    response = support.post(start_url(order), data, headers=HTMX)
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#order" and response["HX-Reswap"] == "outerHTML"
    rma = ReturnRequest.objects.get()
    assert (rma.status, rma.resolution, rma.note, rma.requested_by) == (
        ReturnStatus.REQUESTED,
        "refund",
        "Handle snapped off",
        support_user,
    )
    assert [(line.order_line.sku, line.quantity, line.reason) for line in rma.lines.all()] == [
        ("MUG", 1, "defective")
    ]
    html = response.content.decode()
    assert f"Return {rma.number} opened for a refund: 1 × MUG." in html
    assert f'data-rma="{rma.number}"' in panel_of(html)
    assert f"Return {rma.number} opened for refund" in text_of(section(html, "timeline"))
    # Something may still come back: the form is offered again, fresh and closed.
    assert 'data-testid="returnable-MUG">1<' in panel_of(html)
    assert '<details class="start-return" id="start-return">' in panel_of(html)


def test_a_plain_post_redirects_to_the_order(support, order):
    response = support.post(start_url(order), start_data(order, ("TEE", 1, "wrong_item")))
    assert response.status_code == 302 and response["Location"] == order_url(order)
    assert ReturnRequest.objects.get().lines.get().order_line.sku == "TEE"


def test_an_over_return_is_refused_beside_its_line_and_nothing_is_created(
    support, order, support_user
):
    opened(order, support_user, ("MUG", 1))
    data = start_data(order, ("TEE", 1, "defective"), ("MUG", 2, "defective"))
    response = support.post(start_url(order), data, headers=HTMX)
    assert response.status_code == 200
    panel = panel_of(response.content.decode())
    assert "At most 1 of MUG may be returned" in text_of(line_row(panel, "MUG"))
    assert "At most" not in line_row(panel, "TEE")
    # The form stays open with what was typed.
    assert '<details class="start-return" id="start-return" open>' in panel
    assert 'value="2"' in line_row(panel, "MUG")
    assert ReturnRequest.objects.count() == 1


@pytest.mark.parametrize(
    ("lines", "sku", "error"),
    [
        ([("MUG", 1, "")], "MUG", "Say why it comes back."),
        ([("MUG", -1, "defective")], "MUG", "Ensure this value is greater than or equal to 0."),
        ([("TEE", "two", "defective")], "TEE", "Enter a whole number."),
    ],
)
def test_bad_input_is_refused_beside_its_line(support, order, lines, sku, error):
    response = support.post(start_url(order), start_data(order, *lines), headers=HTMX)
    assert error in text_of(line_row(panel_of(response.content.decode()), sku))
    assert not ReturnRequest.objects.exists()


def test_a_return_of_nothing_says_so(support, order):
    response = support.post(start_url(order), start_data(order), headers=HTMX)
    panel = panel_of(response.content.decode())
    assert "Enter how many units of at least one line come back." in panel
    assert not ReturnRequest.objects.exists()


def test_an_exchange_names_what_to_send_instead(support, order):
    data = start_data(
        order,
        ("TEE", 1, "wrong_item"),
        resolution="exchange",
        exchange_sku="CAP",
        exchange_quantity=2,
    )
    support.post(start_url(order), data, headers=HTMX)
    rma = ReturnRequest.objects.get()
    assert (rma.resolution, rma.exchange_request) == ("exchange", [{"sku": "CAP", "quantity": 2}])


def test_an_unknown_replacement_sku_is_refused_beside_it(support, order):
    data = start_data(order, ("TEE", 1, "wrong_item"), resolution="exchange", exchange_sku="NOPE")
    response = support.post(start_url(order), data, headers=HTMX)
    field = re.search(
        r'<div class="field has-error">\s*<label for="start_return_exchange_sku">.*?</div>',
        response.content.decode(),
        re.S,
    )[0]
    assert "No product has the SKU NOPE." in field
    assert not ReturnRequest.objects.exists()


def test_an_order_of_another_number_is_404(support, order):
    response = support.post("/returns/orders/SO-999999/start/", start_data(order))
    assert response.status_code == 404


# --- cost -----------------------------------------------------------------------------------


def test_the_order_page_query_count_does_not_grow_with_returns_or_lines(
    client, setup, manager_user, support_user, fulfillment_user, django_assert_max_num_queries
):
    client.force_login(manager_user)
    one = shipped_order(setup["web"], [("MUG", 1, "10.00")], packer=fulfillment_user)
    opened(one, support_user, ("MUG", 1))
    # 12 for the page and the payments and shipments panels (a shipped order has no units
    # left to put in a parcel), 3 for this panel: the returns, their lines, what open returns
    # hold.
    with django_assert_max_num_queries(15) as few:
        assert client.get(order_url(one)).status_code == 200

    many = shipped_order(
        setup["web"],
        [("MUG", 6, "10.00"), ("TEE", 6, "20.00"), ("CAP", 6, "15.00")],
        packer=fulfillment_user,
    )
    for _ in range(3):
        opened(many, support_user, ("MUG", 1), ("TEE", 1), ("CAP", 1))
    refunded = received(many, support_user, fulfillment_user, ("MUG", 2), ("TEE", 1))
    return_refund(rma=refunded, actor=support_user)
    with django_assert_max_num_queries(15) as lots:
        response = client.get(order_url(many))
    assert len(re.findall('class="order-return"', response.content.decode())) == 4
    assert len(lots) == len(few)
