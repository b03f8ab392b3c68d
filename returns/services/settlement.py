"""Settling a received return: a refund through payments, or an exchange (a replacement order).

The refund is computed from what arrived: each unit at its price with its share of the order's
tax and discount, optionally the original shipping (once per order), minus an optional
restocking fee — and never more than was paid and is not yet refunded. Staff may refund less;
never more. It goes through `payments.services.payment_refund`, so refund limits and roles
apply exactly as for any refund.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from inventory.models import Product
from oms.money import ZERO, to_money
from orders.models import Order
from orders.services import AddressData, CaptureRequest, LineData, order_capture
from payments.models import Payment
from payments.services import payment_refund, refundable_total
from returns import events
from returns.errors import RefundAboveQuote, ReturnInvalid
from returns.models import ReturnRequest
from returns.services.common import lock_return
from returns.services.requests import _decide, check_transition


@dataclass(frozen=True)
class RefundQuote:
    lines_value: Decimal  # received units at their price
    tax_share: Decimal
    discount_share: Decimal
    shipping: Decimal
    restocking_fee: Decimal
    # What was paid and is not yet refunded: the refund never goes above it.
    refundable: Decimal

    @property
    def computed(self) -> Decimal:
        value = (
            self.lines_value
            + self.tax_share
            - self.discount_share
            + self.shipping
            - self.restocking_fee
        )
        return to_money(max(ZERO, value))

    @property
    def total(self) -> Decimal:
        return min(self.computed, self.refundable)


def _shipping_refunded_before(order: Order, rma: ReturnRequest) -> bool:
    return order.returns.filter(shipping_refunded=True).exclude(pk=rma.pk).exists()


def refund_quote(
    rma: ReturnRequest, *, include_shipping: bool = False, restocking_fee=ZERO
) -> RefundQuote:
    """What this return is worth to the customer, from the units received so far."""
    order = rma.order
    fee = to_money(restocking_fee)
    if fee < 0:
        raise ReturnInvalid(
            "A restocking fee cannot be negative.", fields={"restocking_fee": ["≥ 0."]}
        )
    lines_value = sum(
        (
            line.order_line.unit_price * line.quantity_received
            for line in rma.lines.select_related("order_line")
        ),
        ZERO,
    )
    share = lines_value / order.subtotal if order.subtotal else Decimal(0)
    shipping = (
        order.shipping_total
        if include_shipping and not _shipping_refunded_before(order, rma)
        else ZERO
    )
    return RefundQuote(
        lines_value=lines_value,
        tax_share=to_money(share * order.tax_total),
        discount_share=to_money(share * order.discount_total),
        shipping=shipping,
        restocking_fee=fee,
        refundable=refundable_total(
            list(Payment.objects.filter(order=order).prefetch_related("transactions"))
        ),
    )


@transaction.atomic
def return_refund(
    *,
    rma: ReturnRequest,
    actor=None,
    actor_label: str | None = None,
    amount=None,
    include_shipping: bool = False,
    restocking_fee=ZERO,
) -> ReturnRequest:
    """Refund the received return (the computed amount unless staff give a lower one)."""
    order, rma = lock_return(rma)
    check_transition(rma, "refund", actor)
    quote = refund_quote(rma, include_shipping=include_shipping, restocking_fee=restocking_fee)
    chosen = quote.total if amount in (None, "") else to_money(amount)
    if chosen < 0:
        raise ReturnInvalid("A refund cannot be negative.", fields={"amount": ["≥ 0."]})
    if chosen > quote.total:
        raise RefundAboveQuote(
            f"This return may refund at most {quote.total} {order.currency}.",
            quote=quote.total,
            fields={"amount": [f"At most {quote.total}."]},
        )
    if chosen > 0:
        reason = f"Return {rma.number}"
        payment_refund(
            order=order, amount=chosen, reason=reason, actor=actor, actor_label=actor_label
        )
    rma.refund()
    rma.refund_amount = chosen
    rma.refunded_at = timezone.now()
    rma.shipping_refunded = bool(quote.shipping) and chosen > 0
    rma.save()
    events.refunded(order, rma, actor=actor, actor_label=actor_label)
    return rma


@transaction.atomic
def return_exchange(
    *, rma: ReturnRequest, actor=None, actor_label: str | None = None
) -> ReturnRequest:
    """Send replacements: a new order (origin exchange, linked to the original) for what the
    return asked for instead, priced so only a difference (if any) is due. It is processed like
    any order: allocated, picked, packed and shipped."""
    order, rma = lock_return(rma)
    _decide(rma, "exchange", actor)
    wanted = rma.exchange_request or [
        {"sku": line.order_line.sku, "quantity": line.quantity_received}
        for line in rma.lines.select_related("order_line")
        if line.quantity_received
    ]
    prices = dict(
        Product.objects.filter(sku__in=[item["sku"] for item in wanted]).values_list("sku", "price")
    )
    lines = [
        LineData(
            sku=item["sku"], quantity=item["quantity"], unit_price=prices.get(item["sku"], ZERO)
        )
        for item in wanted
    ]
    credit = refund_quote(rma).computed
    value = sum((line.unit_price * line.quantity for line in lines), ZERO)
    address = order.shipping_address
    replacement = order_capture(
        channel=order.channel,
        request=CaptureRequest(
            # Not the channel's order: no external id of its own (the link is original_order).
            external_id="",
            currency=order.currency,
            email=order.email,
            first_name=order.customer.first_name,
            last_name=order.customer.last_name,
            phone=order.customer.phone,
            lines=lines,
            shipping_address=AddressData(
                **{name: getattr(address, name) for name in address.FIELDS}
            ),
            shipping_method=order.shipping_method,
            # What comes back pays for the replacement; only a difference is due.
            discount_total=min(credit, value),
            note=f"Exchange for return {rma.number} of {order.number}.",
            origin=Order.Origin.EXCHANGE,
            original_order=order,
            notify_customer=rma.notify_customer,
        ),
        source="exchange",
        actor=actor,
        actor_label=actor_label,
    )
    rma.replacement_order = replacement
    rma.save()
    events.exchanged(order, rma, actor=actor, actor_label=actor_label)
    return rma
