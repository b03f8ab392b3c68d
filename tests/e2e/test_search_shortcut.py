"""From a phone call to the order in at most two actions, in a real browser at 1,440 × 900.

Support hears a phone number, written down differently from how the customer once typed it.
On the home page the search box already has the cursor: typing the number and Enter (one
action) opens the order. From any other page "/" puts the cursor there first (two actions).
"""

import pytest
from playwright.sync_api import expect

from tests.oms.factories import DEFAULT_PASSWORD
from tests.orders.factories import SalesChannelFactory, address, capture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORT = {"width": 1440, "height": 900}
MOST_ACTIONS = 2
# The header's search box (other forms on a page are searches too: the queue's filters).
SEARCH_BOX = "#global-search-q"


@pytest.fixture
def screen(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport=VIEWPORT)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def orders():
    """The caller's order (phone stored as `616.234.9992`) among others."""
    channel = SalesChannelFactory(code="web", name="Web store")
    capture(channel, [("MUG", 1)], email="lin@example.com", phone="+1 212 555 0199")
    wanted = capture(
        channel,
        [("MUG", 2)],
        email="kimberly.hamilton52@example.com",
        phone="616.234.9992",
        shipping_address=address(phone="616.234.9992"),
    )
    capture(channel, [("MUG", 3)], email="kim@example.com", phone="+1 616 555 0101")
    return wanted


class Actions:
    """What the person does, counted: a key press, or typing followed by Enter."""

    def __init__(self, page):
        self.page, self.count = page, 0

    def press(self, key: str) -> None:
        self.count += 1
        self.page.keyboard.press(key)

    def type_and_enter(self, text: str) -> None:
        self.count += 1
        self.page.keyboard.type(text)
        self.page.keyboard.press("Enter")


def sign_in(page, username: str) -> None:
    page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")


def test_on_the_home_page_the_number_and_enter_open_the_order(screen, support_user, orders):
    sign_in(screen, support_user.username)
    expect(screen.locator(SEARCH_BOX)).to_be_focused()

    actions = Actions(screen)
    actions.type_and_enter("(616) 234-9992")

    screen.wait_for_url(f"**/orders/{orders.number}/")
    expect(screen.get_by_role("heading", level=1)).to_have_text(orders.number)
    assert actions.count <= MOST_ACTIONS


def test_from_any_page_slash_then_the_number_open_the_order(screen, support_user, orders):
    sign_in(screen, support_user.username)
    screen.goto("/orders/?queue=ready")
    screen.wait_for_load_state("load")
    search_box = screen.locator(SEARCH_BOX)
    expect(search_box).not_to_be_focused()

    actions = Actions(screen)
    actions.press("/")
    expect(search_box).to_be_focused()
    actions.type_and_enter("6162349992")

    screen.wait_for_url(f"**/orders/{orders.number}/")
    expect(screen.get_by_role("heading", level=1)).to_have_text(orders.number)
    assert actions.count == MOST_ACTIONS


def test_a_slash_typed_into_a_field_stays_in_the_field(screen, support_user, orders):
    sign_in(screen, support_user.username)
    screen.goto(f"/orders/{orders.number}/")
    screen.wait_for_load_state("load")
    note = screen.get_by_label("Internal note")
    note.click()
    screen.keyboard.type("Left at door 4/B")
    expect(note).to_have_value("Left at door 4/B")
    expect(screen.locator(SEARCH_BOX)).not_to_be_focused()
