"""How one captured order is stored: a planned set of reads, decisions in memory, one batch of
writes, and the stock locked last.

1. Reads (`orders.services.capture_reads`, all sent together): the customer, the catalog with
   its stock levels (one query), orders that could be duplicates, who listens to webhooks, ids
   for the new rows.
2. Decisions, in memory: lines and totals, the transitions (draft → pending → ready, backordered
   or on hold) with their permission checks, the holds, and a sourcing plan over the levels as
   read.
3. Writes: the addresses, the order (inserted once, in the status it ends in, with its
   number), holds, timeline entries, lines and allocation rows, sent together with ids taken
   from the sequences in step 1, so one round trip carries them; then webhooks and what
   payments owes; then one statement locks the levels in id order and reserves the units where
   they are still available, the ledger rows follow, and the transaction commits: the locks
   are held for one insert.

With the key's read and the COMMIT, an API capture waits on PostgreSQL six times.

When the locked figures no longer carry the plan (another order took the stock meanwhile),
`StockMoved` is raised and `order_capture` runs the capture again with the levels locked as they
are read (`lock_first`), so the plan is made on figures nobody can change.
"""

from decimal import Decimal

from inventory.errors import StockMoved
from inventory.models import Product
from inventory.services import (
    StockLine,
    lock_levels_by_id,
    stock_reserve_guarded,
    stock_reserve_locked,
)
from inventory.sourcing import SourcingPlan
from oms.money import to_money
from oms.rows import insert_rows, pipelined
from oms.validators import normalize_country
from oms.webhooks import webhook_publish
from orders import events
from orders.errors import OrderInvalid
from orders.models import (
    Address,
    Allocation,
    HoldReason,
    Order,
    OrderHold,
    OrderLine,
    OrderStatus,
)
from orders.services.capture_reads import CaptureReads, Catalog
from orders.services.common import (
    order_reference,
    publish_status_change,
    ship_by_for,
    step_transition,
)
from orders.services.processing import (
    fulfillment_status_for,
    plan_outcome,
    sourcing_plan,
    split_allocations,
)
from orders.services.rules import rule_holds, validation_holds
from orders.signals import order_captured, order_ready


def _address(data) -> Address | None:
    if data is None:
        return None
    values = {name: str(getattr(data, name) or "").strip() for name in Address.FIELDS}
    values["country"] = normalize_country(values["country"])
    for name in Address.FIELDS:
        values[name] = values[name][: Address._meta.get_field(name).max_length]
    return Address(**values)


def _lines(request, products: dict[str, Product]) -> list[OrderLine]:
    lines = []
    for line in request.lines:
        sku = line.sku.strip()
        product = products.get(sku)
        lines.append(
            OrderLine(
                product=product,
                sku=sku[:64],
                name=(line.name or getattr(product, "name", ""))[:200],
                quantity=line.quantity,
                unit_price=to_money(line.unit_price),
                line_total=to_money(line.unit_price) * line.quantity,
            )
        )
    return lines


