"""Manual order entry: support builds a phone or counter order and places it.

One screen, one form (`ManualOrderForm`). The searches answer with partials; every other action
posts the whole draft and gets the form back (htmx) or the page (a plain post). The draft is kept
in the session between requests and dropped once placed, so no half-order is ever stored.
The draft's token becomes the order's `draft_token`, which the database keeps unique: the same
draft posted twice — a double click, two tabs, two posts racing — places one order, and the
later post is sent to it.
"""

from django.contrib import messages
from django.db.models import OuterRef, Q, Subquery
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from inventory.models import Product
from inventory.selectors import availability
from inventory.selectors_backoffice import product_by_code, product_by_sku, products_by_sku
from oms.errors import DomainError
from oms.rendering import is_partial_request, keeping_banners, render_screen
from oms.roles import Role, role_required
from orders.errors import DuplicateOrder
from orders.forms_manual import ManualOrderForm
from orders.models import Address, Customer, Order, SalesChannel
from orders.selectors_search import phone_matches
from orders.services import order_capture

TEMPLATE = "orders/manual_order.html"
ENTRY_ROLES = (Role.SUPPORT, Role.MANAGER)
DRAFT_KEY = "orders_manual.draft"
# Tokens of drafts already placed (→ order number): a second click on Place order, or a late
# autosave of the same draft, must not bring the draft back or place it twice.
PLACED_KEY = "orders_manual.placed"
PLACED_REMEMBERED = 20
RESULT_LIMIT = 8
KIND_ORDER = {SalesChannel.Kind.MANUAL: 0, SalesChannel.Kind.POS: 1}


# --- reads for this screen -------------------------------------------------------------------


def is_number(text: str) -> bool:
    """ASCII digits only (`"²".isdigit()` is true, but int() refuses it)."""
    return text.isascii() and text.isdigit()


def entry_channels() -> list[SalesChannel]:
    """Active channels, manual and shop counter first."""
    channels = SalesChannel.objects.filter(is_active=True)
    return sorted(channels, key=lambda channel: (KIND_ORDER.get(channel.kind, 2), channel.name))


def product_matches(query: str) -> list[tuple[Product, int]]:
    """Active products matching a SKU, barcode or part of the name, with units available now;
    exact barcode and SKU matches first."""
    query = query.strip()
    if not query:
        return []
    found = list(Product.objects.active().search(query).order_by("sku")[: RESULT_LIMIT * 2])
    found.sort(key=lambda product: (product.barcode != query, product.sku.upper() != query.upper()))
    found = found[:RESULT_LIMIT]
    stock = availability(skus=[product.sku for product in found])
    return [(product, stock.get(product.sku, {}).get("available", 0)) for product in found]


def customer_matches(query: str) -> list[Customer]:
    """Customers by email, name or phone (at least two characters), with their last order."""
    text = query.strip()
    if len(text) < 2:
        return []
    matches = (
        Q(email__istartswith=text)
        | Q(first_name__istartswith=text)
        | Q(last_name__istartswith=text)
    )
    # A phone number in any format, or its last digits (`orders.selectors_search`).
    phone = phone_matches("phone_normalized", text)
    if phone is not None:
        matches |= phone
    if " " in text:
        first, _, last = text.partition(" ")
        matches |= Q(first_name__iexact=first.strip(), last_name__istartswith=last.strip())
    latest = Order.objects.filter(customer=OuterRef("pk")).order_by("-placed_at", "-id")
    return list(
        Customer.objects.filter(matches)
        .annotate(
            last_order_number=Subquery(latest.values("number")[:1]),
            last_order_placed=Subquery(latest.values("placed_at")[:1]),
        )
        .order_by("last_name", "first_name", "email")[:RESULT_LIMIT]
    )


def last_shipping_address(customer: Customer) -> Address | None:
    order = (
        Order.objects.filter(customer=customer)
        .select_related("shipping_address")
        .order_by("-placed_at", "-id")
        .first()
    )
    return order.shipping_address if order else None


# --- helpers ---------------------------------------------------------------------------------


def _querydict(draft: dict[str, list[str]]) -> QueryDict:
    data = QueryDict(mutable=True)
    for name, values in draft.items():
        data.setlist(name, values)
    return data


def _form(data, channels: list[SalesChannel]) -> ManualOrderForm:
    products = products_by_sku(ManualOrderForm.skus_in(data))
    return ManualOrderForm(data, channels=channels, products=products)


def _placed(request) -> dict[str, str]:
    return request.session.get(PLACED_KEY, {})


def _remember_placed(request, token: str, number: str) -> None:
    remembered = list(_placed(request).items())[-(PLACED_REMEMBERED - 1) :]
    request.session[PLACED_KEY] = {**dict(remembered), token: number}
    request.session.pop(DRAFT_KEY, None)


def _remember_draft(request, form: ManualOrderForm) -> None:
    if form.data.get("draft_token") not in _placed(request):
        request.session[DRAFT_KEY] = form.draft()


def _context(form: ManualOrderForm) -> dict:
    form.set_availability(availability(skus=[line.sku for line in form.lines]))
    return {
        "form": form,
        "totals": form.totals(),
        "product_results": product_matches(form.data.get("product_query", "")),
        "customer_results": customer_matches(form.data.get("customer_query", "")),
    }


