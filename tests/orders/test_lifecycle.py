import pytest
from django_fsm import can_proceed

from inventory import services as stock
from inventory.models import StockLevel
from oms.errors import InvalidTransition
from orders.errors import OrderInvalid, OrderNotEditable
from orders.models import HoldReason, Order, OrderStatus
from orders.services import (
    order_address_update,
    order_cancel,
    order_hold,
    order_hold_release,
    order_inquiry_log,
    order_line_add,
    order_line_cancel,
    order_line_remove,
    order_line_set_quantity,
    order_note_add,
    orders_reprocess_backordered,
)
from tests.inventory.factories import ProductFactory, WarehouseFactory, give_stock
from tests.orders.factories import SalesChannelFactory, address, capture

pytestmark = pytest.mark.django_db
S = OrderStatus

# The diagram in DESIGN.md (plus `reopen`, used by edits): transition → states it leaves from.
ALLOWED = {
    "place": {S.DRAFT},
    "mark_ready": {S.PENDING},
    "mark_backordered": {S.PENDING},
    "hold": {S.PENDING, S.READY, S.BACKORDERED, S.FULFILLING, S.PARTIALLY_SHIPPED},
    "release": {S.ON_HOLD},
    "reopen": {S.READY, S.BACKORDERED},
    "allocate_backorder": {S.BACKORDERED},
    "start_fulfillment": {S.READY},
    "ship_partially": {S.READY, S.FULFILLING, S.PARTIALLY_SHIPPED},
    "ship": {S.READY, S.FULFILLING, S.PARTIALLY_SHIPPED},
    "deliver": {S.SHIPPED},
    "cancel": {S.DRAFT, S.PENDING, S.ON_HOLD, S.BACKORDERED, S.READY, S.FULFILLING},
}


@pytest.mark.parametrize("transition", sorted(ALLOWED))
@pytest.mark.parametrize("state", [choice.value for choice in OrderStatus])
def test_every_transition_is_allowed_exactly_from_its_states(transition, state):
    order = Order(status=state)
    assert can_proceed(getattr(order, transition)) == (state in ALLOWED[transition])


@pytest.fixture
def channel():
    return SalesChannelFactory(code="web")


@pytest.fixture
def east():
    return WarehouseFactory(code="EAST", country="US", priority=1)


@pytest.fixture
def mug(east):
    product = ProductFactory(sku="MUG")
    give_stock(product, east, 10)
    return product


def allocated(product) -> int:
    return sum(StockLevel.objects.filter(product=product).values_list("allocated", flat=True))


def test_holds_stack_and_only_the_last_release_reprocesses(channel, mug, support_user):
    order = capture(channel, [("MUG", 2)])
    first = order_hold(
        order=order, reason=HoldReason.CUSTOMER_REQUEST, note="wait", actor=support_user
    )
    second = order_hold(order=order, reason=HoldReason.FRAUD_REVIEW, actor=support_user)
    order.refresh_from_db()
    assert order.status == S.ON_HOLD
    assert allocated(mug) == 2  # a hold keeps the allocation
    order_hold_release(order=order, hold=first, actor=support_user)
    order.refresh_from_db()
    assert order.status == S.ON_HOLD
    order_hold_release(order=order, hold=second, actor=support_user)
    order.refresh_from_db()
    assert order.status == S.READY
    assert allocated(mug) == 2
    assert order.holds.filter(released_at__isnull=True).count() == 0
    assert order.events.filter(type="hold_released").count() == 2


def test_releasing_a_hold_twice_is_refused(channel, mug, support_user):
    order = capture(channel, [("MUG", 1)])
    hold = order_hold(order=order, reason=HoldReason.MANUAL, actor=support_user)
    order_hold_release(order=order, hold=hold, actor=support_user)
    with pytest.raises(InvalidTransition, match="already released"):
        order_hold_release(order=order, hold=hold, actor=support_user)


def test_fulfillment_may_hold_but_not_release(channel, mug, fulfillment_user):
    order = capture(channel, [("MUG", 1)])
    hold = order_hold(order=order, reason=HoldReason.MANUAL, actor=fulfillment_user)
    with pytest.raises(InvalidTransition, match="may not release"):
        order_hold_release(order=order, hold=hold, actor=fulfillment_user)


def test_released_fraud_hold_is_not_placed_again(mug, manager_user):
    from decimal import Decimal

    channel = SalesChannelFactory(code="big", review_threshold=Decimal("5.00"))
    order = capture(channel, [("MUG", 1)])
    hold = order.holds.get(reason=HoldReason.FRAUD_REVIEW)
    order_hold_release(order=order, hold=hold, actor=manager_user)
    order.refresh_from_db()
    assert order.status == S.READY