def store_capture(
    channel,
    request,
    *,
    customer,
    reads: CaptureReads,
    source: str,
    actor,
    actor_label,
    lock_first: bool,
) -> Order:
    """Store one validated request for `customer` (see the module docstring for the shape)."""
    # --- reads, sent by `send_reads` -----------------------------------------------------
    catalog = reads.catalog.result()
    subscribed = reads.subscribed.result()

    # --- decisions in memory -------------------------------------------------------------
    lines = _lines(request, catalog.products)
    subtotal = sum((line.line_total for line in lines), Decimal("0.00"))
    shipping, tax = to_money(request.shipping_total), to_money(request.tax_total)
    discount = to_money(request.discount_total)
    grand_total = subtotal + shipping + tax - discount
    if grand_total < 0:
        raise OrderInvalid(
            "The discount is larger than the order.",
            fields={"discount_total": ["Cannot exceed subtotal, shipping and tax."]},
        )
    order = Order(
        channel=channel,
        external_id=request.external_id,
        channel_order_name=(request.channel_order_name or "").strip()[:100],
        customer=customer,
        email=customer.email,
        shipping_address=_address(request.shipping_address),
        billing_address=_address(request.billing_address),
        currency=(request.currency or channel.currency).upper()[:3],
        subtotal=subtotal,
        shipping_total=shipping,
        tax_total=tax,
        discount_total=discount,
        grand_total=grand_total,
        balance_due=grand_total,
        units=sum(line.quantity for line in lines),
        origin=request.origin,
        original_order=request.original_order,
        shipping_method=request.shipping_method[:50],
        allow_backorder=request.allow_backorder,
        payment_request=request.payment or {},
        confirmation_due=request.notify_customer,
        placed_at=reads.placed_at,
        draft_token=request.draft_token,
    )
    order.ship_by = ship_by_for(order)
    placed_from = step_transition(order, "place", actor=actor)
    holds = _holds(order, request, lines, reads.duplicates.result())
    plan, needed = _plan(order, lines, catalog)
    if holds:
        final = "hold"
    elif plan.is_complete:
        final = "mark_ready"
    else:
        final = "mark_backordered"
    final_from = step_transition(order, final, actor=None)
    allocated = sum(allocation.quantity for allocation in plan.allocations)
    order.fulfillment_status = fulfillment_status_for(open_units=order.units, allocated=allocated)

    # --- writes --------------------------------------------------------------------------
    # One round trip: the addresses, the order, its timeline, lines and allocation rows, with
    # their ids taken from the sequences by `send_reads`, so none waits for an answer (only a
    # held order's holds come back with theirs, which the timeline names).
    with pipelined():
        order_ids, address_ids, line_ids = reads.ids.result() if reads.ids else (None,) * 3
        _insert_order(order, order_ids, address_ids)
        hold_rows = insert_rows(
            OrderHold(order=order, reason=reason, note=note[:500]) for reason, note in holds
        )
        with events.batched():
            events.order_captured(order, actor=actor, actor_label=actor_label, source=source)
            if request.note:
                events.note_added(order, text=request.note, actor=actor)
            events.status_changed(
                order, placed_from, to=final_from, actor=actor, actor_label=actor_label
            )
            for hold in hold_rows:
                events.hold_placed(order, hold)
            if needed:
                outcome = plan_outcome(
                    plan, warehouses=catalog.warehouses, products=_by_id(catalog)
                )
                events.allocated(
                    order,
                    reason=outcome.reason,
                    allocations=outcome.allocations,
                    shortfall=outcome.shortfall,
                )
            events.status_changed(order, final_from, actor_label="system")
        _insert_lines(order, lines, line_ids)
        allocations = insert_rows(_allocations(lines, plan, catalog), returning=False)
    with events.batched():  # what the announcements' receivers record
        _publish(order, placed_from, final_from, subscribed)
        if order.status == OrderStatus.READY:
            order_ready.send(sender=Order, order=order)
        order_captured.send(sender=Order, order=order)
    _reserve(order, plan, catalog, actor, subscribed, lock_first)
    for line in lines:
        line.allocated_total = sum(a.quantity for a in allocations if a.order_line_id == line.pk)
    # The lines as stored, with what is allocated: the API answers from them without a read.
    order.captured_lines = lines
    return order


def _by_id(catalog: Catalog) -> dict[int, Product]:
    return {product.pk: product for product in catalog.products.values()}


def _holds(order: Order, request, lines: list[OrderLine], candidates) -> list[tuple[str, str]]:
    """The holds a new order starts with: what the door had to change, totals that do not add
    up, then the validation and risk rules processing applies to every order."""
    holds = []
    if request.data_problems:
        holds.append((HoldReason.INVALID_DATA, " ".join(request.data_problems)))
    if request.channel_grand_total is not None and (
        to_money(request.channel_grand_total) != order.grand_total
    ):
        holds.append(
            (
                HoldReason.MANUAL,
                f"Totals do not add up: the channel says {to_money(request.channel_grand_total)}, "
                f"the lines, shipping, tax and discount make {order.grand_total}.",
            )
        )
    placed = {reason for reason, _ in holds}
    for reason, note in validation_holds(order, lines) + rule_holds(
        order, lines, candidates=candidates
    ):
        if reason not in placed:
            holds.append((reason, note))
            placed.add(reason)
    return holds


