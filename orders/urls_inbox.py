"""The channel inbox screens, mounted at /orders/inbox/."""

from django.urls import path

from orders.views import inbox

app_name = "orders_inbox"

urlpatterns = [
    path("", inbox.inbox, name="list"),
    path("<int:pk>/replay/", inbox.replay, name="replay"),
]
