import pytest
from django.urls import reverse

from oms.models import ApiClient
from oms.services import api_client_create

pytestmark = pytest.mark.django_db


def test_admin_issues_key_and_sees_it_once(client, admin_user, support_user):
    client.force_login(admin_user)
    response = client.post(
        reverse("api_keys"), {"name": "3PL east", "user": support_user.pk}, follow=True
    )
    assert response.status_code == 200
    stored = ApiClient.objects.get(name="3PL east")
    shown = [str(message) for message in response.context["messages"]]
    assert len(shown) == 1
    key = shown[0].split("created: ")[1].split(" ")[0]
    assert ApiClient.hash_key(key) == stored.key_hash
    assert stored.user == support_user
    # The next page view no longer shows the key.
    assert key not in client.get(reverse("api_keys")).content.decode()


def test_invalid_key_form_shows_errors_and_creates_nothing(client, admin_user):
    client.force_login(admin_user)
    response = client.post(reverse("api_keys"), {"name": "", "user": ""})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert ApiClient.objects.count() == 0


def test_htmx_revoke_swaps_table_and_delivers_message_out_of_band(client, admin_user, support_user):
    key_client, _ = api_client_create(name="ERP", user=support_user)
    client.force_login(admin_user)
    response = client.post(reverse("api_key_revoke", args=[key_client.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<table class="table" id="key-table">')
    assert "revoked" in html
    assert '<div id="messages" class="messages" aria-live="polite" hx-swap-oob="true">' in html
    assert "Key ERP (" in html
    key_client.refresh_from_db()
    assert key_client.revoked_at is not None


def test_full_page_request_renders_messages_once(client, admin_user, support_user):
    key_client, _ = api_client_create(name="ERP", user=support_user)
    client.force_login(admin_user)
    response = client.post(reverse("api_key_revoke", args=[key_client.pk]), follow=True)
    html = response.content.decode()
    assert html.count("Key ERP (") == 1
    assert "hx-swap-oob" not in html


def test_revoke_requires_post(client, admin_user, support_user):
    key_client, _ = api_client_create(name="ERP", user=support_user)
    client.force_login(admin_user)
    assert client.get(reverse("api_key_revoke", args=[key_client.pk])).status_code == 405
