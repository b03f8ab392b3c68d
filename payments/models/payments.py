"""Payments and the gateway operations made for them.

`Payment.status` is a protected django-fsm field. Its transitions say *which operation may run
from which state, and who may run it*; the state they land in is read off the amounts
(`Payment.settled_status`), so the status can never disagree with the money:

    authorized = captured + voided + still open
    refunded ≤ captured ≤ authorized        (database CHECKs)

A `PaymentTransaction` is one call to the gateway. It is written *before* the call, in the
transaction of the change that owes it, with status `requested` and the idempotency key the
gateway will see on every attempt; it becomes `succeeded`, `declined` or `failed` only once the
gateway has answered. A killed worker therefore leaves a `requested` row the sweeper picks up,
and the repeated call, carrying the same key, cannot move money twice.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django_fsm import GET_STATE, FSMField, FSMModelMixin, transition

from oms.models import TimeStampedModel
from oms.money import MONEY, ZERO
from oms.roles import Role, user_has_role


class PaymentStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    AUTHORIZED = "authorized", "Authorized"
    PARTIALLY_CAPTURED = "partially_captured", "Partially captured"
    CAPTURED = "captured", "Captured"
    PARTIALLY_REFUNDED = "partially_refunded", "Partially refunded"
    REFUNDED = "refunded", "Refunded"
    VOIDED = "voided", "Voided"
    FAILED = "failed", "Failed"


P = PaymentStatus
# States from which more of the authorization may still be captured.
CAPTURABLE_STATUSES = (P.AUTHORIZED, P.PARTIALLY_CAPTURED, P.PARTIALLY_REFUNDED)
# States in which money was captured and may be given back.
REFUNDABLE_STATUSES = (P.PARTIALLY_CAPTURED, P.CAPTURED, P.PARTIALLY_REFUNDED, P.FAILED)


# Who may run each transition (`permission=`). `user` is None when the system runs it (a task,
# a channel key, a signal receiver).


def system_only(payment, user) -> bool:
    """Decided by the gateway's answer, never by a person directly."""
    return user is None


def may_handle_money(payment, user) -> bool:
    """Record money received, retry a failed payment: support and managers."""
    return user is None or user_has_role(user, Role.SUPPORT, Role.MANAGER)


def may_refund(payment, user) -> bool:
    """Support and managers refund (support up to `PAYMENTS_SUPPORT_REFUND_LIMIT` each time)."""
    return user is None or user_has_role(user, Role.SUPPORT, Role.MANAGER)


def _settled(payment: "Payment") -> str:
    return payment.settled_status()


SETTLED_STATES = [status for status in P.values]


class PaymentQuerySet(models.QuerySet):
    def failed(self):
        return self.filter(status=P.FAILED)


