"""The manual order builder's form: everything a phone or counter order needs, its lines included.

The whole draft travels with every post (lines as `line_sku` / `line_quantity` /
`line_unit_price`), so an htmx swap and a plain form post behave alike, and what the person sees
is what is placed. The view keeps the last posted draft in the session so a reload does not lose
it; nothing reaches the database until Place order.
"""

import re
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from django import forms

from inventory.forms import DomainErrorFormMixin
from inventory.models import Product
from oms.money import MONEY, ZERO, parse_money
from oms.numbers import whole_number
from oms.validators import COUNTRY_CODE_MESSAGE, is_country_code
from orders.models import Address, Order, SalesChannel
from orders.services import AddressData, CaptureRequest, LineData
from orders.services.capture import MAX_QUANTITY

# The totals' fields. `recalc`: typing in one refreshes the totals.
MONEY_FIELD = {
    **MONEY,
    "min_value": Decimal("0"),
    "widget": forms.NumberInput(attrs={"class": "money recalc", "inputmode": "decimal"}),
}
MAX_LINES = 100

# The address inputs are named `ship_<field>`; a picked customer's last order fills them.
ADDRESS_FIELDS = tuple(f"ship_{name}" for name in Address.FIELDS)
CUSTOMER_FIELDS = ("email", "first_name", "last_name", "phone")
REQUIRED_ADDRESS = {
    "ship_name": "Enter the recipient's name.",
    "ship_line1": "Enter the street address.",
    "ship_city": "Enter the city.",
    "ship_postal_code": "Enter the postal code.",
    "ship_country": "Enter the country code, e.g. US.",
}
LINE_KEYS = ("line_sku", "line_quantity", "line_unit_price")
# What the form issues as a draft's token (uuid4 hex); anything else posted is replaced.
DRAFT_TOKEN = re.compile(r"[0-9a-f]{32}")


def exact_money(text: str) -> Decimal | None:
    """An amount `parse_money` accepts, given in whole cents (24.005 is refused, not rounded)."""
    amount = parse_money(text)
    if amount is None or amount != Decimal(text.strip()):
        return None
    return amount


@dataclass
class DraftLine:
    sku: str
    quantity_text: str
    unit_price_text: str
    product: Product | None = None
    available: int = 0
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def quantity(self) -> int | None:
        number = whole_number(self.quantity_text, maximum=MAX_QUANTITY)
        return number if number and number <= MAX_QUANTITY else None

    @property
    def unit_price(self) -> Decimal | None:
        return exact_money(self.unit_price_text)

    @property
    def line_total(self) -> Decimal | None:
        if self.quantity is None or self.unit_price is None:
            return None
        return self.unit_price * self.quantity

    @property
    def short_by(self) -> int:
        """Units beyond what is available now (they would be backordered)."""
        return max(0, (self.quantity or 0) - self.available)

    def check(self) -> None:
        self.errors = {}
        if self.product is None:
            self.errors["sku"] = "No product has this SKU; remove the line."
        elif not self.product.is_active:
            self.errors["sku"] = "This product is no longer sold; remove the line."
        if self.quantity is None:
            if (whole_number(self.quantity_text, maximum=MAX_QUANTITY) or 0) > MAX_QUANTITY:
                self.errors["quantity"] = f"Enter at most {MAX_QUANTITY:,}."
            else:
                self.errors["quantity"] = "Enter a whole number above zero, or remove the line."
        if self.unit_price is None:
            self.errors["unit_price"] = "Enter a price of 0 or more, like 24.00."


