"""Returns racing for the same units on PostgreSQL never together exceed what shipped."""

import pytest

from returns.errors import ReturnExceedsShipped
from returns.models import ReturnLine
from returns.services import ReturnLineData, return_create
from tests.concurrency import run_concurrently

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_returns_racing_for_the_same_units_never_exceed_what_shipped(order, support_user):
    def ask_for_one_mug(index):
        return return_create(
            order=order,
            lines=[ReturnLineData("MUG", 1, "changed_mind")],
            resolution="refund",
            actor=support_user,
        )

    results = run_concurrently(6, ask_for_one_mug)
    won = [value for outcome, value in results if outcome == "ok"]
    lost = [value for outcome, value in results if outcome == "error"]
    assert len(won) == 2 and len(lost) == 4  # two mugs shipped
    assert all(isinstance(error, ReturnExceedsShipped) for error in lost)
    assert sum(ReturnLine.objects.values_list("quantity", flat=True)) == 2


def test_two_returns_for_all_the_units_one_wins(order, support_user):
    def ask_for_everything(index):
        return return_create(
            order=order,
            lines=[ReturnLineData("MUG", 2, "defective"), ReturnLineData("TEE", 1, "defective")],
            resolution="refund",
            actor=support_user,
        )

    results = run_concurrently(2, ask_for_everything)
    assert sorted(outcome for outcome, _ in results) == ["error", "ok"]
    assert ReturnLine.objects.count() == 2