class Payment(FSMModelMixin, TimeStampedModel):
    """Money for one order through one gateway: asked for, authorized, captured, refunded."""

    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="payments")
    gateway = models.CharField(max_length=30)
    # card, cash, bank_transfer, cash_on_delivery, shopify, woocommerce …
    method = models.CharField(max_length=30, blank=True, default="")
    currency = models.CharField(max_length=3)
    # What this payment is for: the amount to authorize, or the amount received.
    amount = models.DecimalField(**MONEY)
    amount_authorized = models.DecimalField(**MONEY, default=ZERO)
    amount_captured = models.DecimalField(**MONEY, default=ZERO)
    # The part of the authorization given back uncaptured (a void, or the rest after the last
    # capture): the customer's bank releases it.
    amount_voided = models.DecimalField(**MONEY, default=ZERO)
    amount_refunded = models.DecimalField(**MONEY, default=ZERO)
    status = FSMField(default=P.PENDING, choices=PaymentStatus.choices, protected=True)
    # The gateway's reusable reference to the customer's payment method (never card data).
    token = models.CharField(max_length=200, blank=True, default="")
    # The gateway's id of the authorization; captures, refunds and voids name it.
    authorization_reference = models.CharField(max_length=100, blank=True, default="")
    # For money received outside a card gateway: receipt number, bank reference, channel id.
    reference = models.CharField(max_length=200, blank=True, default="")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Set while an authorization or capture has finally failed and no one has retried it.
    failed_at = models.DateTimeField(null=True, blank=True)
    failure_reason = models.CharField(max_length=500, blank=True, default="")
    # Set when the payment was closed before any money moved (order cancelled while pending).
    voided_at = models.DateTimeField(null=True, blank=True)

    objects = PaymentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0)
                & Q(amount_authorized__gte=0)
                & Q(amount_captured__gte=0)
                & Q(amount_voided__gte=0)
                & Q(amount_refunded__gte=0),
                name="payment_amounts_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(amount_captured__lte=F("amount_authorized") - F("amount_voided")),
                name="payment_captured_within_authorized",
            ),
            models.CheckConstraint(
                condition=Q(amount_refunded__lte=F("amount_captured")),
                name="payment_refunded_within_captured",
            ),
            models.CheckConstraint(condition=Q(status__in=P.values), name="payment_status_valid"),
        ]
        indexes = [
            models.Index(fields=["order", "id"], name="payment_order"),
            # The failed-payments queue: a small slice, oldest first.
            models.Index(
                fields=["failed_at", "id"], condition=Q(status=P.FAILED), name="payment_failed"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.gateway} payment #{self.pk} for order {self.order_id}"

    # --- amounts --------------------------------------------------------------------------

    @property
    def amount_open(self):
        """Authorized and neither captured nor released: what may still be captured."""
        return self.amount_authorized - self.amount_captured - self.amount_voided

    @property
    def amount_net(self):
        """What this payment has actually taken from the customer."""
        return self.amount_captured - self.amount_refunded

    def owed(self, kind: str):
        """What is asked of this kind and not yet answered by the gateway. Reads prefetched
        transactions when the caller loaded them (a list page), else one query."""
        prefetched = getattr(self, "_prefetched_objects_cache", {}).get("transactions")
        if prefetched is not None:
            owed = (txn.amount for txn in prefetched if txn.kind == kind and txn.is_owed)
            return sum(owed, ZERO)
        total = self.transactions.filter(
            kind=kind, status=PaymentTransaction.Status.REQUESTED
        ).aggregate(total=models.Sum("amount"))["total"]
        return total or ZERO

    def capturable_amount(self):
        """What more could be asked to capture: the open authorization (or, while the
        authorization is still being asked for, the amount it is for), minus captures and voids
        already asked for."""
        K = PaymentTransaction.Kind
        if self.status == P.PENDING:
            base = self.amount if self.owed(K.AUTHORIZE) else ZERO
        elif self.status in CAPTURABLE_STATUSES:
            base = self.amount_open
        else:
            return ZERO
        return max(ZERO, base - self.owed(K.CAPTURE) - self.owed(K.VOID))

    def refundable_amount(self):
        """Captured, not refunded, and not already being refunded."""
        return max(ZERO, self.amount_net - self.owed(PaymentTransaction.Kind.REFUND))

    def settled_status(self) -> str:
        """The status the amounts (and an unresolved failure) say this payment is in."""
        if self.failed_at is not None:
            return P.FAILED
        if self.amount_refunded > 0:
            fully = self.amount_refunded == self.amount_captured and self.amount_open == 0
            return P.REFUNDED if fully else P.PARTIALLY_REFUNDED
        if self.amount_captured > 0:
            return P.CAPTURED if self.amount_open == 0 else P.PARTIALLY_CAPTURED
        if self.voided_at is not None or (self.amount_authorized > 0 and self.amount_open == 0):
            return P.VOIDED
        if self.amount_authorized > 0:
            return P.AUTHORIZED
        return P.PENDING

    # --- lifecycle (state only; `payments.services` changes the amounts, then runs these) ---

    @transition(
        field=status,
        source=P.PENDING,
        target=GET_STATE(_settled, SETTLED_STATES),
        permission=system_only,
    )
    def authorize(self):
        pass

    @transition(
        field=status,
        source=[
            *(P.PENDING, P.AUTHORIZED, P.PARTIALLY_CAPTURED, P.CAPTURED),
            *(P.PARTIALLY_REFUNDED, P.REFUNDED, P.FAILED),
        ],
        target=P.FAILED,
        permission=system_only,
    )
    def fail(self):
        """An operation was declined, or its retries ran out: someone must look at it."""

    @transition(
        field=status,
        source=[*CAPTURABLE_STATUSES, P.REFUNDED, P.FAILED],
        target=GET_STATE(_settled, SETTLED_STATES),
        permission=system_only,
    )
    def capture(self):
        pass

    @transition(
        field=status,
        source=P.PENDING,
        target=GET_STATE(_settled, SETTLED_STATES),
        permission=may_handle_money,
    )
    def receive(self):
        """Money received outside a card gateway (cash, transfer, the channel) was recorded."""

    @transition(
        field=status,
        source=list(REFUNDABLE_STATUSES),
        target=GET_STATE(_settled, SETTLED_STATES),
        permission=may_refund,
    )
    def refund(self):
        pass

    @transition(
        field=status,
        source=[P.PENDING, *CAPTURABLE_STATUSES, P.FAILED],
        target=GET_STATE(_settled, SETTLED_STATES),
        permission=system_only,
    )
    def void(self):
        pass

    @transition(
        field=status,
        source=P.FAILED,
        target=GET_STATE(_settled, SETTLED_STATES),
        permission=may_handle_money,
    )
    def retry(self):
        pass


class PaymentTransaction(TimeStampedModel):
    """One operation asked of the gateway, recorded before the call and settled after it."""

    class Kind(models.TextChoices):
        AUTHORIZE = "authorize", "Authorize"
        CAPTURE = "capture", "Capture"
        REFUND = "refund", "Refund"
        VOID = "void", "Void"

    class Status(models.TextChoices):
        # Owed: written with the change that needs it; the gateway has not confirmed it yet.
        REQUESTED = "requested", "Requested"
        SUCCEEDED = "succeeded", "Succeeded"
        DECLINED = "declined", "Declined"
        # Transient errors until the retries ran out.
        FAILED = "failed", "Failed"
        # No longer owed before it was ever sent (its order was cancelled first).
        CANCELLED = "cancelled", "Cancelled"

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="transactions")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    amount = models.DecimalField(**MONEY)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.REQUESTED)
    # Sent to the gateway on every attempt: the same key never moves money twice.
    idempotency_key = models.CharField(max_length=100, unique=True)
    # Why it was asked for: "shipment:12", "order:confirmed", "cancel", "refund" …
    reference = models.CharField(max_length=100, blank=True, default="")
    reason = models.CharField(max_length=300, blank=True, default="")
    gateway_reference = models.CharField(max_length=100, blank=True, default="")
    # The decline reason, or the last transient error while it is being retried.
    error = models.CharField(max_length=500, blank=True, default="")
    response = models.JSONField(default=dict, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    # When it is next due; while a worker calls the gateway, the end of that worker's lease.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=150, default="system")

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0), name="payment_txn_amount_non_negative"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["authorize", "capture", "refund", "void"]),
                name="payment_txn_kind_valid",
            ),
            # A capture for one shipment (or one confirmation) is asked for once.
            models.UniqueConstraint(
                fields=["payment", "kind", "reference"],
                condition=~Q(reference="") & Q(status__in=["requested", "succeeded"]),
                name="payment_txn_once_per_reference",
            ),
        ]
        indexes = [
            models.Index(fields=["payment", "id"], name="payment_txn_payment"),
            # What the sweeper looks for: owed work that is overdue.
            models.Index(
                fields=["next_attempt_at", "id"],
                condition=Q(status="requested"),
                name="payment_txn_owed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} ({self.status})"

    @property
    def success(self) -> bool:
        return self.status == self.Status.SUCCEEDED

    @property
    def is_owed(self) -> bool:
        return self.status == self.Status.REQUESTED
