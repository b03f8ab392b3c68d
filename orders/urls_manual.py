"""Manual order entry, mounted at /manual-orders/."""

from django.urls import path

from orders.views import manual_entry

app_name = "orders_manual"

urlpatterns = [
    path("", manual_entry.builder, name="builder"),
    path("summary/", manual_entry.summary, name="summary"),
    path("customers/", manual_entry.customer_search, name="customer_search"),
    path("products/", manual_entry.product_search, name="product_search"),
]
