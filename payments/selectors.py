"""Reads: an order's payments with their transactions, the failed-payments queue."""

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from django.db.models import Prefetch, QuerySet, Sum

from oms.money import ZERO, to_money
from oms.paging import KeysetPage, keyset_page
from orders.models import Order, OrderStatus
from payments.errors import UnknownGateway
from payments.gateways import get_gateway
from payments.models import Payment, PaymentStatus, PaymentTransaction


def payments_of(*, order: Order) -> list[Payment]:
    """The order's payments, oldest first, each with its transactions (two queries)."""
    transactions = PaymentTransaction.objects.select_related("requested_by").order_by("id")
    return list(
        Payment.objects.filter(order=order)
        .select_related("recorded_by")
        .prefetch_related(Prefetch("transactions", queryset=transactions))
        .order_by("id")
    )


def has_owed_work(payments: list[Payment]) -> bool:
    """Whether a gateway call for these payments is still to be answered (prefetched rows)."""
    return any(
        txn.status == PaymentTransaction.Status.REQUESTED
        for payment in payments
        for txn in payment.transactions.all()
    )


def all_settled(transactions: list[PaymentTransaction]) -> bool:
    """Whether the gateway has answered every one of these calls (read afresh: a worker may
    have answered since they were written)."""
    ids = [txn.pk for txn in transactions]
    return not PaymentTransaction.objects.filter(
        pk__in=ids, status=PaymentTransaction.Status.REQUESTED
    ).exists()


def failed_payments() -> QuerySet[Payment]:
    """Payments whose authorization or capture finally failed, on orders still open, oldest
    failure first (served by the partial index on failed payments)."""
    return (
        Payment.objects.filter(status=PaymentStatus.FAILED)
        .exclude(order__status=OrderStatus.CANCELLED)
        .select_related("order", "order__channel", "order__customer")
        .order_by("failed_at", "id")
    )


def failed_payment_count() -> int:
    """The failed-payments queue's length (the home page's figure)."""
    return failed_payments().count()


# --- the back office: the order page's payments panel and the failed-payments queue ----------


def _labelled(payments: list[Payment]) -> list[Payment]:
    """Add how each payment was made, as people read it (`gateway_label`, `method_label`)."""
    for payment in payments:
        try:
            payment.gateway_label = get_gateway(payment.gateway).label
        except UnknownGateway:  # a gateway since removed from the settings
            payment.gateway_label = payment.gateway
        payment.method_label = payment.method.replace("_", " ").capitalize()
    return payments


@dataclass(frozen=True)
class OrderPayments:
    payments: list[Payment]
    # A gateway call is still to be answered: the page shows it as in flight and checks back.
    owed: bool
    refundable: Decimal


def order_payments(*, order: Order) -> OrderPayments:
    """The order page's payments panel: payments with their transactions (two queries)."""
    payments = _labelled(payments_of(order=order))
    return OrderPayments(
        payments=payments,
        owed=has_owed_work(payments),
        refundable=sum((p.refundable_amount() for p in payments), ZERO),
    )


FAILED_QUEUE_ORDER = ("failed_at", "id")


def failed_payments_page(
    *, size: int, after: tuple | None = None, before: tuple | None = None
) -> KeysetPage:
    """One page of the failed-payments queue, oldest failure first (one query)."""
    page = keyset_page(
        failed_payments(), order=FAILED_QUEUE_ORDER, size=size, after=after, before=before
    )
    _labelled(page.items)
    return page


def failed_cursor(key: tuple) -> str:
    """`<id>:<failed at>` of the row a page starts or ends at."""
    failed_at, pk = key
    return f"{pk}:{failed_at.isoformat()}"


def parse_failed_cursor(text: str | None) -> tuple | None:
    """(failed at, id) from `failed_cursor`, or None when the text is not one."""
    pk, separator, raw = (text or "").partition(":")
    if not separator or not (pk.isascii() and pk.isdigit()):
        return None
    try:
        failed_at = datetime.fromisoformat(raw)
    except ValueError:
        return None
    return (failed_at if failed_at.tzinfo else failed_at.replace(tzinfo=UTC)), int(pk)


# --- the manager dashboard ------------------------------------------------------------------


def refunds_issued(*, start, end, channel_id: int | None = None) -> dict[str, Decimal]:
    """Money given back in the period (refunds the gateway confirmed), per currency."""
    refunds = PaymentTransaction.objects.filter(
        kind=PaymentTransaction.Kind.REFUND,
        status=PaymentTransaction.Status.SUCCEEDED,
        completed_at__gte=start,
        completed_at__lt=end,
    )
    if channel_id:
        refunds = refunds.filter(payment__order__channel_id=channel_id)
    rows = refunds.values("payment__currency").annotate(total=Sum("amount")).order_by()
    return {row["payment__currency"]: to_money(row["total"]) for row in rows}


# --- the customer page ------------------------------------------------------------------------

CUSTOMER_REFUNDS_SHOWN = 50


def customer_refunds(*, customer, shown: int = CUSTOMER_REFUNDS_SHOWN) -> list[PaymentTransaction]:
    """Refunds asked for on any of the customer's orders, newest first, whatever their answer
    (one query)."""
    return list(
        PaymentTransaction.objects.filter(
            kind=PaymentTransaction.Kind.REFUND, payment__order__customer=customer
        )
        .select_related("payment__order")
        .order_by("-created_at", "-id")[:shown]
    )
