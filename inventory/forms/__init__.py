"""Back-office forms. They parse and validate input; views call the services with the result."""

from inventory.forms.actions import (
    STOCK_ACTION_FORMS,
    AdjustStockForm,
    CountStockForm,
    LevelSettingsForm,
    ReceiveStockForm,
    TransferStockForm,
)
from inventory.forms.common import DomainErrorFormMixin, StockActionForm, WarehouseChoiceField
from inventory.forms.filters import (
    DEFAULT_PAGE_SIZE,
    PAGE_SIZES,
    CountImportForm,
    LedgerFilterForm,
    ProductFilterForm,
)
from inventory.forms.receive import ReceiptLine, ScanReceiptForm

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "PAGE_SIZES",
    "STOCK_ACTION_FORMS",
    "AdjustStockForm",
    "CountImportForm",
    "CountStockForm",
    "DomainErrorFormMixin",
    "LedgerFilterForm",
    "LevelSettingsForm",
    "ProductFilterForm",
    "ReceiptLine",
    "ReceiveStockForm",
    "ScanReceiptForm",
    "StockActionForm",
    "TransferStockForm",
    "WarehouseChoiceField",
]
