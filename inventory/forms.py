"""Back-office forms. They parse and validate input; views call the services with the result.

Warehouses are loaded once per request and handed to the forms, so a page with five forms and
six warehouse pickers still costs one warehouse query.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django import forms
from django.urls import reverse

from inventory.csv_import import MAX_QUANTITY, whole_number
from inventory.models import MovementKind, Product, Warehouse
from inventory.selectors_backoffice import product_by_code, products_by_sku
from oms.errors import DomainError


def warehouse_label(warehouse: Warehouse) -> str:
    label = f"{warehouse.code} — {warehouse.name}"
    return label if warehouse.is_active else f"{label} (inactive)"


class WarehouseChoiceField(forms.ChoiceField):
    """A warehouse picked by code from a list given to the form; cleans to the Warehouse."""

    def __init__(self, *, empty_label: str = "Choose…", **kwargs):
        self.empty_label = empty_label
        self.by_code: dict[str, Warehouse] = {}
        super().__init__(choices=(), **kwargs)

    def set_warehouses(self, warehouses: Sequence[Warehouse]) -> None:
        self.by_code = {warehouse.code: warehouse for warehouse in warehouses}
        self.choices = [("", self.empty_label)] + [
            (warehouse.code, warehouse_label(warehouse)) for warehouse in warehouses
        ]

    def clean(self, value):
        code = super().clean(value)
        return self.by_code.get(code) if code else None


class DomainErrorFormMixin:
    """Turn a service's refusal into form errors: field messages beside the field, the message
    on top of the form (unless a field already says the same)."""

    # A service's field name (after any "lines.<n>." prefix) → the field of this form.
    service_fields: dict[str, str] = {}

    def add_domain_error(self, error: DomainError) -> None:
        placed = set()
        for key, messages in error.fields.items():
            name = key.rsplit(".", 1)[-1]
            name = self.service_fields.get(name, name)
            if name in self.fields:
                for message in messages:
                    self.add_error(name, message)
                placed.update(messages)
        if error.message not in placed:
            self.add_error(None, error.message)


# --- actions on the product page -------------------------------------------------------------


class StockActionForm(DomainErrorFormMixin, forms.Form):
    """One action on a product's stock. Each form's ids are prefixed with its action, so five of
    them can share a page."""

    action: str = ""
    title: str = ""
    submit_label: str = ""
    description: str = ""
    # Warehouse fields that offer active warehouses only (stock is not sent to a closed one).
    active_only: tuple[str, ...] = ()

    def __init__(
        self,
        data=None,
        *,
        warehouses: Sequence[Warehouse],
        product: Product | None = None,
        **kwargs,
    ):
        super().__init__(data, auto_id=f"{self.action}-%s", **kwargs)
        self.product = product
        for name, field in self.fields.items():
            if isinstance(field, WarehouseChoiceField):
                choices = warehouses
                if name in self.active_only:
                    choices = [warehouse for warehouse in warehouses if warehouse.is_active]
                field.set_warehouses(choices)

    @property
    def url_name(self) -> str:
        return f"inventory:product_{self.action}"

    def next_initial(self) -> dict:
        """After a success the form comes back blank, still on the warehouses just used."""
        return {
            name: value.code
            for name, value in self.cleaned_data.items()
            if isinstance(value, Warehouse)
        }


TOO_MANY = f"Enter at most {MAX_QUANTITY:,}."


def units_field(label: str, *, min_value: int, min_message: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=min_value,
        max_value=MAX_QUANTITY,
        error_messages={"min_value": min_message, "max_value": TOO_MANY},
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


def quantity_field() -> forms.IntegerField:
    return units_field("Quantity", min_value=1, min_message="Enter a quantity above zero.")


def note_field(**kwargs) -> forms.CharField:
    return forms.CharField(label="Note", max_length=500, required=False, **kwargs)


class ReceiveStockForm(StockActionForm):
    action = "receive"
    title = "Receive"
    submit_label = "Receive"
    description = "Units that arrived at a warehouse."
    active_only = ("warehouse",)

    warehouse = WarehouseChoiceField(label="Warehouse")
    quantity = quantity_field()
    reference = forms.CharField(
        label="Reference", max_length=100, required=False, help_text="PO or delivery note number."
    )
    note = note_field()


class AdjustStockForm(StockActionForm):
    action = "adjust"
    title = "Adjust"
    submit_label = "Adjust"
    description = "Correct on hand by a number of units, or write off damaged ones."
    service_fields = {"quantity": "delta"}

    REASONS = [
        (MovementKind.ADJUSTMENT.value, "Correction"),
        (MovementKind.DAMAGE.value, "Damage / write-off"),
    ]

    warehouse = WarehouseChoiceField(label="Warehouse")
    delta = forms.IntegerField(
        label="Change",
        min_value=-MAX_QUANTITY,
        max_value=MAX_QUANTITY,
        error_messages={"min_value": TOO_MANY, "max_value": TOO_MANY},
        help_text="+5 adds five units, -5 removes five. Damage always removes.",
    )
    reason = forms.ChoiceField(label="Reason", choices=REASONS)
    note = forms.CharField(label="Note", max_length=500, help_text="Why? It is kept in the ledger.")

    def clean_delta(self) -> int:
        delta = self.cleaned_data["delta"]
        if delta == 0:
            raise forms.ValidationError("Enter a change other than zero.")
        return delta


class CountStockForm(StockActionForm):
    action = "count"
    title = "Count"
    submit_label = "Set on hand"
    description = "What a stock count found; the ledger records the difference."
    service_fields = {"quantity": "counted"}

    warehouse = WarehouseChoiceField(label="Warehouse")
    counted = units_field("Counted", min_value=0, min_message="Enter 0 or more.")
    note = note_field()


class TransferStockForm(StockActionForm):
    action = "transfer"
    title = "Transfer"
    submit_label = "Transfer"
    description = "Move unallocated units from one warehouse to another."
    active_only = ("destination",)

    source = WarehouseChoiceField(label="From")
    destination = WarehouseChoiceField(label="To")
    quantity = quantity_field()
    note = note_field()


class LevelSettingsForm(StockActionForm):
    action = "settings"
    title = "Safety stock & bin"
    submit_label = "Save"
    description = "Units held back from sale, and where the product sits in the warehouse."

    warehouse = WarehouseChoiceField(label="Warehouse")
    safety_stock = units_field("Safety stock", min_value=0, min_message="Enter 0 or more.")
    bin_location = forms.CharField(
        label="Bin location", max_length=40, required=False, help_text="e.g. A-03-2"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.product is not None:
            # Picking a warehouse reloads the form with that level's current values.
            self.fields["warehouse"].widget.attrs.update(
                {
                    "hx-get": reverse(
                        "inventory:product_settings_form", kwargs={"sku": self.product.sku}
                    ),
                    "hx-target": "closest form",
                    "hx-swap": "outerHTML",
                }
            )

    def next_initial(self) -> dict:
        return {**self.cleaned_data, "warehouse": self.cleaned_data["warehouse"].code}


STOCK_ACTION_FORMS: dict[str, type[StockActionForm]] = {
    form.action: form
    for form in (
        ReceiveStockForm,
        AdjustStockForm,
        CountStockForm,
        TransferStockForm,
        LevelSettingsForm,
    )
}


# --- the receive screen ----------------------------------------------------------------------


@dataclass
class ReceiptLine:
    sku: str
    quantity_text: str
    product: Product | None = None
    error: str = ""

    @property
    def quantity(self) -> int | None:
        return whole_number(self.quantity_text)


class ScanReceiptForm(DomainErrorFormMixin, forms.Form):
    """The receive screen. The pending lines travel in the form itself (`line_sku`,
    `line_quantity`), so the page works the same as an htmx swap or as a plain form post."""

    MAX_LINES = 500

    warehouse = WarehouseChoiceField(label="Warehouse", required=False)
    reference = forms.CharField(
        label="Reference",
        max_length=100,
        required=False,
        help_text="Purchase order or delivery note; every line is booked under it.",
    )
    code = forms.CharField(
        label="Scan a barcode or type a SKU",
        max_length=64,
        required=False,
        help_text="Each scan adds one unit; press Enter after typing.",
    )

    def __init__(self, data=None, *, warehouses: Sequence[Warehouse], **kwargs):
        super().__init__(data, auto_id="receipt-%s", **kwargs)
        self.fields["warehouse"].set_warehouses([w for w in warehouses if w.is_active])
        self.lines: list[ReceiptLine] = self._posted_lines(data) if data is not None else []
        self.latest_sku = ""

    @staticmethod
    def _posted_lines(data) -> list[ReceiptLine]:
        quantities: dict[str, str] = {}
        for sku, text in zip(data.getlist("line_sku"), data.getlist("line_quantity"), strict=False):
            sku, text = sku.strip(), text.strip()
            if not sku:
                continue
            earlier = quantities.get(sku)
            if earlier is not None:
                # The page never repeats a SKU; a hand-made post that does gets one line.
                if whole_number(earlier) is None or whole_number(text) is None:
                    continue
                text = str(whole_number(earlier) + whole_number(text))
            quantities[sku] = text
        products = products_by_sku(quantities)
        lines = []
        for sku, text in quantities.items():
            line = ReceiptLine(sku=sku, quantity_text=text, product=products.get(sku))
            if line.product is None:
                line.error = "No product has this SKU; remove the line."
            elif not line.quantity:
                line.error = "Enter a whole number above zero, or remove the line."
            elif line.quantity > MAX_QUANTITY:
                line.error = TOO_MANY
            lines.append(line)
        return lines

    @property
    def total_units(self) -> int:
        return sum(line.quantity or 0 for line in self.lines if not line.error)

    def _line(self, sku: str) -> ReceiptLine | None:
        return next((line for line in self.lines if line.sku == sku), None)

    def scan(self) -> Product | None:
        """Add one unit of the product the scanned code names."""
        code = (self.data.get("code") or "").strip()
        if not code:
            return None
        product = product_by_code(code)
        if product is None:
            self.add_error("code", f"Nothing matches “{code}”: no product has this barcode or SKU.")
            return None
        line = self._line(product.sku)
        if line is None:
            if len(self.lines) >= self.MAX_LINES:
                self.add_error("code", f"A receipt holds at most {self.MAX_LINES} lines.")
                return None
            self.lines.append(ReceiptLine(sku=product.sku, quantity_text="1", product=product))
        else:
            line.quantity_text = str((line.quantity or 0) + 1)
            line.error = TOO_MANY if line.quantity > MAX_QUANTITY else ""
        self.latest_sku = product.sku
        return product

    def remove(self, sku: str) -> None:
        self.lines = [line for line in self.lines if line.sku != sku]

    def receipt(self) -> tuple[Warehouse, list[tuple[Product, int]], str] | None:
        """(warehouse, lines, reference) when everything is in order; otherwise errors."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        code = (self.data.get("code") or "").strip()
        if code:
            self.add_error("code", f"Press Enter to add “{code}” first, or clear the field.")
        if "warehouse" in data and data["warehouse"] is None:
            self.add_error("warehouse", "Choose the warehouse receiving the goods.")
        if "reference" in data and not data["reference"].strip():
            self.add_error("reference", "Enter the purchase order or delivery note number.")
        if not self.lines:
            self.add_error(None, "Scan at least one item before receiving.")
        elif any(line.error for line in self.lines):
            self.add_error(None, "Fix the lines marked below.")
        if self.errors:
            return None
        lines = [(line.product, line.quantity) for line in self.lines]
        return data["warehouse"], lines, data["reference"].strip()


