"""Back-office URLs, mounted at /orders/.

The fixed paths (search, customers, bulk, saved views) come before `<number>/`, which would
otherwise take them for order numbers.
"""

from django.urls import path

from orders.views import actions, bulk, customers, detail, queues, saved_views, search

app_name = "orders"

urlpatterns = [
    path("", queues.queue, name="queue"),
    path("search/", search.search, name="search"),
    path("customers/<int:pk>/", customers.customer_page, name="customer"),
    path("bulk/", bulk.bulk_action, name="bulk"),
    path("views/", saved_views.saved_view_save, name="saved_view_save"),
    path("views/<int:pk>/delete/", saved_views.saved_view_delete, name="saved_view_delete"),
    path("<str:number>/", detail.order_detail, name="detail"),
    path("<str:number>/address/", detail.address_card, name="address"),
    path("<str:number>/address/edit/", detail.address_edit, name="address_edit"),
    path("<str:number>/address/save/", actions.address_update, name="address_update"),
    path("<str:number>/lines/add/", actions.line_add, name="line_add"),
    path(
        "<str:number>/lines/<int:line_id>/quantity/",
        actions.line_quantity,
        name="line_quantity",
    ),
    path("<str:number>/lines/<int:line_id>/cancel/", actions.line_cancel, name="line_cancel"),
    path("<str:number>/lines/<int:line_id>/remove/", actions.line_remove, name="line_remove"),
    path("<str:number>/holds/", actions.hold_add, name="hold_add"),
    path(
        "<str:number>/holds/<int:hold_id>/release/",
        actions.hold_release,
        name="hold_release",
    ),
    path("<str:number>/cancel/", actions.cancel, name="cancel"),
    path("<str:number>/notes/", actions.note_add, name="note_add"),
    path("<str:number>/inquiries/", actions.inquiry_log, name="inquiry_log"),
]
