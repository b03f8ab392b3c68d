"""Back-office URLs, mounted at /shipping/: pick lists and packing, shipments, and the actions
of the order page's shipments panel."""

from shipping.views import packing, panel, picking, shipments

app_name = "shipping"

urlpatterns = [
    *picking.urlpatterns,
    *packing.urlpatterns,
    *shipments.urlpatterns,
    *panel.urlpatterns,
]