# --- filters ----------------------------------------------------------------------------------

PAGE_SIZES = (25, 50, 100, 200)
DEFAULT_PAGE_SIZE = 50


def with_default_page_size(data):
    """The filters as sent, with the page size the page uses when none was chosen, so the
    picker shows it."""
    if data is None or data.get("per_page"):
        return data
    data = data.copy()
    data["per_page"] = str(DEFAULT_PAGE_SIZE)
    return data


def page_size_field() -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label="Per page",
        choices=[(size, size) for size in PAGE_SIZES],
        coerce=int,
        required=False,
        empty_value=DEFAULT_PAGE_SIZE,
    )


class ProductFilterForm(forms.Form):
    STOCK_CHOICES = [
        ("", "Any stock"),
        ("low", "Low stock"),
        ("out", "Out of stock"),
        ("in_stock", "In stock"),
    ]
    ACTIVE_CHOICES = [("", "Active and inactive"), ("yes", "Active"), ("no", "Inactive")]

    q = forms.CharField(label="Search", max_length=200, required=False)
    active = forms.ChoiceField(label="Status", choices=ACTIVE_CHOICES, required=False)
    stock = forms.ChoiceField(label="Stock", choices=STOCK_CHOICES, required=False)
    warehouse = WarehouseChoiceField(
        label="Warehouse", required=False, empty_label="All warehouses"
    )
    per_page = page_size_field()

    def __init__(self, data=None, *, warehouses: Sequence[Warehouse], **kwargs):
        super().__init__(with_default_page_size(data), auto_id="filter-%s", **kwargs)
        self.fields["warehouse"].set_warehouses(warehouses)

    def selector_filters(self) -> dict:
        """Keyword arguments for `selectors.product_list`, from whichever fields are valid."""
        data = self.cleaned_data
        return {
            "q": data.get("q", ""),
            "active": {"yes": True, "no": False}.get(data.get("active", "")),
            "stock": data.get("stock", ""),
            "warehouse": data.get("warehouse"),
        }


