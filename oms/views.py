from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from oms import navigation
from oms.forms import ApiKeyForm
from oms.health import system_health
from oms.models import ApiClient
from oms.roles import Role, role_required
from oms.services import api_client_create, api_client_revoke


@login_required
def home(request):
    """Each person's starting point: the screens their roles use, with what each is for."""
    work = [item for item in navigation.items_for(request.user) if item.key != "home"]
    return render(request, "oms/home.html", {"work": work})


@never_cache
@require_GET
def healthz(request):
    report = system_health()
    return JsonResponse(report, status=200 if report["status"] == "ok" else 503)


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
