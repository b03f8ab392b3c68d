import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import override_settings
from rest_framework.test import APIClient

from oms.demo import DEMO_PASSWORD
from oms.models import ApiClient
from oms.roles import Role, user_roles

pytestmark = pytest.mark.django_db


@override_settings(DEBUG=True)
def test_seed_demo_creates_one_user_per_role_and_is_idempotent():
    out = io.StringIO()
    call_command("seed_demo", "--skip", "history", stdout=out)
    call_command("seed_demo", "--skip", "history", stdout=io.StringIO())
    assert "history:" not in out.getvalue()
    User = get_user_model()
    assert User.objects.count() == 4
    expected = {
        "fulfillment": {Role.FULFILLMENT},
        "support": {Role.SUPPORT},
        "manager": {Role.MANAGER},
        "admin": set(Role),
    }
    for username, roles in expected.items():
        user = User.objects.get(username=username)
        assert user.check_password(DEMO_PASSWORD)
        assert set(user_roles(user)) == roles
    assert DEMO_PASSWORD in out.getvalue()


@override_settings(DEBUG=False)
def test_seed_demo_refuses_in_production():
    with pytest.raises(CommandError, match="Refusing to create demo users"):
        call_command("seed_demo", stdout=io.StringIO())
    assert get_user_model().objects.count() == 0


@override_settings(DEBUG=True)
def test_seed_demo_names_the_demo_data_it_may_skip():
    with pytest.raises(CommandError, match="No demo data named nothing; the names are inventory"):
        call_command("seed_demo", "--skip", "nothing", stdout=io.StringIO())
    assert get_user_model().objects.count() == 0


def test_create_api_key_for_user_prints_a_working_key_on_the_last_line(support_user):
    out, err = io.StringIO(), io.StringIO()
    call_command("create_api_key", "--user", "sam", stdout=out, stderr=err)
    key = out.getvalue().strip().splitlines()[-1]
    assert ApiClient.objects.get().key_hash == ApiClient.hash_key(key)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = api.get("/api/v1/me/")
    assert response.status_code == 200
    assert response.json()["roles"] == ["Support"]


def test_create_api_key_for_unknown_user_fails_clearly():
    with pytest.raises(CommandError, match="No active user named 'ghost'"):
        call_command("create_api_key", "--user", "ghost", stdout=io.StringIO())
    assert ApiClient.objects.count() == 0
