import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from oms.roles import Role, user_has_role, user_roles

pytestmark = pytest.mark.django_db


def nav_labels(response) -> list[str]:
    return [entry["item"].label for entry in response.context["nav_items"]]


def test_role_groups_exist_after_migrations():
    assert set(Group.objects.values_list("name", flat=True)) >= {
        "Fulfillment",
        "Support",
        "Manager",
    }


def test_manager_group_holds_its_permissions():
    manager = Group.objects.get(name="Manager")
    codenames = set(manager.permissions.values_list("codename", flat=True))
    assert {"view_workerheartbeat", "view_apiclient"} <= codenames


def test_superuser_holds_every_role(admin_user):
    assert user_roles(admin_user) == frozenset(Role)
    assert user_has_role(admin_user, Role.FULFILLMENT)


def test_user_without_group_holds_no_role(no_role_user):
    assert user_roles(no_role_user) == frozenset()
    assert not user_has_role(no_role_user, Role.SUPPORT)


@pytest.mark.parametrize(
    ("fixture", "expected", "hidden"),
    [
        ("fulfillment_user", ["Home"], ["System status", "API keys", "API docs"]),
        ("support_user", ["Home"], ["System status", "API keys", "API docs"]),
        ("manager_user", ["Home", "System status", "API docs"], ["API keys"]),
        ("admin_user", ["Home", "System status", "API keys", "API docs"], []),
    ],
)
def test_each_role_sees_its_own_navigation(client, request, fixture, expected, hidden):
    user = request.getfixturevalue(fixture)
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    labels = nav_labels(response)
    for label in expected:
        assert label in labels
    for label in hidden:
        assert label not in labels
    html = response.content.decode()
    assert 'aria-label="Main"' in html
    assert "Sign out" in html


def test_home_without_role_explains_what_to_do(client, no_role_user):
    client.force_login(no_role_user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "has no role yet" in response.content.decode()


@pytest.mark.parametrize("url_name", ["home", "system_status", "api_keys"])
def test_anonymous_is_sent_to_login(client, url_name):
    url = reverse(url_name)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


@pytest.mark.parametrize(
    ("fixture", "url_name"),
    [
        ("fulfillment_user", "system_status"),
        ("support_user", "system_status"),
        ("manager_user", "api_keys"),
        ("no_role_user", "system_status"),
    ],
)
def test_forbidden_page_gives_friendly_403(client, request, fixture, url_name):
    client.force_login(request.getfixturevalue(fixture))
    response = client.get(reverse(url_name))
    assert response.status_code == 403
    html = response.content.decode()
    assert "This page is not part of your role" in html
    assert "Back to your work" in html


def test_manager_sees_system_status(client, manager_user):
    client.force_login(manager_user)
    response = client.get(reverse("system_status"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Database" in html
    assert "Task broker" in html


def test_login_page_signs_in_and_lands_on_home(client, support_user):
    response = client.post(
        reverse("login"), {"username": "sam", "password": "correct-horse-battery"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.get(reverse("home")).context["user"] == support_user


def test_login_with_wrong_password_shows_error(client, support_user):
    response = client.post(reverse("login"), {"username": "sam", "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_logout_requires_post_and_signs_out(client, support_user):
    client.force_login(support_user)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_pages_carry_csrf_header_for_htmx_and_local_htmx_script(client, support_user):
    client.force_login(support_user)
    html = client.get(reverse("home")).content.decode()
    assert 'hx-headers=\'{"X-CSRFToken": "' in html
    assert '<script src="/static/django_htmx/htmx-2.min.js" defer>' in html
    assert "//cdn" not in html and "unpkg.com" not in html


def test_repeated_wrong_passwords_are_throttled(client, user_with_role):
    from oms.login import ACCOUNT_MAX_FAILURES

    user_with_role("Support", username="guessed")
    for _ in range(ACCOUNT_MAX_FAILURES):
        response = client.post(reverse("login"), {"username": "guessed", "password": "nope"})
        assert "Please enter a correct username and password" in response.content.decode()
    # Even the right password is refused now, without being checked.
    response = client.post(
        reverse("login"), {"username": "guessed", "password": "correct-horse-battery"}
    )
    assert response.status_code == 200
    assert "Too many failed sign-ins" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_successful_sign_in_clears_the_failure_count(client, user_with_role):
    user_with_role("Support", username="forgetful")
    for _ in range(3):
        client.post(reverse("login"), {"username": "forgetful", "password": "nope"})
    response = client.post(
        reverse("login"), {"username": "forgetful", "password": "correct-horse-battery"}
    )
    assert response.status_code == 302
    from django.core.cache import cache

    from oms.login import account_key

    assert cache.get(account_key("127.0.0.1", "forgetful")) is None
