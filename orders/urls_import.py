"""The order import screens, mounted at /orders/import/."""

from django.urls import path

from orders import views_import

app_name = "orders_import"

urlpatterns = [
    path("", views_import.upload, name="upload"),
    path("apply/", views_import.apply, name="apply"),
]
