"""The scanner receive screen: lines that accumulate as barcodes are scanned."""

from collections.abc import Sequence
from dataclasses import dataclass

from django import forms

from inventory.csv_import import MAX_QUANTITY
from inventory.forms.common import TOO_MANY, DomainErrorFormMixin, WarehouseChoiceField
from inventory.models import Product, Warehouse
from inventory.selectors_backoffice import product_by_code, products_by_sku
from oms.numbers import whole_number


@dataclass
class ReceiptLine:
    sku: str
    quantity_text: str
    product: Product | None = None
    error: str = ""

    @property
    def quantity(self) -> int | None:
        return whole_number(self.quantity_text, maximum=MAX_QUANTITY)


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
                earlier_number = whole_number(earlier, maximum=MAX_QUANTITY)
                number = whole_number(text, maximum=MAX_QUANTITY)
                if earlier_number is None or number is None:
                    continue
                text = str(earlier_number + number)
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
