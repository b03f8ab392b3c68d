import pytest

from tests.orders.factories import SalesChannelFactory
from tests.payments.factories import stocked_product


@pytest.fixture
def stock(db):
    """MUG (10.00) and TEE (25.00), 100 of each in the MAIN warehouse."""
    return {
        "MUG": stocked_product("MUG", price="10.00"),
        "TEE": stocked_product("TEE", price="25.00"),
    }


@pytest.fixture
def web(db):
    return SalesChannelFactory(code="web")
