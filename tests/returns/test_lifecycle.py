"""Returns from request to close: bounds, decisions, receiving, refunds, exchanges, roles."""

import pytest
from django.core import mail
from django_fsm import can_proceed, has_transition_perm

from inventory.models import StockLevel, StockMovement
from oms.errors import InvalidTransition
from orders.models import Allocation, Order, OrderStatus
from payments.errors import RefundLimitExceeded
from payments.models import PaymentTransaction
from returns.errors import (
    RefundAboveQuote,
    ReturnExceedsShipped,
    ReturnInvalid,
    ReturnPermissionDenied,
)
from returns.models import ReturnRequest, ReturnStatus
from returns.services import (
    ExchangeLineData,
    ReceivedUnits,
    ReturnLineData,
    refund_quote,
    return_approve,
    return_close,
    return_create,
    return_email_send,
    return_exchange,
    return_label_make,
    return_receive,
    return_refund,
    return_reject,
    returnable_units,
)
from shipping.models import Shipment
from shipping.services import shipment_label_make, shipment_ship, shipments_create
from tests.payments.factories import run_owed
from tests.returns.factories import money

pytestmark = pytest.mark.django_db
S = ReturnStatus


def open_return(order, support_user, *lines, resolution="refund", **kwargs):
    return return_create(
        order=order,
        lines=[ReturnLineData(sku, quantity, reason) for sku, quantity, reason in lines],
        resolution=resolution,
        actor=support_user,
        **kwargs,
    )


def on_hand(sku: str) -> int:
    return StockLevel.objects.get(product__sku=sku, warehouse__code="EAST").on_hand


# --- the state machine -----------------------------------------------------------------------

ALLOWED = {
    "approve": {S.REQUESTED},
    "reject": {S.REQUESTED},
    "receive": {S.APPROVED},
    "refund": {S.RECEIVED},
    "exchange": {S.RECEIVED},
    "close": {S.REFUNDED, S.EXCHANGED, S.REJECTED},
}


@pytest.mark.parametrize("transition", sorted(ALLOWED))
@pytest.mark.parametrize("state", S.values)
def test_every_transition_is_allowed_exactly_from_its_states(transition, state):
    rma = ReturnRequest(status=state)
    assert can_proceed(getattr(rma, transition)) == (state in ALLOWED[transition])


ROLE_MAY = {
    "approve": {"support", "manager", "admin"},
    "reject": {"support", "manager", "admin"},
    "refund": {"support", "manager", "admin"},
    "exchange": {"support", "manager", "admin"},
    "close": {"support", "manager", "admin"},
    "receive": {"fulfillment", "manager", "admin"},
}


@pytest.mark.parametrize("role", ["fulfillment", "support", "manager", "admin", "no_role"])
@pytest.mark.parametrize("transition", sorted(ROLE_MAY))
def test_each_transition_declares_who_may_run_it(request, role, transition):
    user = request.getfixturevalue(f"{role}_user")
    source = next(iter(ALLOWED[transition]))
    rma = ReturnRequest(status=source)
    assert has_transition_perm(getattr(rma, transition), user) == (role in ROLE_MAY[transition])


# --- opening a return ------------------------------------------------------------------------


def test_a_return_holds_its_units_against_what_may_still_be_returned(order, support_user):
    rma = open_return(order, support_user, ("MUG", 1, "defective"))
    assert rma.number == f"RMA-{rma.pk:06d}" and rma.status == S.REQUESTED
    mug = order.lines.get(sku="MUG")
    assert returnable_units(order)[mug.pk] == 1
    assert order.events.filter(type="return_requested", data__rma=rma.number).exists()
    with pytest.raises(ReturnExceedsShipped) as refused:
        open_return(order, support_user, ("MUG", 2, "changed_mind"))
    assert refused.value.status_code == 409
    assert "At most 1 of MUG" in refused.value.fields["lines.0.quantity"][0]
    assert ReturnRequest.objects.count() == 1


def test_a_rejected_return_frees_its_units(order, support_user):
    rma = open_return(order, support_user, ("MUG", 2, "defective"))
    return_reject(rma=rma, reason="Outside the 30-day window", actor=support_user)
    assert returnable_units(order)[order.lines.get(sku="MUG").pk] == 2
    rma.refresh_from_db()
    assert rma.status == S.REJECTED and rma.rejection_reason == "Outside the 30-day window"


