"""Forms for the stock actions on the product page: receive, adjust, count, transfer, settings."""

from django import forms
from django.urls import reverse

from inventory.csv_import import MAX_QUANTITY
from inventory.forms.common import (
    TOO_MANY,
    StockActionForm,
    WarehouseChoiceField,
    note_field,
    quantity_field,
    units_field,
)
from inventory.models import MovementKind


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