class ManualOrderForm(DomainErrorFormMixin, forms.Form):
    """Fields are optional one by one, so a half-filled draft renders without complaints;
    `capture_request()` checks what placing an order needs."""

    # Names this draft; the order placed from it keeps it (unique), so it is placed only once.
    draft_token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=32)
    channel = forms.ChoiceField(label="Channel", required=False)
    customer_query = forms.CharField(
        label="Find a customer",
        required=False,
        max_length=200,
        help_text="Email, name or phone of someone who ordered before.",
    )
    email = forms.EmailField(
        label="Email", required=False, max_length=Order._meta.get_field("email").max_length
    )
    first_name = forms.CharField(label="First name", required=False, max_length=100)
    last_name = forms.CharField(label="Last name", required=False, max_length=100)
    phone = forms.CharField(label="Phone", required=False, max_length=40)
    ship_name = forms.CharField(label="Recipient", required=False, max_length=200)
    ship_company = forms.CharField(label="Company", required=False, max_length=200)
    ship_line1 = forms.CharField(label="Street address", required=False, max_length=200)
    ship_line2 = forms.CharField(label="Address line 2", required=False, max_length=200)
    ship_city = forms.CharField(label="City", required=False, max_length=100)
    ship_region = forms.CharField(label="Region / state", required=False, max_length=100)
    ship_postal_code = forms.CharField(label="Postal code", required=False, max_length=20)
    ship_country = forms.CharField(
        label="Country", required=False, max_length=2, help_text="Two letters: US, DE, GB…"
    )
    ship_phone = forms.CharField(label="Delivery phone", required=False, max_length=40)
    product_query = forms.CharField(
        label="Find a product",
        required=False,
        max_length=200,
        help_text="SKU, part of the name, or scan the barcode and press Enter.",
    )
    shipping_method = forms.CharField(
        label="Shipping method", required=False, max_length=50, help_text="e.g. UPS Ground"
    )
    shipping_total = forms.DecimalField(label="Shipping", required=False, **MONEY_FIELD)
    tax_total = forms.DecimalField(label="Tax", required=False, **MONEY_FIELD)
    discount_total = forms.DecimalField(label="Discount", required=False, **MONEY_FIELD)
    allow_backorder = forms.BooleanField(
        label="Backorder what is not in stock",
        required=False,
        help_text="Off: the order is refused unless everything can be reserved now.",
    )
    note = forms.CharField(
        label="Internal note",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, data=None, *, channels: list[SalesChannel], products: dict, **kwargs):
        """`products` maps SKU → Product for the posted lines (one query for them all)."""
        data = data.copy() if data is not None else None
        if data is not None:
            if not DRAFT_TOKEN.fullmatch(data.get("draft_token") or ""):
                data["draft_token"] = uuid.uuid4().hex
            data["channel"] = data.get("channel") or default_channel_code(channels)
        super().__init__(data, auto_id="order-%s", **kwargs)
        self.fields["draft_token"].initial = uuid.uuid4().hex
        self.channels = {channel.code: channel for channel in channels}
        self.fields["channel"].choices = [
            (channel.code, f"{channel.name} ({channel.get_kind_display().lower()})")
            for channel in channels
        ]
        self.fields["channel"].initial = default_channel_code(channels)
        self.fields["allow_backorder"].initial = True
        self.products = products
        self.lines: list[DraftLine] = self._posted_lines() if data is not None else []

    # --- the draft ----------------------------------------------------------------------------

    @staticmethod
    def skus_in(data) -> list[str]:
        return [sku.strip() for sku in data.getlist("line_sku") if sku.strip()] if data else []

    def _posted_lines(self) -> list[DraftLine]:
        rows = zip(*(self.data.getlist(key) for key in LINE_KEYS), strict=False)
        lines = []
        for sku, quantity, price in list(rows)[:MAX_LINES]:
            sku = sku.strip()
            if sku:
                lines.append(
                    DraftLine(sku, quantity.strip(), price.strip(), self.products.get(sku))
                )
        for line in lines:
            line.check()
        return lines

    def set_availability(self, available: dict[str, dict]) -> None:
        for line in self.lines:
            line.available = available.get(line.sku, {}).get("available", 0)

    def draft(self) -> dict[str, list[str]]:
        """What the session keeps: every input as posted, lines included."""
        names = [name for name in self.fields if name != "customer_query"]
        draft = {name: self.data.getlist(name) for name in names if name in self.data}
        draft["line_sku"] = [line.sku for line in self.lines]
        draft["line_quantity"] = [line.quantity_text for line in self.lines]
        draft["line_unit_price"] = [line.unit_price_text for line in self.lines]
        return draft

    def set_value(self, name: str, value: str) -> None:
        self.data[name] = value

    @property
    def channel_obj(self) -> SalesChannel | None:
        return self.channels.get(self.data.get("channel", ""))

    @property
    def currency(self) -> str:
        channel = self.channel_obj
        return channel.currency if channel else ""

    # --- editing ------------------------------------------------------------------------------

    def add_product(self, product: Product) -> None:
        """One more unit of `product`: a new line at its price, or +1 on its line."""
        line = next((line for line in self.lines if line.sku == product.sku), None)
        if line is None:
            if len(self.lines) >= MAX_LINES:
                self.add_error("product_query", f"An order holds at most {MAX_LINES} lines.")
                return
            line = DraftLine(product.sku, "1", f"{product.price:.2f}", product)
            self.lines.append(line)
        else:
            line.quantity_text = str((line.quantity or 0) + 1)
        line.check()

    def remove_line(self, index: int) -> None:
        if 0 <= index < len(self.lines):
            del self.lines[index]

    def fill_customer(self, customer, address: Address | None) -> None:
        for name in CUSTOMER_FIELDS:
            self.set_value(name, getattr(customer, name))
        if address is not None:
            for name in Address.FIELDS:
                self.set_value(f"ship_{name}", getattr(address, name))
        elif not self.data.get("ship_name"):
            self.set_value("ship_name", customer.full_name)

    # --- totals -------------------------------------------------------------------------------

    def _amount(self, name: str) -> Decimal:
        return exact_money(self.data.get(name) or "0") or ZERO

    def totals(self) -> dict:
        subtotal = sum((line.line_total or ZERO for line in self.lines), ZERO)
        shipping, tax = self._amount("shipping_total"), self._amount("tax_total")
        discount = self._amount("discount_total")
        return {
            "subtotal": subtotal,
            "shipping": shipping,
            "tax": tax,
            "discount": discount,
            "grand_total": subtotal + shipping + tax - discount,
            "currency": self.currency,
        }

    # --- placing ------------------------------------------------------------------------------

    def capture_request(self) -> CaptureRequest | None:
        """The capture request when the draft can be placed; otherwise None and errors."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        if self.channel_obj is None:
            self.add_error("channel", "Choose the channel the order came through.")
        if "email" in data and not data["email"]:
            self.add_error("email", "Enter the customer's email address.")
        for name, message in REQUIRED_ADDRESS.items():
            if name in data and not data[name].strip():
                self.add_error(name, message)
        country = data.get("ship_country", "")
        if country and not is_country_code(country):
            self.add_error("ship_country", COUNTRY_CODE_MESSAGE)
        if not self.lines:
            self.add_error(None, "Add at least one product to the order.")
        elif any(line.errors for line in self.lines):
            self.add_error(None, "Fix the lines marked below.")
        totals = self.totals()
        if not self.errors and totals["grand_total"] < 0:
            self.add_error("discount_total", "The discount cannot exceed the order's total.")
        if self.errors:
            return None
        return CaptureRequest(
            external_id="",
            origin=Order.Origin.MANUAL,
            currency=self.currency,
            email=data["email"],
            first_name=data["first_name"].strip(),
            last_name=data["last_name"].strip(),
            phone=data["phone"].strip(),
            lines=[
                LineData(
                    sku=line.sku,
                    quantity=line.quantity,
                    unit_price=line.unit_price,
                    name=line.product.name,
                )
                for line in self.lines
            ],
            shipping_address=AddressData(
                **{name: data[f"ship_{name}"].strip() for name in Address.FIELDS}
            ),
            shipping_method=data["shipping_method"].strip(),
            shipping_total=totals["shipping"],
            tax_total=totals["tax"],
            discount_total=totals["discount"],
            allow_backorder=data["allow_backorder"],
            note=data["note"].strip(),
            draft_token=self.data["draft_token"],
        )


def default_channel_code(channels: list[SalesChannel]) -> str:
    """Manual entry goes to a manual channel when there is one, else a shop counter, else any."""
    for kind in (SalesChannel.Kind.MANUAL, SalesChannel.Kind.POS):
        for channel in channels:
            if channel.kind == kind:
                return channel.code
    return channels[0].code if channels else ""