def _plan(order: Order, lines: list[OrderLine], catalog: Catalog):
    """The sourcing plan for the order's known lines over the levels as read, and what it
    needs (product id → units)."""
    needed: dict[int, int] = {}
    for line in lines:
        if line.product_id is not None:
            needed[line.product_id] = needed.get(line.product_id, 0) + line.quantity
    plan = sourcing_plan(
        order,
        needed,
        catalog.levels.values(),
        warehouses=catalog.warehouses,
        products=_by_id(catalog),
    )
    return plan, needed


def _insert_order(order: Order, ids: list[int] | None, address_ids: list[int] | None) -> None:
    """The addresses and the order with the ids `send_reads` took from the sequences, so the
    order goes in with its number and neither insert waits for an answer; where ids come only
    from the insert (SQLite), the number follows in an UPDATE."""
    addresses = [a for a in (order.shipping_address, order.billing_address) if a is not None]
    for address in addresses:
        address.set_derived()
    if ids is None:
        insert_rows(addresses)
        insert_rows([order])
        order.number = f"SO-{order.pk:06d}"
        order.save(update_fields=["number"])
        return
    for address, pk in zip(addresses, address_ids, strict=True):
        address.pk = pk
    [order.pk] = ids
    order.number = f"SO-{order.pk:06d}"
    insert_rows(addresses)
    insert_rows([order])


def _publish(order: Order, placed_from: str, final_from: str, subscribed) -> None:
    """The webhooks a capture owes: each status change, then the new order."""
    publish_status_change(order, placed_from, to=final_from, subscribed=subscribed)
    publish_status_change(order, final_from, subscribed=subscribed)
    webhook_publish(
        event="order.created",
        payload={
            "number": order.number,
            "external_id": order.external_id,
            "channel": order.channel.code,
            "status": order.status,
            "grand_total": str(order.grand_total),
            "currency": order.currency,
        },
        subscribed=subscribed,
    )


def _insert_lines(order: Order, lines: list[OrderLine], ids: list[int] | None) -> None:
    """The lines with the ids taken for them (or, without, with the ids the insert returns)."""
    for line in lines:
        line.order = order
    if ids is not None:
        for line, pk in zip(lines, ids, strict=True):
            line.pk = pk
    insert_rows(lines)


def _allocations(lines: list[OrderLine], plan: SourcingPlan, catalog: Catalog) -> list[Allocation]:
    """The allocation rows of the plan, line by line."""
    outstanding = {line.pk: line.quantity for line in lines if line.product_id is not None}
    by_line = {line.pk: line for line in lines}
    return [
        Allocation(
            order_line_id=line_id,
            stock_level=catalog.levels[(allocation.product_id, allocation.warehouse_id)],
            quantity=units,
        )
        for line_id, allocation, units in split_allocations(plan.allocations, outstanding, by_line)
    ]


def _reserve(order, plan: SourcingPlan, catalog, actor, subscribed, lock_first) -> None:
    """Reserve the plan's units: the last writes before commit (its allocation rows are in).

    A complete plan is reserved by one statement that locks its levels (in id order) and adds
    the units only where they are still available; a plan with a shortfall locks every level
    it read and goes ahead only if none moved (more stock may have come in). Either way a plan
    the locked figures no longer carry raises StockMoved. Planned under locks (`lock_first`),
    the levels are locked already."""
    if not plan.allocations and plan.is_complete:
        return
    by_product = _by_id(catalog)
    stock_lines = [
        StockLine(by_product[a.product_id], catalog.warehouses[a.warehouse_id], a.quantity)
        for a in plan.allocations
    ]
    reserve = {"lines": stock_lines, "reference": order_reference(order), "actor": actor}
    if lock_first:
        stock_reserve_locked(levels=catalog.levels, subscribed=subscribed, **reserve)
    elif plan.is_complete:
        stock_reserve_guarded(levels=catalog.levels, subscribed=subscribed, **reserve)
    else:
        levels = lock_levels_by_id(level.pk for level in catalog.levels.values())
        _check_plan_holds(plan, catalog.levels, levels)
        if stock_lines:
            stock_reserve_locked(levels=levels, subscribed=subscribed, **reserve)


def _check_plan_holds(plan: SourcingPlan, read: dict, locked: dict) -> None:
    """A plan with a shortfall holds only while no level it read moved."""
    if {key: level.available for key, level in locked.items()} != {
        key: level.available for key, level in read.items()
    }:
        raise StockMoved