def test_only_shipped_units_may_be_returned(setup, support_user):
    from tests.orders.factories import capture

    unshipped = capture(setup["web"], [("MUG", 1, "10.00")])
    with pytest.raises(ReturnExceedsShipped):
        open_return(unshipped, support_user, ("MUG", 1, "defective"))


@pytest.mark.parametrize(
    ("lines", "field"),
    [
        ([("HAT", 1, "defective")], "lines.0.sku"),
        ([("MUG", 0, "defective")], "lines.0.quantity"),
        ([("MUG", 1, "bored")], "lines.0.reason"),
        ([("MUG", 1, "defective"), ("mug", 1, "other")], "lines.1.sku"),
    ],
)
def test_bad_lines_are_refused_naming_the_field(order, support_user, lines, field):
    with pytest.raises(ReturnInvalid) as refused:
        open_return(order, support_user, *lines)
    assert field in refused.value.fields
    assert not ReturnRequest.objects.exists()


def test_fulfillment_may_not_open_a_return(order, fulfillment_user):
    with pytest.raises(ReturnPermissionDenied):
        open_return(order, fulfillment_user, ("MUG", 1, "defective"))


# --- deciding --------------------------------------------------------------------------------


def test_approving_emails_the_rma_and_instructions_with_the_label(order, support_user):
    rma = open_return(order, support_user, ("TEE", 1, "wrong_item"))
    return_approve(rma=rma, actor=support_user, label=True)
    rma.refresh_from_db()
    assert rma.status == S.APPROVED and rma.email_due == "approved"
    assert rma.label_status == ReturnRequest.LabelStatus.PENDING
    return_label_make(rma_id=rma.pk)
    rma.refresh_from_db()
    assert rma.label_status == ReturnRequest.LabelStatus.READY
    assert rma.tracking_number.startswith("SBX") and rma.label_pdf.read().startswith(b"%PDF")
    assert return_email_send(rma_id=rma.pk)
    email = mail.outbox[-1]
    assert rma.number in email.subject and rma.number in email.body
    assert "Print the attached return label" in email.body
    assert email.attachments[0][0] == f"{rma.number}-label.pdf"
    assert not return_email_send(rma_id=rma.pk)  # sent once


def test_a_label_made_after_the_approval_email_is_emailed_on_its_own(order, support_user):
    rma = open_return(order, support_user, ("TEE", 1, "wrong_item"))
    return_approve(rma=rma, actor=support_user, label=True)
    assert return_email_send(rma_id=rma.pk)  # the label is not ready yet
    assert "we email it to you" in mail.outbox[-1].body and not mail.outbox[-1].attachments
    return_label_make(rma_id=rma.pk)
    assert ReturnRequest.objects.get(pk=rma.pk).email_due == "label"
    assert return_email_send(rma_id=rma.pk)
    assert mail.outbox[-1].attachments and "label" in mail.outbox[-1].subject


def test_rejecting_needs_a_reason_and_emails_it(order, support_user):
    rma = open_return(order, support_user, ("TEE", 1, "changed_mind"))
    with pytest.raises(ReturnInvalid):
        return_reject(rma=rma, reason=" ", actor=support_user)
    return_reject(rma=rma, reason="Worn and washed", actor=support_user)
    assert return_email_send(rma_id=rma.pk)
    assert "Worn and washed" in mail.outbox[-1].body


def test_decisions_out_of_order_are_refused(order, support_user, fulfillment_user):
    rma = open_return(order, support_user, ("TEE", 1, "defective"))
    with pytest.raises(InvalidTransition):
        return_receive(rma=rma, lines=[ReceivedUnits("TEE", 1, "sellable")], actor=fulfillment_user)
    with pytest.raises(InvalidTransition):
        return_refund(rma=rma, actor=support_user)
    with pytest.raises(ReturnPermissionDenied):
        return_approve(rma=rma, actor=fulfillment_user)


# --- receiving -------------------------------------------------------------------------------


