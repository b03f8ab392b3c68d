"""Who may open each returns screen and run each returns action.

Everyone who works orders (Fulfillment, Support, Managers; admins hold every role) sees the
returns queue, a return's page and its label; opening, approving, rejecting, refunding,
exchanging and closing are for Support and Managers; the receiving desk and receiving are for
Fulfillment and Managers. Anonymous visitors go to the login page; a role that may not act gets
403 even when it posts by hand, and nothing changes.
"""

import pytest
from django.test import Client

from returns.models import ReturnLine, ReturnRequest
from returns.services import return_approve, return_label_make, return_reject
from tests.returns.factories import shipped_order
from tests.returns.screens import (
    HTMX,
    QUEUE,
    RECEIVE,
    opened,
    received,
    return_url,
    start_url,
)

pytestmark = pytest.mark.django_db
ROLES = ("fulfillment", "support", "manager", "admin")
DECIDERS = {"support", "manager", "admin"}
RECEIVERS = {"fulfillment", "manager", "admin"}


@pytest.fixture
def returns(setup, support_user, fulfillment_user):
    """One shipped order (2 MUG, 2 TEE, 2 CAP) with a return in every state an action needs."""
    order = shipped_order(
        setup["web"],
        [("MUG", 2, "10.00"), ("TEE", 2, "20.00"), ("CAP", 2, "15.00")],
        packer=fulfillment_user,
    )
    requested = opened(order, support_user, ("MUG", 1))
    labelled = opened(order, support_user, ("MUG", 1))
    return_approve(rma=labelled, actor=support_user, label=True)
    return_label_make(rma_id=labelled.pk)
    rejected = opened(order, support_user, ("CAP", 1))
    return_reject(rma=rejected, reason="Worn", actor=support_user)
    return {
        "order": order,
        "requested": requested,
        "approved": labelled,
        "to_refund": received(order, support_user, fulfillment_user, ("TEE", 1)),
        "to_exchange": received(
            order, support_user, fulfillment_user, ("TEE", 1), resolution="exchange"
        ),
        "rejected": rejected,
    }


@pytest.fixture
def login_as(client, request):
    def login(role: str):
        user = request.getfixturevalue(f"{role}_user")
        client.force_login(user)
        return user

    return login


def screens(returns) -> dict[str, tuple[str, set[str]]]:
    """name → (url, the roles that may open it)."""
    approved_return = returns["approved"]
    return {
        "queue": (QUEUE, set(ROLES)),
        "page": (return_url(returns["requested"]), set(ROLES)),
        "label_pdf": (return_url(approved_return, "label_pdf"), set(ROLES)),
        "receive": (RECEIVE, RECEIVERS),
        "receive_open": (f"{RECEIVE}?rma={approved_return.number}", RECEIVERS),
    }


def actions(returns) -> dict[str, tuple[str, dict]]:
    """Every returns POST with valid input: name → (url, data)."""
    order = returns["order"]
    cap = order.lines.get(sku="CAP")
    mug_line = returns["approved"].lines.get()
    return {
        "start": (
            start_url(order),
            {f"quantity_{cap.pk}": 1, f"reason_{cap.pk}": "defective", "resolution": "refund"},
        ),
        "approve": (return_url(returns["requested"], "approve"), {}),
        "reject": (return_url(returns["requested"], "reject"), {"reason": "Too late"}),
        "refund": (return_url(returns["to_refund"], "refund"), {}),
        "exchange": (return_url(returns["to_exchange"], "exchange"), {}),
        "close": (return_url(returns["rejected"], "close"), {}),
        "receive": (
            RECEIVE,
            {
                "intent": "receive",
                "open": returns["approved"].number,
                f"quantity_{mug_line.pk}": 1,
                f"condition_{mug_line.pk}": "sellable",
            },
        ),
    }


MAY = {
    "start": DECIDERS,
    "approve": DECIDERS,
    "reject": DECIDERS,
    "refund": DECIDERS,
    "exchange": DECIDERS,
    "close": DECIDERS,
    "receive": RECEIVERS,
}


def snapshot() -> list:
    returns = list(ReturnRequest.objects.order_by("id").values_list("pk", "status"))
    lines = list(
        ReturnLine.objects.order_by("id").values_list("pk", "quantity_sellable", "quantity_damaged")
    )
    return [returns, lines]


