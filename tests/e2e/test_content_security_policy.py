"""Every screen works under the Content-Security-Policy: an admin (who sees every screen) opens
each page of the demo data in Chromium and the browser reports no policy violation and no
console error. The policy forbids inline script and style, so a template that slipped one in,
or an htmx feature that evaluates code, fails here.
"""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from inventory.models import Product, Warehouse
from oms.demo import DEMO_PASSWORD
from orders.models import Customer, Order
from returns.models import ReturnRequest
from shipping.models import PickList, Shipment
from tests.e2e.browser import htmx_ready, htmx_settled
from tests.oms.factories import WebhookEndpointFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Chromium reports violations as console errors too; the event also names the directive.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


def back_office_pages() -> list[str]:
    order = Order.objects.order_by("id").first()
    return [
        "/",
        "/orders/",
        f"/orders/search/?q={order.email}",
        f"/orders/{order.number}/",
        f"/orders/customers/{Customer.objects.order_by('id').first().pk}/",
        "/manual-orders/",
        "/orders/import/",
        "/orders/inbox/",
        "/inventory/products/",
        f"/inventory/products/{Product.objects.order_by('id').first().sku}/",
        "/inventory/receive/",
        "/inventory/ledger/",
        "/inventory/count-import/",
        "/inventory/low-stock/",
        "/inventory/warehouses/",
        f"/inventory/warehouses/{Warehouse.objects.order_by('id').first().code}/",
        "/shipping/pick/",
        f"/shipping/pick-lists/{PickList.objects.order_by('id').first().number}/",
        "/shipping/pack/",
        "/shipping/shipments/",
        f"/shipping/shipments/{Shipment.objects.order_by('id').first().pk}/",
        "/payments/failed/",
        "/returns/",
        f"/returns/{ReturnRequest.objects.order_by('id').first().number}/",
        "/returns/receive/",
        "/dashboard/",
        "/system/status/",
        "/system/api-keys/",
        "/system/webhooks/",
        f"/system/webhooks/{WebhookEndpointFactory().pk}/",
        "/no-such-page/",
    ]


# Pages without an icon link (the admin's) make Chromium ask for /favicon.ico, which the app
# does not serve; the back office's pages link theirs.
EXPECTED_MISSING = ("/no-such-page/", "/favicon.ico")


@pytest.fixture
def errors(page):
    """Console errors, uncaught exceptions and failed loads of the page, as they happen."""
    found = []

    def console(message):
        # A failed load is logged without its address; the response handler names it.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            found.append(f"console: {message.text}")

    def response(answer):
        if answer.status >= 400 and not answer.url.endswith(EXPECTED_MISSING):
            found.append(f"{answer.status}: {answer.url}")

    page.on("console", console)
    page.on("response", response)
    page.on("pageerror", lambda error: found.append(f"exception: {error}"))
    page.add_init_script(RECORD_VIOLATIONS)
    return found


def violations(page) -> list[str]:
    return page.evaluate("window.__cspViolations")


def test_every_back_office_page_runs_under_the_policy(page, login, errors):
    call_command("seed_demo", skip=["history"], allow_production=True, verbosity=0)
    login("admin", DEMO_PASSWORD)
    for path in back_office_pages():
        response = page.goto(path)
        assert "script-src 'self'" in response.headers["content-security-policy"], path
        htmx_ready(page)
        htmx_settled(page)
        assert violations(page) == [], path
        assert errors == [], path


def test_htmx_behaviour_moved_out_of_the_templates_still_works(page, login, errors):
    """The select-all box and the print button were inline code; now they live in oms.js."""
    call_command("seed_demo", skip=["history"], allow_production=True, verbosity=0)
    login("admin", DEMO_PASSWORD)
    page.goto("/orders/?queue=ready")
    htmx_ready(page)
    page.get_by_label("Select every order on this page").check()
    boxes = page.locator("input[name=orders]")
    assert boxes.count() > 0
    for index in range(boxes.count()):
        expect(boxes.nth(index)).to_be_checked()

    page.goto(f"/shipping/pick-lists/{PickList.objects.order_by('id').first().number}/")
    htmx_ready(page)
    page.evaluate("window.print = () => { window.__printed = true }")
    page.get_by_role("button", name="Print").click()
    assert page.evaluate("window.__printed") is True
    assert violations(page) == []
    assert errors == []


def test_swagger_ui_renders_under_its_policy(page, errors):
    response = page.goto("/api/docs/")
    assert "img-src 'self' data:" in response.headers["content-security-policy"]
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("OMS API")
    expect(page.locator(".opblock-tag-section").first).to_be_visible()
    assert violations(page) == []
    assert errors == []


def test_admin_site_runs_under_the_policy(page, errors):
    call_command("seed_demo", skip=["history"], allow_production=True, verbosity=0)
    page.goto("/admin/login/")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin/")
    for path in ["/admin/", "/admin/orders/order/", "/admin/oms/workerheartbeat/"]:
        page.goto(path)
        page.wait_for_load_state("load")
        assert violations(page) == [], path
        assert errors == [], path