def test_sellable_units_restock_and_damaged_ones_do_not(order, support_user, fulfillment_user):
    rma = open_return(order, support_user, ("MUG", 2, "defective"))
    return_approve(rma=rma, actor=support_user)
    before = on_hand("MUG")
    return_receive(
        rma=rma,
        lines=[ReceivedUnits("MUG", 1, "sellable"), ReceivedUnits("MUG", 1, "damaged")],
        actor=fulfillment_user,
    )
    assert on_hand("MUG") == before + 1
    restock = StockMovement.objects.get(kind="restock")
    assert (restock.on_hand_delta, restock.reference) == (1, f"return:{rma.number}")
    line = rma.lines.get()
    assert (line.quantity_sellable, line.quantity_damaged) == (1, 1)
    assert order.lines.get(sku="MUG").quantity_returned == 2
    assert ReturnRequest.objects.get(pk=rma.pk).status == S.RECEIVED


def test_a_partial_receipt_waits_for_the_rest(order, support_user, fulfillment_user):
    rma = open_return(order, support_user, ("MUG", 2, "defective"))
    return_approve(rma=rma, actor=support_user)
    return_receive(rma=rma, lines=[ReceivedUnits("MUG", 1, "sellable")], actor=fulfillment_user)
    mug = order.lines.get(sku="MUG")
    assert (mug.quantity_returned, returnable_units(order)[mug.pk]) == (1, 0)
    with pytest.raises(ReturnExceedsShipped):
        return_receive(rma=rma, lines=[ReceivedUnits("MUG", 2, "sellable")], actor=fulfillment_user)
    return_receive(rma=rma, lines=[ReceivedUnits("MUG", 1, "sellable")], actor=fulfillment_user)
    assert order.lines.get(sku="MUG").quantity_returned == 2


def test_fulfillment_receives_but_support_does_not(order, support_user, fulfillment_user):
    rma = open_return(order, support_user, ("MUG", 1, "defective"))
    return_approve(rma=rma, actor=support_user)
    with pytest.raises(ReturnPermissionDenied):
        return_receive(rma=rma, lines=[ReceivedUnits("MUG", 1, "sellable")], actor=support_user)


# --- refunds ---------------------------------------------------------------------------------


def received(order, support_user, fulfillment_user, *lines, resolution="refund"):
    rma = open_return(
        order,
        support_user,
        *[(sku, quantity, "defective") for sku, quantity, _ in lines],
        resolution=resolution,
    )
    return_approve(rma=rma, actor=support_user)
    return_receive(
        rma=rma,
        lines=[ReceivedUnits(sku, quantity, condition) for sku, quantity, condition in lines],
        actor=fulfillment_user,
    )
    return ReturnRequest.objects.get(pk=rma.pk)


def test_the_refund_is_the_units_with_their_share_of_tax_and_discount(
    order, support_user, fulfillment_user
):
    rma = received(order, support_user, fulfillment_user, ("MUG", 1, "sellable"))
    quote = refund_quote(rma)
    # 10.00 of a 40.00 subtotal: a quarter of the 4.00 tax and of the 8.00 discount.
    assert (quote.lines_value, quote.tax_share, quote.discount_share) == (
        money("10.00"),
        money("1.00"),
        money("2.00"),
    )
    assert quote.total == money("9.00")
    with_shipping = refund_quote(rma, include_shipping=True, restocking_fee="1.50")
    assert with_shipping.total == money("12.50")


def test_refunding_a_return_refunds_the_payment_and_the_order_follows(
    order, support_user, fulfillment_user
):
    rma = received(order, support_user, fulfillment_user, ("TEE", 1, "damaged"))
    return_refund(rma=rma, actor=support_user)
    run_owed()
    rma.refresh_from_db()
    assert (rma.status, rma.refund_amount) == (S.REFUNDED, money("18.00"))
    refund = PaymentTransaction.objects.get(kind="refund")
    assert (refund.amount, refund.status, refund.reason) == (
        money("18.00"),
        "succeeded",
        f"Return {rma.number}",
    )
    order.refresh_from_db()
    assert (order.payment_status, order.amount_paid) == ("partially_refunded", money("23.00"))
    return_close(rma=rma, actor=support_user)
    assert ReturnRequest.objects.get(pk=rma.pk).status == S.CLOSED


def test_staff_may_refund_less_but_never_more(order, support_user, fulfillment_user):
    rma = received(order, support_user, fulfillment_user, ("TEE", 1, "sellable"))
    with pytest.raises(RefundAboveQuote) as refused:
        return_refund(rma=rma, actor=support_user, amount="18.01")
    assert refused.value.extra == {"quote": "18.00"}
    return_refund(rma=rma, actor=support_user, amount="15.00")
    run_owed()
    assert ReturnRequest.objects.get(pk=rma.pk).refund_amount == money("15.00")