def test_unknown_sku_hold_returns_until_the_line_is_fixed(channel, mug, support_user):
    order = capture(channel, [("MUG", 1), ("GHOST", 1)])
    hold = order.holds.get(reason=HoldReason.UNKNOWN_SKU)
    order_hold_release(order=order, hold=hold, actor=support_user)
    order.refresh_from_db()
    assert order.status == S.ON_HOLD
    assert order.holds.filter(released_at__isnull=True, reason=HoldReason.UNKNOWN_SKU).exists()
    ghost_line = order.lines.get(sku="GHOST")
    order_line_remove(order=order, line=ghost_line, actor=support_user)
    order_hold_release(
        order=order, hold=order.holds.get(released_at__isnull=True), actor=support_user
    )
    order.refresh_from_db()
    assert order.status == S.READY


def test_cancel_releases_allocated_stock(channel, mug, support_user):
    order = capture(channel, [("MUG", 3)])
    order_cancel(order=order, reason="customer changed mind", actor=support_user)
    order.refresh_from_db()
    assert order.status == S.CANCELLED
    assert order.fulfillment_status == "cancelled"
    assert allocated(mug) == 0
    assert order.events.get(type="cancelled").message == "Order cancelled: customer changed mind."
    with pytest.raises(InvalidTransition, match="cannot be cancelled now"):
        order_cancel(order=order, actor=support_user)


def test_fulfillment_may_not_cancel(channel, mug, fulfillment_user):
    order = capture(channel, [("MUG", 1)])
    with pytest.raises(InvalidTransition, match="Your role may not"):
        order_cancel(order=order, actor=fulfillment_user)
    order.refresh_from_db()
    assert order.status == S.READY


def test_cancel_line_remainder_releases_it_and_keeps_the_rest(channel, mug, east, support_user):
    cup = ProductFactory(sku="CUP")
    give_stock(cup, east, 5)
    order = capture(channel, [("MUG", 2), ("CUP", 1)])
    order_line_cancel(order=order, line=order.lines.get(sku="CUP"), actor=support_user)
    order.refresh_from_db()
    assert order.status == S.READY
    assert allocated(cup) == 0
    assert allocated(mug) == 2
    line = order.lines.get(sku="CUP")
    assert (line.quantity_cancelled, line.quantity_open) == (1, 0)
    assert str(order.subtotal) == "20.00"
    order_line_cancel(order=order, line=order.lines.get(sku="MUG"), actor=support_user)
    order.refresh_from_db()
    assert order.status == S.CANCELLED


def test_editing_quantity_moves_allocation_and_status(channel, mug, support_user):
    order = capture(channel, [("MUG", 4)])
    line = order.lines.get()
    order_line_set_quantity(order=order, line=line, quantity=12, actor=support_user)
    order.refresh_from_db()
    assert order.status == S.BACKORDERED
    assert allocated(mug) == 10
    order_line_set_quantity(order=order, line=line, quantity=3, actor=support_user)
    order.refresh_from_db()
    assert order.status == S.READY
    assert allocated(mug) == 3
    assert "MUG quantity 12 → 3" in order.events.filter(type="edited").last().message


def test_adding_a_line_allocates_it(channel, mug, east, support_user):
    cup = ProductFactory(sku="CUP", price="7.50")
    give_stock(cup, east, 1)
    order = capture(channel, [("MUG", 1)])
    order_line_add(order=order, product=cup, quantity=1, unit_price=None, actor=support_user)
    order.refresh_from_db()
    assert order.status == S.READY
    assert allocated(cup) == 1
    assert str(order.subtotal) == "17.50"


def test_edits_are_refused_once_fulfillment_started(channel, mug, support_user):
    order = capture(channel, [("MUG", 1)])
    Order.objects.filter(pk=order.pk).update(status=S.FULFILLING)
    with pytest.raises(OrderNotEditable):
        order_line_set_quantity(order=order, line=order.lines.get(), quantity=2, actor=support_user)


def test_address_edit_that_breaks_the_address_holds_the_order(channel, mug, support_user):
    order = capture(channel, [("MUG", 1)])
    order_address_update(order=order, values={"postal_code": ""}, actor=support_user)
    order.refresh_from_db()
    assert order.status == S.ON_HOLD
    assert order.holds.get().reason == HoldReason.ADDRESS_INVALID
    order_address_update(order=order, values={"postal_code": "10001"}, actor=support_user)
    order_hold_release(order=order, hold=order.holds.get(), actor=support_user)
    order.refresh_from_db()
    assert order.status == S.READY
    assert order.shipping_address.postal_code == "10001"


def test_stock_arrival_readies_backordered_orders_oldest_first(channel, mug, east):
    order_a = capture(channel, [("MUG", 10)])
    order_b = capture(channel, [("MUG", 3)], email="b@example.com")
    order_c = capture(channel, [("MUG", 2)], email="c@example.com")
    assert (order_b.status, order_c.status) == (S.BACKORDERED, S.BACKORDERED)
    assert order_a.status == S.READY
    stock.stock_receive(product=mug, warehouse=east, quantity=4)
    assert orders_reprocess_backordered(product_ids={mug.pk}) == [order_b.number]
    order_b.refresh_from_db()
    order_c.refresh_from_db()
    assert order_b.status == S.READY
    assert order_c.status == S.BACKORDERED
    assert allocated(mug) == 14