class LedgerFilterForm(forms.Form):
    sku = forms.CharField(label="SKU", max_length=64, required=False)
    warehouse = WarehouseChoiceField(
        label="Warehouse", required=False, empty_label="All warehouses"
    )
    kind = forms.ChoiceField(
        label="Kind", choices=[("", "All kinds"), *MovementKind.choices], required=False
    )
    date_from = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    reference = forms.CharField(label="Reference", max_length=100, required=False)
    per_page = page_size_field()

    def __init__(self, data=None, *, warehouses: Sequence[Warehouse], **kwargs):
        super().__init__(with_default_page_size(data), auto_id="ledger-%s", **kwargs)
        self.fields["warehouse"].set_warehouses(warehouses)
        self.product: Product | None = None

    def clean_sku(self) -> str:
        sku = self.cleaned_data["sku"].strip()
        if sku:
            self.product = Product.objects.filter(sku=sku).first()
            if self.product is None:
                raise forms.ValidationError(f"No product has the SKU “{sku}”.")
        return sku

    def clean(self):
        data = super().clean()
        date_from, date_to = data.get("date_from"), data.get("date_to")
        if date_from and date_to and date_from > date_to:
            self.add_error("date_to", "The end date is before the start date.")
        return data

    def selector_filters(self) -> dict:
        """Keyword arguments for `selectors.ledger`; call only on a valid form."""
        data = self.cleaned_data
        return {
            "product": self.product,
            "warehouse": data["warehouse"],
            "kind": data["kind"],
            "date_from": data["date_from"],
            "date_to": data["date_to"],
            "reference": data["reference"].strip(),
        }


class CountImportForm(forms.Form):
    file = forms.FileField(
        label="Counts file (CSV)",
        help_text="Columns: sku, warehouse, counted, and optionally note. First row is the header.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    reference = forms.CharField(
        label="Reference",
        max_length=100,
        required=False,
        help_text="e.g. “Cycle count aisle 3”. Defaults to the file name.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, auto_id="import-%s", **kwargs)
