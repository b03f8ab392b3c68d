"""The manager dashboard, mounted at /dashboard/."""

from django.urls import path

from dashboard.views import board, export

app_name = "dashboard"

urlpatterns = [
    path("", board.board, name="board"),
    path("export/<slug:table>.csv", export.export, name="export"),
]