def _render(request, form: ManualOrderForm, partial: str = "builder"):
    return render_screen(request, TEMPLATE, partial, _context(form))


def _go_to_order(request, number: str):
    url = reverse("orders:detail", args=[number])
    if is_partial_request(request):
        # Plain text, so the flash message is kept for the page it leads to rather than
        # appended to a response htmx throws away.
        return HttpResponseClientRedirect(url, content_type="text/plain")
    return redirect(url)


# --- views -----------------------------------------------------------------------------------


@role_required(*ENTRY_ROLES)
def builder(request):
    """GET: the draft kept in the session, or a new one. POST: `add_sku`, `remove_line`,
    `pick_customer`, or `intent` = place | discard | enter (Enter pressed in a field)."""
    channels = entry_channels()
    if request.method != "POST":
        draft = request.session.get(DRAFT_KEY)
        if draft and draft.get("draft_token", [""])[0] in _placed(request):
            draft = None
        return _render(request, _form(_querydict(draft) if draft else None, channels))

    form = _form(request.POST, channels)
    intent = request.POST.get("intent", "")
    if intent == "place":
        return _place(request, form)
    if intent == "discard":
        request.session.pop(DRAFT_KEY, None)
        messages.info(request, "Draft discarded.")
        return _render(request, _form(None, channels))
    if request.POST.get("add_sku"):
        _add_sku(form, request.POST["add_sku"])
    elif is_number(request.POST.get("remove_line", "")):
        form.remove_line(int(request.POST["remove_line"]))
    elif is_number(request.POST.get("pick_customer", "")):
        _pick_customer(form, int(request.POST["pick_customer"]))
    elif (request.POST.get("product_query") or "").strip():
        _add_searched(form)
    elif (request.POST.get("customer_query") or "").strip():
        _pick_searched_customer(form)
    _remember_draft(request, form)
    return _render(request, form)


def _add_sku(form: ManualOrderForm, sku: str) -> None:
    product = product_by_sku(sku)
    if product is None or not product.is_active:
        form.add_error("product_query", f"No product is sold under SKU “{sku}”.")
    else:
        form.add_product(product)


def _add_searched(form: ManualOrderForm) -> None:
    """Enter in the product search: a scanned barcode or exact SKU, or the one match, is added."""
    query = form.data["product_query"].strip()
    product = product_by_code(query)
    if product is None or not product.is_active:
        matches = product_matches(query)
        if len(matches) != 1:
            if matches:
                form.add_error("product_query", "Several products match; add one from the list.")
            else:
                form.add_error("product_query", f"Nothing matches “{query}”.")
            return
        product = matches[0][0]
    form.add_product(product)
    form.set_value("product_query", "")


def _pick_customer(form: ManualOrderForm, customer_id: int) -> None:
    customer = Customer.objects.filter(pk=customer_id).first()
    if customer is None:
        form.add_error("customer_query", "That customer no longer exists; search again.")
        return
    form.fill_customer(customer, last_shipping_address(customer))
    form.set_value("customer_query", "")


def _pick_searched_customer(form: ManualOrderForm) -> None:
    """Enter in the customer search picks the customer when exactly one matches."""
    matches = customer_matches(form.data["customer_query"])
    if len(matches) == 1:
        _pick_customer(form, matches[0].pk)
    elif matches:
        form.add_error("customer_query", "Several customers match; pick one from the list.")
    else:
        form.add_error("customer_query", "No customer matches; fill in the new customer below.")


def _place(request, form: ManualOrderForm):
    token = form.data.get("draft_token", "")
    placed = _placed(request)
    if token in placed:
        # A second click on Place order: the first one placed it.
        return _go_to_order(request, placed[token])
    capture = form.capture_request()
    if capture is not None:
        try:
            order = order_capture(
                channel=form.channel_obj, request=capture, source="manual", actor=request.user
            )
        except DuplicateOrder as error:
            # Another post of this draft (another tab, or one racing this one) placed it.
            _remember_placed(request, token, error.existing_number)
            messages.info(
                request, f"This draft was already placed as order {error.existing_number}."
            )
            return _go_to_order(request, error.existing_number)
        except DomainError as error:
            form.add_domain_error(error)
        else:
            _remember_placed(request, token, order.number)
            messages.success(
                request,
                f"Order {order.number} placed for {order.email}: "
                f"{order.get_status_display().lower()}.",
            )
            return _go_to_order(request, order.number)
    _remember_draft(request, form)
    return _render(request, form)


@require_POST
@role_required(*ENTRY_ROLES)
def summary(request):
    """The totals for the draft as it stands; also keeps the draft in the session."""
    form = _form(request.POST, entry_channels())
    _remember_draft(request, form)
    return keeping_banners(
        render(request, f"{TEMPLATE}#summary", {"form": form, "totals": form.totals()})
    )


@require_GET
@role_required(*ENTRY_ROLES)
def product_search(request):
    results = product_matches(request.GET.get("product_query", ""))
    return render(request, f"{TEMPLATE}#product-results", {"product_results": results})


@require_GET
@role_required(*ENTRY_ROLES)
def customer_search(request):
    results = customer_matches(request.GET.get("customer_query", ""))
    return render(request, f"{TEMPLATE}#customer-results", {"customer_results": results})