def test_anonymous_is_sent_to_login_from_every_screen_and_action(client, returns):
    before = snapshot()
    responses = [client.get(url) for url, _ in screens(returns).values()]
    responses.append(client.get(return_url(returns["to_refund"], "refund_quote"), headers=HTMX))
    responses += [client.post(url, data) for url, data in actions(returns).values()]
    for response in responses:
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")
    assert snapshot() == before


def test_staff_without_a_role_get_403_everywhere(client, login_as, returns):
    login_as("no_role")
    before = snapshot()
    for name, (url, _) in screens(returns).items():
        assert client.get(url).status_code == 403, name
    quote = return_url(returns["to_refund"], "refund_quote")
    assert client.get(quote, headers=HTMX).status_code == 403
    for name, (url, data) in actions(returns).items():
        assert client.post(url, data).status_code == 403, name
    assert snapshot() == before


@pytest.mark.parametrize("role", ROLES)
def test_each_screen_opens_for_the_roles_it_names(client, login_as, returns, role):
    login_as(role)
    for name, (url, roles) in screens(returns).items():
        assert client.get(url).status_code == (200 if role in roles else 403), name
    quote = client.get(return_url(returns["to_refund"], "refund_quote"), headers=HTMX)
    assert quote.status_code == (200 if role in DECIDERS else 403)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(MAY))
def test_each_action_is_for_the_roles_it_names(client, login_as, returns, role, name):
    login_as(role)
    url, data = actions(returns)[name]
    before = snapshot()
    response = client.post(url, data)
    if role in MAY[name]:
        assert response.status_code == 302, (role, name)
        assert snapshot() != before, (role, name)
    else:
        assert response.status_code == 403, (role, name)
        assert snapshot() == before, (role, name)


# The receiving desk's GET is the screen itself.
@pytest.mark.parametrize("name", sorted(set(MAY) - {"receive"}))
def test_every_action_refuses_get(client, login_as, returns, name):
    login_as("manager")
    url, _ = actions(returns)[name]
    assert client.get(url).status_code == 405


def test_csrf_is_checked_on_every_action(returns, manager_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(manager_user)
    before = snapshot()
    for name, (url, data) in actions(returns).items():
        assert client.post(url, data).status_code == 403, name
    assert snapshot() == before


def test_an_unknown_return_is_404(client, login_as, returns):
    login_as("manager")
    for name in ("detail", "approve", "label_pdf"):
        url = return_url(ReturnRequest(number="RMA-999999"), name)
        response = client.get(url) if name != "approve" else client.post(url)
        assert response.status_code == 404, name


def test_a_return_without_a_label_has_no_label_to_download(client, login_as, returns):
    login_as("support")
    assert client.get(return_url(returns["requested"], "label_pdf")).status_code == 404
    response = client.get(return_url(returns["approved"], "label_pdf"))
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert returns["approved"].number in response["Content-Disposition"]


def test_approving_twice_is_refused_in_place(client, login_as, returns):
    """A decision the return's state no longer allows is refused and changes nothing."""
    login_as("support")
    rma = returns["requested"]
    return_approve(rma=rma, actor=None)
    before = snapshot()
    response = client.post(return_url(rma, "approve"), {}, headers=HTMX)
    assert response.status_code == 200
    assert (
        f"Return {rma.number} is approved: it cannot be approved now." in response.content.decode()
    )
    assert snapshot() == before


@pytest.mark.parametrize(
    ("role", "shown"),
    [
        ("fulfillment", {"Returns", "Receive returns"}),
        ("support", {"Returns"}),
        ("manager", {"Returns", "Receive returns"}),
        ("no_role", set()),
    ],
)
def test_the_navigation_offers_each_role_its_returns_screens(client, login_as, role, shown):
    login_as(role)
    html = client.get("/").content.decode()
    # Without a role there is no navigation at all.
    start = html.find('aria-label="Main"')
    nav = html[start : html.index("</nav>", start)] if start >= 0 else ""
    found = {label for label in ("Returns", "Receive returns") if f">{label}</a>" in nav}
    assert found == shown
