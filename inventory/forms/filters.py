"""List filters, page sizes and the count-import upload."""

from collections.abc import Sequence

from django import forms

from inventory.forms.common import WarehouseChoiceField
from inventory.models import MovementKind, Product, Warehouse
from oms.dates import DayField

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
    date_from = DayField(label="From", required=False)
    date_to = DayField(label="To", required=False)
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
