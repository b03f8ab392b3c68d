"""Back-office URLs, mounted at /inventory/.

SKUs may contain slashes ("CABLE/USB-C/1M"), so the product URLs take a `path`. Actions live
under a `-` segment, which no SKU is on its own, so a SKU ending in "/count" still has its page;
they come before the product page, whose pattern would otherwise swallow them.
"""

from django.urls import path

from inventory.views import count_import, ledger, products, receive, reports
from inventory.views.common import PRODUCT_ACTIONS

app_name = "inventory"

product_actions = [
    path(
        f"products/<path:sku>/-/{action}/",
        products.product_action,
        {"action": action},
        name=f"product_{action}",
    )
    for action in PRODUCT_ACTIONS
]

urlpatterns = [
    path("products/", products.product_list, name="product_list"),
    path(
        "products/<path:sku>/-/settings-form/",
        products.product_settings_form,
        name="product_settings_form",
    ),
    *product_actions,
    path("products/<path:sku>/", products.product_detail, name="product_detail"),
    path("receive/", receive.receive, name="receive"),
    path("ledger/", ledger.ledger, name="ledger"),
    path("ledger/export.csv", ledger.ledger_export, name="ledger_export"),
    path("count-import/", count_import.count_import, name="count_import"),
    path("count-import/apply/", count_import.count_import_apply, name="count_import_apply"),
    path("low-stock/", reports.low_stock, name="low_stock"),
    path("low-stock/export.csv", reports.low_stock_export, name="low_stock_export"),
    path("warehouses/", reports.warehouse_list, name="warehouse_list"),
    path("warehouses/<str:code>/", reports.warehouse_detail, name="warehouse_detail"),
]
