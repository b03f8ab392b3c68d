import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from oms.models import ApiClient
from oms.services import api_client_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def token_client(user) -> APIClient:
    _, key = api_client_create(name="test", user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_missing_credentials_get_401_envelope(api):
    response = api.get("/api/v1/me/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json() == {
        "error": {
            "code": "not_authenticated",
            "message": "Authentication credentials were not provided.",
            "fields": {},
        }
    }


def test_unknown_key_gets_401_envelope(api):
    api.credentials(HTTP_AUTHORIZATION="Token not-a-real-key")
    response = api.get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


def test_revoked_key_stops_working(support_user):
    client, key = api_client_create(name="old", user=support_user)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/me/").status_code == 200
    api_client_revoke_url = reverse("api:api-key-revoke", args=[client.pk])
    admin_api = token_client(support_user.__class__.objects.create_superuser("root", "", "x"))
    assert admin_api.post(api_client_revoke_url).status_code == 200
    assert api.get("/api/v1/me/").status_code == 401


def test_key_acts_with_its_users_roles(support_user):
    response = token_client(support_user).get("/api/v1/me/")
    assert response.status_code == 200
    assert response.json() == {"username": "sam", "roles": ["Support"], "api_key": "test"}


def test_role_without_permission_gets_403_envelope(support_user):
    response = token_client(support_user).get("/api/v1/api-keys/")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_validation_errors_use_the_envelope_with_field_paths(admin_user):
    response = token_client(admin_user).post(
        "/api/v1/api-keys/", {"name": "", "user": "ghost"}, format="json"
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert error["message"] == "The request has invalid fields."
    assert error["fields"]["name"] == ["This field may not be blank."]
    assert error["fields"]["user"] == ["Object with username=ghost does not exist."]
    assert ApiClient.objects.filter(name="").count() == 0


def test_malformed_json_is_a_validation_error(admin_user):
    response = token_client(admin_user).post(
        "/api/v1/api-keys/", data="{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert "JSON parse error" in response.json()["error"]["message"]


def test_unknown_api_path_gets_404_envelope(admin_user):
    response = token_client(admin_user).get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json() == {
        "error": {"code": "not_found", "message": "No such API resource.", "fields": {}}
    }


def test_unknown_object_gets_404_envelope(admin_user):
    response = token_client(admin_user).post("/api/v1/api-keys/999999/revoke/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_wrong_method_gets_405_envelope(support_user):
    response = token_client(support_user).delete("/api/v1/me/")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_admin_issues_key_shown_once_and_stored_hashed(admin_user, support_user):
    api = token_client(admin_user)
    response = api.post("/api/v1/api-keys/", {"name": "ERP", "user": "sam"}, format="json")
    assert response.status_code == 201
    body = response.json()
    key = body["key"]
    assert len(key) >= 40
    stored = ApiClient.objects.get(pk=body["id"])
    assert stored.key_hash == ApiClient.hash_key(key)
    assert key not in str(stored.__dict__)
    listing = api.get("/api/v1/api-keys/").json()
    assert all(item["key"] is None for item in listing)


def test_session_auth_requires_csrf_for_writes(admin_user):
    api = APIClient(enforce_csrf_checks=True)
    api.force_login(admin_user)
    response = api.post("/api/v1/api-keys/", {"name": "x", "user": "alex"}, format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["error"]["message"]


def test_schema_is_openapi_3(api):
    response = api.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/me/" in schema["paths"]
    assert schema["components"]["securitySchemes"]["ApiKey"]["in"] == "header"


def test_docs_page_is_served_offline(api):
    response = api.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    assert "cdn.jsdelivr" not in html
