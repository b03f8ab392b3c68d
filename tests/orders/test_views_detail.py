"""The order page: what it shows, and the actions on it — each works, and is refused when the
order's state does not allow it; bad input shows the reason and changes nothing."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from orders.models import Order, OrderEvent, OrderHold, OrderStatus
from orders.services import order_cancel, order_hold, order_note_add
from tests.inventory.factories import ProductFactory, WarehouseFactory, give_stock
from tests.orders.factories import SalesChannelFactory, capture

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def order():
    east, west = WarehouseFactory(code="EAST", priority=1), WarehouseFactory(code="WEST")
    give_stock(ProductFactory(sku="TEE", name="Tee"), east, 2)
    give_stock(ProductFactory(sku="TEE", name="Tee"), west, 10)
    give_stock(ProductFactory(sku="MUG", name="Mug"), east, 10)
    give_stock(ProductFactory(sku="CAP", name="Cap"), east, 10)
    channel = SalesChannelFactory(code="web")
    return capture(channel, [("TEE", 3), ("MUG", 1)], email="ada@example.com")


def url(name: str, order, *args) -> str:
    return reverse(f"orders:{name}", args=[order.number, *args])


def fresh(order) -> Order:
    return Order.objects.get(pk=order.pk)


@pytest.fixture
def support(client, support_user):
    client.force_login(support_user)
    return client


# --- what the page shows ---------------------------------------------------------------------


def test_page_shows_badges_lines_allocations_and_customer(support, order):
    Order.objects.filter(pk=order.pk).update(ship_by=timezone.now() - timedelta(hours=1))
    html = support.get(url("detail", order)).content.decode()
    assert '<span class="badge status-ready">Ready to fulfill</span>' in html
    assert "Payment: no payment" in html
    assert "Fulfillment: allocated" in html
    assert '<span class="badge badge-danger">Late</span>' in html
    assert "ada@example.com" in html and "12 Analytical Row" in html
    # TEE is split: EAST holds only two of the three.
    assert '<span class="nowrap">EAST × 2</span>, <span class="nowrap">WEST × 1</span>' in html


def test_timeline_lists_every_event_newest_first_with_actor(support, order, support_user):
    order_note_add(order=order, text="First note", actor=support_user)
    order_note_add(order=order, text="Second note", actor=support_user)
    html = support.get(url("detail", order)).content.decode()
    assert html.index("Second note") < html.index("First note") < html.index("Order captured")
    assert support_user.get_full_name() in html
    events = OrderEvent.objects.filter(order=order).count()
    assert html.count('<li class="event event-') == events


def test_htmx_gets_the_order_partial_and_history_restore_the_page(support, order):
    partial = support.get(url("detail", order), headers=HTMX)
    assert b'<div id="order"' in partial.content and b"<html" not in partial.content
    restore = support.get(
        url("detail", order), headers={**HTMX, "HX-History-Restore-Request": "true"}
    )
    assert b"<html" in restore.content


def test_unknown_order_is_404(support):
    assert support.get(reverse("orders:detail", args=["SO-999999"])).status_code == 404


def test_closed_order_offers_no_actions(support, order):
    order_cancel(order=order, reason="test", actor=None)
    html = support.get(url("detail", order)).content.decode()
    for hidden in ("Cancel order", "Put on hold", "Add line", ">Edit<"):
        assert hidden not in html, hidden
    assert "Lines can no longer change: the order is cancelled." in html


# --- cancel and holds ------------------------------------------------------------------------


def test_cancel_with_reason(support, order, support_user):
    response = support.post(url("cancel", order), {"reason": "Customer changed mind"})
    assert response.status_code == 302
    assert fresh(order).status == OrderStatus.CANCELLED
    event = OrderEvent.objects.get(order=order, type="cancelled")
    assert (event.message, event.actor) == ("Order cancelled: Customer changed mind.", support_user)


def test_cancel_needs_a_reason(support, order):
    response = support.post(url("cancel", order), {"reason": ""}, headers=HTMX)
    assert "This field is required." in response.content.decode()
    assert fresh(order).status == OrderStatus.READY


def test_cancel_is_refused_when_the_order_is_already_cancelled(support, order):
    order_cancel(order=order, reason="first", actor=None)
    response = support.post(url("cancel", order), {"reason": "again"}, follow=True)
    assert "it cannot be cancelled now" in response.content.decode()
    assert OrderEvent.objects.filter(order=order, type="cancelled").count() == 1


def test_hold_then_release_makes_the_order_ready_again(support, order, support_user):
    response = support.post(
        url("hold_add", order), {"reason": "customer_request", "note": "Wait"}, headers=HTMX
    )
    assert response.status_code == 200
    assert fresh(order).status == OrderStatus.ON_HOLD
    html = response.content.decode()
    assert "put on hold (Customer request)" in html
    assert "Wait" in html and ">Release<" in html
    hold = OrderHold.objects.get(order=order)
    response = support.post(url("hold_release", order, hold.pk), headers=HTMX)
    assert fresh(order).status == OrderStatus.READY
    hold.refresh_from_db()
    assert hold.released_by == support_user
    assert "Hold “Customer request” released;" in response.content.decode()


def test_holds_stack_on_an_order_already_on_hold(support, order):
    order_hold(order=order, reason="fraud_review", actor=None)
    support.post(url("hold_add", order), {"reason": "manual"})
    assert OrderHold.objects.filter(order=order, released_at__isnull=True).count() == 2


def test_bad_hold_reason_is_shown_and_nothing_changes(support, order):
    response = support.post(url("hold_add", order), {"reason": "bored"}, headers=HTMX)
    assert "Select a valid choice. bored is not one of the available choices." in (
        response.content.decode()
    )
    assert fresh(order).status == OrderStatus.READY
    assert not OrderHold.objects.exists()


def test_releasing_a_released_hold_is_refused(support, order):
    hold = order_hold(order=order, reason="manual", actor=None)
    support.post(url("hold_release", order, hold.pk))
    response = support.post(url("hold_release", order, hold.pk), follow=True)
    assert "This hold was already released." in response.content.decode()


def test_fulfillment_may_hold_but_sees_no_release(client, fulfillment_user, order):
    client.force_login(fulfillment_user)
    client.post(url("hold_add", order), {"reason": "address_invalid", "note": "Gate code?"})
    assert fresh(order).status == OrderStatus.ON_HOLD
    html = client.get(url("detail", order)).content.decode()
    assert "Gate code?" in html and ">Release<" not in html


# --- lines and address -----------------------------------------------------------------------


def test_set_line_quantity_reallocates(support, order):
    line = order.lines.get(sku="MUG")
    support.post(url("line_quantity", order, line.pk), {"quantity": 4})
    line.refresh_from_db()
    assert line.quantity == 4
    assert sum(a.quantity for a in line.allocations.all()) == 4
    assert fresh(order).grand_total == 3 * 10 + 4 * 10


@pytest.mark.parametrize("quantity", ["0", "-2", "lots"])
def test_bad_quantity_is_shown_and_nothing_changes(support, order, quantity):
    line = order.lines.get(sku="MUG")
    response = support.post(
        url("line_quantity", order, line.pk), {"quantity": quantity}, headers=HTMX
    )
    html = response.content.decode()
    assert (
        "Ensure this value is greater than or equal to 1." in html
        or "Enter a whole number." in html
    )
    line.refresh_from_db()
    assert line.quantity == 1


def test_cancel_line_remainder_and_remove_line(support, order):
    mug, tee = order.lines.get(sku="MUG"), order.lines.get(sku="TEE")
    support.post(url("line_cancel", order, tee.pk))
    tee.refresh_from_db()
    assert (tee.quantity, tee.quantity_cancelled, tee.allocations.count()) == (3, 3, 0)
    support.post(url("line_add", order), {"sku": "CAP", "quantity": 2})
    support.post(url("line_remove", order, mug.pk))
    skus = sorted(fresh(order).lines.values_list("sku", flat=True))
    assert skus == ["CAP", "TEE"]
    assert fresh(order).status == OrderStatus.READY


def test_removing_the_last_line_is_refused(support, order):
    mug, tee = order.lines.get(sku="MUG"), order.lines.get(sku="TEE")
    support.post(url("line_remove", order, mug.pk))
    response = support.post(url("line_remove", order, tee.pk), follow=True)
    assert "This is the last line still to ship; cancel the order instead of removing it." in (
        response.content.decode()
    )
    assert order.lines.count() == 1


def test_add_line_by_sku(support, order):
    response = support.post(url("line_add", order), {"sku": "CAP", "quantity": 2}, headers=HTMX)
    assert "Added 2 × CAP to" in response.content.decode()
    cap = order.lines.get(sku="CAP")
    assert (cap.quantity, cap.unit_price, cap.allocations.get().quantity) == (
        2,
        Decimal("19.90"),
        2,
    )


def test_add_line_with_unknown_sku_is_refused(support, order):
    response = support.post(url("line_add", order), {"sku": "NOPE", "quantity": 1}, headers=HTMX)
    assert "No product has the SKU NOPE." in response.content.decode()
    assert order.lines.count() == 2


def test_edits_are_refused_once_the_order_is_closed(support, order):
    order_cancel(order=order, reason="test", actor=None)
    line = order.lines.get(sku="MUG")
    response = support.post(url("line_quantity", order, line.pk), {"quantity": 5}, follow=True)
    assert "it can only be edited before fulfillment starts" in response.content.decode()
    line.refresh_from_db()
    assert line.quantity == 1


ADDRESS = {
    "name": "Ada King",
    "line1": "1 Difference Way",
    "city": "London",
    "postal_code": "N1 9GU",
    "country": "gb",
}


def test_inline_address_edit(support, order):
    form = support.get(url("address_edit", order), headers=HTMX).content.decode()
    assert form.lstrip().startswith('<section class="card" id="shipping-address"')
    assert 'value="12 Analytical Row"' in form
    response = support.post(url("address_update", order), ADDRESS, headers=HTMX)
    assert "Shipping address of" in response.content.decode()
    address = fresh(order).shipping_address
    assert (address.line1, address.country) == ("1 Difference Way", "GB")
    assert OrderEvent.objects.filter(order=order, type="edited").exists()


def test_bad_address_is_shown_and_nothing_changes(support, order):
    response = support.post(
        url("address_update", order), {**ADDRESS, "country": "Britain", "city": ""}, headers=HTMX
    )
    html = response.content.decode()
    assert "Use the two-letter ISO country code, e.g. US or DE." in html
    assert "This field is required." in html
    assert fresh(order).shipping_address.line1 == "12 Analytical Row"


def test_address_card_without_htmx_goes_to_the_order(support, order):
    response = support.get(url("address", order))
    assert response["Location"] == url("detail", order)


# --- timeline --------------------------------------------------------------------------------


def test_add_note_swaps_the_timeline(support, order, support_user):
    response = support.post(
        url("note_add", order), {"text": "Called, left voicemail"}, headers=HTMX
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<section class="card" id="timeline"')
    assert "Called, left voicemail" in html
    assert support_user.get_full_name() in html
    assert "Note added." in html
    event = OrderEvent.objects.get(order=order, type="note")
    assert (event.message, event.actor) == ("Called, left voicemail", support_user)


def test_empty_note_is_refused(support, order):
    response = support.post(url("note_add", order), {"text": "   "}, headers=HTMX)
    assert "This field is required." in response.content.decode()
    assert not OrderEvent.objects.filter(order=order, type="note").exists()


def test_log_inquiry(support, order):
    support.post(url("inquiry_log", order), {"channel": "chat", "summary": "Asked for ETA"})
    event = OrderEvent.objects.get(order=order, type="inquiry")
    assert event.message == "Customer inquiry by chat: Asked for ETA"
    html = support.get(url("detail", order)).content.decode()
    assert "Customer inquiry by chat: Asked for ETA" in html


def test_inquiry_needs_a_known_channel_and_a_summary(support, order):
    response = support.post(
        url("inquiry_log", order), {"channel": "pigeon", "summary": ""}, headers=HTMX
    )
    html = response.content.decode()
    assert "Select a valid choice." in html and "This field is required." in html
    assert not OrderEvent.objects.filter(order=order, type="inquiry").exists()
