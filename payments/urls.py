"""Back-office URLs, mounted at /payments/: the order page's payments panel and the failed queue."""

from django.urls import path

from payments.views import actions, failed, panel

app_name = "payments"

urlpatterns = [
    path("failed/", failed.failed_queue, name="failed"),
    path("failed/<int:payment_id>/retry/", failed.failed_retry, name="failed_retry"),
    path("orders/<str:number>/", panel.panel, name="panel"),
    path("orders/<str:number>/record/", actions.record, name="record"),
    path("orders/<str:number>/refund/", actions.refund, name="refund"),
    path("orders/<str:number>/refund/check/", actions.refund_check, name="refund_check"),
    path("orders/<str:number>/<int:payment_id>/retry/", actions.retry, name="retry"),
]
