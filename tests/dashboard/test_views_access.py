"""Only managers and admins see the dashboard and its downloads (revenue is on it)."""

import pytest
from django.urls import reverse

from dashboard.exports import TABLES

pytestmark = pytest.mark.django_db

BOARD = reverse("dashboard:board")
EXPORTS = [reverse("dashboard:export", args=[table]) for table in TABLES]


@pytest.mark.parametrize("url", [BOARD, *EXPORTS])
@pytest.mark.parametrize(
    ("fixture", "status"),
    [
        ("manager_user", 200),
        ("admin_user", 200),
        ("fulfillment_user", 403),
        ("support_user", 403),
        ("no_role_user", 403),
    ],
)
def test_each_role_gets_the_dashboard_or_a_403(client, request, url, fixture, status):
    client.force_login(request.getfixturevalue(fixture))
    response = client.get(url, {"period": "30d"})
    assert response.status_code == status
    if status == 403:
        assert "This page is not part of your role" in response.content.decode()


@pytest.mark.parametrize("url", [BOARD, *EXPORTS])
def test_anonymous_is_sent_to_login(client, url):
    response = client.get(url, {"period": "7d"})
    assert response.status_code == 302
    assert response["Location"].startswith(f"{reverse('login')}?next=")
    assert "period%3D7d" in response["Location"]


def test_an_unknown_table_is_a_404(client, manager_user):
    client.force_login(manager_user)
    assert client.get(reverse("dashboard:export", args=["salaries"])).status_code == 404


@pytest.mark.parametrize(
    ("fixture", "shown"),
    [
        ("manager_user", True),
        ("admin_user", True),
        ("fulfillment_user", False),
        ("support_user", False),
    ],
)
def test_the_navigation_shows_the_dashboard_to_managers_only(client, request, fixture, shown):
    client.force_login(request.getfixturevalue(fixture))
    html = client.get(reverse("home")).content.decode()
    assert (f'<a href="{BOARD}">Dashboard</a>' in html) is shown
    if shown:
        page = client.get(BOARD).content.decode()
        assert f'<a href="{BOARD}" aria-current="page">Dashboard</a>' in page
