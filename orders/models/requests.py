"""Per-person records: saved queue views."""

from django.conf import settings
from django.db import models

from oms.models import TimeStampedModel


class SavedView(TimeStampedModel):
    """A person's named order-queue filter (the query string of the list URL)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_order_views"
    )
    name = models.CharField(max_length=80)
    query = models.CharField(max_length=1000)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="saved_view_unique_name")
        ]

    def __str__(self) -> str:
        return self.name
