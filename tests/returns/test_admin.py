"""The admin shows returns and their lines to superusers, read-only."""

import pytest

from returns.models import ReturnRequest
from returns.services import ReturnLineData, return_create

pytestmark = pytest.mark.django_db


def test_the_admin_lists_returns_and_refuses_to_add_or_change_them(
    client, admin_user, order, support_user
):
    rma = return_create(
        order=order,
        lines=[ReturnLineData("MUG", 2, "defective")],
        resolution="refund",
        actor=support_user,
    )
    client.force_login(admin_user)
    listing = client.get("/admin/returns/returnrequest/")
    assert listing.status_code == 200
    assert rma.number in listing.content.decode()
    assert order.number in listing.content.decode()
    page = client.get(f"/admin/returns/returnrequest/{rma.pk}/change/")
    assert page.status_code == 200
    content = page.content.decode()
    assert "Defective" in content  # the line, inline
    assert 'name="status"' not in content and 'name="lines-0-quantity"' not in content
    assert client.get("/admin/returns/returnrequest/add/").status_code == 403
    posted = client.post(f"/admin/returns/returnrequest/{rma.pk}/change/", {"status": "closed"})
    assert posted.status_code == 403
    deleted = client.post(f"/admin/returns/returnrequest/{rma.pk}/delete/", {"post": "yes"})
    assert deleted.status_code == 403
    assert ReturnRequest.objects.get().status == "requested"
