"""Reads: an order's payments with their transactions, the failed-payments queue."""

from django.db.models import Prefetch, QuerySet

from orders.models import Order, OrderStatus
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


def failed_payments() -> QuerySet[Payment]:
    """Payments whose authorization or capture finally failed, on orders still open, oldest
    failure first (served by the partial index on failed payments)."""
    return (
        Payment.objects.filter(status=PaymentStatus.FAILED)
        .exclude(order__status=OrderStatus.CANCELLED)
        .select_related("order", "order__channel", "order__customer")
        .order_by("failed_at", "id")
    )
