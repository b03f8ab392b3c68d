"""The catalog list, a product's stock page, and the stock actions on it (htmx forms)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from inventory import selectors, services
from inventory.backorders import stock_receive_releasing
from inventory.forms import (
    DEFAULT_PAGE_SIZE,
    STOCK_ACTION_FORMS,
    LevelSettingsForm,
    ProductFilterForm,
)
from inventory.models import MovementKind, Product, Warehouse
from inventory.selectors_backoffice import active_level_totals
from inventory.views.common import (
    STOCK_KEEPERS,
    STOCK_VIEWERS,
    all_warehouses,
    released_sentence,
    units,
)
from oms.errors import DomainError
from oms.paging import cursor_param, keyset_page, page_links
from oms.rendering import is_partial_request, render_screen
from oms.roles import role_required, user_has_role

RECENT_MOVEMENTS = 15


def _product_or_404(sku: str) -> Product:
    try:
        return selectors.product_detail(sku=sku)
    except Product.DoesNotExist:
        raise Http404(f"No product has the SKU {sku}.") from None


@require_GET
@role_required(*STOCK_VIEWERS)
def product_list(request):
    warehouses = all_warehouses()
    form = ProductFilterForm(request.GET, warehouses=warehouses)
    form.is_valid()
    after, before = cursor_param(request, "after"), cursor_param(request, "before")
    page = keyset_page(
        selectors.product_list(**form.selector_filters()),
        order=("sku",),
        size=form.cleaned_data.get("per_page") or DEFAULT_PAGE_SIZE,
        after=(after,) if after else None,
        before=(before,) if before and not after else None,
    )
    context = {
        "form": form,
        "page": page,
        "can_act": user_has_role(request.user, *STOCK_KEEPERS),
        **page_links(request, page, lambda key: key[0]),
    }
    return render_screen(request, "inventory/product_list.html", "results", context)


def _stock_context(product: Product) -> dict:
    """The levels table and the recent ledger: what an action's success swaps in."""
    levels = selectors.product_levels(product=product)
    return {
        "product": product,
        "levels": levels,
        "totals": active_level_totals(levels),
        "movements": list(selectors.ledger(product=product)[:RECENT_MOVEMENTS]),
    }


def _action_forms(product: Product, warehouses: list[Warehouse], replace=None) -> list:
    """One blank form per action, or `replace` in its action's place."""
    forms = []
    for action, form_class in STOCK_ACTION_FORMS.items():
        if replace is not None and replace.action == action:
            forms.append(replace)
        else:
            forms.append(form_class(warehouses=warehouses, product=product))
    return forms


def _page_context(request, product: Product, warehouses: list[Warehouse], replace=None) -> dict:
    can_act = user_has_role(request.user, *STOCK_KEEPERS)
    return {
        **_stock_context(product),
        "can_act": can_act,
        "action_forms": _action_forms(product, warehouses, replace) if can_act else [],
    }


@require_GET
@role_required(*STOCK_VIEWERS)
def product_detail(request, sku: str):
    product = _product_or_404(sku)
    context = _page_context(request, product, all_warehouses())
    return render(request, "inventory/product_detail.html", context)


# --- actions ---------------------------------------------------------------------------------


def _receive(*, product, actor, warehouse, quantity, reference, note) -> str:
    receipt = stock_receive_releasing(
        warehouse=warehouse,
        lines=[(product, quantity)],
        actor=actor,
        reference=reference,
        note=note,
    )
    return (
        f"Received {units(quantity)} of {product.sku} at {warehouse.code}; "
        f"{receipt.levels[0].on_hand} on hand.{released_sentence(receipt.released)}"
    )


def _adjust(*, product, actor, warehouse, delta, reason, note) -> str:
    if reason == MovementKind.DAMAGE:
        level = services.stock_write_off(
            product=product, warehouse=warehouse, quantity=abs(delta), actor=actor, note=note
        )
        return (
            f"Wrote off {units(abs(delta))} of {product.sku} at {warehouse.code}; "
            f"{level.on_hand} on hand."
        )
    level = services.stock_adjust(
        product=product,
        warehouse=warehouse,
        delta=delta,
        kind=MovementKind.ADJUSTMENT,
        actor=actor,
        note=note,
    )
    return f"Adjusted {product.sku} at {warehouse.code} by {delta:+}; {level.on_hand} on hand."


def _count(*, product, actor, warehouse, counted, note) -> str:
    services.stock_count(
        product=product, warehouse=warehouse, counted=counted, actor=actor, note=note
    )
    return f"Count booked: {product.sku} at {warehouse.code} has {counted} on hand."


def _transfer(*, product, actor, source, destination, quantity, note) -> str:
    services.stock_transfer(
        product=product,
        source=source,
        destination=destination,
        quantity=quantity,
        actor=actor,
        note=note,
    )
    return f"Moved {units(quantity)} of {product.sku} from {source.code} to {destination.code}."


def _settings(*, product, actor, warehouse, safety_stock, bin_location) -> str:
    services.stock_level_update(
        product=product,
        warehouse=warehouse,
        safety_stock=safety_stock,
        bin_location=bin_location,
        actor=actor,
    )
    where = f"bin {bin_location}" if bin_location else "no bin"
    return f"Saved {product.sku} at {warehouse.code}: safety stock {safety_stock}, {where}."


ACTIONS = {
    "receive": _receive,
    "adjust": _adjust,
    "count": _count,
    "transfer": _transfer,
    "settings": _settings,
}


@require_POST
@role_required(*STOCK_KEEPERS)
def product_action(request, sku: str, action: str):
    """Run one stock action. Success: a fresh form, the levels and the ledger (out of band) and a
    flash message; a refusal: the form again with the reason beside the field. A plain post gets
    a redirect or the whole page instead."""
    product = _product_or_404(sku)
    warehouses = all_warehouses()
    form_class = STOCK_ACTION_FORMS[action]
    form = form_class(request.POST, warehouses=warehouses, product=product)
    if form.is_valid():
        try:
            message = ACTIONS[action](product=product, actor=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, message)
            if not is_partial_request(request):
                return redirect("inventory:product_detail", sku=product.sku)
            fresh = form_class(warehouses=warehouses, product=product, initial=form.next_initial())
            context = {**_stock_context(product), "form": fresh, "oob": True}
            return render(request, "inventory/product_detail.html#action-done", context)
    return _render_action_form(request, product, warehouses, form)


@require_GET
@role_required(*STOCK_KEEPERS)
def product_settings_form(request, sku: str):
    """The safety stock & bin form filled in with the chosen warehouse's current values."""
    product = _product_or_404(sku)
    warehouses = all_warehouses()
    code = request.GET.get("warehouse", "")
    level = next(
        (lvl for lvl in selectors.product_levels(product=product) if lvl.warehouse.code == code),
        None,
    )
    form = LevelSettingsForm(
        warehouses=warehouses,
        product=product,
        initial={
            "warehouse": code,
            "safety_stock": level.safety_stock if level else 0,
            "bin_location": level.bin_location if level else "",
        },
    )
    return _render_action_form(request, product, warehouses, form)


def _render_action_form(request, product: Product, warehouses: list[Warehouse], form):
    """The form alone for htmx; otherwise the whole product page with this form in its place."""
    if is_partial_request(request):
        context = {"product": product, "form": form}
        return render(request, "inventory/product_detail.html#action-form", context)
    context = _page_context(request, product, warehouses, replace=form)
    return render(request, "inventory/product_detail.html", context)
