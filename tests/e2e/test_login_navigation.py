import pytest
from playwright.sync_api import expect

from oms.demo import DEMO_PASSWORD, seed_demo_users
from tests.e2e.browser import htmx_ready

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    ("username", "visible", "hidden"),
    [
        ("fulfillment", ["Home"], ["System status", "API keys"]),
        ("support", ["Home"], ["System status", "API keys"]),
        ("manager", ["Home", "System status", "API docs"], ["API keys"]),
        ("admin", ["Home", "System status", "API keys", "API docs"], []),
    ],
)
def test_demo_user_logs_in_and_sees_their_navigation(page, login, username, visible, hidden):
    seed_demo_users()
    login(username, DEMO_PASSWORD)
    nav = page.get_by_role("navigation", name="Main")
    for label in visible:
        expect(nav.get_by_role("link", name=label, exact=True)).to_be_visible()
    for label in hidden:
        expect(nav.get_by_role("link", name=label, exact=True)).to_have_count(0)
    expect(nav.get_by_role("link", name="Home", exact=True)).to_have_attribute(
        "aria-current", "page"
    )


def test_wrong_password_stays_on_login_with_message(page):
    seed_demo_users()
    page.goto("/login/")
    page.get_by_label("Username").fill("support")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("Please enter a correct username")


def test_forbidden_page_shows_friendly_403(page, login):
    seed_demo_users()
    login("support", DEMO_PASSWORD)
    response = page.goto("/system/status/")
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("This page is not part of your role")


def test_htmx_revoke_updates_table_and_flash_without_reload(page, login):
    from oms.services import api_client_create

    users = dict((user.username, user) for user, _ in seed_demo_users())
    api_client_create(name="Warehouse scanner", user=users["fulfillment"])
    login("admin", DEMO_PASSWORD)
    page.goto("/system/api-keys/")
    htmx_ready(page)
    page.evaluate("window.__marker = 'same page'")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Revoke").click()
    expect(page.get_by_role("status")).to_contain_text("Key Warehouse scanner")
    expect(page.locator("#key-table")).to_contain_text("revoked")
    assert page.evaluate("window.__marker") == "same page"
