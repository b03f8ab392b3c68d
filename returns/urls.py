"""Back-office URLs, mounted at /returns/: the queue, the receiving desk, one return's page and
actions, and the order page's "Start a return". The fixed paths come before `<number>/`."""

from django.urls import path

from returns.views import detail, panel, queue, receive

app_name = "returns"

urlpatterns = [
    path("", queue.queue, name="queue"),
    path("receive/", receive.receive, name="receive"),
    path("orders/<str:number>/start/", panel.start, name="start"),
    path("<str:number>/", detail.return_page, name="detail"),
    path("<str:number>/approve/", detail.approve, name="approve"),
    path("<str:number>/reject/", detail.reject, name="reject"),
    path("<str:number>/refund/", detail.refund, name="refund"),
    path("<str:number>/refund/quote/", detail.refund_quote_card, name="refund_quote"),
    path("<str:number>/exchange/", detail.exchange, name="exchange"),
    path("<str:number>/close/", detail.close, name="close"),
    path("<str:number>/label/", detail.label_card, name="label"),
    path("<str:number>/label.pdf", detail.label_pdf, name="label_pdf"),
]
