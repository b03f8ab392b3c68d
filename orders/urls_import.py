"""The order import screens, mounted at /orders/import/."""

from django.urls import path

from orders.views import imports

app_name = "orders_import"

urlpatterns = [
    path("", imports.upload, name="upload"),
    path("apply/", imports.apply, name="apply"),
]
