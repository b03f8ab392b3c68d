"""Root URLconf: the only place that mounts every app."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.shortcuts import render
from django.urls import include, path
from django.views import defaults
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny

from inventory import api as inventory_api
from oms import api, api_views, views
from oms.login import ThrottledLoginView
from orders import api as orders_api
from payments import api as payments_api
from returns import api as returns_api
from shipping import api as shipping_api

api_v1 = [
    path("me/", api_views.MeView.as_view(), name="me"),
    path("api-keys/", api_views.ApiKeyListView.as_view(), name="api-keys"),
    path("api-keys/<int:pk>/revoke/", api_views.ApiKeyRevokeView.as_view(), name="api-key-revoke"),
    *inventory_api.urlpatterns,
    *orders_api.urlpatterns,
    *payments_api.urlpatterns,
    *shipping_api.urlpatterns,
    *returns_api.urlpatterns,
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("system/status/", views.system_status, name="system_status"),
    path("system/api-keys/", views.api_keys, name="api_keys"),
    path("system/api-keys/<int:pk>/revoke/", views.api_key_revoke, name="api_key_revoke"),
    path("system/webhooks/", views.webhook_list, name="webhooks"),
    path("system/webhooks/<int:pk>/", views.webhook_detail, name="webhook_detail"),
    path(
        "system/webhooks/deliveries/<int:pk>/retry/",
        views.webhook_retry,
        name="webhook_delivery_retry",
    ),
    path("login/", ThrottledLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("inventory/", include("inventory.urls")),
    path("manual-orders/", include("orders.urls_manual")),
    path("orders/import/", include("orders.urls_import")),
    path("orders/inbox/", include("orders.urls_inbox")),
    path("orders/", include("orders.urls")),
    path("shipping/", include("shipping.urls")),
    path("payments/", include("payments.urls")),
    path("returns/", include("returns.urls")),
    path("dashboard/", include("dashboard.urls")),
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path(
        "api/schema/",
        SpectacularAPIView.as_view(permission_classes=[AllowAny], authentication_classes=[]),
        name="api_schema",
    ),
    path(
        "api/docs/",
        # Split: the start-up script is served as a file (?script), not inline, for the CSP.
        SpectacularSwaggerSplitView.as_view(
            url_name="api_schema",
            template_name="oms/api_docs.html",
            permission_classes=[AllowAny],
            authentication_classes=[],
        ),
        name="api_docs",
    ),
]


def handler400(request, exception=None):
    if request.path.startswith("/api/"):
        return api.api_bad_request(request, exception)
    message = getattr(exception, "message", None)
    return render(request, "400.html", {"message": message}, status=400)


def handler404(request, exception=None):
    if request.path.startswith("/api/"):
        return api.api_not_found(request, exception)
    return defaults.page_not_found(request, exception)


def handler500(request):
    if request.path.startswith("/api/"):
        return api.api_server_error(request)
    return defaults.server_error(request)
