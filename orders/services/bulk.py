"""One action applied to many orders, each in its own transaction.

One refusal ("SO-000013 is shipped: it cannot be cancelled now") never undoes the others; every
order's outcome is returned, so the person who asked learns which were refused and why.
"""

from dataclasses import dataclass

from django.db import transaction

from oms.errors import DomainError, InvalidTransition
from orders.models import Order
from orders.services.lifecycle import order_cancel, order_hold, order_hold_release


@dataclass(frozen=True)
class BulkOutcome:
    number: str
    done: bool
    reason: str = ""  # why it was refused


def _hold(order: Order, actor, *, hold_reason: str, note: str, **_) -> None:
    order_hold(order=order, reason=hold_reason, note=note, actor=actor)


def _release(order: Order, actor, **_) -> None:
    holds = list(order.holds.filter(released_at__isnull=True))
    if not holds:
        raise InvalidTransition("it has no active hold to release.")
    for hold in holds:
        order = order_hold_release(order=order, hold=hold, actor=actor)


def _cancel(order: Order, actor, *, reason: str, **_) -> None:
    order_cancel(order=order, reason=reason.strip(), actor=actor)


BULK_RUNNERS = {"hold": _hold, "release": _release, "cancel": _cancel}


def orders_bulk_apply(
    *,
    orders: list[Order],
    action: str,
    actor,
    hold_reason: str = "",
    note: str = "",
    reason: str = "",
) -> list[BulkOutcome]:
    """Hold, release or cancel each order on its own; returns one outcome per order."""
    run = BULK_RUNNERS[action]
    outcomes = []
    for order in orders:
        try:
            with transaction.atomic():
                run(order, actor, hold_reason=hold_reason, note=note, reason=reason)
        except DomainError as error:
            outcomes.append(BulkOutcome(order.number, False, error.message))
        else:
            outcomes.append(BulkOutcome(order.number, True))
    return outcomes