def test_the_shipping_charge_is_refunded_once_per_order(order, support_user, fulfillment_user):
    first = received(order, support_user, fulfillment_user, ("MUG", 1, "sellable"))
    return_refund(rma=first, actor=support_user, include_shipping=True)
    second = received(order, support_user, fulfillment_user, ("MUG", 1, "sellable"))
    assert refund_quote(second, include_shipping=True).shipping == 0


def test_a_return_refund_goes_through_the_support_refund_limit(
    order, support_user, manager_user, fulfillment_user, settings
):
    settings.PAYMENTS_SUPPORT_REFUND_LIMIT = "10.00"
    rma = received(order, support_user, fulfillment_user, ("TEE", 1, "sellable"))
    with pytest.raises(RefundLimitExceeded):
        return_refund(rma=rma, actor=support_user)
    assert ReturnRequest.objects.get(pk=rma.pk).status == S.RECEIVED
    return_refund(rma=rma, actor=manager_user)
    assert ReturnRequest.objects.get(pk=rma.pk).status == S.REFUNDED


# --- exchanges -------------------------------------------------------------------------------


def test_an_exchange_is_a_linked_replacement_order_that_allocates(
    order, support_user, fulfillment_user
):
    rma = open_return(
        order,
        support_user,
        ("TEE", 1, "wrong_item"),
        resolution="exchange",
        exchange_lines=[ExchangeLineData("CAP", 1)],
    )
    return_approve(rma=rma, actor=support_user)
    return_receive(rma=rma, lines=[ReceivedUnits("TEE", 1, "sellable")], actor=fulfillment_user)
    return_exchange(rma=ReturnRequest.objects.get(pk=rma.pk), actor=support_user)
    rma.refresh_from_db()
    replacement = rma.replacement_order
    assert rma.status == S.EXCHANGED
    assert (replacement.origin, replacement.original_order) == (Order.Origin.EXCHANGE, order)
    assert replacement.status == OrderStatus.READY
    assert [(line.sku, line.quantity) for line in replacement.lines.all()] == [("CAP", 1)]
    # The returned tee (worth 18.00 with its share of tax and discount) pays for the 15.00 cap.
    assert replacement.grand_total == 0
    assert Allocation.objects.filter(order_line__order=replacement).exists()
    # It ships like any order.
    for shipment in shipments_create(
        order=replacement, pack_unscanned=True, actor=fulfillment_user
    ):
        shipment_label_make(shipment_id=shipment.pk)
        shipment_ship(shipment=Shipment.objects.get(pk=shipment.pk), actor=fulfillment_user)
    replacement.refresh_from_db()
    assert replacement.status == OrderStatus.SHIPPED
    assert replacement.events.filter(type="captured", data__source="exchange").exists()


def test_an_exchange_for_something_dearer_leaves_the_difference_due(
    order, support_user, fulfillment_user
):
    rma = received(
        order, support_user, fulfillment_user, ("MUG", 1, "sellable"), resolution="exchange"
    )
    ReturnRequest.objects.filter(pk=rma.pk).update(exchange_request=[{"sku": "TEE", "quantity": 1}])
    return_exchange(rma=ReturnRequest.objects.get(pk=rma.pk), actor=support_user)
    replacement = ReturnRequest.objects.get(pk=rma.pk).replacement_order
    # The mug was worth 9.00 back; the tee costs 20.00: 11.00 is due.
    assert (replacement.grand_total, replacement.balance_due) == (money("11.00"), money("11.00"))


def test_exchange_lines_must_be_known_products(order, support_user):
    with pytest.raises(ReturnInvalid) as refused:
        open_return(
            order,
            support_user,
            ("TEE", 1, "wrong_item"),
            resolution="exchange",
            exchange_lines=[ExchangeLineData("NOPE", 1)],
        )
    assert "exchange_lines.0.sku" in refused.value.fields


def test_a_return_opened_without_notifying_the_customer_sends_no_email(order, support_user):
    rma = open_return(order, support_user, ("TEE", 1, "wrong_item"), notify_customer=False)
    return_approve(rma=rma, actor=support_user, label=True)
    return_label_make(rma_id=rma.pk)
    rma.refresh_from_db()
    assert rma.label_status == ReturnRequest.LabelStatus.READY and rma.email_due == ""
    assert not return_email_send(rma_id=rma.pk) and not mail.outbox