def test_receiving_stock_triggers_reprocessing_after_commit(
    channel, mug, east, django_capture_on_commit_callbacks
):
    order = capture(channel, [("MUG", 12)])
    with django_capture_on_commit_callbacks(execute=True):
        stock.stock_receive(product=mug, warehouse=east, quantity=2)
    order.refresh_from_db()
    assert order.status == S.READY


def test_notes_and_inquiries_land_on_the_timeline(channel, mug, support_user):
    order = capture(channel, [("MUG", 1)])
    order_note_add(order=order, text="Gift wrap please", actor=support_user)
    order_inquiry_log(order=order, channel="phone", summary="Asked for ETA", actor=support_user)
    notes = order.events.filter(type__in=["note", "inquiry"]).order_by("id")
    assert [(e.type, e.message, e.actor) for e in notes] == [
        ("note", "Gift wrap please", support_user),
        ("inquiry", "Customer inquiry by phone: Asked for ETA", support_user),
    ]


def test_address_with_bad_country_is_held_at_capture(channel, mug):
    order = capture(channel, [("MUG", 1)], shipping_address=address(country="Germany"))
    assert order.status == S.ON_HOLD


# Who may run each transition: None is the system (processing, a channel key, a task).
PERMITTED = {
    "place": {None, "Support", "Manager", "Admin"},
    "mark_ready": {None},
    "mark_backordered": {None},
    "reopen": {None},
    "allocate_backorder": {None},
    "hold": {None, "Fulfillment", "Support", "Manager", "Admin"},
    "release": {None, "Support", "Manager", "Admin"},
    "start_fulfillment": {None, "Fulfillment", "Manager", "Admin"},
    "ship_partially": {None, "Fulfillment", "Manager", "Admin"},
    "ship": {None, "Fulfillment", "Manager", "Admin"},
    "deliver": {None},
    "cancel": {None, "Support", "Manager", "Admin"},
}


@pytest.mark.parametrize("transition", sorted(PERMITTED))
@pytest.mark.parametrize("role", [None, "Fulfillment", "Support", "Manager", "Admin"])
def test_each_transition_declares_who_may_run_it(transition, role, user_with_role):
    from django_fsm import has_transition_perm

    user = user_with_role(role, username=f"u-{role}") if role else None
    state = sorted(ALLOWED[transition])[0]
    order = Order(status=state)
    assert has_transition_perm(getattr(order, transition), user) == (role in PERMITTED[transition])


def test_removing_the_last_open_line_is_refused(channel, mug, east, support_user):
    cup = ProductFactory(sku="CUP")
    give_stock(cup, east, 5)
    order = capture(channel, [("MUG", 1), ("CUP", 1)])
    order_line_cancel(order=order, line=order.lines.get(sku="MUG"), actor=support_user)
    with pytest.raises(OrderInvalid, match="last line still to ship"):
        order_line_remove(order=order, line=order.lines.get(sku="CUP"), actor=support_user)
    order.refresh_from_db()
    assert order.status == S.READY
    assert allocated(cup) == 1


def test_a_sku_added_to_the_catalog_later_is_linked_when_the_hold_is_released(
    channel, mug, east, support_user
):
    order = capture(channel, [("LATE-SKU", 2)])
    assert order.holds.get().reason == HoldReason.UNKNOWN_SKU
    late = ProductFactory(sku="LATE-SKU", name="Late arrival")
    give_stock(late, east, 5)
    order_hold_release(order=order, hold=order.holds.get(), actor=support_user)
    order.refresh_from_db()
    assert order.status == S.READY
    line = order.lines.get()
    assert (line.product, line.name) == (late, "Late arrival")
    assert allocated(late) == 2


def test_support_cannot_edit_without_the_role(channel, mug, fulfillment_user):
    order = capture(channel, [("MUG", 1)])
    with pytest.raises(InvalidTransition, match="may not edit"):
        order_line_set_quantity(
            order=order, line=order.lines.get(), quantity=2, actor=fulfillment_user
        )


def test_the_backorder_sweeper_readies_orders_a_lost_nudge_left_behind(channel, mug, east):
    from orders.tasks import sweep_backorders

    waiting = capture(channel, [("MUG", 12)])
    assert waiting.status == S.BACKORDERED
    # Stock arrives, but the task the signal enqueued never ran (a lost message).
    stock.stock_receive(product=mug, warehouse=east, quantity=2)
    waiting.refresh_from_db()
    assert waiting.status == S.BACKORDERED

    assert sweep_backorders() == [waiting.number]
    waiting.refresh_from_db()
    assert waiting.status == S.READY
    assert sweep_backorders() == []


def test_an_order_held_after_fulfillment_began_cannot_be_edited(channel, mug, support_user):
    order = capture(channel, [("MUG", 1)])
    order = Order.objects.get(pk=order.pk)
    from orders.services.common import run_transition

    run_transition(order, "start_fulfillment")
    order_hold(order=order, reason=HoldReason.CUSTOMER_REQUEST, actor=support_user)
    with pytest.raises(OrderNotEditable):
        order_line_set_quantity(order=order, line=order.lines.get(), quantity=2, actor=support_user)
    assert allocated(mug) == 1
