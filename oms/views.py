from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from oms import navigation
from oms.errors import InvalidTransition
from oms.forms import ApiKeyForm, WebhookEndpointForm
from oms.health import system_health
from oms.models import ApiClient, WebhookDelivery, WebhookEndpoint
from oms.rendering import is_partial_request
from oms.roles import STAFF_ROLES, Role, role_required, user_has_role
from oms.services import api_client_create, api_client_revoke
from oms.webhooks import webhook_delivery_retry, webhook_endpoint_create, webhook_endpoint_update
from oms.webhooks.selectors import (
    webhook_delivery_detail,
    webhook_delivery_list,
    webhook_endpoint_list,
)

DELIVERIES_PER_PAGE = 50


@login_required
def home(request):
    """Each person's starting point: the screens their roles use, with what each is for and
    how much of its work waits (one count per card)."""
    return render(request, "oms/home.html", {"work": navigation.work_cards(request.user)})


@never_cache
@require_GET
def healthz(request):
    """200 unless this process cannot serve (503): a load balancer must not take every web
    process out because the workers stopped, so `degraded` still answers 200 and monitoring
    reads the status. Details (errors, host names) are for signed-in staff only; who is signed
    in is asked only once the database answered, since the session lives there."""
    report = system_health()
    status = 503 if report["status"] == "unavailable" else 200
    if not report["database"]["ok"] or not user_has_role(request.user, *STAFF_ROLES):
        report = {"status": report["status"]}
    return JsonResponse(report, status=status)


@role_required(Role.MANAGER)
def system_status(request):
    return render(request, "oms/system_status.html", {"health": system_health()})


@role_required(Role.ADMIN)
def api_keys(request):
    form = ApiKeyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        client, key = api_client_create(
            name=form.cleaned_data["name"], user=form.cleaned_data["user"]
        )
        # Shown once: only the hash is stored.
        messages.success(request, f"Key for {client.user} created: {key} — copy it now.")
        return redirect("api_keys")
    clients = ApiClient.objects.select_related("user")[:200]
    return render(request, "oms/api_keys.html", {"form": form, "clients": clients})


@require_POST
@role_required(Role.ADMIN)
def api_key_revoke(request, pk: int):
    client = api_client_revoke(client=get_object_or_404(ApiClient, pk=pk))
    messages.success(request, f"Key {client} revoked.")
    if request.htmx:
        clients = ApiClient.objects.select_related("user")[:200]
        return render(request, "oms/api_keys.html#key-table", {"clients": clients})
    return redirect("api_keys")


@role_required(Role.MANAGER)
def webhook_list(request):
    form = WebhookEndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint = webhook_endpoint_create(**form.cleaned_data)
        except ValidationError as refusal:
            # The URL's host may resolve elsewhere by now than when the form checked it.
            form.add_error(None, refusal.messages)
        else:
            messages.success(
                request, f"Endpoint {endpoint.url} added. Give its signing secret to the receiver."
            )
            return redirect("webhook_detail", pk=endpoint.pk)
    return render(
        request, "oms/webhooks.html", {"form": form, "endpoints": webhook_endpoint_list()}
    )


@never_cache
@role_required(Role.MANAGER)
def webhook_detail(request, pk: int):
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    form = WebhookEndpointForm.for_endpoint(endpoint, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint = webhook_endpoint_update(endpoint=endpoint, **form.cleaned_data)
        except ValidationError as refusal:
            form.add_error(None, refusal.messages)
        else:
            messages.success(request, f"Endpoint {endpoint.url} saved.")
            return redirect("webhook_detail", pk=endpoint.pk)
    paginator = Paginator(webhook_delivery_list(endpoint=endpoint), DELIVERIES_PER_PAGE)
    deliveries = paginator.get_page(request.GET.get("page"))
    context = {"endpoint": endpoint, "form": form, "deliveries": deliveries}
    if request.method == "GET" and is_partial_request(request):
        return render(request, "oms/webhooks_detail.html#delivery-table", context)
    return render(request, "oms/webhooks_detail.html", context)


@require_POST
@role_required(Role.MANAGER)
def webhook_retry(request, pk: int):
    delivery = get_object_or_404(WebhookDelivery, pk=pk)
    try:
        webhook_delivery_retry(delivery=delivery)
    except InvalidTransition as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Delivery #{delivery.pk} queued again.")
    if request.htmx:
        delivery = webhook_delivery_detail(delivery_id=delivery.pk)
        return render(request, "oms/webhooks_detail.html#delivery", {"delivery": delivery})
    return redirect("webhook_detail", pk=delivery.endpoint_id)
